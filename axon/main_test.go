package axon_test

import (
	"context"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/require"
)

// TestMain fails the package if any goroutine outlives the tests: every
// component must have finished and every goroutine the runtime started must
// have exited.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// funcComp is a component whose Main is a function set by the test. The
// function is usually a closure over boxes declared on the component.
type funcComp struct {
	axon.Core
	main func(ctx context.Context) error
}

func (f *funcComp) Main(ctx context.Context) error { return f.main(ctx) }

// newFunc returns a funcComp whose Main blocks until it is told to stop now.
func newFunc() *funcComp {
	return &funcComp{main: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}
}

// newRelay returns the shared pass-through component, with the default
// capacity.
func newRelay[T any]() *axontest.Relay[T] { return axontest.NewRelay[T](0) }

// box holds typed boxes for test code to send on and look into: a component
// that the tests do not activate (or, when they do, that only waits to be
// told to stop), standing for a producer or a composite.
type box[T any] struct {
	axon.Core
	in  *axon.Inbox[T]
	out *axon.Outbox[T]
}

func newBox[T any](name string) *box[T] {
	b := &box[T]{}
	b.in = axon.NewInbox[T](b, "inbox")
	b.out = axon.NewOutbox[T](b, "outbox")
	if name != "" {
		b.SetName(name)
	}
	return b
}

func (b *box[T]) Main(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// getN takes n messages from the handle's box.
func getN(t testing.TB, ctx context.Context, h *axon.Handle, boxName string, n int) []any {
	t.Helper()
	out := make([]any, 0, n)
	for range n {
		v, err := h.Get(ctx, boxName)
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func boxNames(bs []axon.Box) []string {
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name()
	}
	return names
}

// returnsPromptly runs f in a goroutine and fails the test if f has not
// returned after a few seconds: it turns a runtime deadlock into a test
// failure instead of a hung test binary. (The stuck goroutine is then
// reported by goleak too.)
func returnsPromptly(t testing.TB, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s did not return: deadlock in the runtime", what)
	}
}
