package axon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// signalOf runs comp under a Handle and returns what the runtime sent on
// its signal outbox when Main returned.
func signalOf(t *testing.T, s *axon.Scheduler, comp axon.Component) any {
	t.Helper()
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(s, comp)
	require.NoError(t, err)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	return sig
}

func TestMainReturningNilSendsProducerFinished(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := newFunc()
	c.main = func(context.Context) error { return nil }
	assert.Equal(t, axon.ProducerFinished{}, signalOf(t, s, c))
	assert.NoError(t, c.Err())
}

func TestMainReturningErrFinishedSendsProducerFinished(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := newFunc()
	c.main = func(context.Context) error { return axon.Finish(nil) }
	assert.Equal(t, axon.ProducerFinished{}, signalOf(t, s, c))
	assert.NoError(t, c.Err())
}

func TestMainReturningFinishSendsProducerFinishedWithReason(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := newFunc()
	c.main = func(context.Context) error { return axon.Finish(io.EOF) }
	assert.Equal(t, axon.ProducerFinished{Reason: io.EOF}, signalOf(t, s, c))
	assert.NoError(t, c.Err(), "a finish is not a failure")
	assert.Equal(t, "ProducerFinished: EOF", axon.ProducerFinished{Reason: io.EOF}.String())
}

func TestMainReturningWrappedFinishKeepsReason(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := newFunc()
	c.main = func(context.Context) error { return fmt.Errorf("reading frames: %w", axon.Finish(io.EOF)) }
	sig := signalOf(t, s, c)
	require.IsType(t, axon.ProducerFinished{}, sig)
	assert.ErrorIs(t, sig.(axon.ProducerFinished).Reason, io.EOF)
	assert.NoError(t, c.Err())
}

func TestShutdownOnControlCancelsContextAndGoesOutOnSignal(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	errStop := errors.New("operator stop")
	c := newFunc()
	var mainErr error
	c.main = func(ctx context.Context) error {
		<-ctx.Done()
		mainErr = ctx.Err()
		return ctx.Err()
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{Reason: errStop}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{Reason: errStop}, sig)
	require.NoError(t, h.Wait(ctx))
	assert.ErrorIs(t, mainErr, context.Canceled)
	assert.True(t, c.ShuttingDown())
	assert.NoError(t, c.Err(), "a shutdown is not a failure")
}

// TestShutdownPointerOnControlIsAnOrdinaryMessage: shutdown messages have
// one form, the value; a pointer to one stops nothing.
func TestShutdownPointerOnControlIsAnOrdinaryMessage(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	got := make(chan any, 2)
	c.main = func(ctx context.Context) error {
		for {
			if err := c.Wait(ctx); err != nil {
				return nil
			}
			c.TakeControl(func(m any) { got <- m })
		}
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", &axon.Shutdown{}))
	require.NoError(t, h.Put(ctx, "control", &axon.ProducerFinished{}))
	assert.Equal(t, &axon.Shutdown{}, <-got)
	assert.Equal(t, &axon.ProducerFinished{}, <-got)
	assert.False(t, c.ShuttingDown())
	assert.False(t, c.Finishing())
	require.NoError(t, c.Tell(axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
}

func TestMainReturningErrorSendsFailureAndRunReturnsIt(t *testing.T) {
	s := axontest.NewScheduler(t)
	errBoom := errors.New("boom")
	c := newFunc()
	c.SetName("faulty")
	c.main = func(context.Context) error { return errBoom }
	sigs := newBox[any]("sigs")
	_, err := axon.Link(c.Signal(), sigs.in)
	require.NoError(t, err)

	err = s.Run(c)
	require.ErrorIs(t, err, errBoom)
	var f *axon.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, "faulty", f.Component)
	assert.Equal(t, "faulty: boom", f.Error())

	sig, ok := sigs.in.TryRecv()
	require.True(t, ok)
	require.IsType(t, &axon.Failure{}, sig)
	assert.ErrorIs(t, sig.(error), errBoom)
	assert.True(t, axon.IsShutdownMessage(sig))
	assert.ErrorIs(t, c.Err(), errBoom)

	// The failure is reported once: the next Run has nothing to report.
	require.NoError(t, s.Run())
}

func TestRunContextReturnsFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	errBoom := errors.New("boom")
	ok, bad := newFunc(), newFunc()
	ok.main = func(context.Context) error { return nil }
	bad.main = func(context.Context) error { return errBoom }
	err := s.RunContext(axontest.Context(t), ok, bad)
	require.ErrorIs(t, err, errBoom)
	var f *axon.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, bad.Name(), f.Component)
}

