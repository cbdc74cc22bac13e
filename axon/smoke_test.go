package axon_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/require"
)

type doubler struct {
	axon.Core
	in  *axon.Inbox[int]
	out *axon.Outbox[int]
}

func newDoubler() *doubler {
	d := &doubler{}
	d.in = axon.NewInbox[int](d, "inbox")
	d.out = axon.NewOutbox[int](d, "outbox")
	return d
}

func (d *doubler) Main(ctx context.Context) error {
	for v := range d.in.Messages(ctx) {
		if err := d.out.Send(ctx, 2*v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func TestSmoke(t *testing.T) {
	s := axon.NewScheduler()
	a, b := newDoubler(), newDoubler()
	_, err := axon.Link(a.out, b.in)
	require.NoError(t, err)
	_, err = axon.Link(a.Signal(), b.Control())
	require.NoError(t, err)
	hb, err := axon.NewHandle(s, b)
	require.NoError(t, err)
	ha, err := axon.NewHandle(s, a)
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 100 {
		require.NoError(t, ha.Put(ctx, "inbox", i))
	}
	require.NoError(t, ha.Finish(ctx))
	for i := range 100 {
		v, err := hb.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, 4*i, v)
	}
	_, err = hb.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	sig, err := hb.Get(ctx, "signal")
	require.NoError(t, err)
	require.Equal(t, axon.ProducerFinished{}, sig)
	require.NoError(t, s.Wait(ctx))
	t.Log(s.Snapshot().DOT())
}

func TestNewBoxLikeCopiesTheType(t *testing.T) {
	d := newDoubler()
	g := &doubler{}
	in, err := axon.NewInboxLike(g, "in2", d.in)
	require.NoError(t, err)
	require.Equal(t, d.in.Type(), in.Type())
	out, err := axon.NewOutboxLike(g, "out2", d.in)
	require.NoError(t, err)
	require.Equal(t, d.in.Type(), out.Type())
	same, err := axon.NewInboxLike(g, "in2", d.out)
	require.NoError(t, err)
	require.Equal(t, in, same)
	_, err = axon.NewInboxLike(g, "control", d.in)
	require.ErrorIs(t, err, axon.ErrBoxExists)
}

func TestCompositeSignalFedByChildSendsOnlyTheChildsOutcome(t *testing.T) {
	s := axon.NewScheduler()
	parent := &composite{}
	child := newDoubler()
	parent.AddChildren(child)
	_, err := parent.Link(child.Signal(), parent.Signal())
	require.NoError(t, err)
	_, err = parent.Link(parent.Control(), child.Control())
	require.NoError(t, err)
	h, err := axon.NewHandle(s, parent)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, h.Finish(ctx))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	require.Equal(t, axon.ProducerFinished{}, sig)
	_, err = h.Get(ctx, "signal")
	require.ErrorIs(t, err, axon.ErrFinished, "the composite adds no outcome of its own")
}

type composite struct{ axon.Core }

func (c *composite) Main(ctx context.Context) error {
	c.ActivateChildren()
	return c.WaitChildren(ctx)
}

// A component that takes ProducerFinished from control itself must see
// Finishing() at once: the runtime acts on the message before it can be
// taken.
func TestProducerFinishedIsObservedBeforeItCanBeTaken(t *testing.T) {
	for range 2000 {
		c := newDoubler()
		ctl := c.Control()
		src := newDoubler()
		_, err := axon.Link(src.Signal(), ctl)
		require.NoError(t, err)
		done := make(chan bool)
		go func() {
			_, err := ctl.Recv(context.Background())
			done <- err == nil && c.Finishing()
		}()
		require.NoError(t, src.Signal().TrySend(axon.ProducerFinished{}))
		require.True(t, <-done)
	}
}

func TestWaitForLeavesOtherInboxesAlone(t *testing.T) {
	s := axon.NewScheduler()
	c := &waitForComp{}
	c.a = axon.NewInbox[int](c, "a")
	c.b = axon.NewInbox[int](c, "b")
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, h.Put(ctx, "a", 1)) // not what it waits for
	require.NoError(t, h.Put(ctx, "b", 2))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	require.Equal(t, []int{2, 1}, v)
	require.NoError(t, h.Close())
}

type waitForComp struct {
	axon.Core
	a, b *axon.Inbox[int]
}

func (c *waitForComp) Main(ctx context.Context) error {
	if err := c.WaitFor(ctx, c.b); err != nil {
		return err
	}
	vb, _ := c.b.TryRecv()
	va, _ := c.a.TryRecv()
	out := axon.NewOutbox[any](c, "outbox")
	return out.Send(ctx, []int{vb, va})
}

// oneShot takes one message from its inbox and ends.
type oneShot struct {
	axon.Core
	in  *axon.Inbox[int]
	got chan int
}

func newOneShot() *oneShot {
	o := &oneShot{got: make(chan int, 1)}
	o.in = axon.NewInbox[int](o, "inbox")
	return o
}

func (o *oneShot) Main(ctx context.Context) error {
	v, err := o.in.Recv(ctx)
	if err != nil {
		return err
	}
	o.got <- v
	return nil
}

