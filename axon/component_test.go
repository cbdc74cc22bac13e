package axon_test

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strconv"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComponentIDsAreUniqueAndIncreasing(t *testing.T) {
	var last uint64
	seen := map[uint64]bool{}
	for range 100 {
		id := newDoubler().ID()
		require.Greater(t, id, last)
		require.False(t, seen[id])
		seen[id] = true
		last = id
	}
}

func TestComponentIDIsStable(t *testing.T) {
	d := newDoubler()
	assert.Equal(t, d.ID(), d.ID())
}

func TestComponentDefaultNameIsPackageTypeAndID(t *testing.T) {
	d := newDoubler()
	assert.Equal(t, "axon_test.doubler_"+strconv.FormatUint(d.ID(), 10), d.Name())
	assert.Equal(t, d.Name(), d.String())
}

func TestComponentSetNameReplacesDefaultName(t *testing.T) {
	d := newDoubler()
	d.SetName("twice")
	assert.Equal(t, "twice", d.Name())
	assert.Equal(t, "twice.inbox", d.in.String(), "boxes are named after their component")
}

func TestComponentStateGoesInitialisedRunningFinished(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	release := make(chan struct{})
	c := newFunc()
	c.main = func(context.Context) error {
		<-release
		return nil
	}
	assert.Equal(t, axon.Initialised, c.State())
	s.Activate(c)
	assert.Equal(t, axon.Running, c.State())
	close(release)
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("component did not finish")
	}
	assert.Equal(t, axon.Finished, c.State())
	assert.Equal(t, "initialised", axon.Initialised.String())
	assert.Equal(t, "running", axon.Running.String())
	assert.Equal(t, "finished", axon.Finished.String())
}

func TestComponentDoneClosesWhenFinished(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	c.main = func(context.Context) error { return nil }
	select {
	case <-c.Done():
		t.Fatal("Done closed before the component ran")
	default:
	}
	s.Activate(c)
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("Done never closed")
	}
	require.NoError(t, s.Wait(ctx))
}

func TestComponentActivatedTwiceRunsOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	runs := make(chan struct{}, 2)
	c := newFunc()
	c.main = func(context.Context) error {
		runs <- struct{}{}
		return nil
	}
	s.Activate(c, c)
	s.Activate(c)
	require.NoError(t, s.Wait(ctx))
	assert.Len(t, runs, 1)
}

func TestActivatingANilComponentIsAFailureRunReturns(t *testing.T) {
	s := axon.NewScheduler()
	log := &lineCounter{}
	s.SetLogger(slog.New(log))
	ran := make(chan struct{}, 1)
	good := newFunc()
	good.main = func(context.Context) error {
		ran <- struct{}{}
		return nil
	}
	var typedNil *funcComp
	err := s.Run(nil, good, typedNil)
	require.ErrorIs(t, err, axon.ErrNilArgument)
	assert.Len(t, ran, 1, "the other components start")
	var failures []*axon.Failure
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var f *axon.Failure
		require.ErrorAs(t, e, &f)
		failures = append(failures, f)
	}
	require.Len(t, failures, 2)
	assert.Equal(t, "<nil>", failures[0].Component)
	assert.Contains(t, failures[0].Error(), "component 1 of 3 is a nil <nil>")
	assert.Equal(t, "*axon_test.funcComp", failures[1].Component)
	assert.Contains(t, failures[1].Error(), "component 3 of 3 is a nil *axon_test.funcComp")
	assert.Equal(t, []string{"component failed", "component failed"}, log.all(), "each is logged on the scheduler's logger")

	s.Activate(typedNil)
	require.ErrorIs(t, s.Wait(axontest.Context(t)), axon.ErrNilArgument, "Wait returns it too")
	require.NoError(t, s.Wait(axontest.Context(t)), "once")
}

func TestComponentWithoutDeclaredBoxesIsNamedAfterItsTypeOnceActivated(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := newFunc()
	s.Activate(c)
	assert.Equal(t, "axon_test.funcComp_"+strconv.FormatUint(c.ID(), 10), c.Name())
	for _, b := range append(c.Inboxes(), c.Outboxes()...) {
		assert.Equal(t, axon.Component(c), b.Component(), b.Name())
	}
}

func TestComponentHasDefaultBoxes(t *testing.T) {
	c := newFunc()
	assert.ElementsMatch(t, []string{"control", "inbox"}, boxNames(c.Inboxes()))
	assert.ElementsMatch(t, []string{"signal", "outbox"}, boxNames(c.Outboxes()))
	anyType := reflect.TypeFor[any]()
	for _, b := range c.Inboxes() {
		assert.True(t, b.IsInbox())
		assert.Equal(t, anyType, b.Type(), b.Name())
	}
	for _, b := range c.Outboxes() {
		assert.False(t, b.IsInbox())
		assert.Equal(t, anyType, b.Type(), b.Name())
	}
	in, ok := c.Inbox("inbox")
	require.True(t, ok)
	assert.Equal(t, "inbox", in.Name())
	_, ok = c.Outbox("nosuch")
	assert.False(t, ok)
	assert.Equal(t, "control", c.Control().Name())
	assert.Equal(t, "signal", c.Signal().Name())
}