func TestPanicIsRecoveredAsFailureAndOthersKeepRunning(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	hd, err := axon.NewHandle(s, d)
	require.NoError(t, err)

	p := newFunc()
	p.main = func(context.Context) error { panic("boom") }
	sig := signalOf(t, s, p)
	require.IsType(t, &axon.Failure{}, sig)
	var pe *axon.PanicError
	require.ErrorAs(t, sig.(error), &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.Equal(t, "panic: boom", pe.Error())

	// The process survived, and the other component still works.
	require.NoError(t, hd.Put(ctx, "inbox", 21))
	v, err := hd.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 42, v)
	require.NoError(t, hd.Finish(ctx))
	require.NoError(t, hd.Wait(ctx))

	err = s.Run()
	require.ErrorAs(t, err, &pe)
	var f *axon.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, p.Name(), f.Component)
}

func TestPanicWithErrorValueUnwrapsToIt(t *testing.T) {
	s := axontest.NewScheduler(t)
	errBad := errors.New("bad state")
	p := newFunc()
	p.main = func(context.Context) error { panic(errBad) }
	err := s.Run(p)
	require.ErrorIs(t, err, errBad)
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
}

// gated returns a component that, once released, passes its inbox on to
// its outbox with Messages and reports how many it passed. Messages and
// control messages can be queued before it starts receiving.
func gated() (c *funcComp, release chan struct{}, passed *int) {
	c = newFunc()
	in := axon.NewInbox[int](c, "inbox")
	out := axon.NewOutbox[int](c, "outbox")
	release = make(chan struct{})
	passed = new(int)
	c.main = func(ctx context.Context) error {
		<-release
		for v := range in.Messages(ctx) {
			*passed++
			if err := out.Send(ctx, v); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	return c, release, passed
}

func TestProducerFinishedMakesMessagesDrainThenEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c, release, passed := gated()
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	for i := range 5 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	close(release)
	assert.Equal(t, []any{0, 1, 2, 3, 4}, getN(t, ctx, h, "outbox", 5))
	_, err = h.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	assert.Equal(t, 5, *passed)
	assert.True(t, c.Finishing())
}

func TestShutdownEndsMessagesAtOnceWithMessagesWaiting(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c, release, passed := gated()
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	for i := range 5 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	close(release)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
	require.NoError(t, h.Wait(ctx))
	assert.Zero(t, *passed, "Messages yielded messages after Shutdown")
	_, err = h.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
}

func TestRecvReturnsErrFinishedAfterProducerFinishedAndDrain(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	in := axon.NewInbox[int](c, "inbox")
	release := make(chan struct{})
	type result struct {
		v   int
		err error
	}
	var results []result
	c.main = func(ctx context.Context) error {
		<-release
		for range 4 {
			v, err := in.Recv(ctx)
			results = append(results, result{v, err})
		}
		return nil
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", 1))
	require.NoError(t, h.Put(ctx, "inbox", 2))
	require.NoError(t, h.Finish(ctx))
	close(release)
	require.NoError(t, h.Wait(ctx))
	assert.Equal(t, []result{{1, nil}, {2, nil}, {0, axon.ErrFinished}, {0, axon.ErrFinished}}, results)
}

func TestRecvReturnsContextErrorAfterShutdown(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	in := axon.NewInbox[int](c, "inbox")
	var recvErr error
	c.main = func(ctx context.Context) error {
		_, recvErr = in.Recv(ctx)
		return recvErr
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	require.NoError(t, h.Wait(ctx))
	assert.ErrorIs(t, recvErr, context.Canceled)
}

// plusOne adds one to each message, and when its inbox ends reports on
// "seen" every message its control inbox received.
type plusOne struct {
	axon.Core
	in   *axon.Inbox[int]
	out  *axon.Outbox[int]
	seen *axon.Outbox[any]
}

func newPlusOne() *plusOne {
	s := &plusOne{}
	s.in = axon.NewInbox[int](s, "inbox")
	s.out = axon.NewOutbox[int](s, "outbox")
	s.seen = axon.NewOutbox[any](s, "seen")
	return s
}

func (s *plusOne) Main(ctx context.Context) error {
	for v := range s.in.Messages(ctx) {
		if err := s.out.Send(ctx, v+1); err != nil {
			return err
		}
	}
	for {
		m, ok := s.Control().TryRecv()
		if !ok {
			break
		}
		if err := s.seen.Send(ctx, m); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func TestChainLinkedSignalToControlDrainsAndStopsFromItsHead(t *testing.T) {
	const n, stages = 200, 5
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	var chain []*plusOne
	for range stages {
		chain = append(chain, newPlusOne())
	}
	for i := range stages - 1 {
		_, err := axon.Link(chain[i].out, chain[i+1].in)
		require.NoError(t, err)
		_, err = axon.Link(chain[i].Signal(), chain[i+1].Control())
		require.NoError(t, err)
	}
	handles := make([]*axon.Handle, stages)
	for i := stages - 1; i >= 0; i-- {
		h, err := axon.NewHandle(s, chain[i])
		require.NoError(t, err)
		handles[i] = h
	}
	head, tail := handles[0], handles[stages-1]
	for i := range n {
		require.NoError(t, head.Put(ctx, "inbox", i))
	}
	require.NoError(t, head.Finish(ctx))
	for i := range n {
		v, err := tail.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i+stages, v)
	}
	_, err := tail.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	sig, err := tail.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	// Every stage was told ProducerFinished once, by the one before it (the
	// head by the Handle), and ended cleanly.
	for i, h := range handles {
		m, err := h.Get(ctx, "seen")
		require.NoError(t, err)
		assert.Equal(t, axon.ProducerFinished{}, m, "stage %d", i)
		_, err = h.Get(ctx, "seen")
		require.ErrorIs(t, err, axon.ErrFinished, "stage %d", i)
		require.NoError(t, h.Wait(ctx))
	}
	require.NoError(t, s.Wait(ctx))
}

func TestRunContextWithCancelledContextShutsEverythingDownAndReturnsNil(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, b := newFunc(), newFunc() // both wait for their context to end
	d := newDoubler()
	sigs := newBox[any]("sigs")
	for _, c := range []axon.Component{a, b, d} {
		_, err := axon.LinkByName(c, "signal", sigs, "inbox")
		require.NoError(t, err)
	}
	require.NoError(t, s.RunContext(ctx, a, b, d))
	for _, c := range []*axon.Core{&a.Core, &b.Core, &d.Core} {
		assert.Equal(t, axon.Finished, c.State())
		assert.NoError(t, c.Err())
	}
	for range 3 {
		sig, ok := sigs.in.TryRecv()
		require.True(t, ok)
		assert.IsType(t, axon.Shutdown{}, sig)
	}
}

func TestRunContextCancelledWhileRunningShutsEverythingDownAndReturnsNil(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{}, 2)
	var comps []axon.Component
	for range 2 {
		c := newFunc()
		c.main = func(ctx context.Context) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}
		comps = append(comps, c)
	}
	ran := make(chan error, 1)
	go func() { ran <- s.RunContext(ctx, comps...) }()
	<-started
	<-started
	cancel()
	require.NoError(t, <-ran)
	for _, c := range comps {
		select {
		case <-c.(*funcComp).Done():
		default:
			t.Fatalf("%s still running after RunContext returned", c.(*funcComp).Name())
		}
	}
}

func TestShutdownBeforeActivationStartsMainWithContextDone(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	var errAtStart error
	c.main = func(ctx context.Context) error {
		errAtStart = ctx.Err()
		return nil
	}
	src := newBox[any]("src")
	_, err := axon.Link(src.out, c.Control())
	require.NoError(t, err)
	require.NoError(t, src.out.Send(ctx, axon.Shutdown{}))
	s.Activate(c)
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("component did not finish")
	}
	assert.ErrorIs(t, errAtStart, context.Canceled)
}

func TestParentWaitWakesWhenAChildEnds(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	kid := newFunc()
	kid.main = func(context.Context) error { return nil }
	p := newFunc()
	var waitErr error
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		p.ActivateChildren()
		// Nothing but the child's end can wake the parent here: no message
		// is ever sent to it. If Wait missed the child's end, the parent
		// would never finish.
		for !p.ChildrenDone() {
			if waitErr = p.Wait(ctx); waitErr != nil {
				return waitErr
			}
		}
		return nil
	}
	s.Activate(p)
	require.NoError(t, s.Wait(ctx), "the parent was not woken by its child's end")
	require.NoError(t, waitErr)
	assert.Equal(t, []axon.Component{kid}, p.Children())
	assert.Same(t, s, kid.Scheduler(), "children run on their parent's scheduler")
}

