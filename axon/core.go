package axon

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// Component is what the runtime runs: a value that embeds Core and has a Main.
//
// Main runs in its own goroutine once the component is activated. Blocking in
// Main (on a socket, a decoder, a box) is fine; it should return when ctx is
// done, which happens when the component is sent Shutdown. What Main returns
// decides what the runtime sends on the component's signal outbox: see Core.
//
// The ctx given to Main is the component's own. It has the method
// AfterFunc(f func()) (stop func() bool), which context.AfterFunc uses:
// calling it directly registers f (run in a goroutine of its own when the
// component is told to stop now) without the context context.AfterFunc
// makes, which matters to a component made by the thousand (a connection).
type Component interface {
	// Main is the component's behaviour. ctx is done when the component is
	// told to stop now (Shutdown on control, or its scheduler's context ended).
	Main(ctx context.Context) error
	core() *Core
}

// State is where a component is in its life.
type State int32

// The states of a component, in the order it passes through them.
const (
	Initialised State = iota // constructed, not yet activated
	Running                  // activated: Main is running
	Finished                 // Main has returned and the runtime has cleaned up
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Initialised:
		return "initialised"
	case Running:
		return "running"
	case Finished:
		return "finished"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

var lastID atomic.Uint64

// Core is the runtime's part of every component. Embed it (by value) in a
// struct and give the struct a Main method:
//
//	type Doubler struct {
//		axon.Core
//		In  *axon.Inbox[int]
//		Out *axon.Outbox[int]
//	}
//
//	func NewDoubler() *Doubler {
//		d := &Doubler{}
//		d.In = axon.NewInbox[int](d, "inbox")
//		d.Out = axon.NewOutbox[int](d, "outbox")
//		return d
//	}
//
// The struct must not hide a method of Core with a field of the same name
// (a Done channel, a Name string) or a method of another signature: the
// runtime, composites and tools reach a component through these methods,
// so such a component fails when it is activated, with a *Failure naming
// what it hides, and its Main does not run. Overriding a method with the
// same signature (String, say) is allowed.
//
// The zero Core is ready to use. Every component has the boxes "inbox",
// "control", "outbox" and "signal": control and signal carry any value, and
// inbox and outbox carry any value unless the component declares them with a
// type of its own (as above) before it is activated or linked. More boxes can
// be declared at any time, while running too, and removed when unlinked.
//
// # Goroutines
//
// A component that needs goroutines besides Main (a blocking reader, a
// library's callback loop) starts them with Go, or with a Feed, which
// carries what a producer goroutine makes into an inbox of the component.
// They belong to the component: a panic in one is the component's failure,
// their context is done when Main returns or the component is told to stop,
// and the component does not finish until they have returned. Code of
// another library that calls back from goroutines of its own wakes the
// component through a Waker.
//
// A bare go statement is outside this contract: a panic in that goroutine
// kills the process, the runtime cannot wait for it, and the scheduler,
// not knowing it may wake the component, can report a deadlock (see
// Scheduler) while it is still running.
//
// Any goroutine of the component may send on its outboxes; receiving (Recv,
// Messages, Wait) is for one goroutine at a time, normally Main, since a
// component sleeps on one wake-up channel.
//
// # Shutdown
//
// ProducerFinished on control means "finish what you have, then stop": the
// receives of the component (Recv, Messages) drain their inbox and then end.
// Shutdown on control means "stop now": it cancels the ctx given to Main.
// When Main returns, the runtime sends on signal, once:
//
//   - ProducerFinished after a clean end (nil, or an error wrapping
//     ErrFinished, whose reason it carries);
//   - the Shutdown it was given, when it was told to stop and Main returned
//     nil or ctx's error;
//   - a *Failure carrying the error otherwise, or the panic recovered.
//
// Before that it shuts down and waits for children still running; after, it
// removes every link the component made, closes its inboxes (sends to them
// then fail with a *ReceiverFinishedError, which wraps ErrFinished; what a
// parent forwarded into them and was not taken goes back to the parent's
// inbox), and tells its parent and scheduler that it ended. A composite whose
// signal is fed by a child's signal sends no outcome of its own unless it
// failed.
type Core struct {
	mu       sync.Mutex
	self     Component
	id       uint64   // 0 until first use
	inboxes  []inbox  // declared inboxes, in declaration order
	outboxes []outbox // declared outboxes, in declaration order
	sched    *Scheduler
	prev     *Core // the scheduler's list of live components
	next     *Core
	x        *coreExtra // the parts few components use, made on first need

	blockedOn atomic.Pointer[boxCore] // the full inbox a send is waiting on
	spare     atomic.Pointer[waiter]  // for the next send that must wait
	ctx       runCtx
	state     atomic.Int32
	flags     atomic.Uint32 // the flag* constants below
	parked    atomic.Bool   // the owner is waiting for a wake-up; cleared by whoever wakes it
	// sleep says how the component sleeps, for deadlock detection (see
	// deadlock.go): what it waits for and a count of its sleeps; sleepOn
	// is the inbox it waits on. (Next to parked: it fits in its padding.)
	sleep   atomic.Uint32
	sleepOn atomic.Pointer[boxCore]

	// wake holds a pending wake-up. A channel, so that a parked component is
	// durably blocked for testing/synctest; made on the first park.
	wake chan struct{}
	// waitFor is what WaitFor's park waits on: kept here, not converted to
	// a waitCond afresh, so that a WaitFor allocates nothing. Only the
	// owner's goroutine parks, so one suffices.
	waitFor someReady
}

// coreExtra holds what most components never need, so an idle component
// stays small. Guarded by Core.mu.
type coreExtra struct {
	name     string
	parent   *Core
	children []*Core
	links    []*Linkage // links this component made; removed when it finishes
	watchers []*Core    // woken when the component finishes (Handles)
	err      error      // the failure, if Main failed
	done     chan struct{}
	reason   Shutdown   // why it was told to stop
	stopping bool       // told to stop: set before its children are told (runCtx.cancel)
	afterFns []*afterFn // context.AfterFunc registrations on the component's context
	ended    []*Core    // children finished since the last EndedChildren

	goes *goesExtra // goroutines and Wakers, made on first need
}

// goesExtra is what a component that uses Go or a Waker needs. Guarded by
// Core.mu.
type goesExtra struct {
	group   *goGroup                          // goroutines started with Go
	pending []func(ctx context.Context) error // Go before activation
	keep    int                               // what may wake it from outside: helpers and open Wakers
	keepOn  *Scheduler                        // where keep is counted, once running
	kept    bool                              // keep no longer counts: the component finished
}

// goesLocked returns c's goesExtra, making it. c.mu must be held.
func (c *Core) goesLocked() *goesExtra {
	x := c.extra()
	if x.goes == nil {
		x.goes = &goesExtra{}
	}
	return x.goes
}

// goesIfAny returns c's goesExtra, or nil. c.mu must be held.
func (c *Core) goesIfAny() *goesExtra {
	if c.x == nil {
		return nil
	}
	return c.x.goes
}

// extra returns c.x, making it. c.mu must be held.
func (c *Core) extra() *coreExtra {
	if c.x == nil {
		c.x = &coreExtra{}
	}
	return c.x
}

// Flags of Core.flags.
const (
	flagFinishing = 1 << iota // ProducerFinished seen on control
	flagChildEnd              // a child ended since the last Wait
	flagHot                   // received a message since it last slept
	flagRoom                  // room appeared in a box a TrySend of its found full
	flagWoken                 // a Waker was woken since the last Wait
	flagGoes                  // Go was called: there are goroutines to start or wait for
	flagOutcome               // SendOutcome sent the outcome: the runtime sends none
)

func (c *Core) has(flag uint32) bool { return c.flags.Load()&flag != 0 }

func (c *Core) set(flag uint32) {
	if !c.has(flag) {
		c.flags.Or(flag)
	}
}

// take clears flag and reports whether it was set.
func (c *Core) take(flag uint32) bool { return c.flags.And(^flag)&flag != 0 }

func (c *Core) core() *Core { return c }

// coreOf returns the initialised core of a component.
func coreOf(comp Component) *Core {
	c := comp.core()
	c.init(comp)
	return c
}

func (c *Core) init(self Component) {
	c.mu.Lock()
	c.initLocked(self)
	c.mu.Unlock()
}

func (c *Core) initLocked(self Component) {
	if c.self == nil && self != nil {
		c.self = self
	}
	if c.id != 0 {
		return
	}
	c.id = lastID.Add(1)
	c.ctx.setParent(context.Background())
}

// The default boxes are made when first asked for (by name, by linking, by
// introspection, by a Handle), not when the component is made: a component
// that never uses its control or signal box costs nothing for it, which is
// what lets a million idle components fit in memory. "inbox" and "outbox"
// carry any value unless the component declared them with a type first.

func (c *Core) defaultBoxes() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
}