func TestComponentDeclaresTypedBoxes(t *testing.T) {
	d := newDoubler()
	extra := axon.NewInbox[string](d, "names")
	out := axon.NewOutbox[[]byte](d, "bytes")
	assert.ElementsMatch(t, []string{"control", "inbox", "names"}, boxNames(d.Inboxes()))
	assert.ElementsMatch(t, []string{"signal", "outbox", "bytes"}, boxNames(d.Outboxes()))
	in, ok := d.Inbox("inbox")
	require.True(t, ok)
	assert.Equal(t, reflect.TypeFor[int](), in.Type())
	assert.Same(t, d.in, in.(*axon.Inbox[int]))
	assert.Equal(t, reflect.TypeFor[string](), extra.Type())
	assert.Equal(t, reflect.TypeFor[[]byte](), out.Type())
}

func TestNewInboxWithSameNameAndTypeReturnsExisting(t *testing.T) {
	d := newDoubler()
	assert.Same(t, d.in, axon.NewInbox[int](d, "inbox"))
	assert.Same(t, d.out, axon.NewOutbox[int](d, "outbox"))
	assert.Len(t, d.Inboxes(), 2)
	assert.Len(t, d.Outboxes(), 2)
}

func TestNewInboxWithSameNameOtherTypePanics(t *testing.T) {
	d := newDoubler()
	assert.Panics(t, func() { axon.NewInbox[string](d, "inbox") })
	assert.Panics(t, func() { axon.NewOutbox[string](d, "outbox") })
}

func TestControlAndSignalCarryAnyValue(t *testing.T) {
	d := newDoubler()
	assert.Panics(t, func() { axon.NewInbox[int](d, "control") }, "control is an inbox of any")
	assert.Panics(t, func() { axon.NewOutbox[string](d, "signal") }, "signal is an outbox of any")
	assert.Same(t, d.Control(), axon.NewInbox[any](d, "control"))
	assert.Same(t, d.Signal(), axon.NewOutbox[any](d, "signal"))
	assert.Equal(t, reflect.TypeFor[any](), d.Control().Type())
	assert.Equal(t, reflect.TypeFor[any](), d.Signal().Type())
	assert.ElementsMatch(t, []string{"control", "inbox"}, boxNames(d.Inboxes()), "one box per name")
	assert.ElementsMatch(t, []string{"signal", "outbox"}, boxNames(d.Outboxes()), "one box per name")
}

func TestBoxesAddedAtRunTimeCanBeLinkedAndUsed(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	ready := make(chan struct{})
	var extraIn *axon.Inbox[string]
	var extraOut *axon.Outbox[string]
	c.main = func(ctx context.Context) error {
		extraIn = axon.NewInbox[string](c, "extra")
		extraOut = axon.NewOutbox[string](c, "echo")
		close(ready)
		for v := range extraIn.Messages(ctx) {
			if err := extraOut.Send(ctx, v+"!"); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	s.Activate(c)
	<-ready
	assert.ElementsMatch(t, []string{"control", "inbox", "extra"}, boxNames(c.Inboxes()))
	assert.ElementsMatch(t, []string{"signal", "outbox", "echo"}, boxNames(c.Outboxes()))

	src := newBox[string]("src")
	_, err := axon.LinkByName(src, "outbox", c, "extra")
	require.NoError(t, err)
	r := newRelay[string]()
	_, err = axon.LinkByName(c, "echo", r, "inbox")
	require.NoError(t, err)
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)

	require.NoError(t, src.out.Send(ctx, "hello"))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "hello!", v)
}

func TestRemoveBoxOfLinkedBoxFailsWithErrBoxLinked(t *testing.T) {
	d := newDoubler()
	extra := axon.NewInbox[int](d, "extra")
	src := newBox[int]("src")
	srcOut := axon.NewOutbox[int](src, "more")
	l, err := axon.Link(srcOut, extra)
	require.NoError(t, err)
	err = d.RemoveBox(extra)
	require.ErrorIs(t, err, axon.ErrBoxLinked)
	assert.Contains(t, boxNames(d.Inboxes()), "extra")

	// The outbox end of a link counts as linked too.
	err = src.RemoveBox(srcOut)
	require.ErrorIs(t, err, axon.ErrBoxLinked)

	require.NoError(t, axon.Unlink(l))
	require.NoError(t, d.RemoveBox(extra))
}

