package axon

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrDeadlock is what a *DeadlockError wraps: every component of a
// scheduler waits on its boxes and nothing can wake any of them.
var ErrDeadlock = errors.New("axon: deadlock: every component is waiting and nothing can wake them")

// DeadlockError is returned by Scheduler.Run and Scheduler.Wait when the
// components of a scheduler can never make progress (see Scheduler for the
// rule). It names each component and what it waits for.
type DeadlockError struct {
	Parked []Parked // every running component of the scheduler

	words []uint32 // the sleeps found, to tell a deadlock that still holds
}

// Parked is one component of a deadlock and what it waits for.
type Parked struct {
	Component Component
	Name      string // the component's name
	// Box is the box it waits on ("c.inbox"), or "" when it waits on any
	// of its inboxes (Core.Wait).
	Box string
	// Room is true when it waits for room in Box (a blocking send to a
	// full inbox), false when it waits for a message.
	Room bool
	// More is how many other boxes it waits on too (WaitFor with several).
	More int
}

// String says what the component waits for.
func (p Parked) String() string {
	switch {
	case p.Room:
		return p.Name + " waits for room in " + p.Box
	case p.Box == "":
		return p.Name + " waits for a message on any inbox"
	case p.More > 0:
		return p.Name + " waits for a message on " + p.Box + " or " + strconv.Itoa(p.More) + " more"
	}
	return p.Name + " waits for a message on " + p.Box
}

// Error lists the parked components.
func (e *DeadlockError) Error() string {
	var b strings.Builder
	b.WriteString("axon: deadlock: ")
	for i, p := range e.Parked {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	b.WriteString("; nothing else can wake them")
	return b.String()
}

// Unwrap returns ErrDeadlock.
func (e *DeadlockError) Unwrap() error { return ErrDeadlock }

// How a component sleeps: Core.sleep holds the kind in its low 4 bits, the
// number of other boxes a WaitFor waits on in the next 8, and a count of
// its sleeps above them, which tells one sleep from the next (it wraps
// after a million sleeps; the two looks of a check are far closer).
const (
	sleepAwake  = iota
	sleepAny    // Wait: a message on any inbox
	sleepBoxes  // a message on sleepOn (and n-1 more boxes)
	sleepRoom   // room in sleepOn, a full inbox
	sleepSeqOne = 1 << 12
)

// sleepStart records that the owner is about to sleep in park until cond
// is ready, and checks for a deadlock when it is the last to sleep. The
// owner has set parked and found cond not ready.
func (c *Core) sleepStart(cond waitCond) {
	kind, n := uint32(sleepAny), uint32(0)
	var on *boxCore
	switch w := cond.(type) {
	case *someReady:
		if b := w.boxes; len(b) > 0 {
			kind, on, n = sleepBoxes, b[0].boxCore(), uint32(min(len(b)-1, 0xff))
		}
	case interface{ boxCore() *boxCore }:
		kind, on = sleepBoxes, w.boxCore()
	}
	c.sleepSet(kind, on, n)
}

// roomSleepStart records that a send of the component is about to sleep
// until the full inbox on has room.
func (c *Core) roomSleepStart(on *boxCore) { c.sleepSet(sleepRoom, on, 0) }

func (c *Core) sleepSet(kind uint32, on *boxCore, n uint32) {
	c.sleepOn.Store(on)
	seq := c.sleep.Load() &^ (sleepSeqOne - 1)
	c.sleep.Store(seq + sleepSeqOne + n<<4 + kind)
	if s := c.sched; s.awake.Add(-1) <= 0 {
		s.checkStuck()
	}
}

// sleepEnd records that the sleep is over, unless the one that woke the
// component already did.
func (c *Core) sleepEnd() { c.woke() }

// woke counts a sleeping component awake again. Whoever wakes it calls it
// (notify, a sender's waiter), so that the waker, going to sleep next, does
// not find every component asleep while a wake-up is in flight (and scan
// them for nothing); the sleeper calls it too, as it wakes, for wake-ups
// that pass no such call (a context done). One of them counts it.
func (c *Core) woke() {
	v := c.sleep.Load()
	if v&0xf != sleepAwake && c.sleep.CompareAndSwap(v, v&^(sleepSeqOne-1)) {
		c.sched.awake.Add(1)
	}
}

// stuck reports whether the component sleeps with no wake-up on its way,
// and returns its sleep word, which changes with each sleep. The caller
// holds the scheduler's lock.
func (c *Core) stuck() (uint32, bool) {
	v := c.sleep.Load()
	switch v & 0xf {
	case sleepAwake:
		return 0, false
	case sleepRoom:
		on := c.sleepOn.Load()
		if on == nil || !on.self.(interface{ stillFull(*Core) bool }).stillFull(c) {
			return 0, false
		}
	default:
		// Whoever wakes a component clears parked: set, no one has.
		if !c.parked.Load() {
			return 0, false
		}
	}
	if c.ctx.Err() != nil {
		return 0, false
	}
	return v, true
}

// stillFull reports whether a send of c still waits for room in the box:
// the box is full, open and not forwarded, and c's send is registered as
// waiting (a relink or a room made takes it off the list as it wakes it).
func (in *Inbox[T]) stillFull(c *Core) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fwd != nil || in.bc.closed || in.hasRoom() || in.waits == nil {
		return false
	}
	for _, w := range in.waits.senders {
		if w.core == c {
			return true
		}
	}
	return false
}

