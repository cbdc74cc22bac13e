package chassis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Next is the message a Carousel sends on requestNext when its child ends.
const Next = "NEXT"

// errReplaced is the reason of the Shutdown a Carousel sends to the child a
// new "next" replaces.
var errReplaced = errors.New("chassis: carousel: replaced by the next child")

// CarouselOption changes how a Carousel behaves.
type CarouselOption func(*carouselOptions)

type carouselOptions struct {
	firstRequest bool
	grace        time.Duration
}

// CarouselGrace sets how long the Carousel waits for its child to end once
// told to stop, or once the child is being replaced (a message on "next"),
// before it gives up on it and fails with an *axon.StuckError (the
// scheduler's grace period unless set).
func CarouselGrace(d time.Duration) CarouselOption {
	return func(o *carouselOptions) { o.grace = d }
}

// RequestFirst makes a Carousel send "NEXT" on requestNext as soon as it
// starts, for a source of arguments that waits to be asked (Kamaelia's
// make1stRequest).
func RequestFirst() CarouselOption { return func(o *carouselOptions) { o.firstRequest = true } }

// Carousel makes a child from each message on its "next" inbox, one child at
// a time, like a broadcast carousel playing one programme after another: a
// reusable wrapper for components that do one job and end (a file reader
// given each file name in turn). A is the type of the factory's argument,
// In and Out those of the children's inbox and outbox.
//
// # Boxes
//
//	inbox        In: forwarded to the current child's inbox
//	next         A: each message makes a new child, factory(msg)
//	control      see Shutdown
//	outbox       Out: the current child's outbox, forwarded out
//	requestNext  string: "NEXT" when a child has ended of its own accord
//	signal       the Carousel's outcome
//
// What the Carousel is sent while it has no child waits (with back-pressure)
// for the next one; what a child left in its inbox, not yet taken, goes to
// the next child, in order. A child's signal is not passed on.
//
// A message on next while a child runs shuts that child down (Shutdown) and
// makes the new one once it has ended; no "NEXT" is sent for a child so
// replaced. Messages on next are handled in order, each making a child.
//
// # Shutdown
//
// ProducerFinished on control is passed to the current child and to each
// child still to be made from the messages queued on next: they run one
// after another, each to its end, and the Carousel ends with
// ProducerFinished when the last has, asking for no more. Shutdown stops the
// current child at once, drops the queued messages, and the Carousel sends
// the Shutdown on once the child has ended. Other control messages go to
// the current child. If a child fails, or the factory's component does not
// fit the Carousel's boxes, the Carousel fails with a *ChildError.
type Carousel[A, In, Out any] struct {
	axon.Core
	factory func(A) axon.Component
	opts    carouselOptions

	in          *axon.Inbox[In]
	next        *axon.Inbox[A]
	out         *axon.Outbox[Out]
	requestNext *axon.Outbox[string]
	made        int // children made so far
}

// NewCarousel returns a Carousel that makes its children with factory:
//
//	readers := chassis.NewCarousel[string, any, []byte](func(name string) axon.Component {
//		return file.NewReadFileAdaptor(file.WithFilename(name))
//	})
func NewCarousel[A, In, Out any](factory func(A) axon.Component, opts ...CarouselOption) *Carousel[A, In, Out] {
	c := &Carousel[A, In, Out]{factory: factory}
	for _, o := range opts {
		o(&c.opts)
	}
	c.in = axon.NewInbox[In](c, "inbox")
	c.next = axon.NewInbox[A](c, "next")
	c.out = axon.NewOutbox[Out](c, "outbox")
	c.requestNext = axon.NewOutbox[string](c, "requestNext")
	return c
}

// Run activates the Carousel on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (c *Carousel[A, In, Out]) Run() error { return axon.Run(c) }

// RunContext is Run that shuts everything down when ctx is done.
func (c *Carousel[A, In, Out]) RunContext(ctx context.Context) error {
	return axon.RunContext(ctx, c)
}

// current is the child running now and the links that join it.
type current struct {
	m     member
	in    axon.Box
	ctl   *axon.Outbox[any] // the Carousel's outbox to the child's control
	links []*axon.Linkage
	name  string
}