func TestChildrenDoneIsFalseWhileAChildRuns(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	kid := newFunc() // runs until shut down
	p := newFunc()
	childrenDone := true
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		p.ActivateChildren()
		childrenDone = p.ChildrenDone()
		return nil
	}
	s.Activate(p)
	require.NoError(t, s.Wait(ctx))
	assert.False(t, childrenDone)
}

func TestWaitChildrenReturnsAChildsFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	errKid := errors.New("kid failed")
	good, bad := newFunc(), newFunc()
	good.main = func(context.Context) error { return nil }
	bad.main = func(context.Context) error { return errKid }
	p := newFunc()
	var waitErr error
	p.main = func(ctx context.Context) error {
		p.AddChildren(good, bad)
		p.ActivateChildren()
		waitErr = p.WaitChildren(ctx)
		return nil
	}
	s.Activate(p)
	require.ErrorIs(t, s.Wait(ctx), errKid, "Wait returns the failures")
	require.ErrorIs(t, waitErr, errKid)
	var f *axon.Failure
	require.ErrorAs(t, waitErr, &f)
	assert.Equal(t, bad.Name(), f.Component)
	assert.NoError(t, p.Err())
}

func TestParentEndingShutsDownAndWaitsForRunningChildren(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	started := make(chan struct{})
	kid := newFunc()
	var kidErr error
	kid.main = func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		kidErr = ctx.Err()
		return ctx.Err()
	}
	p := newFunc()
	kidSig := axon.NewInbox[any](p, "kidsig")
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		if _, err := p.Link(kid.Signal(), kidSig); err != nil {
			return err
		}
		p.ActivateChildren()
		<-started
		return nil
	}
	s.Activate(p)
	select {
	case <-p.Done():
	case <-ctx.Done():
		t.Fatal("parent did not finish")
	}
	// The child had finished before its parent did.
	assert.Equal(t, axon.Finished, kid.State())
	assert.ErrorIs(t, kidErr, context.Canceled)
	assert.NoError(t, kid.Err())
	sig, ok := kidSig.TryRecv()
	require.True(t, ok, "the child's signal did not reach its parent")
	require.IsType(t, axon.Shutdown{}, sig)
	assert.Error(t, sig.(axon.Shutdown).Reason, "the shutdown says why")
}

