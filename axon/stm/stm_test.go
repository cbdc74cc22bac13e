package stm_test

import (
	"context"
	"errors"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamaelia-go/kamaelia/axon/stm"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

func TestGetSetCommitBumpsVersion(t *testing.T) {
	s := stm.New[string]()
	v, err := s.Get("k")
	require.NoError(t, err)
	v.Set("one")
	require.NoError(t, s.Commit(v))
	assert.Equal(t, uint64(1), v.Version())

	v, err = s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, "k", v.Key())
	assert.Equal(t, "one", v.Value())
	assert.Equal(t, uint64(1), v.Version())

	v.Set("two")
	require.NoError(t, s.Commit(v))
	assert.Equal(t, uint64(2), v.Version())

	// A committed Var moves to the new version and can be committed again.
	v.Set("three")
	require.NoError(t, s.Commit(v))
	assert.Equal(t, uint64(3), v.Version())

	got, err := s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, "three", got.Value())
	assert.Equal(t, uint64(3), got.Version())
}

func TestSetWithoutCommitDoesNotChangeStore(t *testing.T) {
	s := stm.New[int]()
	require.NoError(t, s.Update("k", func(int) (int, error) { return 1, nil }))
	v, err := s.Get("k")
	require.NoError(t, err)
	v.Set(99)
	got, err := s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, 1, got.Value())
}

func TestStaleCommitFailsWithConflictError(t *testing.T) {
	s := stm.New[int]()
	require.NoError(t, s.Update("k", func(int) (int, error) { return 1, nil }))

	a, err := s.Get("k")
	require.NoError(t, err)
	b, err := s.Get("k")
	require.NoError(t, err)
	a.Set(10)
	b.Set(20)
	require.NoError(t, s.Commit(a))

	err = s.Commit(b)
	require.Error(t, err)
	assert.ErrorIs(t, err, stm.ErrConcurrentUpdate)
	var conflict *stm.ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "k", conflict.Key)
	assert.Equal(t, uint64(1), conflict.ReadVersion)
	assert.Equal(t, uint64(2), conflict.StoreVersion)
	assert.Contains(t, conflict.Error(), `"k"`)
	assert.Equal(t, uint64(1), b.Version(), "a failed commit leaves the Var's version alone")

	got, err := s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, 10, got.Value(), "the losing commit must not be stored")
	assert.Equal(t, uint64(2), got.Version())
}

func TestUnknownKeyCreation(t *testing.T) {
	s := stm.New[[]int]()
	v, err := s.Get("new")
	require.NoError(t, err)
	assert.Equal(t, "new", v.Key())
	assert.Nil(t, v.Value())
	assert.Equal(t, uint64(0), v.Version())

	v.Set([]int{1})
	require.NoError(t, s.Commit(v))
	assert.Equal(t, uint64(1), v.Version())

	// Two creators that both read version 0: only the first commit wins.
	late, err := s.Get("other")
	require.NoError(t, err)
	first, err := s.Get("other")
	require.NoError(t, err)
	require.NoError(t, s.Commit(first))
	var conflict *stm.ConflictError
	require.ErrorAs(t, s.Commit(late), &conflict)
	assert.Equal(t, uint64(0), conflict.ReadVersion)
	assert.Equal(t, uint64(1), conflict.StoreVersion)
}

func TestZeroValueStoreIsUsable(t *testing.T) {
	var s stm.Store[int]
	require.NoError(t, s.Update("k", func(n int) (int, error) { return n + 1, nil }))
	c := s.Using("a", "k")
	c.Set("a", 5)
	require.NoError(t, c.Commit())
	v, err := s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, 1, v.Value())
	a, err := s.Get("a")
	require.NoError(t, err)
	assert.Equal(t, 5, a.Value())
}

func TestCommitOfForeignVarFails(t *testing.T) {
	s1, s2 := stm.New[int](), stm.New[int]()
	v, err := s1.Get("k")
	require.NoError(t, err)
	assert.ErrorIs(t, s2.Commit(v), stm.ErrForeignVar)
	assert.ErrorIs(t, s2.Commit(nil), stm.ErrForeignVar)
	assert.ErrorIs(t, s2.Commit(&stm.Var[int]{}), stm.ErrForeignVar)
}

