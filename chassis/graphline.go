package chassis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Self is the component name that, in Linkages, means the Graphline itself.
const Self = "self"

// Port names a box of a component of a Graphline: Component is the name
// given to the component in Components (or Self), Box the box's name.
type Port struct {
	Component string
	Box       string
}

// String returns "component.box".
func (p Port) String() string { return p.Component + "." + p.Box }

// Components names the components of a Graphline.
type Components map[string]axon.Component

// Factories names the factories of the children of a SupervisedGraphline.
type Factories map[string]Factory

// Linkages are the links of a Graphline, from an outbox to an inbox (Kamaelia's
// linkages dictionary). A key is unique, as an outbox has one link out of it;
// several keys may lead to the same inbox (fan-in). The component Self means
// the Graphline's own boxes: from one of its inboxes into a child's inbox
// (passthrough in), or from a child's outbox out of one of its outboxes
// (passthrough out). A box of Self that the Graphline does not have is made
// on this Graphline only, typed like the child's box it is linked to. Self's
// "inbox" and "control" are inboxes and its "outbox" and "signal" outboxes:
// a linkage that uses one of them the other way round is a setup error.
type Linkages map[Port]Port

// Graph is a Graphline: named components wired by Linkages and wrapped up as
// one component. Graphline, NewGraphline and SupervisedGraphline make one.
//
// # Boxes
//
//	inbox    forwarded where the linkages say; left unread when they do not use it
//	control  forwarded where the linkages say; else see Shutdown
//	outbox   fed where the linkages say
//	signal   fed where the linkages say; else see Shutdown
//	...      any other box of Self named in the linkages
//
// A child's box that no linkage uses is linked to nothing, and so, most
// often, is a child's signal: when the child ends, the outcome the runtime
// sends there is dropped and counted, and a Snapshot shows "dropped 1" on
// the signal of every child that has ended. No message is lost there. A
// message sent on a linked outbox is in the final inbox when Send returns,
// so a child that sends and ends at once loses nothing; only a send on an
// outbox whose chain ends at a box linked to nothing (such as a box of Self
// that the Graphline's parent does not link) is dropped, and counted on
// that outbox.
//
// Every link is made when the Graph is built, so a Graph adds no hop between
// its children, nor between its boxes and theirs.
//
// # Shutdown
//
// As in Kamaelia, with one difference for Shutdown. When no linkage starts
// at Self's control, the Graph takes the messages of its control inbox and,
// while it runs, sends each on to every running child whose control no
// linkage leads to: ProducerFinished, and any message of the user's own. A
// Shutdown is not sent on as a message: as it arrives it cancels the
// Graph's context, and with it every child's (their contexts are the
// Graph's), so all the children stop at once with that Shutdown as their
// reason, wired control or not; what reaches the Graph's control after it
// is dropped. When no linkage leads to Self's signal, the Graph sends, once
// every child has ended, the Shutdown it was told if it was told one, else
// ProducerFinished. When the linkages use control or signal, the user owns
// the rest of shutdown: messages flow where they lead and the Graph adds
// nothing of its own. A child that has not ended within the Graph's grace
// period (SetGrace) of being told to stop is given up on: the Graph fails
// with a *axon.StuckError naming it.
//
// The Graph ends when every child has ended. If a child fails, the Graph
// shuts the others down and fails with a *ChildError naming it, unless it
// was made by SupervisedGraphline, whose Restart policy replaces failed
// children. Every link the Graph made is removed when it ends.
type Graph struct {
	axon.Core
	crew        crew
	setupErr    error
	readControl bool  // nothing wired from Self's control: copy it to copyTo
	copyTo      []int // children whose control nothing is wired to
	relays      []relay
}

// relay carries a supervised child's signal through the Graph, which holds
// back its failure (the supervisor handles it) and the Shutdown of a restart.
type relay struct {
	in  *axon.Inbox[any]
	out *axon.Outbox[any]
}

// Graphline wires named components by the linkages and wraps them up as one
// component (Kamaelia's Graphline):
//
//	chassis.Graphline(chassis.Components{
//		"READ":  file.NewReadFileAdaptor(file.WithFilename(name)),
//		"CHECK": newChecker(), // a component of your own
//	}, chassis.Linkages{
//		{Component: chassis.Self, Box: "inbox"}: {Component: "READ", Box: "inbox"},
//		{Component: "READ", Box: "outbox"}:      {Component: "CHECK", Box: "inbox"},
//		{Component: "CHECK", Box: "outbox"}:     {Component: chassis.Self, Box: "outbox"},
//	})
//
// An unknown component or box, boxes of mismatched types, or a link from
// Self to Self is a setup error, listing what exists: SetupErr returns it
// and the Graph fails with it when activated. NewGraphline returns it.
func Graphline(components Components, linkages Linkages) *Graph {
	g, _ := NewGraphline(components, linkages)
	return g
}

