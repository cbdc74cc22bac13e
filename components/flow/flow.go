// Package flow has the small components that pass messages along and change
// them on the way: PureTransformer applies a function, Filter keeps what a
// predicate accepts, PassThrough passes everything, Collate gathers
// everything into one message, Detupler picks one element of each,
// TagWithSequenceNumber numbers them, and NullSink swallows them (Kamaelia's
// Kamaelia.Util components of the same names).
//
// All of them follow one rule for shutdown: ProducerFinished on control
// makes them deal with every message waiting in their inbox and then end
// with ProducerFinished; Shutdown stops them at once, dropping what waits.
// That lets a pipeline of them drain and stop from its head.
package flow

import (
	"context"
	"fmt"
	"reflect"

	"github.com/kamaelia-go/kamaelia/axon"
)

// PureTransformer sends f(msg) for each message it is sent (Kamaelia's
// PureTransformer). f should not keep msg: the result is the receiver's.
//
// Boxes:
//
//	inbox   (In)   messages to transform
//	control (any)  ProducerFinished, Shutdown
//	outbox  (Out)  f of each message, in order
//	signal  (any)  how it ended
//
// Every result is sent, the zero value too, unless DropZero is given; then
// results equal to Out's zero value (nil, "", 0, an empty struct) are
// dropped, as Kamaelia dropped None.
//
// Example:
//
//	upper := flow.NewPureTransformer(strings.ToUpper)
//
// Shutdown: ProducerFinished on control makes it transform and send every
// message waiting, then end with ProducerFinished. Shutdown stops it at
// once.
type PureTransformer[In, Out any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[In]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out      *axon.Outbox[Out]
	f        func(In) Out
	dropZero bool
}

// TransformOption configures a PureTransformer.
type TransformOption func(*transformOptions)

type transformOptions struct{ dropZero bool }

// DropZero makes a PureTransformer drop results that are Out's zero value.
func DropZero() TransformOption { return func(o *transformOptions) { o.dropZero = true } }

// NewPureTransformer returns a transformer that applies f.
func NewPureTransformer[In, Out any](f func(In) Out, opts ...TransformOption) *PureTransformer[In, Out] {
	var o transformOptions
	for _, opt := range opts {
		opt(&o)
	}
	p := &PureTransformer[In, Out]{f: f, dropZero: o.dropZero}
	p.In = axon.NewInbox[In](p, "inbox")
	p.Out = axon.NewOutbox[Out](p, "outbox")
	return p
}