func TestShutdownOfAParentReachesItsChildren(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	started := make(chan struct{})
	kid := newFunc()
	var kidErr error
	kid.main = func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		kidErr = ctx.Err()
		return nil
	}
	p := newFunc()
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		p.ActivateChildren()
		return p.WaitChildren(ctx) // ends with ctx's error on Shutdown
	}
	h, err := axon.NewHandle(s, p)
	require.NoError(t, err)
	<-started
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
	<-kid.Done()
	assert.ErrorIs(t, kidErr, context.Canceled)
}

func TestLinksMadeByAComponentAreRemovedWhenItFinishes(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	ext, target, inner := newBox[int]("ext"), newBox[int]("target"), newBox[int]("inner")
	p := newFunc()
	pin := axon.NewInbox[int](p, "inbox")
	linked, release := make(chan struct{}), make(chan struct{})
	p.main = func(ctx context.Context) error {
		if _, err := p.Link(ext.out, target.in); err != nil {
			return err
		}
		if _, err := p.Link(pin, inner.in); err != nil {
			return err
		}
		close(linked)
		<-release
		return nil
	}
	feed := newBox[int]("feed")
	_, err := axon.Link(feed.out, pin)
	require.NoError(t, err)
	s.Activate(p)
	<-linked
	require.Len(t, p.Links(), 2)
	for _, l := range p.Links() {
		assert.Equal(t, axon.Component(p), l.Owner())
	}
	require.NoError(t, ext.out.Send(ctx, 1))
	require.NoError(t, feed.out.Send(ctx, 2))
	assert.Equal(t, 1, target.in.Len())
	assert.Equal(t, 1, inner.in.Len())

	close(release)
	<-p.Done()
	assert.Empty(t, p.Links())
	assert.False(t, ext.out.Linked())
	require.NoError(t, ext.out.Send(ctx, 3))
	assert.Equal(t, uint64(1), ext.out.Dropped(), "sends upstream of a removed link are dropped")
	assert.Equal(t, 1, target.in.Len(), "delivered messages stay")
	// The component's own inbox is no longer forwarded, and as the component
	// has finished it takes no more: the send says so.
	require.ErrorIs(t, feed.out.Send(ctx, 4), axon.ErrFinished)
	assert.Equal(t, 1, inner.in.Len())
	assert.Equal(t, 0, pin.Len())
	// A link the component did not make stays.
	assert.True(t, feed.out.Linked())
}