// parkedOf describes how a stuck component waits.
func (c *Core) parkedOf(v uint32) Parked {
	p := Parked{Component: c.self, Name: c.Name()}
	on := c.sleepOn.Load()
	switch v & 0xf {
	case sleepRoom:
		p.Room = true
		p.Box = on.label()
	case sleepBoxes:
		p.Box = on.label()
		p.More = int(v >> 4 & 0xff)
	}
	return p
}

// checkStuck looks for a deadlock: called when the last awake component of
// the scheduler goes to sleep, and when something that could wake one goes
// away (a helper returns, a Waker or Handle closes, a component finishes).
// It is cheap when some component is awake or may be woken from outside,
// or nobody waits for the scheduler (Wait looks when it starts): three
// atomic loads. So a large system that sleeps with no one waiting on it,
// as a million idle components do, is never scanned.
//
// Otherwise it looks at every running component twice, under the
// scheduler's lock. A component is stuck when it sleeps on its boxes with
// no wake-up sent since it fell asleep; the two looks finding every
// component stuck in the very same sleeps (and nothing from outside
// appearing meanwhile) mean that, at the moment between them, all slept
// at once with no wake-up on its way: from then on nothing within the
// runtime's contract can wake any of them.
func (s *Scheduler) checkStuck() {
	if s.keep.Load() != 0 || s.awake.Load() > 0 || s.waiting.Load() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live == 0 || s.currentLocked() != nil {
		return
	}
	epoch := s.keepEpoch.Load()
	seen := s.seen[:0]
	defer func() { s.seen = seen[:0] }()
	for c := s.head; c != nil; c = c.next {
		v, ok := c.stuck()
		if !ok {
			return
		}
		seen = append(seen, v)
	}
	if s.keep.Load() != 0 {
		return
	}
	parked := make([]Parked, 0, len(seen))
	i := 0
	for c := s.head; c != nil; c = c.next {
		v, ok := c.stuck()
		if !ok || v != seen[i] {
			return
		}
		i++
		parked = append(parked, c.parkedOf(v))
	}
	slices.Reverse(seen)
	if s.keep.Load() != 0 || s.keepEpoch.Load() != epoch || s.reachable() {
		return
	}
	// Oldest first: the order in which they were activated.
	slices.Reverse(parked)
	s.deadlock = &DeadlockError{Parked: parked, words: slices.Clone(seen)}
	if s.stuck == nil {
		s.stuck = make(chan struct{})
	}
	close(s.stuck)
}

// reachable reports whether code outside the scheduler can wake one of its
// components through the link graph: an inbox of one is fed, through any
// passthroughs, by an outbox of a component that is not running on this
// scheduler (one never activated, as a Handle's or a test's are, or one of
// another scheduler), or a send of one waits for room in the inbox of such
// a component. s.mu is held.
func (s *Scheduler) reachable() bool {
	topo.Lock()
	defer topo.Unlock()
	for c := s.head; c != nil; c = c.next {
		if c.sleep.Load()&0xf == sleepRoom {
			if on := c.sleepOn.Load(); on != nil && s.outside(on.owner) {
				return true
			}
		}
		// The boxes are copied out, not looked at under c.mu: outside
		// takes the lock of another component.
		c.mu.Lock()
		ins := s.boxes[:0]
		for _, in := range c.inboxes {
			ins = append(ins, in.boxCore())
		}
		c.mu.Unlock()
		s.boxes = ins[:0]
		for _, b := range ins {
			if s.fedFromOutside(b, 0) {
				return true
			}
		}
	}
	return false
}

