package catalog

import (
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/launch"
)

// tee sends every message it is sent on two outboxes, and the end of its
// input on two signals, so that both branches of a fan-out end with it
// (a Backplane's subscribers end only when the Backplane does).
//
// Boxes:
//
//	inbox      ([]byte)  messages
//	control    (any)     ProducerFinished, Shutdown
//	outbox     ([]byte)  every message
//	signal     (any)     how it ended
//	copy       ([]byte)  every message again
//	copysignal (any)     ProducerFinished when its input ended
//
// Shutdown: ProducerFinished on control makes it pass on every message
// waiting, send ProducerFinished on copysignal, then end with
// ProducerFinished on signal. Shutdown stops it at once.
type tee struct {
	axon.Core
	in         *axon.Inbox[[]byte]
	out, copy  *axon.Outbox[[]byte]
	copySignal *axon.Outbox[any]
}

func newTee() *tee {
	t := &tee{}
	t.in = axon.NewInbox[[]byte](t, "inbox")
	t.out = axon.NewOutbox[[]byte](t, "outbox")
	t.copy = axon.NewOutbox[[]byte](t, "copy")
	t.copySignal = axon.NewOutbox[any](t, "copysignal")
	return t
}

// Main passes each message on both ways until its input ends.
func (t *tee) Main(ctx context.Context) error {
	for v := range t.in.Messages(ctx) {
		if err := t.out.Send(ctx, v); err != nil {
			return err
		}
		if err := t.copy.Send(ctx, v); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return t.copySignal.Send(ctx, axon.ProducerFinished{})
}

// registerTee registers Tee.
func registerTee(r *launch.Registry) {
	r.MustRegister(launch.Entry{
		Name: "Tee",
		Summary: "sends each byte message on outbox and on copy, and its end on both signals: a fan-out that ends " +
			"(Tee name=t ! A  t.copy ! B.)",
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "messages"}},
		Outboxes: []launch.BoxDoc{
			{Name: "outbox", Type: bytesType, Doc: "every message"},
			{Name: "copy", Type: bytesType, Doc: "every message again (link it as name.copy)", Signal: "copysignal"},
			{Name: "copysignal", Type: anyType, Doc: "ProducerFinished when the input has ended: name.copy ! B. links it to B's control"},
		},
		New: func(*launch.Args) (axon.Component, error) { return newTee(), nil },
	})
}
