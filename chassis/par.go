package chassis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Route chooses which children of a PAR get a message sent to its inbox: it
// appends their indexes (0-based, in the order the children were given) to
// dst and returns it. It is called from the PAR's goroutine only.
type Route func(msg any, children int, dst []int) []int

// Broadcast is the default Route: every child gets every message. They all
// get the same value, so it should not be changed by any of them.
func Broadcast(msg any, children int, dst []int) []int {
	for i := range children {
		dst = append(dst, i)
	}
	return dst
}

// Discard is the Route that gives messages to no child (Kamaelia's PAR,
// which had no input policies yet, did this).
func Discard(msg any, children int, dst []int) []int { return dst }

// RoundRobin returns a Route that gives each message to one child, in turn.
func RoundRobin() Route {
	next := 0
	return func(msg any, children int, dst []int) []int {
		if children == 0 {
			return dst
		}
		dst = append(dst, next%children)
		next = (next + 1) % children
		return dst
	}
}

// Parallel runs components side by side (Kamaelia's PAR, after Occam): the
// value PAR and SupervisedPAR return.
//
// # Boxes
//
//	inbox    each message goes to the children the Route picks (default Broadcast)
//	control  ProducerFinished and the user's messages go on to every child still running
//	outbox   the children's outboxes, fanned in
//	signal   the children's signal messages, fanned in, except shutdown
//	         messages: one outcome is sent when every child has ended
//
// inbox and outbox are typed like the children's when they all have the same
// type, else they carry any. The children's outboxes are forwarded with
// passthrough links (no hop); inbox routing and control copying happen in the
// PAR's goroutine, one hop, paid per message and per child (the inbox is
// routed through reflection, as its type is known only at run time): for a
// hot fan-out, use a Backplane.
//
// The children's own shutdown messages are not passed on one by one, since
// a downstream component would stop at the first while the other children
// still send; the PAR's outcome follows the usual rule instead.
//
// # Shutdown
//
// ProducerFinished on control (and any message of the user's own) is sent
// on to every child still running; the PAR ends when they all have, with
// ProducerFinished. Shutdown is not sent on as a message: it cancels the
// PAR's context and so every child's, which stop at once, and the PAR sends
// it on signal when they have ended (a child still running after the grace
// period, SetGrace, fails the PAR with a *axon.StuckError). If a child fails, the PAR
// shuts the others down and fails with a *ChildError naming it (children are
// named by position, from "1"), unless SupervisedPAR's policy restarts it.
type Parallel struct {
	axon.Core
	crew     crew
	setupErr error
	route    Route
	signals  *axon.Inbox[any] // the children's signals
	in       dynInbox
	outs     []dynOutbox // to each child's inbox
	targets  []int
}

// PAR runs the components side by side, wrapped up as one component:
//
//	chassis.Pipeline(
//		chassis.PAR(
//			sdl.NewButton("Next", image.Pt(10, 10), choose.Next, "Right"),
//			sdl.NewButton("Prev", image.Pt(90, 10), choose.Prev, "Left"),
//		),
//		choose.NewChooser(items),
//		newDisplay(), // a component of your own
//	).Run()
//
// A component given twice, or boxes that cannot be linked, is a setup error:
// SetupErr returns it and the PAR fails with it when activated.
func PAR(children ...axon.Component) *Parallel {
	p := &Parallel{route: Broadcast}
	p.setupErr = p.setup(children, nil, Restart{})
	return p
}

// SupervisedPAR is PAR with a Restart policy: each child is made by its
// factory (once now, again on each restart) and a child that fails is
// replaced and relinked as before, given the messages that were waiting,
// not yet taken, in the old one.
func SupervisedPAR(policy Restart, children ...Factory) *Parallel {
	p := &Parallel{route: Broadcast}
	if err := policy.check(); err != nil {
		p.setupErr = err
		return p
	}
	comps := make([]axon.Component, len(children))
	for i, f := range children {
		if f == nil {
			p.setupErr = fmt.Errorf("chassis: PAR: no factory for child %d", i+1)
			return p
		}
		comps[i] = f()
	}
	p.setupErr = p.setup(comps, children, policy)
	return p
}

// RouteInbox sets the Route of the PAR's inbox and returns the PAR. Call it
// before the PAR is activated.
func (p *Parallel) RouteInbox(r Route) *Parallel {
	p.route = r
	return p
}

