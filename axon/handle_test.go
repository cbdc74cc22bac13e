package axon_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandlePutsIntoInboxesAndGetsFromOutboxes(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	assert.Equal(t, axon.Component(d), h.Component())
	assert.Equal(t, axon.Running, d.State(), "NewHandle activates the component")
	for i := 1; i <= 3; i++ {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	assert.Equal(t, []any{2, 4, 6}, getN(t, ctx, h, "outbox", 3))
}

func TestHandleQueuesEverythingTheComponentSends(t *testing.T) {
	// All the input can be put before any output is taken: what the Handle
	// takes from the component waits for Get without bound.
	const n = 20 * axon.DefaultCapacity
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	for i := range n {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, 2*i, v)
	}
}

func TestHandleGetAfterFinishReturnsErrFinished(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", 1))
	require.NoError(t, h.Finish(ctx))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 2, v)
	for range 2 {
		_, err = h.Get(ctx, "outbox")
		require.ErrorIs(t, err, axon.ErrFinished)
	}
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	_, err = h.Get(ctx, "signal")
	require.ErrorIs(t, err, axon.ErrFinished)
	select {
	case <-h.Done():
	default:
		t.Fatal("Done not closed after Get returned ErrFinished")
	}
}

func TestHandleCloseShutsTheComponentDown(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc() // runs until shut down
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Close())
	assert.Equal(t, axon.Finished, c.State())
	assert.True(t, c.ShuttingDown())
	require.NoError(t, s.Wait(ctx))
}

func TestHandleCloseReturnsTheComponentsFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	errCleanup := errors.New("cleanup failed")
	c := newFunc()
	c.main = func(ctx context.Context) error {
		<-ctx.Done()
		return errCleanup
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	err = h.Close()
	require.ErrorIs(t, err, errCleanup)
	var f *axon.Failure
	require.ErrorAs(t, err, &f)
}

func TestHandleWaitReturnsTheComponentsFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	errBoom := errors.New("boom")
	c := newFunc()
	c.main = func(context.Context) error { return errBoom }
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.ErrorIs(t, h.Wait(ctx), errBoom)
}

func TestHandleWaitReturnsNilAfterACleanEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
}

func TestHandleWaitHonoursItsContext(t *testing.T) {
	s := axontest.NewScheduler(t)
	h, err := axon.NewHandle(s, newFunc())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, h.Wait(ctx), context.Canceled)
	require.NoError(t, h.Close())
}

func TestHandleGetHonoursItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		h, err := axon.NewHandle(s, newDoubler())
		require.NoError(t, err)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err = h.Get(ctx, "outbox")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		require.NoError(t, h.Close())
	})
}

func TestHandleTryGetTakesOnlyWhatIsWaiting(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	_, ok := h.TryGet("outbox")
	assert.False(t, ok)
	for i := 1; i <= 2; i++ {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx)) // everything it sent is waiting now
	for _, want := range []int{2, 4} {
		v, ok := h.TryGet("outbox")
		require.True(t, ok)
		assert.Equal(t, want, v)
	}
	_, ok = h.TryGet("outbox")
	assert.False(t, ok)
	_, ok = h.TryGet("nosuch")
	assert.False(t, ok)
}

func TestHandlePutToUnknownBoxFails(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	err = h.Put(ctx, "nosuch", 1)
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	assert.Contains(t, err.Error(), "nosuch")
	_, err = h.Get(ctx, "nosuch")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	_, err = h.Get(ctx, "inbox")
	require.ErrorIs(t, err, axon.ErrNoSuchBox, "inboxes are put to, not got from")
}

func TestHandlePutOfWrongTypeFailsWithErrTypeMismatch(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	err = h.Put(ctx, "inbox", "seven")
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	assert.Contains(t, err.Error(), "string")
	assert.Contains(t, err.Error(), "int")
	// Control takes any value.
	require.NoError(t, h.Put(ctx, "control", "not a shutdown message"))
	require.NoError(t, h.Put(ctx, "inbox", 7))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 14, v)
}

func TestHandleLeavesAlreadyLinkedOutboxesAlone(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	r := newRelay[int]()
	_, err := axon.Link(d.out, r.In)
	require.NoError(t, err)
	hr, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	hd, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	_, err = hd.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	require.NoError(t, hd.Put(ctx, "inbox", 5))
	v, err := hr.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 10, v)
}

func TestHandlePutsAlongsideOtherLinksIntoTheSameInbox(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	src := newBox[int]("src")
	_, err := axon.Link(src.out, d.in)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	require.NoError(t, src.out.Send(ctx, 1))
	require.NoError(t, h.Put(ctx, "inbox", 2))
	require.NoError(t, src.out.Send(ctx, 3))
	assert.Equal(t, []any{2, 4, 6}, getN(t, ctx, h, "outbox", 3))
}

func TestHandleServesConcurrentGetsInTurn(t *testing.T) {
	const n, getters = 2000, 4
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	got := make([][]int, getters)
	var wg sync.WaitGroup
	for g := range getters {
		wg.Go(func() {
			for range n / getters {
				v, err := h.Get(ctx, "outbox")
				if !assert.NoError(t, err) {
					return
				}
				got[g] = append(got[g], v.(int))
			}
		})
	}
	var pg sync.WaitGroup
	for p := range 2 {
		pg.Go(func() {
			for i := p; i < n; i += 2 {
				if !assert.NoError(t, h.Put(ctx, "inbox", i)) {
					return
				}
			}
		})
	}
	pg.Wait()
	wg.Wait()
	seen := map[int]bool{}
	for g := range getters {
		require.Len(t, got[g], n/getters)
		last := [2]int{-1, -1}
		for _, v := range got[g] {
			require.False(t, seen[v], "%d got twice", v)
			seen[v] = true
			// Each getter sees each putter's messages in the order put.
			p := (v / 2) % 2
			require.Greater(t, v, last[p])
			last[p] = v
		}
	}
	require.Len(t, seen, n)
}

func TestHandleGetWaitingWhenTheComponentEndsReturnsErrFinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		ctx := axontest.Context(t)
		release := make(chan struct{})
		c := newFunc()
		axon.NewOutbox[int](c, "outbox")
		c.main = func(context.Context) error {
			<-release
			return nil
		}
		h, err := axon.NewHandle(s, c)
		require.NoError(t, err)
		got := make(chan error, 1)
		go func() {
			_, err := h.Get(ctx, "outbox")
			got <- err
		}()
		synctest.Wait() // Get is waiting
		close(release)  // the component ends without sending on outbox
		require.ErrorIs(t, <-got, axon.ErrFinished)
	})
}