func TestRemoveBoxOfUnlinkedBoxRemovesIt(t *testing.T) {
	d := newDoubler()
	extraIn := axon.NewInbox[int](d, "extra")
	extraOut := axon.NewOutbox[int](d, "more")
	require.NoError(t, d.RemoveBox(extraIn))
	require.NoError(t, d.RemoveBox(extraOut))
	assert.ElementsMatch(t, []string{"control", "inbox"}, boxNames(d.Inboxes()))
	assert.ElementsMatch(t, []string{"signal", "outbox"}, boxNames(d.Outboxes()))
	_, ok := d.Inbox("extra")
	assert.False(t, ok)

	// A removed box cannot be linked any more.
	src := newBox[int]("src")
	_, err := axon.Link(src.out, extraIn)
	require.ErrorIs(t, err, axon.ErrNoSuchBox)

}

func TestRemoveBoxOfAnotherComponentFailsWithErrNoSuchBox(t *testing.T) {
	d, other := newDoubler(), newDoubler()
	var err error
	returnsPromptly(t, "RemoveBox of another component's box", func() { err = other.RemoveBox(d.in) })
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	assert.Contains(t, boxNames(d.Inboxes()), "inbox")
}

func TestRemoveBoxTwiceFailsWithErrNoSuchBox(t *testing.T) {
	d := newDoubler()
	extraIn := axon.NewInbox[int](d, "extra")
	extraOut := axon.NewOutbox[int](d, "more")
	require.NoError(t, d.RemoveBox(extraIn))
	require.NoError(t, d.RemoveBox(extraOut))
	var errIn, errOut error
	returnsPromptly(t, "second RemoveBox of an inbox", func() { errIn = d.RemoveBox(extraIn) })
	require.ErrorIs(t, errIn, axon.ErrNoSuchBox)
	returnsPromptly(t, "second RemoveBox of an outbox", func() { errOut = d.RemoveBox(extraOut) })
	require.ErrorIs(t, errOut, axon.ErrNoSuchBox)
}

func TestWaitWakesOnFirstMessageInAnyInbox(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	a := axon.NewInbox[string](c, "a")
	b := axon.NewInbox[string](c, "b")
	out := axon.NewOutbox[string](c, "outbox")
	c.main = func(ctx context.Context) error {
		for {
			if err := c.Wait(ctx); err != nil {
				return err
			}
			if !c.AnyReady() {
				continue
			}
			for _, in := range []*axon.Inbox[string]{a, b} {
				if in.DataReady() {
					v, _ := in.TryRecv()
					if err := out.Send(ctx, in.Name()+":"+v); err != nil {
						return err
					}
				}
			}
		}
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "b", "x"))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "b:x", v)
	require.NoError(t, h.Put(ctx, "a", "y"))
	v, err = h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "a:y", v)
	require.NoError(t, h.Close())
}

func TestBoxesAddedToOneComponentDoNotAppearOnAnotherOfTheSameType(t *testing.T) {
	// Axon added a Graphline's boxes to its class, so they leaked into every
	// later Graphline. Here boxes belong to the value.
	a, b := newDoubler(), newDoubler()
	axon.NewInbox[string](a, "extra")
	axon.NewOutbox[string](a, "more")
	assert.ElementsMatch(t, []string{"control", "inbox"}, boxNames(b.Inboxes()))
	assert.ElementsMatch(t, []string{"signal", "outbox"}, boxNames(b.Outboxes()))
	assert.ElementsMatch(t, []string{"control", "inbox"}, boxNames(newDoubler().Inboxes()))
}

func TestSchedulerRunningListsLiveComponents(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	a, b := newFunc(), newFunc()
	assert.Empty(t, s.Running())
	s.Activate(a, b)
	assert.ElementsMatch(t, []axon.Component{a, b}, s.Running())
	h, err := axon.NewHandle(s, newDoubler())
	require.NoError(t, err)
	require.NoError(t, h.Close())
	assert.ElementsMatch(t, []axon.Component{a, b}, s.Running())
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(ctx))
	assert.Empty(t, s.Running())
}

func TestSchedulerWaitHonoursItsContext(t *testing.T) {
	s := axontest.NewScheduler(t)
	s.Activate(newFunc()) // runs until shut down
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, s.Wait(ctx), context.Canceled)
	require.NoError(t, axon.NewScheduler().Wait(ctx), "nothing to wait for")
}

// TestErrIsSetBeforeTheFailureGoesOutOnSignal: a receiver of the *Failure
// on signal may ask the component for its error at once, before the
// component is Finished.
func TestErrIsSetBeforeTheFailureGoesOutOnSignal(t *testing.T) {
	s := axontest.NewScheduler(t)
	s.SetLogger(slog.New(slog.DiscardHandler))
	boom := errors.New("boom")
	for range 200 {
		c := &funcComp{main: func(context.Context) error { return boom }}
		h, err := axon.NewHandle(s, c, "signal")
		require.NoError(t, err)
		sig, err := h.Get(axontest.Context(t), "signal")
		require.NoError(t, err)
		require.IsType(t, &axon.Failure{}, sig)
		require.ErrorIs(t, c.Err(), boom)
	}
}