func (p *Parallel) setup(comps []axon.Component, facs []Factory, policy Restart) (err error) {
	c := &p.crew
	names := make([]string, len(comps))
	for i := range comps {
		names[i] = strconv.Itoa(i + 1)
	}
	*c = crew{owner: &p.Core, ownerComp: p, names: names, factories: facs, policy: policy,
		proxies: map[string]axon.Box{}, proxied: map[string]bool{}}
	defer func() {
		if err != nil {
			for _, l := range p.Links() {
				_ = axon.Unlink(l)
			}
		}
	}()
	seen := map[axon.Component]bool{}
	var ins, outs []axon.Box
	for i, comp := range comps {
		m, err := asMember(comp)
		if err != nil {
			return fmt.Errorf("chassis: PAR child %d: %w", i+1, err)
		}
		if seen[comp] {
			return fmt.Errorf("chassis: PAR child %d (%s) is given twice", i+1, m.Name())
		}
		seen[comp] = true
		c.kids = append(c.kids, m)
		in, err := inboxOf(m, "inbox")
		if err != nil {
			return fmt.Errorf("chassis: PAR child %d: %w", i+1, err)
		}
		out, err := outboxOf(m, "outbox")
		if err != nil {
			return fmt.Errorf("chassis: PAR child %d: %w", i+1, err)
		}
		ins, outs = append(ins, in), append(outs, out)
	}
	if t, ok := sameType(ins); ok && t != nil {
		if _, err := axon.NewInboxLike(p, "inbox", ins[0]); err != nil {
			return fmt.Errorf("chassis: PAR: %w", err)
		}
	}
	if t, ok := sameType(outs); ok && t != nil {
		if _, err := axon.NewOutboxLike(p, "outbox", outs[0]); err != nil {
			return fmt.Errorf("chassis: PAR: %w", err)
		}
	}
	p.signals = axon.NewInbox[any](p, "_signals")
	myIn, _ := p.Inbox("inbox")
	myOut, _ := p.Outbox("outbox")
	p.in = newDynInbox(myIn)
	for i := range c.kids {
		route, err := axon.NewOutboxLike(p, "_inbox."+names[i], ins[i])
		if err != nil {
			return fmt.Errorf("chassis: PAR: %w", err)
		}
		p.outs = append(p.outs, newDynOutbox(route))
		c.addControl(i)
		c.plans = append(c.plans,
			plan{from: end{child: i, name: "outbox"}, to: end{child: -1, self: myOut}},
			plan{from: end{child: i, name: "signal"}, to: end{child: -1, self: p.signals}},
			plan{from: end{child: -1, self: route}, to: end{child: i, name: "inbox"}})
	}
	if err := c.linkAll(); err != nil {
		return fmt.Errorf("chassis: PAR: %w", err)
	}
	return nil
}

// SetGrace sets how long the PAR waits for its children to end once told
// to stop (or, under AllForOne, to restart), before it gives up on those
// still running and fails with a *axon.StuckError (the scheduler's grace period unless set).
// Call it before activating the PAR.
func (p *Parallel) SetGrace(d time.Duration) *Parallel {
	p.crew.grace = d
	return p
}

// SetupErr returns the error found when the PAR was built, or nil. A PAR
// with a setup error fails with it as soon as it is activated.
func (p *Parallel) SetupErr() error { return p.setupErr }

// Child returns the i'th child (from 0) now: after a restart, the new one.
func (p *Parallel) Child(i int) axon.Component { return p.crew.kid(i) }

// Run activates the PAR on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (p *Parallel) Run() error { return axon.Run(p) }

// RunContext is Run that shuts everything down when ctx is done.
func (p *Parallel) RunContext(ctx context.Context) error { return axon.RunContext(ctx, p) }

// Main activates the children, routes the inbox, copies control, fans the
// signals in, supervises, and waits for every child to end. See Parallel.
func (p *Parallel) Main(ctx context.Context) error {
	if p.setupErr != nil {
		return p.setupErr
	}
	in, _ := p.Inbox("inbox")
	return runCrew(ctx, &p.Core, &p.crew, p.tend, []axon.Box{p.Control(), p.signals, in})
}

func (p *Parallel) tend(ctx context.Context) error {
	if err := p.routeInbox(ctx); err != nil {
		return err
	}
	var routeErr error
	p.TakeControl(func(m any) {
		if ctx.Err() != nil || routeErr != nil {
			return // the children were stopped with the PAR
		}
		// What reached the inbox before this message (a ProducerFinished
		// from upstream comes after its data) goes to the children first.
		if routeErr = p.routeInbox(ctx); routeErr != nil {
			return
		}
		p.crew.tell(ctx, nil, m)
	})
	if routeErr != nil {
		return routeErr
	}
	for {
		m, ok := p.signals.TryRecv()
		if !ok {
			break
		}
		if axon.IsShutdownMessage(m) {
			continue
		}
		if ctx.Err() != nil {
			_ = p.Signal().TrySend(m)
		} else if err := p.Signal().Send(ctx, m); err != nil {
			return nil
		}
	}
	return nil
}

// routeInbox gives the messages waiting in the inbox to the children the
// Route picks.
func (p *Parallel) routeInbox(ctx context.Context) error {
	for ctx.Err() == nil {
		m, ok := p.in.TryRecv()
		if !ok {
			break
		}
		p.targets = p.route(m, len(p.outs), p.targets[:0])
		for _, i := range p.targets {
			if i < 0 || i >= len(p.outs) {
				return fmt.Errorf("chassis: PAR route chose child %d of %d", i, len(p.outs))
			}
			if p.crew.kid(i).State() == axon.Finished {
				continue // it will never take it
			}
			if err := p.outs[i].Send(ctx, m); err != nil {
				if ctx.Err() != nil || errors.Is(err, axon.ErrFinished) {
					continue // stopping, or the child has just ended
				}
				return fmt.Errorf("chassis: PAR routing to child %d: %w", i+1, err)
			}
		}
	}
	return nil
}
