package axon_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireFull checks that err is the error of a non-blocking send to the
// full inbox called box of the given capacity.
func requireFull(t *testing.T, err error, box string, capacity int) {
	t.Helper()
	require.ErrorIs(t, err, axon.ErrBoxFull)
	var full *axon.FullError
	require.ErrorAs(t, err, &full)
	assert.Equal(t, box, full.Box)
	assert.Equal(t, capacity, full.Capacity)
	assert.Contains(t, err.Error(), box)
}

func TestInboxHasDefaultCapacity(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	assert.Equal(t, axon.DefaultCapacity, dst.in.Cap())
	assert.Equal(t, axon.DefaultCapacity, dst.Control().Cap())
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	for i := range axon.DefaultCapacity {
		require.NoError(t, src.out.TrySend(i))
	}
	requireFull(t, src.out.TrySend(-1), "dst.inbox", axon.DefaultCapacity)
	assert.Equal(t, axon.DefaultCapacity, dst.in.Len())
}

func TestInboxSetCapacity(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	dst.in.SetCapacity(3)
	assert.Equal(t, 3, dst.in.Cap())
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, src.out.TrySend(i))
	}
	requireFull(t, src.out.TrySend(3), "dst.inbox", 3)

	// Growing the box makes room at once.
	dst.in.SetCapacity(4)
	require.NoError(t, src.out.TrySend(3))
	requireFull(t, src.out.TrySend(4), "dst.inbox", 4)
	assert.Equal(t, []int{0, 1, 2, 3}, dst.in.TryRecvBatch(nil, 10))
}

func TestInboxSetCapacityRejectsBadValues(t *testing.T) {
	b := newBox[int]("b")
	assert.Panics(t, func() { b.in.SetCapacity(0) })
	assert.Panics(t, func() { b.in.SetCapacity(-2) })
	assert.Equal(t, axon.DefaultCapacity, b.in.Cap())
}

func TestTrySendOnFullInboxFailsForEveryProducerOfAFanIn(t *testing.T) {
	a, b := newBox[int]("a"), newBox[int]("b")
	sink := newBox[int]("sink")
	sink.in.SetCapacity(2)
	_, err := axon.Link(a.out, sink.in)
	require.NoError(t, err)
	_, err = axon.Link(b.out, sink.in)
	require.NoError(t, err)
	require.NoError(t, a.out.TrySend(1))
	require.NoError(t, b.out.TrySend(2))
	requireFull(t, a.out.TrySend(3), "sink.inbox", 2)
	requireFull(t, b.out.TrySend(4), "sink.inbox", 2)
	// A full box is not a drop: the message is refused, not counted.
	assert.Zero(t, a.out.Dropped())
	assert.Zero(t, b.out.Dropped())
	assert.Equal(t, []int{1, 2}, sink.in.TryRecvBatch(nil, 10))
}

func TestSendWaitsUntilTheConsumerTakesOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		ctx := axontest.Context(t)
		// The consumer takes one message from inbox for each step it is given.
		c := newFunc()
		in := axon.NewInbox[int](c, "inbox")
		step := axon.NewInbox[struct{}](c, "step")
		out := axon.NewOutbox[int](c, "outbox")
		in.SetCapacity(2)
		c.main = func(ctx context.Context) error {
			for range step.Messages(ctx) {
				v, err := in.Recv(ctx)
				if err != nil {
					return err
				}
				if err := out.Send(ctx, v); err != nil {
					return err
				}
			}
			return ctx.Err()
		}
		src := newBox[int]("src")
		_, err := axon.Link(src.out, in)
		require.NoError(t, err)
		h, err := axon.NewHandle(s, c)
		require.NoError(t, err)

		require.NoError(t, src.out.Send(ctx, 1))
		require.NoError(t, src.out.Send(ctx, 2))
		sent := make(chan error, 1)
		go func() { sent <- src.out.Send(ctx, 3) }()
		synctest.Wait() // the sender is durably blocked, or it has returned
		select {
		case err := <-sent:
			t.Fatalf("Send into a full inbox returned (%v) before the consumer took anything", err)
		default:
		}
		assert.Equal(t, 2, in.Len())

		require.NoError(t, h.Put(ctx, "step", struct{}{}))
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		assert.Equal(t, 1, v)
		require.NoError(t, <-sent)
		assert.Equal(t, 2, in.Len(), "2 and 3 wait in the box")
	})
}

func TestSendReturnsContextErrorWhileWaitingForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst := newBox[int]("src"), newBox[int]("dst")
		dst.in.SetCapacity(1)
		_, err := axon.Link(src.out, dst.in)
		require.NoError(t, err)
		require.NoError(t, src.out.TrySend(1))

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sent := make(chan error, 1)
		go func() { sent <- src.out.Send(ctx, 2) }()
		synctest.Wait()
		select {
		case err := <-sent:
			t.Fatalf("Send into a full inbox returned (%v) before its context ended", err)
		default:
		}
		cancel()
		require.ErrorIs(t, <-sent, context.Canceled)

		// A deadline ends the wait when it passes, not before.
		start := time.Now()
		tctx, tcancel := context.WithTimeout(context.Background(), time.Minute)
		defer tcancel()
		require.ErrorIs(t, src.out.Send(tctx, 3), context.DeadlineExceeded)
		assert.Equal(t, time.Minute, time.Since(start))

		// Neither message went in, and neither was counted as dropped.
		assert.Equal(t, []int{1}, dst.in.TryRecvBatch(nil, 10))
		assert.Zero(t, src.out.Dropped())
	})
}

