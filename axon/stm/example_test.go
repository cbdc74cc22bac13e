package stm_test

import (
	"errors"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon/stm"
)

func Example() {
	s := stm.New[int]()

	// An unknown key reads as the zero value at version 0; committing creates it.
	v, _ := s.Get("counter")
	v.Set(v.Value() + 1)
	fmt.Println(s.Commit(v), v.Version())

	// Two readers check out the same version; only the first commit wins.
	a, _ := s.Get("counter")
	b, _ := s.Get("counter")
	a.Set(a.Value() + 10)
	b.Set(b.Value() + 100)
	fmt.Println(s.Commit(a))
	err := s.Commit(b)
	fmt.Println(errors.Is(err, stm.ErrConcurrentUpdate))
	var conflict *stm.ConflictError
	if errors.As(err, &conflict) {
		fmt.Println(conflict.Key, conflict.ReadVersion, conflict.StoreVersion)
	}

	// The loser retries; Update wraps that loop.
	_ = s.Update("counter", func(n int) (int, error) { return n + 100, nil })

	// Several keys move atomically.
	c := s.Using("counter", "other")
	n, _ := c.Get("counter")
	c.Set("counter", n-1)
	c.Set("other", 1)
	fmt.Println(c.Commit())

	final, _ := s.Get("counter")
	other, _ := s.Get("other")
	fmt.Println(final.Value(), final.Version(), other.Value(), other.Version())
	// Output:
	// <nil> 1
	// <nil>
	// true
	// counter 1 2
	// <nil>
	// 110 4 1 1
}
