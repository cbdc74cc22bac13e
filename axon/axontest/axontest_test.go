package axontest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// Every testing.TB is an axontest.TestingT.
var _ axontest.TestingT = testing.TB(nil)

// doubler sends twice each int it is given.
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

// blocker sends "ready", then takes nothing until it is shut down, when it
// records how many inputs were left waiting.
type blocker struct {
	axon.Core
	in   *axon.Inbox[int]
	out  *axon.Outbox[string]
	left int
}

func newBlocker() *blocker {
	b := &blocker{}
	b.in = axon.NewInbox[int](b, "inbox")
	b.out = axon.NewOutbox[string](b, "outbox")
	return b
}

func (b *blocker) Main(ctx context.Context) error {
	if err := b.out.Send(ctx, "ready"); err != nil {
		return err
	}
	<-ctx.Done()
	b.left = b.in.Len()
	return ctx.Err()
}

// funcComp runs f as its Main, on the default untyped boxes.
type funcComp struct {
	axon.Core
	f func(ctx context.Context, c *funcComp) error
}

func (c *funcComp) Main(ctx context.Context) error { return c.f(ctx, c) }

func (c *funcComp) send(ctx context.Context, v any) error {
	out, _ := c.Outbox("outbox")
	return out.(*axon.Outbox[any]).Send(ctx, v)
}

func (c *funcComp) recv(ctx context.Context) (any, error) {
	in, _ := c.Inbox("inbox")
	return in.(*axon.Inbox[any]).Recv(ctx)
}

func newFunc(f func(ctx context.Context, c *funcComp) error) *funcComp {
	return &funcComp{f: f}
}

// fakeT records the failures Run reports. Its Fatalf returns, which Run
// copes with.
type fakeT struct {
	mu       sync.Mutex
	deadline time.Time
	errs     []string
	fatals   []string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
}

func (f *fakeT) Deadline() (time.Time, bool) { return f.deadline, !f.deadline.IsZero() }

func TestRunCollectsOutputsInOrder(t *testing.T) {
	defer axontest.VerifyNone(t)
	// More inputs than an inbox holds, so Run must feed and collect at once.
	n := 3 * axon.DefaultCapacity
	inputs := make([]int, n)
	want := make([]int, n)
	for i := range n {
		inputs[i] = i
		want[i] = 2 * i
	}
	res := axontest.Run[int, int](t, newDoubler(), inputs...)
	require.NoError(t, res.Err)
	assert.Equal(t, want, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestRunNoInputs(t *testing.T) {
	res := axontest.Run[int, int](t, newDoubler())
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestRunFinishReason(t *testing.T) {
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		return axon.Finish(io.EOF)
	})
	res := axontest.Run[int, int](t, c, 1, 2)
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{Reason: io.EOF}}, res.Signals)
}