func TestUnboundedInboxNeverFills(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	dst.in.SetCapacity(axon.Unbounded)
	assert.Equal(t, axon.Unbounded, dst.in.Cap())
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	const n = 100 * axon.DefaultCapacity
	for i := range n {
		require.NoError(t, src.out.TrySend(i))
	}
	assert.Equal(t, n, dst.in.Len())
	got := dst.in.TryRecvBatch(nil, n)
	require.Len(t, got, n)
	for i, v := range got {
		require.Equal(t, i, v)
	}
}

func TestLinkWithCapacitySetsFinalInboxCapacity(t *testing.T) {
	a, b := newBox[int]("a"), newBox[int]("b")
	_, err := axon.Link(a.out, b.in, axon.WithCapacity(3))
	require.NoError(t, err)
	assert.Equal(t, 3, b.in.Cap())

	// Through a passthrough, the capacity is the final inbox's.
	src, parent, child := newBox[int]("src"), newBox[int]("parent"), newBox[int]("child")
	_, err = axon.Link(parent.in, child.in)
	require.NoError(t, err)
	_, err = axon.Link(src.out, parent.in, axon.WithCapacity(2))
	require.NoError(t, err)
	assert.Equal(t, 2, child.in.Cap())
	require.NoError(t, src.out.TrySend(1))
	require.NoError(t, src.out.TrySend(2))
	requireFull(t, src.out.TrySend(3), "child.inbox", 2)

	u, v := newBox[int]("u"), newBox[int]("v")
	_, err = axon.Link(u.out, v.in, axon.WithCapacity(axon.Unbounded))
	require.NoError(t, err)
	assert.Equal(t, axon.Unbounded, v.in.Cap())

	_, err = axon.Link(newBox[int]("x").out, newBox[int]("y").in, axon.WithCapacity(-7))
	require.Error(t, err)
}

func TestPassthroughMiddleInboxCapacityDoesNotApply(t *testing.T) {
	src := newBox[int]("src")
	gp, parent, child := newBox[int]("grandparent"), newBox[int]("parent"), newBox[int]("child")
	gp.in.SetCapacity(1)
	parent.in.SetCapacity(1)
	child.in.SetCapacity(5)
	for _, l := range [][2]axon.Box{{src.out, gp.in}, {gp.in, parent.in}, {parent.in, child.in}} {
		_, err := axon.Link(l[0], l[1])
		require.NoError(t, err)
	}
	for i := range 5 {
		require.NoError(t, src.out.TrySend(i))
	}
	requireFull(t, src.out.TrySend(5), "child.inbox", 5)
	assert.Equal(t, 5, child.in.Len())
}

func TestSendBatchAndRecvBatchKeepOrder(t *testing.T) {
	const n = 1000
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	in := axon.NewInbox[int](c, "inbox")
	out := axon.NewOutbox[int](c, "outbox")
	in.SetCapacity(16) // smaller than a batch: SendBatch waits for room
	c.main = func(ctx context.Context) error {
		var buf []int
		for {
			batch, err := in.RecvBatch(ctx, buf[:0], 7)
			if errors.Is(err, axon.ErrFinished) {
				return nil
			}
			if err != nil {
				return err
			}
			if len(batch) == 0 || len(batch) > 7 {
				return errors.New("RecvBatch returned a batch of the wrong size")
			}
			if err := out.SendBatch(ctx, batch); err != nil {
				return err
			}
			buf = batch
		}
	}
	src := newBox[int]("src")
	_, err := axon.Link(src.out, in)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	for start := 0; start < n; start += 100 {
		batch := make([]int, 100)
		for i := range batch {
			batch[i] = start + i
		}
		require.NoError(t, src.out.SendBatch(ctx, batch))
	}
	require.NoError(t, h.Finish(ctx))
	for i := range n {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
	_, err = h.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	require.NoError(t, h.Wait(ctx))
}

func TestTryRecvBatchKeepsOrder(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	assert.Empty(t, dst.in.TryRecvBatch(nil, 4))
	for i := range 10 {
		require.NoError(t, src.out.TrySend(i))
	}
	got := dst.in.TryRecvBatch(nil, 4)
	assert.Equal(t, []int{0, 1, 2, 3}, got)
	got = dst.in.TryRecvBatch(got, 100)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, got)
	assert.Equal(t, got, dst.in.TryRecvBatch(got, 100), "an empty box appends nothing")
	assert.False(t, dst.in.DataReady())
}

func TestSendBatchWaitsForRoomAndKeepsOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst := newBox[int]("src"), newBox[int]("dst")
		dst.in.SetCapacity(3)
		_, err := axon.Link(src.out, dst.in)
		require.NoError(t, err)
		ctx := axontest.Context(t)
		sent := make(chan error, 1)
		go func() { sent <- src.out.SendBatch(ctx, []int{0, 1, 2, 3, 4, 5}) }()
		synctest.Wait()
		assert.Equal(t, []int{0, 1, 2}, dst.in.TryRecvBatch(nil, 10))
		require.NoError(t, <-sent)
		assert.Equal(t, []int{3, 4, 5}, dst.in.TryRecvBatch(nil, 10))
	})
}
