// Package source has the components that start a flow of messages:
// DataSource sends a list of messages, OneShot sends one, TriggeredOneShot
// sends one when it is poked, and TriggeredSource sends one each time it is
// poked (Kamaelia's Kamaelia.Util.DataSource and OneShot).
//
// A source ends by itself, with ProducerFinished on signal, when it has
// sent what it was made with: link its signal to the next component's
// control and a pipeline drains and stops from its head.
package source

import (
	"context"
	"errors"

	"github.com/kamaelia-go/kamaelia/axon"
)

// DataSource sends each of its messages, in order, then ends (Kamaelia's
// DataSource).
//
// Boxes:
//
//	inbox   (any)  not used
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the messages
//	signal  (any)  how it ended
//
// Example:
//
//	src := source.NewDataSource([]string{"hello", "world"})
//
// Shutdown: after its last message it ends with ProducerFinished.
// ProducerFinished on control changes nothing: what it has to finish is
// its messages, which it sends. Shutdown stops it at once: the messages
// not yet sent are dropped.
type DataSource[T any] struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out   *axon.Outbox[T]
	items []T
}

// NewDataSource returns a source of items (the slice is the source's from
// now on).
func NewDataSource[T any](items []T) *DataSource[T] {
	d := &DataSource[T]{items: items}
	d.Out = axon.NewOutbox[T](d, "outbox")
	return d
}

// Main sends the messages.
func (d *DataSource[T]) Main(ctx context.Context) error {
	for _, v := range d.items {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// OneShot sends one message, then ends (Kamaelia's OneShot).
//
// Boxes:
//
//	inbox   (any)  not used
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the message
//	signal  (any)  how it ended
//
// Example:
//
//	start := source.NewOneShot("go")
//
// Shutdown: after its message it ends with ProducerFinished.
// ProducerFinished on control changes nothing; Shutdown before the
// message is sent (it waits for room) stops it without sending it.
type OneShot[T any] struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	msg T
}

// NewOneShot returns a OneShot of msg.
func NewOneShot[T any](msg T) *OneShot[T] {
	o := &OneShot[T]{msg: msg}
	o.Out = axon.NewOutbox[T](o, "outbox")
	return o
}

// Main sends the message.
func (o *OneShot[T]) Main(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return o.Out.Send(ctx, o.msg)
}

// TriggeredOneShot waits for anything to come to its inbox, then sends its
// message and ends (Kamaelia's TriggeredOneShot).
//
// Boxes:
//
//	inbox   (any)  the trigger: any message
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the message, once
//	signal  (any)  how it ended
//
// Example:
//
//	quit := source.NewTriggeredOneShot[any](axon.Shutdown{})
//
// sends a Shutdown (to a control inbox it is linked to) the first time it
// is poked.
//
// Shutdown: after its message it ends with ProducerFinished. On
// ProducerFinished it looks at what waits in its inbox: a trigger there
// still makes it send its message; none, and it ends without sending.
// Shutdown stops it at once, without sending.
type TriggeredOneShot[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	msg T
}

// NewTriggeredOneShot returns a TriggeredOneShot of msg.
func NewTriggeredOneShot[T any](msg T) *TriggeredOneShot[T] {
	o := &TriggeredOneShot[T]{msg: msg}
	o.In = axon.NewInbox[any](o, "inbox")
	o.Out = axon.NewOutbox[T](o, "outbox")
	return o
}

// Main waits for the trigger and sends the message.
func (o *TriggeredOneShot[T]) Main(ctx context.Context) error {
	_, err := o.In.Recv(ctx)
	if errors.Is(err, axon.ErrFinished) {
		return nil
	}
	if err != nil {
		return err
	}
	return o.Out.Send(ctx, o.msg)
}

// TriggeredSource sends its message each time anything comes to its inbox
// (Kamaelia's TriggeredSource).
//
// Boxes:
//
//	inbox   (any)  triggers: any message
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the message, once per trigger
//	signal  (any)  how it ended
//
// Example:
//
//	tick := source.NewTriggeredSource("tick")
//
// Shutdown: ProducerFinished on control makes it answer every trigger
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type TriggeredSource[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	msg T
}

// NewTriggeredSource returns a TriggeredSource of msg.
func NewTriggeredSource[T any](msg T) *TriggeredSource[T] {
	s := &TriggeredSource[T]{msg: msg}
	s.In = axon.NewInbox[any](s, "inbox")
	s.Out = axon.NewOutbox[T](s, "outbox")
	return s
}

// Main answers triggers until told to stop.
func (s *TriggeredSource[T]) Main(ctx context.Context) error {
	for range s.In.Messages(ctx) {
		if err := s.Out.Send(ctx, s.msg); err != nil {
			return err
		}
	}
	return ctx.Err()
}
