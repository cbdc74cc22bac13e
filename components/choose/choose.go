// Package choose has the components that step through a set of items on
// command: Chooser moves back and forth over a list, ForwardIteratingChooser
// moves forward over any sequence, even an endless one (Kamaelia's
// Kamaelia.Util.Chooser). A slideshow is a Chooser of file names driven by
// "NEXT" and "PREV" buttons.
package choose

import (
	"context"
	"errors"
	"iter"

	"github.com/kamaelia-go/kamaelia/axon"
)

// The commands the choosers understand, as plain strings so that any
// component that sends strings (a button, a console reader) can drive them.
const (
	Next  = "NEXT"  // step forward and send the item
	Prev  = "PREV"  // step back and send the item (Chooser only)
	First = "FIRST" // go to the first item and send it (Chooser only)
	Last  = "LAST"  // go to the last item and send it (Chooser only)
	Same  = "SAME"  // send the current item again
)

// Chooser steps through a list of items as it is told, and sends the item
// it lands on (Kamaelia's Chooser).
//
// Boxes:
//
//	inbox   (string)  commands: NEXT, PREV, FIRST, LAST, SAME (others are ignored)
//	control (any)     ProducerFinished, Shutdown
//	outbox  (T)       the item chosen
//	signal  (any)     how it ended
//
// It sends the first item as soon as it starts. NEXT at the last item and
// PREV at the first send nothing, unless the chooser loops (WithLoop): then
// they go round to the first and the last item. FIRST and LAST send their
// item even when the chooser is already there. An empty list sends nothing,
// ever. (Kamaelia's PREV at the start sent the first item again, and with
// looping sent nothing and broke the next step; not here.)
//
// Example:
//
//	slides := choose.NewChooser([]string{"a.png", "b.png", "c.png"}, choose.WithLoop())
//
// Shutdown: ProducerFinished on control makes it carry out the commands
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type Chooser[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[string]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out   *axon.Outbox[T]
	items []T
	loop  bool
}

// Option configures a Chooser.
type Option func(*options)

type options struct{ loop bool }

// WithLoop makes a Chooser go round: NEXT at the last item goes to the
// first, PREV at the first to the last.
func WithLoop() Option { return func(o *options) { o.loop = true } }

// NewChooser returns a chooser over items (the slice is the chooser's from
// now on).
func NewChooser[T any](items []T, opts ...Option) *Chooser[T] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	c := &Chooser[T]{items: items, loop: o.loop}
	c.In = axon.NewInbox[string](c, "inbox")
	c.Out = axon.NewOutbox[T](c, "outbox")
	return c
}

// Main sends the first item, then carries out commands until told to stop.
func (c *Chooser[T]) Main(ctx context.Context) error {
	n := len(c.items)
	if n == 0 {
		for range c.In.Messages(ctx) {
		}
		return ctx.Err()
	}
	i := 0
	if err := c.Out.Send(ctx, c.items[i]); err != nil {
		return err
	}
	for cmd := range c.In.Messages(ctx) {
		ok := true
		switch cmd {
		case Same:
		case Next:
			switch {
			case i+1 < n:
				i++
			case c.loop:
				i = 0
			default:
				ok = false
			}
		case Prev:
			switch {
			case i > 0:
				i--
			case c.loop:
				i = n - 1
			default:
				ok = false
			}
		case First:
			i = 0
		case Last:
			i = n - 1
		default:
			ok = false
		}
		if !ok {
			continue
		}
		if err := c.Out.Send(ctx, c.items[i]); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// ForwardIteratingChooser steps forward through a sequence as it is told,
// and sends the item it lands on (Kamaelia's ForwardIteratingChooser). The
// sequence may be endless: it is pulled one item at a time.
//
// Boxes:
//
//	inbox   (string)  commands: NEXT, SAME (others are ignored)
//	control (any)     ProducerFinished, Shutdown
//	outbox  (T)       the item chosen
//	signal  (any)     how it ended
//
// It sends the first item as soon as it starts (nothing if the sequence is
// empty). NEXT past the last item ends it.
//
// Example:
//
//	playlist := choose.NewForwardIteratingChooser(slices.Values(files))
//
// Shutdown: NEXT past the end of the sequence ends it with
// ProducerFinished. ProducerFinished on control makes it carry out the
// commands waiting, then end with ProducerFinished. Shutdown stops it at
// once. Either way it stops the sequence (its iterator's deferred calls
// run).
type ForwardIteratingChooser[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[string]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	seq iter.Seq[T]
}

// NewForwardIteratingChooser returns a chooser over seq.
func NewForwardIteratingChooser[T any](seq iter.Seq[T]) *ForwardIteratingChooser[T] {
	c := &ForwardIteratingChooser[T]{seq: seq}
	c.In = axon.NewInbox[string](c, "inbox")
	c.Out = axon.NewOutbox[T](c, "outbox")
	return c
}

// Main sends the first item, then carries out commands until the sequence
// ends or it is told to stop.
func (c *ForwardIteratingChooser[T]) Main(ctx context.Context) error {
	next, stop := iter.Pull(c.seq)
	defer stop()
	cur, have := next()
	if have {
		if err := c.Out.Send(ctx, cur); err != nil {
			return err
		}
	}
	for {
		cmd, err := c.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			return nil
		}
		if err != nil {
			return err
		}
		switch cmd {
		case Next:
			if cur, have = next(); !have {
				return nil // past the end
			}
		case Same:
			if !have {
				continue
			}
		default:
			continue
		}
		if err := c.Out.Send(ctx, cur); err != nil {
			return err
		}
	}
}