// Main transforms messages until told to stop.
func (p *PureTransformer[In, Out]) Main(ctx context.Context) error {
	for v := range p.In.Messages(ctx) {
		r := p.f(v)
		if p.dropZero && isZero(r) {
			continue
		}
		if err := p.Out.Send(ctx, r); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func isZero[T any](v T) bool { return reflect.ValueOf(&v).Elem().IsZero() }

// Filter passes on the messages that keep returns true for, and drops the
// others (Kamaelia's Filter).
//
// Boxes:
//
//	inbox   (T)    messages to filter
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the messages kept, in order
//	signal  (any)  how it ended
//
// Example:
//
//	evens := flow.NewFilter(func(n int) bool { return n%2 == 0 })
//
// Shutdown: ProducerFinished on control makes it filter every message
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type Filter[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out  *axon.Outbox[T]
	keep func(T) bool
}

// NewFilter returns a filter that keeps the messages keep accepts.
func NewFilter[T any](keep func(T) bool) *Filter[T] {
	f := &Filter[T]{keep: keep}
	f.In = axon.NewInbox[T](f, "inbox")
	f.Out = axon.NewOutbox[T](f, "outbox")
	return f
}

// Main filters messages until told to stop.
func (f *Filter[T]) Main(ctx context.Context) error {
	for v := range f.In.Messages(ctx) {
		if !f.keep(v) {
			continue
		}
		if err := f.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// PassThrough passes every message on unchanged (Kamaelia's PassThrough):
// a placeholder in a graph, or a join point for several producers.
//
// Boxes:
//
//	inbox   (T)    messages
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the same messages, in order
//	signal  (any)  how it ended
//
// Example:
//
//	join := flow.NewPassThrough[string]()
//
// Shutdown: ProducerFinished on control makes it pass on every message
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type PassThrough[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
}

// NewPassThrough returns a PassThrough.
func NewPassThrough[T any]() *PassThrough[T] {
	p := &PassThrough[T]{}
	p.In = axon.NewInbox[T](p, "inbox")
	p.Out = axon.NewOutbox[T](p, "outbox")
	return p
}

// Main passes messages on until told to stop.
func (p *PassThrough[T]) Main(ctx context.Context) error {
	for v := range p.In.Messages(ctx) {
		if err := p.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Collate gathers every message it is sent and, when its input is over,
// sends them all as one slice (Kamaelia's Collate).
//
// Boxes:
//
//	inbox   (T)    messages to gather
//	control (any)  ProducerFinished, Shutdown
//	outbox  ([]T)  every message, in the order they came, once
//	signal  (any)  how it ended
//
// Example: read a file in chunks, then hand on the whole of it:
//
//	whole := flow.NewCollate[[]byte]()
//
// Shutdown: ProducerFinished on control makes it gather every message
// waiting, send the slice (empty, not nil, if there were none), then end
// with ProducerFinished. Shutdown stops it at once: it sends nothing.
type Collate[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[[]T]
}

// NewCollate returns a Collate.
func NewCollate[T any]() *Collate[T] {
	c := &Collate[T]{}
	c.In = axon.NewInbox[T](c, "inbox")
	c.Out = axon.NewOutbox[[]T](c, "outbox")
	return c
}

// Main gathers until its input is over.
func (c *Collate[T]) Main(ctx context.Context) error {
	all := []T{}
	for v := range c.In.Messages(ctx) {
		all = append(all, v)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.Out.Send(ctx, all)
}

// Detupler sends element index of each slice it is sent (Kamaelia's
// detuple, for Go's slices, where Python had tuples).
//
// Boxes:
//
//	inbox   ([]T)  slices
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    element index of each
//	signal  (any)  how it ended
//
// Example: the payloads of TagWithSequenceNumber's output go through a
// PureTransformer instead; Detupler is for slices:
//
//	second := flow.NewDetupler[string](1)
//
// Shutdown: ProducerFinished on control makes it deal with every message
// waiting, then end with ProducerFinished. Shutdown stops it at once. A
// slice too short for index is a *axon.Failure naming the index and length:
// the input is not what the graph expects.
type Detupler[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[[]T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out   *axon.Outbox[T]
	index int
}

// NewDetupler returns a Detupler of element index (from 0; negative
// counts from the end, -1 being the last).
func NewDetupler[T any](index int) *Detupler[T] {
	d := &Detupler[T]{index: index}
	d.In = axon.NewInbox[[]T](d, "inbox")
	d.Out = axon.NewOutbox[T](d, "outbox")
	return d
}

// Main picks elements until told to stop.
func (d *Detupler[T]) Main(ctx context.Context) error {
	for v := range d.In.Messages(ctx) {
		i := d.index
		if i < 0 {
			i += len(v)
		}
		if i < 0 || i >= len(v) {
			return fmt.Errorf("flow: Detupler: index %d out of range for a message of length %d", d.index, len(v))
		}
		if err := d.Out.Send(ctx, v[i]); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Tagged is a message with its sequence number.
type Tagged[T any] struct {
	Seq  uint64 // the message's number: 0 for the first
	Item T      // the message
}

// TagWithSequenceNumber sends each message it is sent with its number in
// the sequence: 0, 1, 2, ... (Kamaelia's TagWithSequenceNumber, which sent
// (n, item) tuples).
//
// Boxes:
//
//	inbox   (T)          messages
//	control (any)        ProducerFinished, Shutdown
//	outbox  (Tagged[T])  each message with its number
//	signal  (any)        how it ended
//
// Example:
//
//	tag := flow.NewTagWithSequenceNumber[string]()
//
// Shutdown: ProducerFinished on control makes it tag and send every message
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type TagWithSequenceNumber[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[Tagged[T]]
}

// NewTagWithSequenceNumber returns a tagger that starts at 0.
func NewTagWithSequenceNumber[T any]() *TagWithSequenceNumber[T] {
	t := &TagWithSequenceNumber[T]{}
	t.In = axon.NewInbox[T](t, "inbox")
	t.Out = axon.NewOutbox[Tagged[T]](t, "outbox")
	return t
}

// Main tags messages until told to stop.
func (t *TagWithSequenceNumber[T]) Main(ctx context.Context) error {
	var n uint64
	for v := range t.In.Messages(ctx) {
		if err := t.Out.Send(ctx, Tagged[T]{Seq: n, Item: v}); err != nil {
			return err
		}
		n++
	}
	return ctx.Err()
}

// NullSink takes every message it is sent and drops it (Kamaelia's
// NullSink): the end of a graph whose output nobody wants, so that its
// producer is never held up by a full box.
//
// Boxes:
//
//	inbox   (any)  messages, dropped
//	control (any)  ProducerFinished, Shutdown
//	outbox  (any)  not used
//	signal  (any)  how it ended
//
// Example:
//
//	sink := flow.NewNullSink()
//
// Shutdown: ProducerFinished on control makes it take every message
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type NullSink struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
}

// NewNullSink returns a NullSink.
func NewNullSink() *NullSink {
	n := &NullSink{}
	n.In = axon.NewInbox[any](n, "inbox")
	return n
}

// Main drops messages until told to stop.
func (n *NullSink) Main(ctx context.Context) error {
	buf := make([]any, 0, 64)
	for {
		var err error
		buf, err = n.In.RecvBatch(ctx, buf[:0], 64)
		clear(buf)
		if err != nil {
			if err == axon.ErrFinished {
				return nil
			}
			return err
		}
	}
}
