package axontest

import (
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Relay passes every message of its inbox on to its outbox, in order: the
// pass-through component of the project's tests, a stage that does nothing
// of its own. Made with a small capacity and activated late (or never), it
// stands for a slow consumer: what is linked to its inbox fills up and waits.
//
//	inbox    T    messages to pass on
//	control  any  ProducerFinished: pass on what waits, then end; Shutdown: end at once
//	outbox   T    the same messages
//	signal   any  how it ended
type Relay[T any] struct {
	axon.Core
	In  *axon.Inbox[T]
	Out *axon.Outbox[T]
}

// NewRelay makes a Relay whose inbox holds capacity messages (the default
// capacity when capacity is 0).
func NewRelay[T any](capacity int) *Relay[T] {
	r := &Relay[T]{}
	r.In = axon.NewInbox[T](r, "inbox")
	if capacity != 0 {
		r.In.SetCapacity(capacity)
	}
	r.Out = axon.NewOutbox[T](r, "outbox")
	return r
}

// Main passes messages on until the inbox is finished with.
func (r *Relay[T]) Main(ctx context.Context) error {
	for v := range r.In.Messages(ctx) {
		if err := r.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}