func TestSendToAFinishedComponentFailsWithErrFinished(t *testing.T) {
	s := axon.NewScheduler()
	src := newDoubler()
	dst := newOneShot()
	dst.in.SetCapacity(1)
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	s.Activate(dst)
	ctx := context.Background()
	require.NoError(t, src.out.Send(ctx, 1))
	require.Equal(t, 1, <-dst.got)
	<-dst.Done()
	err = src.out.Send(ctx, 2)
	require.ErrorIs(t, err, axon.ErrFinished)
	var rf *axon.ReceiverFinishedError
	require.ErrorAs(t, err, &rf)
	require.Contains(t, rf.Error(), "inbox")
}

func TestBlockedSendToAComponentThatFinishesFails(t *testing.T) {
	s := axon.NewScheduler()
	src := newDoubler()
	dst := &funcComp2{}
	dst.in = axon.NewInbox[int](dst, "inbox")
	dst.in.SetCapacity(1)
	release := make(chan struct{})
	dst.main = func(ctx context.Context) error { <-release; return nil }
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	s.Activate(dst)
	ctx := context.Background()
	require.NoError(t, src.out.Send(ctx, 1)) // fills the box
	sent := make(chan error, 1)
	go func() { sent <- src.out.Send(ctx, 2) }()
	close(release)
	require.ErrorIs(t, <-sent, axon.ErrFinished)
}

type funcComp2 struct {
	axon.Core
	in   *axon.Inbox[int]
	main func(context.Context) error
}

func (f *funcComp2) Main(ctx context.Context) error { return f.main(ctx) }

func TestMessagesForwardedToAFinishedChildGoBackToTheParent(t *testing.T) {
	s := axon.NewScheduler()
	ctx := context.Background()
	src := newDoubler()
	parent := newDoubler() // stands for a composite; never activated
	child := newOneShot()
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	_, err = axon.Link(parent.in, child.in)
	require.NoError(t, err)
	for i := range 5 {
		require.NoError(t, src.out.Send(ctx, i))
	}
	s.Activate(child)
	require.Equal(t, 0, <-child.got)
	<-child.Done()
	require.NoError(t, src.out.Send(ctx, 5))
	require.Equal(t, 5, parent.in.Len(), "1..5 wait in the parent's inbox")
	next := newDoubler()
	_, err = axon.Link(parent.in, next.in)
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 3, 4, 5}, next.in.TryRecvBatch(nil, 10))
	require.Empty(t, child.Links())
}

func TestHandleTakesOnlyTheBoxesNamed(t *testing.T) {
	s := axon.NewScheduler()
	d := newDoubler()
	extra := axon.NewOutbox[int](d, "extra")
	h, err := axon.NewHandle(s, d, "inbox", "outbox", "signal")
	require.NoError(t, err)
	require.False(t, extra.Linked(), "left for the component")
	require.ErrorIs(t, h.Put(context.Background(), "control", axon.Shutdown{}), axon.ErrNoSuchBox)
	require.NoError(t, h.Close())
	_, err = axon.NewHandle(s, newDoubler(), "nosuch")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
}

func TestDoneMeansFinished(t *testing.T) {
	s := axon.NewScheduler()
	for range 200 {
		c := newOneShot()
		done := c.Done()
		s.Activate(c)
		h := newDoubler()
		axon.MustLink(h.out, c.in)
		require.NoError(t, h.out.Send(context.Background(), 1))
		<-done
		require.Equal(t, axon.Finished, c.State())
	}
}

func TestShutdownReasonIsTheMessageGiven(t *testing.T) {
	s := axon.NewScheduler()
	d := newDoubler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	why := errors.New("why")
	require.NoError(t, h.Put(context.Background(), "control", axon.Shutdown{Reason: why}))
	require.NoError(t, h.Wait(context.Background()))
	r, ok := d.ShutdownReason()
	require.True(t, ok)
	require.Equal(t, axon.Shutdown{Reason: why}, r)
}

func TestLeftoversOfAFinishedComponent(t *testing.T) {
	s := axon.NewScheduler()
	c := newOneShot()
	src := newDoubler()
	axon.MustLink(src.out, c.in)
	_, err := axon.Leftovers(c.in)
	require.Error(t, err, "not while it may run")
	for i := range 4 {
		require.NoError(t, src.out.Send(context.Background(), i))
	}
	s.Activate(c)
	<-c.Done()
	left, err := axon.Leftovers(c.in)
	require.NoError(t, err)
	require.Equal(t, []any{1, 2, 3}, left)
	require.Zero(t, c.in.Len())
}

func TestSendAnyAndTryRecvAny(t *testing.T) {
	a, b := newDoubler(), newDoubler()
	axon.MustLink(a.out, b.in)
	require.NoError(t, axon.SendAny(context.Background(), a.out, 7))
	require.ErrorIs(t, axon.SendAny(context.Background(), a.out, "seven"), axon.ErrTypeMismatch)
	v, ok := axon.TryRecvAny(b.in)
	require.True(t, ok)
	require.Equal(t, 7, v)
}