func (c *Core) defaultBoxesLocked() {
	if c.findInbox("inbox") == nil {
		c.inboxes = append(c.inboxes, newInbox[any](c, "inbox"))
	}
	c.controlLocked()
	if c.findOutbox("outbox") == nil {
		c.outboxes = append(c.outboxes, newOutbox[any](c, "outbox"))
	}
	c.signalLocked()
}

func (c *Core) controlLocked() *Inbox[any] {
	if b := c.findInbox("control"); b != nil {
		return b.(*Inbox[any])
	}
	in := newInbox[any](c, "control")
	in.bc.ctl = true
	c.inboxes = append(c.inboxes, in)
	return in
}

func (c *Core) signalLocked() *Outbox[any] {
	if b := c.findOutbox("signal"); b != nil {
		return b.(*Outbox[any])
	}
	out := newOutbox[any](c, "signal")
	c.outboxes = append(c.outboxes, out)
	return out
}

// signalIfAny returns the signal outbox if it was ever made.
func (c *Core) signalIfAny() *Outbox[any] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.findOutbox("signal"); b != nil {
		return b.(*Outbox[any])
	}
	return nil
}

// boxRank orders the default boxes first in listings.
func boxRank(name string) int {
	switch name {
	case "inbox", "outbox":
		return 0
	case "control", "signal":
		return 1
	}
	return 2
}