func TestNoGoroutinesRemainAfterComponentsFinish(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := axon.NewScheduler()
	ctx := axontest.Context(t)
	d := newDoubler()
	inner := newNest(d, d.in, d.out, d.Control())
	outer := newNest(inner, inner.in, inner.out, inner.Control())
	h, err := axon.NewHandle(s, outer)
	require.NoError(t, err)
	kid := newFunc()
	p := newFunc()
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		p.ActivateChildren()
		return nil
	}
	s.Activate(p)
	for i := range 10 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	getN(t, ctx, h, "outbox", 10)
	require.NoError(t, s.Wait(ctx))
	require.NoError(t, s.Run())
	for _, c := range []*axon.Core{&d.Core, &inner.Core, &outer.Core, &kid.Core, &p.Core} {
		assert.Equal(t, axon.Finished, c.State(), c.Name())
		assert.Empty(t, c.Links(), c.Name())
	}
}

func TestParentWaitNeverMissesAChildsEnd(t *testing.T) {
	// The same as TestParentWaitWakesWhenAChildEnds, many times over, with
	// the child ending just as its parent goes into Wait: a lost wake-up
	// leaves a parent waiting for ever.
	const pairs = 5000
	s := axontest.NewScheduler(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range pairs {
		kid := newFunc()
		start := make(chan struct{})
		kid.main = func(context.Context) error {
			<-start
			return nil
		}
		p := newFunc()
		p.main = func(ctx context.Context) error {
			p.AddChildren(kid)
			p.ActivateChildren()
			close(start)
			for !p.ChildrenDone() {
				if err := p.Wait(ctx); err != nil {
					return err
				}
			}
			return nil
		}
		s.Activate(p)
		require.NoError(t, s.Wait(ctx), "a parent was not woken by its child's end")
	}
}

// A parent is stopped after its children are told (so that they learn the
// parent's reason): ShuttingDown reports the stop from the moment it is
// under way, so a composite woken by a child's end, before its own
// context reports the stop, starts no other.
func TestShuttingDownCountsAStopUnderWay(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	parent, child := newFunc(), newFunc()
	parentSaw, started := make(chan bool, 1), make(chan struct{})
	child.main = func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		parentSaw <- parent.ShuttingDown()
		return ctx.Err()
	}
	parent.main = func(ctx context.Context) error {
		if err := parent.AddChildren(child); err != nil {
			return err
		}
		parent.ActivateChildren()
		<-ctx.Done()
		return ctx.Err()
	}
	h, err := axon.NewHandle(s, parent)
	require.NoError(t, err)
	<-started
	assert.False(t, parent.ShuttingDown())
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	select {
	case saw := <-parentSaw:
		assert.True(t, saw, "the child is stopped as part of its parent's stop")
	case <-ctx.Done():
		t.Fatal("the child was not stopped")
	}
	require.NoError(t, h.Wait(ctx))
}

// A component whose inboxes have ended because it was told
// ProducerFinished finds that message on control when it looks: the
// runtime notes the message only once it is in the box. (Noted first, a
// component could see its inbox end and then find control empty, the
// message arriving just after.) Many times, as the window was small.
func TestProducerFinishedIsOnControlOnceItsInboxesEnd(t *testing.T) {
	const rounds = 2000
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	missed := 0
	for range rounds {
		c := &funcComp{}
		in := axon.NewInbox[int](c, "inbox")
		found := make(chan bool, 1)
		c.main = func(ctx context.Context) error {
			for range in.Messages(ctx) {
			}
			m, ok := c.Control().TryRecv()
			found <- ok && m == axon.ProducerFinished{}
			return ctx.Err()
		}
		h, err := axon.NewHandle(s, c)
		require.NoError(t, err)
		require.NoError(t, h.Finish(ctx))
		if !<-found {
			missed++
		}
		require.NoError(t, h.Wait(ctx))
	}
	assert.Zero(t, missed, "of %d components, control was empty when their inbox ended", rounds)
}
