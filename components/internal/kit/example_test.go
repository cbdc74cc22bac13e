package kit_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/components/internal/kit"
)

// A rate-limited byte source sending 2.5 bytes a step sends portions of 2
// and 3 that add up to exactly 2.5 a step however long it runs.
func ExamplePortions() {
	p := kit.NewPortions(2.5)
	total := 0
	for range 6 {
		n := p.Next()
		total += n
		fmt.Print(n, " ")
	}
	fmt.Println("=", total)
	// Output: 2 3 2 3 2 3 = 15
}