// NewGraphline is Graphline that also returns the setup error.
func NewGraphline(components Components, linkages Linkages) (*Graph, error) {
	names := slices.Sorted(maps.Keys(components))
	kids := make([]axon.Component, len(names))
	for i, n := range names {
		kids[i] = components[n]
	}
	g := &Graph{}
	g.setupErr = g.setup(names, kids, nil, Restart{}, linkages)
	return g, g.setupErr
}

// SupervisedGraphline is Graphline with a Restart policy: each child is
// made by its factory (once when the Graph is built, again on each restart),
// and a child that fails is replaced and relinked exactly as before. What a
// sibling sends to a child being restarted is held by the Graph and given to
// the new child, after the messages that were waiting, not yet taken, in the
// old one; the old child's failure and the Shutdowns of a restart are not
// passed on (its signal is carried through the Graph for that). Setup errors
// are kept as for Graphline, a bad policy among them.
func SupervisedGraphline(children Factories, linkages Linkages, policy Restart) *Graph {
	g := &Graph{}
	if err := policy.check(); err != nil {
		g.setupErr = err
		return g
	}
	names := slices.Sorted(maps.Keys(children))
	kids := make([]axon.Component, len(names))
	facs := make([]Factory, len(names))
	for i, n := range names {
		if children[n] == nil {
			g.setupErr = fmt.Errorf("chassis: graphline: no factory for %q", n)
			return g
		}
		facs[i] = children[n]
		kids[i] = facs[i]()
	}
	g.setupErr = g.setup(names, kids, facs, policy, linkages)
	return g
}

func (g *Graph) setup(names []string, comps []axon.Component, facs []Factory, policy Restart, linkages Linkages) (err error) {
	c := &g.crew
	*c = crew{owner: &g.Core, ownerComp: g, names: names, factories: facs, policy: policy,
		proxies: map[string]axon.Box{}, proxied: map[string]bool{}}
	index := map[string]int{}
	for i, n := range names {
		if n == Self || n == "" {
			return fmt.Errorf("chassis: graphline: %q cannot name a component", n)
		}
		m, err := asMember(comps[i])
		if err != nil {
			return fmt.Errorf("chassis: graphline component %q: %w", n, err)
		}
		index[n] = i
		c.kids = append(c.kids, m)
	}
	known := func(name string) (int, error) {
		if name == Self {
			return -1, nil
		}
		if i, ok := index[name]; ok {
			return i, nil
		}
		return 0, fmt.Errorf("no component %q (components: %s; %q is the Graphline)", name, strings.Join(names, ", "), Self)
	}
	defer func() {
		if err != nil {
			for _, l := range g.Links() {
				_ = axon.Unlink(l)
			}
		}
	}()

	from := slices.SortedFunc(maps.Keys(linkages), func(a, b Port) int {
		return cmp.Or(cmp.Compare(a.Component, b.Component), cmp.Compare(a.Box, b.Box))
	})
	g.readControl = true
	wiredControl := map[int]bool{}
	for _, f := range from {
		t := linkages[f]
		fail := func(err error) error { return fmt.Errorf("chassis: graphline linkage %s -> %s: %w", f, t, err) }
		fi, err := known(f.Component)
		if err != nil {
			return fail(err)
		}
		ti, err := known(t.Component)
		if err != nil {
			return fail(err)
		}
		p := plan{from: end{child: fi, name: f.Box}, to: end{child: ti, name: t.Box}}
		switch {
		case fi < 0 && ti < 0:
			return fail(errors.New("links the Graphline to itself"))
		case fi < 0:
			if f.Box == "outbox" || f.Box == "signal" {
				return fail(fmt.Errorf("%w: the Graphline's %q is an outbox; a child's inbox is fed through an inbox of %q, such as \"inbox\"", axon.ErrNoSuchBox, f.Box, Self))
			}
			dst, err := inboxOf(c.kids[ti], t.Box)
			if err != nil {
				return fail(err)
			}
			if p.from.self, err = axon.NewInboxLike(g, f.Box, dst); err != nil {
				return fail(err)
			}
			if f.Box == "control" {
				g.readControl = false
			}
		case ti < 0:
			if t.Box == "inbox" || t.Box == "control" {
				// Else it would make an outbox of that name, which nothing
				// outside links: the child's sends would all be dropped.
				return fail(fmt.Errorf("%w: the Graphline's %q is an inbox; a child's outbox goes out through an outbox of %q, such as \"outbox\"", axon.ErrNoSuchBox, t.Box, Self))
			}
			src, err := outboxOf(c.kids[fi], f.Box)
			if err != nil {
				return fail(err)
			}
			if p.to.self, err = axon.NewOutboxLike(g, t.Box, src); err != nil {
				return fail(err)
			}
		default:
			src, err := outboxOf(c.kids[fi], f.Box)
			if err != nil {
				return fail(err)
			}
			dst, err := inboxOf(c.kids[ti], t.Box)
			if err != nil {
				return fail(err)
			}
			if !assignable(src.Type(), dst.Type()) {
				return fail(fmt.Errorf("%w: %s carries %s but %s takes %s", axon.ErrTypeMismatch, src, src.Type(), dst, dst.Type()))
			}
		}
		if ti >= 0 && t.Box == "control" {
			wiredControl[ti] = true
		}
		if c.supervised() && fi >= 0 && f.Box == "signal" {
			// The child's signal goes through the Graph (see relay).
			r := relay{
				in:  axon.NewInbox[any](g, "_signal."+names[fi]),
				out: axon.NewOutbox[any](g, "_signal."+names[fi]+".out"),
			}
			g.relays = append(g.relays, r)
			c.plans = append(c.plans,
				plan{from: p.from, to: end{child: -1, self: r.in}},
				plan{from: end{child: -1, self: r.out}, to: p.to})
			continue
		}
		c.plans = append(c.plans, p)
	}
	for i := range c.kids {
		c.addControl(i)
		if !wiredControl[i] {
			g.copyTo = append(g.copyTo, i)
		}
	}
	if err := c.linkAll(); err != nil {
		return fmt.Errorf("chassis: graphline: %w", err)
	}
	return nil
}