func TestRunComponentEndsEarly(t *testing.T) {
	// It takes one input of many and ends: Run must not wait for room in
	// its full inbox.
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		v, err := c.recv(ctx)
		if err != nil {
			return err
		}
		return c.send(ctx, v)
	})
	inputs := make([]int, 3*axon.DefaultCapacity)
	for i := range inputs {
		inputs[i] = i + 1
	}
	res := axontest.Run[int, int](t, c, inputs...)
	require.NoError(t, res.Err)
	assert.Equal(t, []int{1}, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestRunControlShutdown(t *testing.T) {
	b := newBlocker()
	res := axontest.RunControl[int, string](t, b, []int{1, 2, 3}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"ready"}, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	assert.Equal(t, 3, b.left, "Shutdown stops the component without draining its inbox")
}

func TestRunControlProducerFinished(t *testing.T) {
	res := axontest.RunControl[int, int](t, newDoubler(), []int{1, 2}, axon.ProducerFinished{})
	require.NoError(t, res.Err)
	assert.Equal(t, []int{2, 4}, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestRunPanic(t *testing.T) {
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		v, err := c.recv(ctx)
		if err != nil {
			return err
		}
		if err := c.send(ctx, v); err != nil {
			return err
		}
		panic("boom")
	})
	res := axontest.Run[int, int](t, c, 7, 8)
	assert.Equal(t, []int{7}, res.Outputs)

	var pe *axon.PanicError
	require.ErrorAs(t, res.Err, &pe)
	assert.Equal(t, "boom", pe.Value)
	var f *axon.Failure
	require.ErrorAs(t, res.Err, &f)

	require.Len(t, res.Signals, 1)
	sig, ok := res.Signals[0].(*axon.Failure)
	require.True(t, ok, "signal is %T, want *axon.Failure", res.Signals[0])
	require.ErrorAs(t, sig, &pe)
	assert.Equal(t, "boom", pe.Value)
}

func TestRunError(t *testing.T) {
	boom := errors.New("boom")
	c := newFunc(func(ctx context.Context, c *funcComp) error { return boom })
	res := axontest.Run[int, int](t, c)
	require.ErrorIs(t, res.Err, boom)
	require.Len(t, res.Signals, 1)
	require.IsType(t, &axon.Failure{}, res.Signals[0])
	assert.ErrorIs(t, res.Signals[0].(error), boom)
}

func TestRunWrongOutputType(t *testing.T) {
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		for _, v := range []any{1, "two", 3, 4.0} {
			if err := c.send(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	ft := &fakeT{}
	res := axontest.Run[int, int](ft, c)
	assert.Empty(t, ft.fatals)
	require.Len(t, ft.errs, 2)
	assert.Contains(t, ft.errs[0], "message 1 is string")
	assert.Contains(t, ft.errs[1], "message 3 is float64")
	assert.Equal(t, []int{1, 3}, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	require.NoError(t, res.Err)
}

func TestRunNilOutput(t *testing.T) {
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		if err := c.send(ctx, nil); err != nil {
			return err
		}
		return c.send(ctx, io.EOF)
	})
	res := axontest.Run[int, error](t, c)
	require.NoError(t, res.Err)
	assert.Equal(t, []error{nil, io.EOF}, res.Outputs)
}

func TestRunWrongInputType(t *testing.T) {
	ft := &fakeT{}
	res := axontest.Run[string, int](ft, newDoubler(), "one")
	require.Len(t, ft.fatals, 1)
	assert.Contains(t, ft.fatals[0], "putting message 1 of 1 on inbox")
	assert.Contains(t, ft.fatals[0], axon.ErrTypeMismatch.Error())
	// Run shut the doubler down.
	assert.Equal(t, []any{axon.Shutdown{Reason: errors.New("handle closed")}}, res.Signals)
}

func TestRunTimeoutWaitingToFinish(t *testing.T) {
	// The blocker ignores ProducerFinished, so Run times out.
	ft := &fakeT{deadline: time.Now().Add(300 * time.Millisecond)}
	b := newBlocker()
	res := axontest.Run[int, string](ft, b, 1)
	require.Len(t, ft.fatals, 1)
	msg := ft.fatals[0]
	assert.Contains(t, msg, "did not finish within")
	assert.Contains(t, msg, "outputs: [ready]")
	assert.True(t, strings.HasPrefix(msg, "axontest: "+b.Name()+": "), msg)
	t.Log(msg)
	assert.Equal(t, []string{"ready"}, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{Reason: errors.New("handle closed")}}, res.Signals)
	select {
	case <-b.Done():
	default:
		t.Fatal("Run left the component running")
	}
}

func TestRunTimeoutPutting(t *testing.T) {
	// The blocker takes nothing, so its inbox fills.
	ft := &fakeT{deadline: time.Now().Add(300 * time.Millisecond)}
	n := axon.DefaultCapacity + 10
	res := axontest.Run[int, string](ft, newBlocker(), make([]int, n)...)
	require.Len(t, ft.fatals, 1)
	assert.Contains(t, ft.fatals[0], fmt.Sprintf("putting message %d of %d on inbox", axon.DefaultCapacity+1, n))
	assert.Contains(t, ft.fatals[0], context.DeadlineExceeded.Error())
	assert.Equal(t, []string{"ready"}, res.Outputs)
}

func TestCollect(t *testing.T) {
	ctx := t.Context()
	h, err := axon.NewHandle(axon.NewScheduler(), newDoubler())
	require.NoError(t, err)
	defer h.Close()
	for i := range 5 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	outs, err := axontest.Collect[int](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, []int{0, 2, 4, 6, 8}, outs)
	sigs, err := axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	assert.Equal(t, []any{axon.ProducerFinished{}}, sigs)
}

func TestCollectErrors(t *testing.T) {
	ctx := t.Context()
	c := newFunc(func(ctx context.Context, c *funcComp) error {
		for _, v := range []any{1, "two", 3} {
			if err := c.send(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	h, err := axon.NewHandle(axon.NewScheduler(), c)
	require.NoError(t, err)
	defer h.Close()

	outs, err := axontest.Collect[int](ctx, h, "outbox")
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	assert.Contains(t, err.Error(), "message 1 on outbox is string")
	assert.Equal(t, []int{1}, outs)

	_, err = axontest.Collect[int](ctx, h, "nosuchbox")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)

	// A component that has not finished: Collect returns what is waiting
	// and ctx's error.
	sent := make(chan struct{})
	c = newFunc(func(ctx context.Context, c *funcComp) error {
		for _, v := range []any{"a", "b"} {
			if err := c.send(ctx, v); err != nil {
				return err
			}
		}
		close(sent)
		<-ctx.Done()
		return ctx.Err()
	})
	h, err = axon.NewHandle(axon.NewScheduler(), c)
	require.NoError(t, err)
	defer h.Close()
	<-sent
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	strs, err := axontest.Collect[string](cctx, h, "outbox")
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"a", "b"}, strs)
}

// NewScheduler shuts down what is still running when the test ends, and
// NewHandle drives a component on it.
func TestNewSchedulerShutsDownAtCleanup(t *testing.T) {
	b := newBlocker()
	t.Run("inner", func(t *testing.T) {
		s := axontest.NewScheduler(t)
		h := axontest.NewHandle(t, s, b)
		v, err := h.Get(axontest.Context(t), "outbox")
		require.NoError(t, err)
		assert.Equal(t, "ready", v)
	})
	assert.Equal(t, axon.Finished, b.State(), "the scheduler's cleanup shut it down")
}

func TestContextEndsWithTheTest(t *testing.T) {
	var ctx context.Context
	t.Run("inner", func(t *testing.T) {
		ctx = axontest.Context(t)
		require.NoError(t, ctx.Err())
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(axontest.Safety), dl, axontest.Safety)
	})
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
}

func TestRelayHoldsItsCapacityThenPassesMessagesOnInOrder(t *testing.T) {
	s := axontest.NewScheduler(t)
	r := axontest.NewRelay[int](2)
	src := axon.NewOutbox[int](r, "_test") // a box to send from before r runs
	axon.MustLink(src, r.In)
	require.NoError(t, src.TrySend(1))
	require.NoError(t, src.TrySend(2))
	require.ErrorIs(t, src.TrySend(3), axon.ErrBoxFull, "a relay not yet running is a slow consumer")

	h := axontest.NewHandle(t, s, r)
	ctx := axontest.Context(t)
	require.NoError(t, src.Send(ctx, 3))
	require.NoError(t, h.Finish(ctx))
	got, err := axontest.Collect[int](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3}, got)
}