func listBoxes[B interface{ boxCore() *boxCore }](bs []B) []Box {
	out := make([]Box, len(bs))
	for i, b := range bs {
		out[i] = b.boxCore().self
	}
	slices.SortStableFunc(out, func(a, b Box) int { return boxRank(a.Name()) - boxRank(b.Name()) })
	return out
}

// ID returns the component's unique id, assigned when it is first used.
func (c *Core) ID() uint64 {
	c.init(c.selfOrNil())
	return c.id
}

func (c *Core) selfOrNil() Component {
	if c.self != nil {
		return c.self
	}
	return nil
}

// Name returns the component's name: the one set with SetName, else its type
// and id, such as "main.Doubler_7" (Axon's naming).
func (c *Core) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nameLocked()
}

func (c *Core) nameLocked() string {
	if c.x != nil && c.x.name != "" {
		return c.x.name
	}
	if c.id == 0 {
		return "component"
	}
	t := "component"
	if c.self != nil {
		rt := reflect.TypeOf(c.self)
		for rt.Kind() == reflect.Pointer {
			rt = rt.Elem()
		}
		t = rt.String()
	}
	return t + "_" + strconv.FormatUint(c.id, 10)
}

// SetName names the component for introspection and error messages.
func (c *Core) SetName(name string) {
	c.mu.Lock()
	c.extra().name = name
	c.mu.Unlock()
}

// String returns the component's name.
func (c *Core) String() string { return c.Name() }

// State returns where the component is in its life.
func (c *Core) State() State { return State(c.state.Load()) }

// Done is closed when the component has finished and the runtime has
// cleaned up after it.
func (c *Core) Done() <-chan struct{} {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.extra()
	if x.done == nil {
		if c.State() == Finished {
			return closedChan
		}
		x.done = make(chan struct{})
	}
	return x.done
}

// Err returns the failure of a finished component: the error Main returned
// (or its panic), nil after a clean end or a shutdown. It is set before the
// *Failure goes out on signal, so whoever receives that may ask at once.
func (c *Core) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x == nil {
		return nil
	}
	return c.x.err
}