// SetGrace sets how long the Graph waits for its children to end once told
// to stop (or, under AllForOne, to restart), before it gives up on those
// still running and fails with a *axon.StuckError (the scheduler's grace period unless set).
// Call it before activating the Graph.
func (g *Graph) SetGrace(d time.Duration) *Graph {
	g.crew.grace = d
	return g
}

// SetupErr returns the error found when the Graph was built, or nil. A Graph
// with a setup error fails with it as soon as it is activated.
func (g *Graph) SetupErr() error { return g.setupErr }

// Child returns the component called name now (after a restart, the new
// one), or nil.
func (g *Graph) Child(name string) axon.Component {
	for i, n := range g.crew.names {
		if n == name && i < len(g.crew.kids) {
			return g.crew.kid(i)
		}
	}
	return nil
}

// Run activates the Graph on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (g *Graph) Run() error { return axon.Run(g) }

// RunContext is Run that shuts everything down when ctx is done.
func (g *Graph) RunContext(ctx context.Context) error { return axon.RunContext(ctx, g) }

// Main activates the children, applies the control rules, supervises, and
// waits for every child to end. See Graph.
func (g *Graph) Main(ctx context.Context) error {
	if g.setupErr != nil {
		return g.setupErr
	}
	var reads []axon.Box
	if g.readControl {
		reads = append(reads, g.Control())
	}
	for _, r := range g.relays {
		reads = append(reads, r.in)
	}
	return runCrew(ctx, &g.Core, &g.crew, g.tend, reads)
}

// runCrew is the Main of a Graph or a PAR: activate the children, tend to
// the chassis's boxes, restart or fail on a child's failure, and end when
// every child has.
func runCrew(ctx context.Context, owner *axon.Core, c *crew, tend func(context.Context) error, reads []axon.Box) error {
	for _, k := range c.members() {
		owner.AddChildren(k)
	}
	owner.ActivateChildren()
	for ctx.Err() == nil {
		if err := tend(ctx); err != nil {
			return err
		}
		kids := c.members()
		if i := failedAt(kids); i >= 0 {
			if !c.supervised() {
				return &ChildError{Child: c.names[i], Err: kids[i].Err()}
			}
			if wait := c.restartIn(time.Now()); wait > 0 {
				// Backing off: go on tending until the restart is due.
				wctx, cancel := context.WithTimeout(ctx, wait)
				_ = owner.WaitFor(wctx, reads...)
				cancel()
				continue
			}
			err := c.restart(ctx, i, func() { _ = tend(ctx) })
			if err != nil && ctx.Err() == nil {
				return err
			}
			continue
		}
		if allDone(kids) {
			if failedAt(kids) >= 0 {
				continue // one failed after failedAt looked: restart it
			}
			// What the last child signalled before it ended.
			return tend(ctx)
		}
		_ = owner.WaitFor(ctx, reads...)
	}
	// Told to stop now: the children were stopped with the chassis. Pass on
	// what they signal until they have all ended, for the grace period at
	// most.
	if err := c.await(c.members, func() { _ = tend(ctx) }, reads); err != nil {
		return err
	}
	_ = tend(ctx)
	return ctx.Err()
}

// tend copies control messages and carries relayed signals.
func (g *Graph) tend(ctx context.Context) error {
	if g.readControl {
		g.TakeControl(func(m any) {
			if ctx.Err() == nil { // else the children were stopped with the Graph
				g.crew.tell(ctx, g.copyTo, m)
			}
		})
	}
	for _, r := range g.relays {
		for {
			m, ok := r.in.TryRecv()
			if !ok {
				break
			}
			if _, failed := m.(*axon.Failure); failed || isRestartShutdown(m) {
				continue
			}
			if ctx.Err() != nil {
				_ = r.out.TrySend(m)
			} else {
				_ = r.out.Send(ctx, m)
			}
		}
	}
	return nil
}
