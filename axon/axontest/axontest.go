// Package axontest helps test components of the axon runtime: it runs a
// component against a list of inputs, collects everything it sends, and checks
// that tests leave no goroutines behind.
//
// Run puts the inputs on the component's "inbox", tells it ProducerFinished
// on "control", and returns what it sent on "outbox" and "signal" and how it
// ended:
//
//	res := axontest.Run[int, int](t, newDoubler(), 1, 2, 3)
//	require.NoError(t, res.Err)
//	require.Equal(t, []int{2, 4, 6}, res.Outputs)
//	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
//
// RunControl sends other control messages (axon.Shutdown{}) instead, and
// Collect reads one outbox of an axon.Handle a test drives itself.
//
// A package of tests checks for leaked goroutines with
//
//	func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }
package axontest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"go.uber.org/goleak"
)

// DefaultTimeout bounds Run and RunControl when the test has no deadline.
const DefaultTimeout = 30 * time.Second

// closeGrace is how long a timed-out Run waits for the component to stop
// after it was told Shutdown.
const closeGrace = 5 * time.Second

// TestingT is what Run and RunControl need of a test: *testing.T, *testing.B,
// *testing.F and every testing.TB satisfy it. When the value also has a
// Deadline() (time.Time, bool) method (as *testing.T has), Run is bounded by
// that deadline; when it has Context() context.Context (as testing.TB has),
// Run stops when that context ends.
//
// Errorf reports a failure and lets the test go on; Fatalf reports one and
// should not return (testing.TB's stops the test's goroutine). Run copes with
// a Fatalf that returns: it then returns what it had collected.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Result is what a component did in Run or RunControl.
type Result[Out any] struct {
	// Outputs is everything the component sent on "outbox", in order. A
	// message that is not an Out fails the test and is left out.
	Outputs []Out
	// Signals is everything the component sent on "signal", in order:
	// normally exactly one axon.ProducerFinished, axon.Shutdown or
	// *axon.Failure, which the runtime sends when Main returns.
	Signals []any
	// Err is the component's failure as the runtime recorded it (a
	// *axon.Failure wrapping the error Main returned or its *axon.PanicError),
	// nil after a clean end or a shutdown.
	Err error
}

// Run runs comp on a fresh scheduler: it puts every input on comp's "inbox",
// sends axon.ProducerFinished on its "control", collects what comp sends on
// "outbox" and "signal" until it has finished, and returns that and comp's
// failure.
//
// Run is bounded by the test's deadline (less a margin, so that Run reports
// before the test binary panics) or else by DefaultTimeout. When comp has not
// finished by then, Run fails the test with what was collected so far and
// shuts comp down, so no goroutine is left behind. A component that ends
// before taking every input is not a failure: the inputs it did not take
// are dropped. The scheduler's log of a failure is discarded: the failure is
// Result.Err.
func Run[In, Out any](t TestingT, comp axon.Component, inputs ...In) Result[Out] {
	t.Helper()
	return run[In, Out](t, comp, inputs, []any{axon.ProducerFinished{}})
}

// RunControl is Run that sends the given messages on comp's "control" after
// the inputs, instead of axon.ProducerFinished: axon.Shutdown{} to test how
// comp stops at once, say. Something among them must make comp end, or Run
// times out.
func RunControl[In, Out any](t TestingT, comp axon.Component, inputs []In, control ...any) Result[Out] {
	t.Helper()
	return run[In, Out](t, comp, inputs, control)
}

func run[In, Out any](t TestingT, comp axon.Component, inputs []In, control []any) Result[Out] {
	t.Helper()
	base := context.Background()
	if c, ok := t.(interface{ Context() context.Context }); ok {
		base = c.Context()
	}
	start, limit := time.Now(), deadline(t)
	ctx, cancel := context.WithDeadline(base, limit)
	defer cancel()

	name := componentName(comp)
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler)) // the failure is in Result.Err
	h, err := axon.NewHandle(s, comp)
	if err != nil {
		t.Fatalf("axontest: %v", err)
		return Result[Out]{}
	}

	// Collect concurrently, so what comp sent is known even if it never
	// finishes.
	var (
		wg         sync.WaitGroup
		outs, sigs []any
		outErr     error
		sigErr     error
	)
	wg.Go(func() { outs, outErr = Collect[any](ctx, h, "outbox") })
	wg.Go(func() { sigs, sigErr = Collect[any](ctx, h, "signal") })

	// fail stops the collectors and comp and reports what was collected.
	fail := func(format string, args ...any) Result[Out] {
		t.Helper()
		cancel()
		wg.Wait()
		msg := fmt.Sprintf(format, args...)
		if closeHandle(h) {
			// Take what it sent before it stopped, and the Shutdown.
			outs = append(outs, drain(h, "outbox")...)
			sigs = append(sigs, drain(h, "signal")...)
		} else {
			msg += fmt.Sprintf("; it did not stop within %v of Shutdown and is left running", closeGrace)
		}
		t.Fatalf("axontest: %s: %s\noutputs: %v\nsignals: %v", name, msg, outs, sigs)
		res := Result[Out]{Outputs: convertAll[Out](t, outs), Signals: sigs}
		if isDone(h) {
			res.Err = h.Wait(context.Background())
		}
		return res
	}

	// A Put refuses (ErrFinished) once comp has finished, also while it
	// waits for room: what comp was not given is dropped.
	for i, v := range inputs {
		if err := put(ctx, h, "inbox", i, len(inputs), v); err != nil {
			return fail("%v", err)
		}
	}
	for i, v := range control {
		if err := put(ctx, h, "control", i, len(control), v); err != nil {
			return fail("%v", err)
		}
	}

	wg.Wait()
	for _, err := range []error{outErr, sigErr} {
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return fail("did not finish within %v: %v", limit.Sub(start).Round(time.Millisecond), context.Cause(ctx))
		default:
			return fail("collecting: %v", err)
		}
	}
	err = h.Wait(ctx)
	if ctx.Err() != nil {
		return fail("did not finish within %v: %v", limit.Sub(start).Round(time.Millisecond), context.Cause(ctx))
	}
	closeHandle(h) // comp has finished: this only removes the Handle's links
	return Result[Out]{Outputs: convertAll[Out](t, outs), Signals: sigs, Err: err}
}

