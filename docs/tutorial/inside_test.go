package tutorial_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// tutorial:begin counter
// Counter counts what it is sent and, each time it is asked, says how many
// so far.
//
//	inbox    any  things to count
//	ask      any  a question: answer with the count of everything sent before it
//	control  any  ProducerFinished: answer the questions waiting, send the total, end
//	              Shutdown: end at once
//	outbox   int  the answers, then the total
//	signal   any  how it ended
type Counter struct {
	axon.Core
	In  *axon.Inbox[any]
	Ask *axon.Inbox[any]
	Out *axon.Outbox[int]
	n   int
}

// NewCounter makes a Counter with a third inbox, "ask".
func NewCounter() *Counter {
	c := &Counter{}
	c.In = axon.NewInbox[any](c, "inbox")
	c.Ask = axon.NewInbox[any](c, "ask")
	c.Out = axon.NewOutbox[int](c, "outbox")
	return c
}

// count takes everything waiting in the inbox.
func (c *Counter) count() {
	for _, ok := c.In.TryRecv(); ok; _, ok = c.In.TryRecv() {
		c.n++
	}
}

// Main waits on all its inboxes at once and wakes on the first message in
// any of them: no polling.
func (c *Counter) Main(ctx context.Context) error {
	for {
		c.count()
		for _, ok := c.Ask.TryRecv(); ok; _, ok = c.Ask.TryRecv() {
			c.count() // a question comes after what was sent before it
			if err := c.Out.Send(ctx, c.n); err != nil {
				return err
			}
		}
		// The runtime acts on control messages as they arrive: ProducerFinished
		// sets Finishing, Shutdown cancels ctx. Take them, so that Wait sleeps.
		for c.Control().DataReady() {
			c.Control().TryRecv()
		}
		if c.Finishing() && !c.AnyReady() {
			return c.Out.Send(ctx, c.n) // the total, and a clean end
		}
		if err := c.Wait(ctx); err != nil {
			return err // ctx is done: told Shutdown
		}
	}
}

// tutorial:end counter

func Example_counter() {
	// tutorial:begin askcounter
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), NewCounter())
	for _, v := range []any{"a", 2, 3.0} {
		_ = h.Put(ctx, "inbox", v)
	}
	_ = h.Put(ctx, "ask", "how many?")
	answer, _ := h.Get(ctx, "outbox")
	fmt.Println("so far:", answer)

	_ = h.Put(ctx, "inbox", "d")
	_ = h.Finish(ctx)
	total, _ := h.Get(ctx, "outbox")
	outcome, _ := h.Get(ctx, "signal")
	fmt.Println("total:", total, "then", outcome)
	// tutorial:end askcounter

	// Output:
	// so far: 3
	// total: 4 then ProducerFinished
}

// tutorial:begin picky
// Picky passes lines on. An empty line makes it fail, and "panic" makes it
// panic.
type Picky struct{ Uppercase }

// NewPicky makes a Picky.
func NewPicky() *Picky {
	p := &Picky{}
	p.In = axon.NewInbox[string](p, "inbox")
	p.Out = axon.NewOutbox[string](p, "outbox")
	return p
}

// errEmpty is Picky's failure.
var errEmpty = errors.New("empty line")

// Main fails on an empty line, and panics on "panic".
func (p *Picky) Main(ctx context.Context) error {
	for line := range p.In.Messages(ctx) {
		switch line {
		case "":
			return errEmpty
		case "panic":
			panic("Picky cannot go on")
		}
		if err := p.Out.Send(ctx, line); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// tutorial:end picky

// The four ways a component ends, as its signal outbox tells them.
func Example_shutdown() {
	// tutorial:begin shutdown
	ctx := context.Background()
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler)) // failures are logged too; not here
	for _, tell := range []any{axon.ProducerFinished{}, axon.Shutdown{}, "", "panic"} {
		p := NewPicky()
		p.SetName("picky")
		h, _ := axon.NewHandle(s, p)
		if msg, ok := tell.(string); ok {
			_ = h.Put(ctx, "inbox", msg)
		} else {
			_ = h.Put(ctx, "control", tell)
		}
		outcome, _ := h.Get(ctx, "signal")
		fmt.Printf("%T: %v\n", outcome, outcome)
	}
	fmt.Println("Run:", s.Run()) // waits for all; the failures, joined
	// tutorial:end shutdown

	// Output:
	// axon.ProducerFinished: ProducerFinished
	// axon.Shutdown: Shutdown
	// *axon.Failure: picky: empty line
	// *axon.Failure: picky: panic: Picky cannot go on
	// Run: picky: empty line
	// picky: panic: Picky cannot go on
}

// Back-pressure: a bounded inbox stops a sender that is too fast.
func Example_backpressure() {
	// tutorial:begin backpressure
	slow := NewUppercase() // never activated: nothing takes from its inbox
	slow.SetName("slow")
	fast := NewUppercase() // only its outbox is used, from this code
	link := axon.MustLink(fast.Out, slow.In, axon.WithCapacity(2))
	defer axon.Unlink(link)

	for _, word := range []string{"one", "two", "three"} {
		fmt.Println(word, fast.Out.TrySend(word)) // Axon's noSpaceInBox, as an error
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := fast.Out.Send(ctx, "four") // waits for room, until ctx ends
	fmt.Println("four", err, "| waiting:", slow.In.Len())
	// tutorial:end backpressure

	// Output:
	// one <nil>
	// two <nil>
	// three axon: box slow.inbox full (capacity 2)
	// four context deadline exceeded | waiting: 2
}
