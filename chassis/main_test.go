package chassis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/require"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// get takes the next message from h's box.
func get(t testing.TB, h *axon.Handle, box string) any {
	t.Helper()
	v, err := h.Get(axontest.Context(t), box)
	require.NoError(t, err, "getting from %s", box)
	return v
}

// getN takes n messages from h's box.
func getN(t testing.TB, h *axon.Handle, box string, n int) []any {
	t.Helper()
	out := make([]any, 0, n)
	for range n {
		out = append(out, get(t, h, box))
	}
	return out
}

// put sends each value to h's box.
func put(t testing.TB, h *axon.Handle, box string, vs ...any) {
	t.Helper()
	for _, v := range vs {
		require.NoError(t, h.Put(axontest.Context(t), box, v))
	}
}

// ended waits for h's component to end and checks nothing more was sent on box.
func ended(t testing.TB, h *axon.Handle, box string) {
	t.Helper()
	_, err := h.Get(axontest.Context(t), box)
	require.ErrorIs(t, err, axon.ErrFinished, "expected %s to be drained and its component ended", box)
}

func ints(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// newRelay returns the shared pass-through component, with the default
// capacity.
func newRelay[T any]() *axontest.Relay[T] { return axontest.NewRelay[T](0) }

// stage is the Core and typed inbox and outbox of the test components
// here that pass messages on their own way.
type stage[T any] struct {
	axon.Core
	in  *axon.Inbox[T]
	out *axon.Outbox[T]
}

// adder adds n to every int it is sent.
type adder struct {
	stage[int]
	n int
}

func newAdder(n int) *adder {
	a := &adder{n: n}
	a.in = axon.NewInbox[int](a, "inbox")
	a.out = axon.NewOutbox[int](a, "outbox")
	return a
}

func (a *adder) Main(ctx context.Context) error {
	for v := range a.in.Messages(ctx) {
		if err := a.out.Send(ctx, v+a.n); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// flaky relays strings; "boom" makes it panic, "fail" makes it fail, and
// "boom X" makes it panic if its name starts with "X#" (else it passes it on).
type flaky struct {
	stage[string]
	id int
}

var errFlaky = errors.New("flaky failed")

func newFlaky(id int) *flaky {
	f := &flaky{id: id}
	f.in = axon.NewInbox[string](f, "inbox")
	f.out = axon.NewOutbox[string](f, "outbox")
	return f
}

func (f *flaky) Main(ctx context.Context) error {
	for v := range f.in.Messages(ctx) {
		switch {
		case v == "boom":
			panic("boom")
		case v == "fail":
			return errFlaky
		case strings.HasPrefix(v, "boom ") && strings.HasPrefix(f.Name(), v[len("boom "):]+"#"):
			panic(v)
		}
		if err := f.out.Send(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// source sends its values, then ends.
type source[T any] struct {
	axon.Core
	out  *axon.Outbox[T]
	vals []T
}

func newSource[T any](vals ...T) *source[T] {
	s := &source[T]{vals: vals}
	s.out = axon.NewOutbox[T](s, "outbox")
	return s
}

func (s *source[T]) Main(ctx context.Context) error {
	for _, v := range s.vals {
		if err := s.out.Send(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// mock is a child the tests drive through its control inbox, after
// Kamaelia's MockChild. It reports every control message it gets on seen,
// and ends on ProducerFinished or "stop" (cleanly), "fail" (an error),
// "panic", or Shutdown.
type mock struct {
	axon.Core
	seen     chan any
	started  chan struct{}
	stubborn bool // ProducerFinished does not end it: "stop" does
}

func newMock() *mock {
	return &mock{seen: make(chan any, 16), started: make(chan struct{})}
}

func newStubborn() *mock {
	m := newMock()
	m.stubborn = true
	return m
}

func (m *mock) Main(ctx context.Context) error {
	close(m.started)
	for {
		msg, err := m.Control().Recv(ctx) // control is read to the end, finishing or not
		if err != nil {
			return ctx.Err()
		}
		m.seen <- msg
		switch msg {
		case "stop":
			return nil
		case "fail":
			return errFlaky
		case "panic":
			panic("mock panicked")
		case "say":
			_ = m.Signal().Send(ctx, axon.ProducerFinished{})
		case "note":
			_ = m.Signal().Send(ctx, "note")
		}
		if _, ok := msg.(axon.ProducerFinished); ok && !m.stubborn {
			return nil
		}
	}
}

// poker is never activated: its outbox lets a test put messages into any
// inbox, such as a child's control, without a Handle (which would activate
// the child itself).
type poker struct {
	axon.Core
	out *axon.Outbox[any]
}

func (*poker) Main(context.Context) error { return nil }

// pokeInto links a fresh poker to box and returns its send.
func pokeInto(t testing.TB, box axon.Box) func(v any) {
	p := &poker{}
	p.out = axon.NewOutbox[any](p, "outbox")
	l, err := axon.Link(p.out, box)
	require.NoError(t, err)
	t.Cleanup(func() { _ = axon.Unlink(l) })
	return func(v any) { require.NoError(t, p.out.TrySend(v)) }
}

// waitDone waits for comp to end.
func waitDone(t testing.TB, comp axon.CoreComponent) {
	t.Helper()
	select {
	case <-comp.Done():
	case <-axontest.Context(t).Done():
		t.Fatal("component did not end")
	}
}

// recv takes the next value from ch.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-axontest.Context(t).Done():
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}

func running(c axon.CoreComponent) bool { return c.State() == axon.Running }

// hasEnded reports whether c has finished (its Done is closed). Done, not
// State: a component's Done closes a moment before its State says Finished.
func hasEnded(c axon.CoreComponent) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}
