package chassis_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordHandler is a slog.Handler that keeps every record it is given.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// errorRecords returns the records at level ERROR, as text.
func (h *recordHandler) errorRecords() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level != slog.LevelError {
			continue
		}
		var b bytes.Buffer
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		out = append(out, b.String())
	}
	return out
}

// TestFailureReportedOnce: one stage of a Pipeline fails. The failure is one
// event, so it is logged once and appears once in Run's error, even though
// the Pipe fails with it as well (its *ChildError wraps the stage's).
func TestFailureReportedOnce(t *testing.T) {
	s := axon.NewScheduler()
	h := &recordHandler{}
	s.SetLogger(slog.New(h))
	mid := newFlaky(2)
	mid.SetName("middle")
	p := chassis.Pipeline(newSource("a", "fail", "b"), mid, newRelay[string]())
	p.SetName("pipe")

	err := s.Run(p)
	require.Error(t, err)
	require.ErrorIs(t, err, errFlaky)
	assert.Equal(t, 1, strings.Count(err.Error(), errFlaky.Error()), "Run's error: %v", err)
	var ce *chassis.ChildError
	assert.ErrorAs(t, err, &ce, "the error reported is the Pipe's, which names the stage")

	logged := h.errorRecords()
	require.Len(t, logged, 1, "ERROR records: %q", logged)
	assert.Contains(t, logged[0], errFlaky.Error())
	assert.Contains(t, logged[0], "middle")
}

// TestNestedFailureReportedOnce: the failing stage is in a Pipeline in a
// Graphline. Three components fail with the one error (the stage, the Pipe
// and the Graph); it is logged once and returned once, with its whole path.
func TestNestedFailureReportedOnce(t *testing.T) {
	s := axon.NewScheduler()
	h := &recordHandler{}
	s.SetLogger(slog.New(h))
	mid := newFlaky(2)
	mid.SetName("middle")
	inner := chassis.Pipeline(newSource("a", "fail"), mid, newRelay[string]())
	g := chassis.Graphline(chassis.Components{"inner": inner, "tail": newRelay[string]()},
		chassis.Linkages{{Component: "inner", Box: "outbox"}: {Component: "tail", Box: "inbox"}})
	g.SetName("graph")

	err := s.Run(g)
	require.ErrorIs(t, err, errFlaky)
	assert.Equal(t, 1, strings.Count(err.Error(), errFlaky.Error()), "Run's error: %v", err)
	assert.Contains(t, err.Error(), "graph: child inner failed")
	logged := h.errorRecords()
	require.Len(t, logged, 1, "ERROR records: %q", logged)
	assert.Contains(t, logged[0], "middle")
}