func TestMultiKeyCommitIsAllOrNothing(t *testing.T) {
	s := stm.New[int]()
	init := s.Using("a", "b")
	init.Set("a", 100)
	init.Set("b", 0)
	require.NoError(t, init.Commit())

	// Transfer 30 from a to b, but b changes underneath.
	c := s.Using("a", "b")
	a, err := c.Get("a")
	require.NoError(t, err)
	b, err := c.Get("b")
	require.NoError(t, err)
	c.Set("a", a-30)
	c.Set("b", b+30)

	require.NoError(t, s.Update("b", func(n int) (int, error) { return n + 1, nil }))

	err = c.Commit()
	assert.ErrorIs(t, err, stm.ErrConcurrentUpdate)
	var conflict *stm.ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "b", conflict.Key)
	assert.Equal(t, uint64(1), conflict.ReadVersion)
	assert.Equal(t, uint64(2), conflict.StoreVersion)

	ga, err := s.Get("a")
	require.NoError(t, err)
	assert.Equal(t, 100, ga.Value(), "a must not be written when b conflicts")
	assert.Equal(t, uint64(1), ga.Version())

	// Retry from a fresh snapshot succeeds and writes both keys.
	c = s.Using("a", "b")
	a, _ = c.Get("a")
	b, _ = c.Get("b")
	c.Set("a", a-30)
	c.Set("b", b+30)
	require.NoError(t, c.Commit())

	ga, _ = s.Get("a")
	gb, _ := s.Get("b")
	assert.Equal(t, 70, ga.Value())
	assert.Equal(t, 31, gb.Value())
	assert.Equal(t, uint64(2), ga.Version())
	assert.Equal(t, uint64(3), gb.Version())
}

func TestMultiKeyCommitFailsWhenReadOnlyKeyChanged(t *testing.T) {
	s := stm.New[int]()
	c := s.Using("read", "write")
	c.Set("write", 1)
	require.NoError(t, s.Update("read", func(int) (int, error) { return 7, nil }))

	assert.ErrorIs(t, c.Commit(), stm.ErrConcurrentUpdate)
	w, _ := s.Get("write")
	assert.Equal(t, uint64(0), w.Version())
}

func TestCollectionKeysAndRecommit(t *testing.T) {
	s := stm.New[int]()
	c := s.Using("x", "y", "x")
	assert.Equal(t, []string{"x", "y"}, c.Keys())

	c.Set("x", 1)
	require.NoError(t, c.Commit())
	c.Set("x", 2)
	require.NoError(t, c.Commit(), "a committed collection moves to the new versions")

	x, _ := s.Get("x")
	y, _ := s.Get("y")
	assert.Equal(t, 2, x.Value())
	assert.Equal(t, uint64(2), x.Version())
	assert.Equal(t, uint64(0), y.Version(), "keys only read are not written")
}

func TestCollectionCommitWithForeignKeyFails(t *testing.T) {
	s := stm.New[int]()
	c := s.Using("a")
	c.Set("a", 1)
	c.Set("stranger", 2)

	err := c.Commit()
	require.ErrorIs(t, err, stm.ErrNotInCollection)
	assert.NotErrorIs(t, err, stm.ErrConcurrentUpdate)
	assert.Contains(t, err.Error(), "stranger")

	a, _ := s.Get("a")
	assert.Equal(t, uint64(0), a.Version(), "nothing is committed")
	st, _ := s.Get("stranger")
	assert.Equal(t, uint64(0), st.Version(), "nothing is committed")

	_, err = c.Get("stranger")
	assert.ErrorIs(t, err, stm.ErrNotInCollection)
}

func TestUsingReadsConsistentSnapshot(t *testing.T) {
	s := stm.New[int]()
	// A writer keeps a+b == 0 while moving value between them.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1; ctx.Err() == nil; i++ {
			c := s.Using("a", "b")
			c.Set("a", i)
			c.Set("b", -i)
			_ = c.Commit()
		}
	})
	for range 2000 {
		c := s.Using("a", "b")
		a, err := c.Get("a")
		require.NoError(t, err)
		b, err := c.Get("b")
		require.NoError(t, err)
		require.Zero(t, a+b)
	}
	cancel()
	wg.Wait()
}

