package axon_test

import (
	"context"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Waker woken from another goroutine makes Wait return; Woken tells
// which, once; wakes before the Wait are not lost and coalesce.
func TestWakerWakesWaitFromAnotherGoroutine(t *testing.T) {
	s := axontest.NewScheduler(t)
	woken := make(chan [2]bool)
	next := make(chan struct{})
	c := &funcComp{}
	var a, b *axon.Waker
	ready := make(chan struct{})
	c.main = func(ctx context.Context) error {
		a, b = c.NewWaker(), c.NewWaker()
		defer a.Close()
		defer b.Close()
		close(ready)
		for range 2 {
			if err := c.Wait(ctx); err != nil {
				return err
			}
			woken <- [2]bool{a.Woken(), b.Woken()}
			<-next
		}
		return nil
	}
	s.Activate(c)
	<-ready
	go a.Wake() // from any goroutine
	assert.Equal(t, [2]bool{true, false}, <-woken)
	// Woken cleared; two wakes before the next Wait coalesce into one.
	b.Wake()
	b.Wake()
	next <- struct{}{}
	assert.Equal(t, [2]bool{false, true}, <-woken)
	next <- struct{}{}
	<-c.Done()
	require.NoError(t, c.Err())
}

func TestWakerClosedWakesNothing(t *testing.T) {
	c := newFunc()
	w := c.NewWaker()
	w.Close()
	w.Close()
	w.Wake()
	assert.False(t, w.Woken())
}

func TestWakerDoesNotEndRecv(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := &funcComp{}
	in := axon.NewInbox[int](c, "inbox")
	ready := make(chan *axon.Waker)
	c.main = func(ctx context.Context) error {
		w := c.NewWaker()
		defer w.Close()
		ready <- w
		v, err := in.Recv(ctx)
		if err != nil {
			return err
		}
		if v != 7 {
			t.Errorf("Recv returned %d", v)
		}
		return nil
	}
	h := axontest.NewHandle(t, s, c, "inbox")
	w := <-ready
	w.Wake()
	require.NoError(t, h.Put(axontest.Context(t), "inbox", 7))
	<-c.Done()
	assert.NoError(t, c.Err())
}