// fedFromOutside reports whether a box is fed by a box of a component
// outside the scheduler, directly or through passthroughs. topo is held.
func (s *Scheduler) fedFromOutside(b *boxCore, depth int) bool {
	for l := b.ups; l != nil; l = l.nextUp {
		if s.outside(l.from.owner) || depth < 64 && s.fedFromOutside(l.from, depth+1) {
			return true
		}
	}
	return false
}

// outside reports whether c may act without being one of s's running
// components: not yet activated, or running on another scheduler.
func (s *Scheduler) outside(c *Core) bool {
	switch c.State() {
	case Initialised:
		return true
	case Running:
		return c.Scheduler() != s
	}
	return false
}

// stuckChan returns the channel closed when a deadlock is found. s.mu is
// held.
func (s *Scheduler) stuckChanLocked() chan struct{} {
	if s.stuck == nil {
		s.stuck = make(chan struct{})
	}
	return s.stuck
}

// currentLocked returns the deadlock found if it still holds: no component
// was activated since, and every component of it sleeps in the same sleep,
// with no wake-up sent (a Shutdown, say). Else it forgets it, so that a new
// one can be found. s.mu is held.
func (s *Scheduler) currentLocked() *DeadlockError {
	d := s.deadlock
	if d == nil {
		return nil
	}
	// A component activated since is awake: it may wake the others.
	if s.live != len(d.Parked) {
		s.deadlock, s.stuck = nil, nil
		return nil
	}
	for i, p := range d.Parked {
		if v, ok := p.Component.core().stuck(); !ok || v != d.words[i] {
			s.deadlock, s.stuck = nil, nil
			return nil
		}
	}
	return d
}

// keepAddLocked changes the count of what may wake the component from
// outside its Main: goroutines started with Go, open Wakers, open Handles.
// While the component runs the count is its scheduler's too. c.mu is held.
func (c *Core) keepAddLocked(d int) {
	x := c.goesLocked()
	x.keep += d
	switch {
	case x.keepOn != nil:
		x.keepOn.keep.Add(int64(d))
		x.keepOn.keepEpoch.Add(1)
	case !x.kept && c.sched != nil && c.State() == Running:
		x.keepOn = c.sched
		x.keepOn.keep.Add(int64(x.keep))
		x.keepOn.keepEpoch.Add(1)
	}
}

// keepAdd is keepAddLocked without the lock held; when the count falls it
// looks for a deadlock, as what went away may have been the last hope.
func (c *Core) keepAdd(d int) {
	c.mu.Lock()
	c.keepAddLocked(d)
	s := c.keepOnLocked()
	c.mu.Unlock()
	if s != nil && d < 0 {
		s.checkStuck()
	}
}

func (c *Core) keepOnLocked() *Scheduler {
	if x := c.goesIfAny(); x != nil {
		return x.keepOn
	}
	return nil
}

// awakenLocked counts the component as awake on its scheduler, with its
// count of what may wake it, made before it was activated: called as it is
// activated, c.mu held.
func (c *Core) awakenLocked() {
	s := c.sched
	s.awake.Add(1)
	if x := c.goesIfAny(); x != nil && x.keepOn == nil && !x.kept && x.keep != 0 {
		x.keepOn = s
		s.keep.Add(int64(x.keep))
		s.keepEpoch.Add(1)
	}
}

// retire takes a finished component out of the counts.
func (c *Core) retire() {
	c.mu.Lock()
	if x := c.goesIfAny(); x != nil {
		if x.keepOn != nil {
			x.keepOn.keep.Add(-int64(x.keep))
			x.keepOn.keepEpoch.Add(1)
			x.keepOn = nil
		}
		x.kept = true
	}
	c.mu.Unlock()
}