// put puts v, message i of n, on h's inbox called box. A component that has
// finished is not an error: it takes nothing more, and what it was not given
// is dropped.
func put(ctx context.Context, h *axon.Handle, box string, i, n int, v any) error {
	err := h.Put(ctx, box, v)
	if err == nil || errors.Is(err, axon.ErrFinished) {
		return nil
	}
	return fmt.Errorf("putting message %d of %d on %s: %w", i+1, n, box, err)
}

// drain takes the messages waiting on h's outbox called box.
func drain(h *axon.Handle, box string) []any {
	var msgs []any
	for {
		m, ok := h.TryGet(box)
		if !ok {
			return msgs
		}
		msgs = append(msgs, m)
	}
}

func isDone(h *axon.Handle) bool {
	select {
	case <-h.Done():
		return true
	default:
		return false
	}
}

// deadline is when Run gives up: the test's deadline less a margin, or
// DefaultTimeout from now.
func deadline(t TestingT) time.Time {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if dl, ok := d.Deadline(); ok {
			margin := min(time.Until(dl)/10, 5*time.Second)
			return dl.Add(-max(margin, 0))
		}
	}
	return time.Now().Add(DefaultTimeout)
}

// closeHandle closes h, waiting at most closeGrace for the component to stop.
// It reports whether the component stopped.
func closeHandle(h *axon.Handle) bool {
	closed := make(chan struct{})
	go func() {
		_ = h.Close() // the failure is the component's, read with Wait
		close(closed)
	}()
	timer := time.NewTimer(closeGrace)
	defer timer.Stop()
	select {
	case <-closed:
		return true
	case <-timer.C:
		return false
	}
}

func componentName(comp axon.Component) string {
	if n, ok := comp.(interface{ Name() string }); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", comp)
}

// convertAll converts msgs to Out, failing the test for each that is not one.
func convertAll[Out any](t TestingT, msgs []any) []Out {
	t.Helper()
	var outs []Out
	for i, m := range msgs {
		o, ok := convert[Out](m)
		if !ok {
			t.Errorf("axontest: outbox message %d is %T (%v), not %s", i, m, m, reflect.TypeFor[Out]())
			continue
		}
		outs = append(outs, o)
	}
	return outs
}

// convert returns m as an Out. An untyped nil converts to the zero Out when
// Out can be nil.
func convert[Out any](m any) (Out, bool) {
	if o, ok := m.(Out); ok {
		return o, true
	}
	var zero Out
	if m == nil {
		switch reflect.TypeFor[Out]().Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice,
			reflect.Chan, reflect.Func, reflect.UnsafePointer:
			return zero, true
		}
	}
	return zero, false
}

// Collect takes the messages h's component sends on its outbox called box, in
// order, until the component has finished and the box is drained; it then
// returns them and nil. It stops early with what it has and an error when ctx
// ends (ctx's error), when the box cannot be read (the error of
// axon.Handle.Get), or at the first message that is not an Out (an error
// wrapping axon.ErrTypeMismatch; that message is taken and not returned).
func Collect[Out any](ctx context.Context, h *axon.Handle, box string) ([]Out, error) {
	var outs []Out
	for {
		m, err := h.Get(ctx, box)
		if errors.Is(err, axon.ErrFinished) {
			return outs, nil
		}
		if err != nil {
			return outs, err
		}
		o, ok := convert[Out](m)
		if !ok {
			return outs, fmt.Errorf("%w: message %d on %s is %T, not %s",
				axon.ErrTypeMismatch, len(outs), box, m, reflect.TypeFor[Out]())
		}
		outs = append(outs, o)
	}
}

// leakOptions are the goleak options every package of the project needs.
var leakOptions []goleak.Option

// VerifyTestMain runs a package's tests and then fails if goroutines are left
// running, with the options the project needs plus opts. Call it from
// TestMain:
//
//	func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }
func VerifyTestMain(m *testing.M, opts ...goleak.Option) {
	goleak.VerifyTestMain(m, append(leakOptions[:len(leakOptions):len(leakOptions)], opts...)...)
}

// VerifyNone fails t if goroutines other than the test's own are running,
// with the options the project needs plus opts. Defer it at the start of a
// test that must clean up after itself (not in parallel tests).
func VerifyNone(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	goleak.VerifyNone(t, append(leakOptions[:len(leakOptions):len(leakOptions)], opts...)...)
}
