package axon

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// topo guards the link graph: every box's next and ups, and the routes they
// resolve to. Links change rarely and sends never take it: a send reads its
// outbox's resolved route with one atomic load.
var topo sync.Mutex

// LinkKind says what a link joins.
type LinkKind uint8

// The kinds of link. The kind follows from the boxes linked.
const (
	// Normal links an outbox to an inbox.
	Normal LinkKind = iota
	// PassthroughIn forwards a parent's inbox into a child's inbox.
	PassthroughIn
	// PassthroughOut forwards a child's outbox out of its parent's outbox.
	PassthroughOut
)

// String returns the kind's name.
func (k LinkKind) String() string {
	switch k {
	case Normal:
		return "normal"
	case PassthroughIn:
		return "passthrough-in"
	case PassthroughOut:
		return "passthrough-out"
	}
	return "linkkind(?)"
}

// Linkage is one link between two boxes (Axon's name), as returned by linking: pass it to
// Unlink to remove it.
type Linkage struct {
	from, to *boxCore
	nextUp   *Linkage // the next link into the same box
	kind     LinkKind
	owner    *Core // nil: the link belongs to no component
	gone     bool
}

// From returns the box the link starts at.
func (l *Linkage) From() Box { return l.from.self }

// To returns the box the link leads to.
func (l *Linkage) To() Box { return l.to.self }

// Kind returns what the link joins.
func (l *Linkage) Kind() LinkKind { return l.kind }

// Owner returns the component the link belongs to, or nil.
func (l *Linkage) Owner() Component {
	if l.owner == nil {
		return nil
	}
	return l.owner.self
}

// String describes the link as "from -> to".
func (l *Linkage) String() string { return l.from.label() + " -> " + l.to.label() }

// LinkOption changes how a link is made.
type LinkOption func(*linkOptions)

type linkOptions struct{ capacity int }

// WithCapacity sets the capacity of the link's destination inbox (the final
// one, at the end of any passthroughs) when the link is made: n > 0 or
// Unbounded.
func WithCapacity(n int) LinkOption { return func(o *linkOptions) { o.capacity = n } }

// Link links from to to. The boxes decide the kind of link: outbox to inbox
// is Normal, inbox to inbox forwards a parent's inbox into a child's
// (PassthroughIn), outbox to outbox forwards a child's outbox out of its
// parent's (PassthroughOut). Inbox to outbox is an error.
//
// Types must be identical, or the destination's type an interface that the
// source's type implements; otherwise the error wraps ErrTypeMismatch and
// names both boxes and types. A box has at most one link out of it (linking
// again wraps ErrAlreadyLinked); any number may lead into it.
//
// Chains of passthroughs are resolved here, in whatever order their links are
// made, so that a send lands in the final inbox directly. Messages waiting in
// an inbox that becomes forwarded move, in order, to its new destination.
//
// A link made with the package function belongs to no component and lasts
// until Unlink; one made with a component's Link method is removed when that
// component finishes, or when the other end's component is removed from it
// as a child (RemoveChild). A nil box is an error wrapping ErrNilArgument.
func Link(from, to Box, opts ...LinkOption) (*Linkage, error) {
	return link(nil, from, to, opts)
}

// LinkByName links component from's box fromBox to component to's box
// toBox; the names are looked up among the outboxes and inboxes each
// component has (an inbox as source makes a passthrough). An unknown
// name is an error listing the boxes that exist; a nil component, an error
// wrapping ErrNilArgument.
func LinkByName(from Component, fromBox string, to Component, toBox string, opts ...LinkOption) (*Linkage, error) {
	return linkByName(nil, from, fromBox, to, toBox, opts)
}

// MustLink is Link for wiring that cannot fail at run time, such as a
// program's fixed graph: it panics on error.
func MustLink(from, to Box, opts ...LinkOption) *Linkage {
	l, err := Link(from, to, opts...)
	if err != nil {
		panic(err)
	}
	return l
}

func linkByName(owner *Core, from Component, fromBox string, to Component, toBox string, opts []LinkOption) (*Linkage, error) {
	if isNilComponent(from) {
		return nil, fmt.Errorf("%w: LinkByName: component from is nil (linking its %q to %q)", ErrNilArgument, fromBox, toBox)
	}
	if isNilComponent(to) {
		return nil, fmt.Errorf("%w: LinkByName: component to is nil (linking %q to its %q)", ErrNilArgument, fromBox, toBox)
	}
	src, err := boxByName(from, fromBox, true)
	if err != nil {
		return nil, err
	}
	// The destination is an inbox unless the source is an outbox of a child
	// passed out through an outbox of the same name on the other side; try
	// inboxes first, then outboxes.
	dst, err := boxByName(to, toBox, false)
	if err != nil {
		return nil, err
	}
	return link(owner, src, dst, opts)
}

