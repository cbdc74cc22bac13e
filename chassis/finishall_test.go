package chassis_test

import (
	"context"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endless sends 0, 1, 2, ... until it is told to finish; warm closes once
// it has sent 100.
type endless struct {
	axon.Core
	out  *axon.Outbox[int]
	sent int
	warm chan struct{}
}

func newEndless() *endless {
	e := &endless{warm: make(chan struct{})}
	e.out = axon.NewOutbox[int](e, "outbox")
	return e
}

func (e *endless) Main(ctx context.Context) error {
	for !e.Finishing() {
		if err := e.out.Send(ctx, e.sent); err != nil {
			return err
		}
		e.sent++
		if e.sent == 100 {
			close(e.warm)
		}
	}
	return nil
}

// total counts what it receives until it is told to finish.
type total struct {
	axon.Core
	in  *axon.Inbox[int]
	got int
}

func newTotal() *total {
	t := &total{}
	t.in = axon.NewInbox[int](t, "inbox")
	return t
}

func (t *total) Main(ctx context.Context) error {
	for range t.in.Messages(ctx) {
		t.got++
	}
	return ctx.Err()
}

// TestFinishAllDrainsAPipeline: the Pipe is a source (no parent, nothing
// linked into its control); ProducerFinished on its control reaches its
// first stage, and the pipeline drains from its head, losing nothing.
func TestFinishAllDrainsAPipeline(t *testing.T) {
	s := axontest.NewScheduler(t)
	src, sink := newEndless(), newTotal()
	p := chassis.Pipeline(src, newAdder(1), sink)
	s.Activate(p)
	<-src.warm

	require.NoError(t, s.FinishAll(axontest.Context(t)))
	require.Equal(t, axon.Finished, p.State())
	assert.GreaterOrEqual(t, src.sent, 100)
	assert.Equal(t, src.sent, sink.got, "everything sent arrived")
	assert.Nil(t, p.Err())
}
