package axontest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Safety bounds a test's wait for something that should happen at once: a
// net against a hang, never a way of waiting for concurrency. Inside a
// testing/synctest bubble its timer runs on the fake clock, so a deadlock
// turns into a prompt context error instead of a hang.
const Safety = 20 * time.Second

// Context returns a context that ends when the test ends or after Safety.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), Safety)
	t.Cleanup(cancel)
	return ctx
}

// NewScheduler returns a scheduler of the test's own that logs nowhere
// (failures are asserted, not logged), and whose components are shut down
// and waited for when the test ends; the test fails if they do not end
// within Safety.
func NewScheduler(t testing.TB) *axon.Scheduler {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	t.Cleanup(func() {
		s.ShutdownAll(axon.Shutdown{})
		ctx, cancel := context.WithTimeout(context.Background(), Safety)
		defer cancel()
		// Failures were the test's to assert: only components still
		// running fail it here.
		if err := s.Wait(ctx); err != nil && len(s.Running()) > 0 {
			t.Errorf("axontest: components still running at the end of the test: %v", err)
		}
	})
	return s
}

// NewHandle links a Handle to comp (taking only the boxes named, if any) and
// activates comp on s, failing the test on error.
func NewHandle(t testing.TB, s *axon.Scheduler, comp axon.Component, boxes ...string) *axon.Handle {
	t.Helper()
	h, err := axon.NewHandle(s, comp, boxes...)
	if err != nil {
		t.Fatalf("axontest: %v", err)
	}
	return h
}