// Control returns the component's control inbox.
func (c *Core) Control() *Inbox[any] {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.controlLocked()
}

// Signal returns the component's signal outbox.
func (c *Core) Signal() *Outbox[any] {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.signalLocked()
}

// Finishing reports whether the component has been told ProducerFinished on
// its control inbox.
//
// A component that drains its inboxes and then ends when told must ask
// before it drains them (Finishing, or TakeControl's answer), not after:
// what was sent before the ProducerFinished is then in the inboxes it
// drains. Asked after, it can hear of a ProducerFinished that came while
// they were being drained, with messages sent just before it still
// waiting.
func (c *Core) Finishing() bool { return c.has(flagFinishing) }

// ShutdownReason returns the Shutdown the component was told, and whether it
// was told one (by a Shutdown on control, its scheduler's context, or its
// parent), so a composite can pass the very message on.
func (c *Core) ShutdownReason() (Shutdown, bool) { return c.ctx.shutdownReason() }

// ShuttingDown reports whether the component has been told to stop now:
// from the moment the runtime starts to stop it, which tells its children
// first, a moment before Main's context reports it. A composite that sees a
// child end asks this, not its context, before it starts another.
func (c *Core) ShuttingDown() bool {
	if c.ctx.Err() != nil {
		return true
	}
	_, stopping := c.ctx.stopReason()
	return stopping
}

// Scheduler returns the scheduler the component was activated on, or nil.
func (c *Core) Scheduler() *Scheduler {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sched
}

// Inbox returns the inbox called name.
func (c *Core) Inbox(name string) (Box, bool) {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
	if in := c.findInbox(name); in != nil {
		return in, true
	}
	return nil, false
}

// Outbox returns the outbox called name.
func (c *Core) Outbox(name string) (Box, bool) {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
	if out := c.findOutbox(name); out != nil {
		return out, true
	}
	return nil, false
}

// Inboxes returns the component's inboxes: "inbox" and "control" first,
// then the others in the order they were declared.
func (c *Core) Inboxes() []Box {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
	return listBoxes(c.inboxes)
}

// Outboxes returns the component's outboxes: "outbox" and "signal" first,
// then the others in the order they were declared.
func (c *Core) Outboxes() []Box {
	c.init(c.selfOrNil())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.defaultBoxesLocked()
	return listBoxes(c.outboxes)
}

func (c *Core) findInbox(name string) inbox {
	for _, b := range c.inboxes {
		if b.boxCore().name == name {
			return b
		}
	}
	return nil
}

func (c *Core) findOutbox(name string) outbox {
	for _, b := range c.outboxes {
		if b.boxCore().name == name {
			return b
		}
	}
	return nil
}

func (c *Core) boxNames(inboxes bool) []string {
	var names []string
	if inboxes {
		for _, b := range c.inboxes {
			names = append(names, b.boxCore().name)
		}
	} else {
		for _, b := range c.outboxes {
			names = append(names, b.boxCore().name)
		}
	}
	return names
}