// AssertBack passes a footprint within its slack and names each part that
// grew beyond it; Measure counts a scheduler's components and the
// goroutines a component runs.
func TestFootprint(t *testing.T) {
	base := axontest.Footprint{Heap: 1 << 20, Goroutines: 10, Components: 5}
	var ok fakeT
	assert.True(t, axontest.AssertBack(&ok, "same", base, axontest.Footprint{Heap: 1<<20 + 100<<10, Goroutines: 12, Components: 5}))
	assert.Empty(t, ok.errs)

	var grown fakeT
	assert.False(t, axontest.AssertBack(&grown, "grown", base, axontest.Footprint{Heap: 2 << 20, Goroutines: 13, Components: 6}))
	require.Len(t, grown.errs, 3)
	assert.Contains(t, grown.errs[0], "grown: live heap grew")
	assert.Contains(t, grown.errs[1], "goroutines grew from 10 to 13")
	assert.Contains(t, grown.errs[2], "6 components, 5 at the baseline")

	s := axontest.NewScheduler(t)
	before := axontest.Measure(s)
	assert.Zero(t, axontest.Measure(nil).Components)
	stop := make(chan struct{})
	s.Activate(newFunc(func(ctx context.Context, c *funcComp) error {
		<-stop
		return nil
	}))
	during := axontest.Measure(s)
	assert.Equal(t, before.Components+1, during.Components)
	assert.Greater(t, during.Goroutines, before.Goroutines)
	close(stop)
	require.NoError(t, s.Wait(axontest.Context(t)))
}

func TestBufferTakesWritesFromManyGoroutines(t *testing.T) {
	var b axontest.Buffer
	written := b.Written()
	select {
	case <-written:
		t.Fatal("Written is closed before anything was written")
	default:
	}
	_, err := b.Write(nil)
	require.NoError(t, err)
	select {
	case <-written:
		t.Fatal("an empty write closed Written")
	default:
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("ab"))
			}
		})
	}
	wg.Wait()
	<-written
	assert.Equal(t, strings.Repeat("ab", 800), b.String())
	_, err = b.Write([]byte("c"))
	require.NoError(t, err, "a later write must not close Written twice")
}

// SettleBack waits for components and goroutines that are ending on their
// own (nothing tells the test when they have gone) and then finds the
// footprint back.
func TestSettleBackWaitsForWhatIsEnding(t *testing.T) {
	s := axontest.NewScheduler(t)
	base := axontest.Measure(s)
	stop := make(chan struct{})
	for range 20 {
		s.Activate(newFunc(func(ctx context.Context, c *funcComp) error {
			<-stop
			return nil
		}))
		go func() { <-stop }()
	}
	require.Greater(t, axontest.Measure(s).Components, base.Components)
	close(stop) // they end while SettleBack looks
	var ft fakeT
	assert.True(t, axontest.SettleBack(&ft, "after 20 components", s, base))
	assert.Empty(t, ft.errs)
	assert.LessOrEqual(t, len(s.Snapshot().Components), base.Components)
}

// HalfClose's server sees the request and then the end of the client's
// side, and the client still reads what the server writes after that.
func TestHalfCloseReadsTheAnswerAfterTheEnd(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		got, err := io.ReadAll(c) // until the client's half-close
		if err == nil {
			_, err = fmt.Fprintf(c, "heard %q after the end", got)
		}
		served <- err
	}()
	got, err := axontest.HalfClose(ln.Addr().String(), "hello\n")
	require.NoError(t, err)
	require.NoError(t, <-served)
	assert.Equal(t, `heard "hello\n" after the end`, string(got))

	_, err = axontest.HalfClose("127.0.0.1:1", "x")
	assert.Error(t, err, "nothing listens on port 1")
}