func TestUpdateUnderContention(t *testing.T) {
	const goroutines, increments = 8, 1000
	s := stm.New[int]()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*increments)
	for range goroutines {
		wg.Go(func() {
			for range increments {
				if err := s.Update("counter", func(n int) (int, error) { return n + 1, nil }); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	v, err := s.Get("counter")
	require.NoError(t, err)
	assert.Equal(t, goroutines*increments, v.Value())
	assert.Equal(t, uint64(goroutines*increments), v.Version())
}

func TestUpdateStopsOnFnError(t *testing.T) {
	s := stm.New[int]()
	boom := errors.New("boom")
	calls := 0
	err := s.Update("k", func(n int) (int, error) {
		calls++
		return n + 1, boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, calls)
	v, _ := s.Get("k")
	assert.Equal(t, uint64(0), v.Version(), "nothing is committed when fn fails")
}

func TestUpdateRetriesAfterConflict(t *testing.T) {
	s := stm.New[int]()
	calls := 0
	err := s.Update("k", func(n int) (int, error) {
		calls++
		if calls == 1 {
			// Another writer sneaks in between our read and our commit.
			require.NoError(t, s.Update("k", func(m int) (int, error) { return m + 10, nil }))
		}
		return n + 1, nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, calls)
	v, _ := s.Get("k")
	assert.Equal(t, 11, v.Value())
}

func TestUpdateContextStopsOnCancelledContext(t *testing.T) {
	s := stm.New[int]()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := s.UpdateContext(ctx, "k", func(n int) (int, error) {
		calls++
		// Every attempt conflicts; cancel during the first one.
		require.NoError(t, s.Update("k", func(m int) (int, error) { return m + 1, nil }))
		cancel()
		return n + 100, nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls, "no retry after the context is cancelled")
	v, _ := s.Get("k")
	assert.Equal(t, 1, v.Value(), "the cancelled update commits nothing")

	// An already cancelled context does not even call fn.
	calls = 0
	err = s.UpdateContext(ctx, "k", func(n int) (int, error) { calls++; return n, nil })
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, calls)
}

func TestWithCopyMakesReadsIndependent(t *testing.T) {
	s := stm.New(stm.WithCopy(slices.Clone[[]int]))
	v, err := s.Get("k")
	require.NoError(t, err)
	orig := []int{1, 2, 3}
	v.Set(orig)
	require.NoError(t, s.Commit(v))
	orig[0] = 100 // the store kept its own copy on commit

	r1, err := s.Get("k")
	require.NoError(t, err)
	r1.Value()[1] = 200 // mutating a read copy ...

	r2, err := s.Get("k")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3}, r2.Value(), "... does not change the store")

	c := s.Using("k")
	got, err := c.Get("k")
	require.NoError(t, err)
	got[2] = 300
	r3, _ := s.Get("k")
	assert.Equal(t, []int{1, 2, 3}, r3.Value())

	abandon := errors.New("abandon")
	require.ErrorIs(t, s.Update("k", func(xs []int) ([]int, error) {
		xs[0] = 9 // safe: fn gets a copy
		return nil, abandon
	}), abandon)
	r4, _ := s.Get("k")
	assert.Equal(t, []int{1, 2, 3}, r4.Value())
}

func TestWithoutCopyValuesAreShared(t *testing.T) {
	s := stm.New[[]int]()
	v, _ := s.Get("k")
	v.Set([]int{1})
	require.NoError(t, s.Commit(v))
	r, _ := s.Get("k")
	r.Value()[0] = 2
	r2, _ := s.Get("k")
	assert.Equal(t, []int{2}, r2.Value(), "without WithCopy, values must be treated as immutable")
}

func BenchmarkCommit(b *testing.B) {
	s := stm.New[int]()
	b.ReportAllocs()
	for b.Loop() {
		v, err := s.Get("k")
		if err != nil {
			b.Fatal(err)
		}
		v.Set(v.Value() + 1)
		if err := s.Commit(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdateContended(b *testing.B) {
	s := stm.New[int]()
	inc := func(n int) (int, error) { return n + 1, nil }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Update("k", inc); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