// Main makes and replaces children. See Carousel.
func (c *Carousel[A, In, Out]) Main(ctx context.Context) error {
	if c.opts.firstRequest {
		if err := c.requestNext.Send(ctx, Next); err != nil {
			return err
		}
	}
	var (
		cur       *current
		queue     []A
		replacing bool
		replaceBy time.Time // replacing: the child must have ended by then
	)
	for {
		finishing := c.passControl(ctx, cur)
		if ctx.Err() != nil {
			// Told to stop: the child was stopped with the Carousel.
			if cur != nil && !awaitEnd(cur.m, graceOr(c, c.opts.grace)) {
				c.RemoveChild(cur.m)
				return &axon.StuckError{Components: []string{cur.name}, Grace: graceOr(c, c.opts.grace)}
			}
			return ctx.Err()
		}
		for {
			a, ok := c.next.TryRecv()
			if !ok {
				break
			}
			queue = append(queue, a)
		}
		if cur != nil && cur.m.State() == axon.Finished {
			if err := c.detach(cur); err != nil {
				return err
			}
			if err := cur.m.Err(); err != nil {
				return &ChildError{Child: cur.name, Err: err}
			}
			if !replacing && !finishing {
				if err := c.requestNext.Send(ctx, Next); err != nil {
					return err
				}
			}
			cur, replacing = nil, false
		}
		if cur == nil && len(queue) > 0 {
			var err error
			if cur, err = c.start(queue[0], finishing); err != nil {
				return err
			}
			queue = queue[1:]
			continue
		}
		if cur == nil && finishing {
			return nil
		}
		if cur != nil && len(queue) > 0 && !replacing && !finishing {
			replacing = true
			replaceBy = time.Now().Add(graceOr(c, c.opts.grace))
			if err := cur.ctl.Send(ctx, axon.Shutdown{Reason: errReplaced}); err != nil {
				return err
			}
		}
		if replacing {
			if !time.Now().Before(replaceBy) {
				// It ignores the Shutdown that replaces it.
				c.RemoveChild(cur.m)
				return &axon.StuckError{Components: []string{cur.name}, Grace: graceOr(c, c.opts.grace)}
			}
			wctx, cancel := context.WithDeadline(ctx, replaceBy)
			_ = c.WaitFor(wctx, c.Control(), c.next)
			cancel()
			continue
		}
		_ = c.WaitFor(ctx, c.Control(), c.next)
	}
}

// passControl passes control messages to the current child and reports
// whether the Carousel has been told ProducerFinished.
func (c *Carousel[A, In, Out]) passControl(ctx context.Context, cur *current) (finishing bool) {
	return c.TakeControl(func(m any) {
		if cur != nil && ctx.Err() == nil {
			_ = cur.ctl.Send(ctx, m)
		}
	}).Finishing
}

// start makes a child from a and links it in: linking the Carousel's inbox
// to the child's moves what waited there into it, in order.
func (c *Carousel[A, In, Out]) start(a A, finishing bool) (*current, error) {
	c.made++
	name := fmt.Sprintf("child %d", c.made)
	m, err := asMember(c.factory(a))
	if err != nil {
		return nil, fmt.Errorf("chassis: carousel %s: %w", name, err)
	}
	// Made now, not with the Carousel, so that a Handle on the Carousel
	// does not take it for an output.
	cur := &current{m: m, name: name, ctl: axon.NewOutbox[any](c, fmt.Sprintf("_control.%d", c.made))}
	fail := func(err error) (*current, error) {
		for _, l := range cur.links {
			_ = axon.Unlink(l)
		}
		_ = c.RemoveBox(cur.ctl)
		return nil, &ChildError{Child: name, Err: err}
	}
	if cur.in, err = inboxOf(m, "inbox"); err != nil {
		return fail(err)
	}
	out, err := outboxOf(m, "outbox")
	if err != nil {
		return fail(err)
	}
	for _, pair := range [][2]axon.Box{{c.in, cur.in}, {out, c.out}, {cur.ctl, m.Control()}} {
		l, err := c.Link(pair[0], pair[1])
		if err != nil {
			return fail(err)
		}
		cur.links = append(cur.links, l)
	}
	if finishing {
		_ = cur.ctl.TrySend(axon.ProducerFinished{})
	}
	c.AddChildren(m)
	c.ActivateChildren()
	return cur, nil
}

// detach unlinks an ended child. What it left in its inbox, not yet taken,
// the runtime gave back to the Carousel's inbox as it ended, ahead of what
// came after: the next child gets it all, in order.
func (c *Carousel[A, In, Out]) detach(cur *current) error {
	for _, l := range cur.links {
		_ = axon.Unlink(l) // the inbox's passthrough went with the child
	}
	cur.links = nil
	_ = c.RemoveBox(cur.ctl)
	c.RemoveChild(cur.m)
	return nil
}