// boxByName finds a box for linking: as a source, outboxes first; as a
// destination, inboxes first.
func boxByName(comp Component, name string, source bool) (Box, error) {
	c := coreOf(comp)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
	var b Box
	if source {
		if o := c.findOutbox(name); o != nil {
			b = o
		} else if i := c.findInbox(name); i != nil {
			b = i
		}
	} else {
		if i := c.findInbox(name); i != nil {
			b = i
		} else if o := c.findOutbox(name); o != nil {
			b = o
		}
	}
	if b == nil {
		return nil, fmt.Errorf("%w: %s has no box %q (inboxes: %s; outboxes: %s)", ErrNoSuchBox,
			c.nameLocked(), name, strings.Join(c.boxNames(true), ", "), strings.Join(c.boxNames(false), ", "))
	}
	return b, nil
}

// isNilBox reports whether b is nil, or a nil *Inbox or *Outbox in a Box.
func isNilBox(b Box) bool { return b == nil || b.boxCore() == nil }

// isNilComponent reports whether comp is nil, or a nil pointer in a
// Component: calling it would panic.
func isNilComponent(comp Component) bool {
	if comp == nil {
		return true
	}
	v := reflect.ValueOf(comp)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

// assignable reports whether messages of type src may go to a box of dst.
func assignable(src, dst reflect.Type) bool {
	return src == dst || (dst.Kind() == reflect.Interface && src.Implements(dst))
}

func link(owner *Core, from, to Box, opts []LinkOption) (*Linkage, error) {
	if isNilBox(from) {
		return nil, fmt.Errorf("%w: Link: box from is nil", ErrNilArgument)
	}
	if isNilBox(to) {
		return nil, fmt.Errorf("%w: Link: box to is nil (linking from %s)", ErrNilArgument, from)
	}
	var o linkOptions
	for _, opt := range opts {
		opt(&o)
	}
	f, t := from.boxCore(), to.boxCore()
	var kind LinkKind
	switch {
	case !f.inbox && t.inbox:
		kind = Normal
	case f.inbox && t.inbox:
		kind = PassthroughIn
	case !f.inbox && !t.inbox:
		kind = PassthroughOut
	default:
		return nil, fmt.Errorf("axon: cannot link inbox %s to outbox %s", from, to)
	}
	if !assignable(from.Type(), to.Type()) {
		return nil, fmt.Errorf("%w: %s carries %s but %s takes %s", ErrTypeMismatch, from, from.Type(), to, to.Type())
	}
	if o.capacity < Unbounded {
		return nil, fmt.Errorf("axon: bad capacity %d for link %s -> %s", o.capacity, from, to)
	}
	topo.Lock()
	defer topo.Unlock()
	if f.removed || t.removed {
		return nil, fmt.Errorf("%w: linking removed box (%s -> %s)", ErrNoSuchBox, from, to)
	}
	if f.next != nil {
		return nil, fmt.Errorf("%w: %s already leads to %s", ErrAlreadyLinked, from, f.next.to.label())
	}
	for b := t; b != nil; b = nextOf(b) {
		if b == f {
			return nil, fmt.Errorf("%w: %s -> %s", ErrLinkCycle, from, to)
		}
	}
	l := &Linkage{from: f, to: t, kind: kind, owner: owner}
	f.next = l
	l.nextUp = t.ups
	t.ups = l
	if kind == PassthroughIn {
		// Messages waiting in the newly forwarded inbox go on, in order, to
		// its new destination, ahead of anything sent after this link.
		f.self.(inbox).moveTo(finalOf(t).self.(inbox))
	}
	{
		reroute(f)
	}
	if o.capacity != 0 {
		if fin := finalOf(t); fin.inbox {
			fin.self.(inbox).(interface{ SetCapacity(int) }).SetCapacity(o.capacity)
		}
	}
	if owner != nil {
		owner.mu.Lock()
		x := owner.extra()
		x.links = append(x.links, l)
		owner.mu.Unlock()
	}
	return l, nil
}

func nextOf(b *boxCore) *boxCore {
	if b.next == nil {
		return nil
	}
	return b.next.to
}

// finalOf follows links from b to the end of its chain.
func finalOf(b *boxCore) *boxCore {
	for b.next != nil {
		b = b.next.to
	}
	return b
}

// reroute recomputes where b and every box upstream of it deliver. A link
// added at the end of a chain reroutes only the boxes that lead into it, so
// building a pipeline stage by stage is O(1) per link.
func reroute(b *boxCore) {
	fin := finalOf(b)
	var dst inbox
	if fin.inbox {
		dst = fin.self.(inbox)
	}
	var walk func(x *boxCore)
	walk = func(x *boxCore) {
		if x.inbox {
			x.self.(inbox).setForward(dst)
		} else {
			x.self.(outbox).setRoute(dst)
		}
		for up := x.ups; up != nil; up = up.nextUp {
			walk(up.from)
		}
	}
	walk(b)
}

// Unlink removes a link. Messages already delivered stay where they are;
// senders upstream deliver to the link's source again (an inbox holds its
// messages; an outbox drops later sends, while sends already under way wait
// for a link: see Outbox.Send). Unlinking a link already gone wraps
// ErrNotLinked, a nil one ErrNilArgument.
func Unlink(l *Linkage) error {
	if l == nil {
		return fmt.Errorf("%w: Unlink of a nil link", ErrNilArgument)
	}
	topo.Lock()
	err := unlinkLocked(l)
	topo.Unlock()
	if err == nil && l.owner != nil {
		l.owner.mu.Lock()
		l.owner.x.links = slices.DeleteFunc(l.owner.x.links, func(x *Linkage) bool { return x == l })
		l.owner.mu.Unlock()
	}
	return err
}

func unlinkLocked(l *Linkage) error {
	if l.gone {
		return fmt.Errorf("%w: %s", ErrNotLinked, l)
	}
	l.gone = true
	l.from.next = nil
	for p := &l.to.ups; *p != nil; p = &(*p).nextUp {
		if *p == l {
			*p = l.nextUp
			break
		}
	}
	l.nextUp = nil
	reroute(l.from)
	return nil
}

// UnlinkBox removes every link into and out of b. It fails only when b is
// nil (an error wrapping ErrNilArgument).
func UnlinkBox(b Box) error {
	if isNilBox(b) {
		return fmt.Errorf("%w: UnlinkBox of a nil box", ErrNilArgument)
	}
	bc := b.boxCore()
	topo.Lock()
	var ls []*Linkage
	if bc.next != nil {
		ls = append(ls, bc.next)
	}
	ls = append(ls, bc.upLinks()...)
	for _, l := range ls {
		_ = unlinkLocked(l)
	}
	topo.Unlock()
	for _, l := range ls {
		if l.owner != nil {
			l.owner.mu.Lock()
			l.owner.x.links = slices.DeleteFunc(l.owner.x.links, func(x *Linkage) bool { return x == l })
			l.owner.mu.Unlock()
		}
	}
	return nil
}

// Links returns the links c made that are still in place.
func (c *Core) Links() []*Linkage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x == nil {
		return nil
	}
	return slices.Clone(c.x.links)
}

// unlinkWith removes every link c made that has a box of other at either
// end. topo is taken before c.mu (the lock order), so that the links are
// chosen and removed in one step.
func (c *Core) unlinkWith(other *Core) {
	topo.Lock()
	defer topo.Unlock()
	c.mu.Lock()
	var gone []*Linkage
	if c.x != nil {
		c.x.links = slices.DeleteFunc(c.x.links, func(l *Linkage) bool {
			if l.from.owner == other || l.to.owner == other {
				gone = append(gone, l)
				return true
			}
			return false
		})
	}
	c.mu.Unlock()
	for _, l := range gone {
		_ = unlinkLocked(l) // one already gone needs nothing more
	}
}

// unlinkAll removes every link c made, when it finishes.
func (c *Core) unlinkAll() {
	c.mu.Lock()
	var ls []*Linkage
	if c.x != nil {
		ls = c.x.links
		c.x.links = nil
	}
	c.mu.Unlock()
	if len(ls) == 0 {
		return
	}
	topo.Lock()
	for _, l := range ls {
		_ = unlinkLocked(l)
	}
	topo.Unlock()
}