// RemoveBox removes a box the component declared, for good: later lookups
// by its name find none (until one is declared again) and it cannot be
// linked. It refuses, with an error naming the box, to remove
//
//   - a box of another component (ErrNoSuchBox), or one already removed;
//   - a default box, "inbox", "control", "outbox" or "signal"
//     (ErrDefaultBox): every component has them for its whole life;
//   - a box still linked, in either direction (ErrBoxLinked);
//   - an inbox still holding messages (ErrBoxNotEmpty): take them first,
//     with TryRecv, or with Leftovers once the component has finished.
//
// A send still under way on a removed outbox (one waiting for a link, see
// Outbox.Send) fails with ErrNoSuchBox; one to a removed inbox too.
func (c *Core) RemoveBox(b Box) error {
	if isNilBox(b) {
		return fmt.Errorf("%w: RemoveBox of a nil box on %s", ErrNilArgument, c.Name())
	}
	label := b.String()
	topo.Lock()
	defer topo.Unlock()
	bc := b.boxCore()
	if bc.owner != c {
		return fmt.Errorf("%w: %s is not a box of %s", ErrNoSuchBox, label, c.Name())
	}
	if bc.removed {
		return fmt.Errorf("%w: %s was removed already", ErrNoSuchBox, label)
	}
	if boxRank(bc.name) < 2 {
		return fmt.Errorf("%w: %s", ErrDefaultBox, label)
	}
	if bc.next != nil || bc.ups != nil {
		return fmt.Errorf("%w: %s", ErrBoxLinked, label)
	}
	if in, ok := b.(inbox); ok {
		// Sealed under its own lock, so that no send slips a message in
		// between the look and the removal.
		if n := in.retire(); n > 0 {
			return fmt.Errorf("%w: %s holds %d messages; take them before removing it", ErrBoxNotEmpty, label, n)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if bc.inbox {
		c.inboxes = slices.DeleteFunc(c.inboxes, func(x inbox) bool { return x.boxCore() == bc })
	} else {
		c.outboxes = slices.DeleteFunc(c.outboxes, func(x outbox) bool { return x.boxCore() == bc })
	}
	if o, ok := b.(outbox); ok {
		bc.removed = true // an inbox's is set by retire, under its lock too
		o.forgetRoute()   // a send waiting for a route will get none: it fails
	}
	return nil
}

// AnyReady reports whether any inbox of the component holds a message.
func (c *Core) AnyReady() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.inboxes {
		if b.Len() > 0 {
			return true
		}
	}
	return false
}

// Wait blocks until there may be something to do: a message in any inbox, a
// child that ended, room in an inbox that a TrySend of the component found
// full, or ctx done (then it returns ctx's error). It is Axon's pause: the
// component sleeps without polling and wakes on the first event. Like
// Axon's, it may return when there is nothing new; callers look again.
func (c *Core) Wait(ctx context.Context) error {
	c.init(c.selfOrNil())
	return c.park(ctx, anyReady{})
}

// WaitFor is Wait for some boxes only: it returns when one of the inboxes
// among boxes holds a message, one of the outboxes has room in its
// destination (or leads nowhere, so a send would not wait), a child ended,
// or ctx is done (then with ctx's error), leaving messages in the other
// inboxes where they are. To wait with a time limit, give it a ctx with a
// deadline. A nil among boxes is an error wrapping ErrNilArgument.
func (c *Core) WaitFor(ctx context.Context, boxes ...Box) error {
	for i, b := range boxes {
		if isNilBox(b) {
			return fmt.Errorf("%w: WaitFor on %s: box %d of %d is nil", ErrNilArgument, c.Name(), i+1, len(boxes))
		}
	}
	c.init(c.selfOrNil())
	c.waitFor.boxes = boxes
	err := c.park(ctx, &c.waitFor)
	c.waitFor.boxes = nil // holds no boxes while the component runs
	return err
}

// someReady is WaitFor's condition: one of boxes is ready.
type someReady struct{ boxes []Box }

func (s *someReady) ready(c *Core) bool {
	for _, b := range s.boxes {
		switch x := b.(type) {
		case inbox:
			if x.Len() > 0 {
				return true
			}
		case outbox:
			// Asking registers c to be woken when room appears.
			if x.roomFor(c) {
				return true
			}
		}
	}
	return c.take(flagChildEnd)
}

type anyReady struct{}

func (anyReady) ready(c *Core) bool {
	return c.AnyReady() || c.take(flagChildEnd) || c.take(flagRoom)
}

// waitCond is what a parked goroutine waits for. An interface, not a func,
// so that parking allocates nothing.
type waitCond interface{ ready(parked *Core) bool }

// notify wakes the owner if it is waiting. Cheap when it is not: one atomic
// load, no lock, so a busy receiver that drains its queue costs senders nothing.
func (c *Core) notify() {
	if c.parked.Load() {
		// Cleared here, not only when the owner runs again: deadlock
		// detection reads a set flag as "asleep, and no one has woken it".
		c.parked.Store(false)
		c.woke()
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// park blocks the owner until cond is ready or ctx is done. Setting parked
// before checking cond, and senders making a message visible before checking
// parked, means a wake-up is never lost (both are sequentially consistent
// atomics). Only the owner's goroutine parks on a core.
func (c *Core) park(ctx context.Context, cond waitCond) error {
	if c.wake == nil {
		// notify reads wake only after it sees parked set, which happens
		// after this store: no lock needed.
		c.wake = make(chan struct{}, 1)
	}
	var done <-chan struct{}
	if ctx != context.Context(&c.ctx) {
		// The component's own context wakes it when cancelled, without a
		// Done channel; any other is selected on.
		done = ctx.Done()
	}
	// Wait and WaitFor also return for a Waker (Recv keeps waiting for a
	// message).
	_, wakeable := cond.(anyReady)
	if _, ok := cond.(*someReady); ok {
		wakeable = true
	}
	// A park that nothing outside the runtime can end counts for deadlock
	// detection: the component's own context, or one that is never done.
	counted := done == nil && c.sched != nil
	yielded := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if wakeable && c.take(flagWoken) {
			return nil
		}
		if cond.ready(c) {
			return nil
		}
		if !yielded && c.take(flagHot) {
			// A component that has just been receiving lets the goroutines
			// that feed it run first: on a busy system the next message is
			// often a moment away, and taking a batch after one yield is
			// cheaper than a park and a wake-up per message. One yield, not
			// a spin; a component that received nothing parks at once.
			yielded = true
			runtime.Gosched()
			continue
		}
		c.parked.Store(true)
		// A ready condition may consume what it reports (a child's end):
		// act on the answer, never ask twice.
		if cond.ready(c) {
			c.parked.Store(false)
			return nil
		}
		if err := ctx.Err(); err != nil {
			c.parked.Store(false)
			return err
		}
		if wakeable && c.take(flagWoken) {
			c.parked.Store(false)
			return nil
		}
		if counted {
			c.sleepStart(cond)
		}
		if done == nil {
			// One channel: a plain receive holds less of the goroutine's
			// stack, and one waiter record, while the component sleeps.
			<-c.wake
		} else {
			select {
			case <-c.wake:
			case <-done:
			}
		}
		if counted {
			c.sleepEnd()
		}
		c.parked.Store(false)
	}
}

// observeControl reacts to a shutdown message delivered to the control inbox.
func (c *Core) observeControl(msg any) {
	switch m := msg.(type) {
	case ProducerFinished:
		c.set(flagFinishing)
	case Shutdown:
		c.ctx.cancel(m, nil)
	}
}

// AddChildren makes the components children of c. Children are activated by
// ActivateChildren (or automatically when c is activated after them, if c is
// already running); c hears when each ends (Wait returns, ChildrenDone), and
// when c finishes, children still running are shut down and waited for.
// A nil among children is an error wrapping ErrNilArgument, and then none
// is added.
func (c *Core) AddChildren(children ...Component) error {
	c.init(c.selfOrNil())
	for i, ch := range children {
		if isNilComponent(ch) {
			return fmt.Errorf("%w: AddChildren on %s: child %d of %d is nil", ErrNilArgument, c.Name(), i+1, len(children))
		}
	}
	for _, ch := range children {
		cc := coreOf(ch)
		cc.mu.Lock()
		cc.extra().parent = c
		cc.ctx.setParent(&c.ctx)
		cc.mu.Unlock()
		c.mu.Lock()
		if x := c.extra(); !slices.Contains(x.children, cc) {
			x.children = append(x.children, cc)
		}
		c.mu.Unlock()
	}
	return nil
}

// RemoveChild forgets child, undoing what AddChildren and c's linking did,
// as Axon's removeChild does: c no longer waits for it or shuts it down, and
// every link c made that has a box of child at either end (passthroughs
// between c and child, links between child and its siblings) is removed.
// Removing a component that is not c's child removes those links only. A
// nil child is an error wrapping ErrNilArgument.
func (c *Core) RemoveChild(child Component) error {
	if isNilComponent(child) {
		return fmt.Errorf("%w: RemoveChild on %s: nil child", ErrNilArgument, c.Name())
	}
	cc := coreOf(child)
	c.unlinkWith(cc)
	c.mu.Lock()
	if c.x != nil {
		c.x.children = slices.DeleteFunc(c.x.children, func(x *Core) bool { return x == cc })
		c.x.ended = slices.DeleteFunc(c.x.ended, func(x *Core) bool { return x == cc })
	}
	c.mu.Unlock()
	cc.mu.Lock()
	if cc.parentLocked() == c {
		cc.x.parent = nil
		cc.ctx.setParent(context.Background())
	}
	cc.mu.Unlock()
	return nil
}

// Children returns c's children.
func (c *Core) Children() []Component {
	kids := c.childList()
	out := make([]Component, len(kids))
	for i, ch := range kids {
		out[i] = ch.self
	}
	return out
}

// childList returns a copy of c's children.
func (c *Core) childList() []*Core {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x == nil {
		return nil
	}
	return slices.Clone(c.x.children)
}

func (c *Core) parentLocked() *Core {
	if c.x == nil {
		return nil
	}
	return c.x.parent
}

// ActivateChildren activates every child not yet activated, on c's scheduler.
func (c *Core) ActivateChildren() {
	kids := c.childList()
	c.mu.Lock()
	s := c.sched
	c.mu.Unlock()
	if s == nil {
		s = Default()
	}
	for _, k := range kids {
		if k.State() == Initialised {
			s.Activate(k.self)
		}
	}
}

// EndedChildren returns the children that have finished since the last
// call, in the order they finished, and forgets them from that list (they
// stay children until RemoveChild). A composite that adds and removes
// children while running (a server, one per connection) learns from it
// which ones to remove, without looking at them all each time Wait
// returns for a child's end. Only the goroutine that receives for the
// component (normally Main) should call it.
func (c *Core) EndedChildren() []Component {
	c.mu.Lock()
	var ended []*Core
	if c.x != nil {
		ended = c.x.ended
		c.x.ended = nil
	}
	c.mu.Unlock()
	out := make([]Component, len(ended))
	for i, k := range ended {
		out[i] = k.self
	}
	return out
}

// SendOutcome sends msg on the component's signal outbox now, as its
// outcome, regardless of the capacity of the inbox it lands in, and
// reports whether it did: only the first call sends. When Main returns,
// the runtime then sends no outcome of its own unless the component failed
// (a *Failure still goes out), as for a composite whose signal is fed by a
// child's. It is for a component whose end comes in two steps, such as a
// connection that says at once that its peer closed (so a consumer linked
// to its signal finishes what it has) and goes on writing until told to
// stop. msg should be a shutdown message (ProducerFinished, Shutdown).
func (c *Core) SendOutcome(msg any) bool {
	sig := c.Signal()
	for {
		f := c.flags.Load()
		if f&flagOutcome != 0 {
			return false
		}
		if c.flags.CompareAndSwap(f, f|flagOutcome) {
			break
		}
	}
	sig.sendFinal(msg)
	return true
}

// ChildrenDone reports whether every child has finished.
func (c *Core) ChildrenDone() bool {
	for _, k := range c.childList() {
		if k.State() != Finished {
			return false
		}
	}
	return true
}

// WaitChildren blocks until every child has finished or ctx is done, and
// returns the children's failures joined (nil when none failed).
func (c *Core) WaitChildren(ctx context.Context) error {
	kids := c.childList()
	var errs []error
	for _, k := range kids {
		select {
		case <-k.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := k.Err(); err != nil {
			errs = append(errs, err)
		}
	}
	return joinErrors(errs)
}

// Link links from to to and makes the link c's: it is removed when c
// finishes. See the package function Link for the rules.
func (c *Core) Link(from, to Box, opts ...LinkOption) (*Linkage, error) {
	c.init(c.selfOrNil())
	return link(c, from, to, opts)
}

// LinkByName links component from's box fromBox to component to's box toBox
// and makes the link c's. See the package function LinkByName.
func (c *Core) LinkByName(from Component, fromBox string, to Component, toBox string, opts ...LinkOption) (*Linkage, error) {
	c.init(c.selfOrNil())
	return linkByName(c, from, fromBox, to, toBox, opts)
}
