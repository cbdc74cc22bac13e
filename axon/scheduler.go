package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Scheduler activates components, runs each Main in its own goroutine, waits
// for them and supervises them: a panic is recovered and reported, a
// component that ends is cleaned up after. It also holds the registry of
// services (the CAT). The Go runtime does the scheduling proper; nothing here
// polls, so an idle system costs no CPU.
//
// # Deadlocks
//
// A scheduler is deadlocked when it has running components and every one
// of them sleeps in the runtime's own waits with nothing left that could
// wake it:
//
//   - each sleeps in Recv, RecvBatch, Messages, Wait or WaitFor, or in a
//     blocking Send waiting for room in a full inbox, with its own context
//     (the one given to Main) or one that is never done, and no message,
//     child's end, Shutdown or Waker's wake has reached it since;
//   - none has a goroutine running that it started with Go (a Feed's
//     producer is one), or an open Waker;
//   - no inbox of theirs is fed, directly or through passthroughs, by an
//     outbox of a component that is not running on this scheduler (never
//     activated, as a Handle's and a test's own boxes are, or running on
//     another scheduler), and no send of theirs waits for room in the inbox
//     of such a component: so a Handle that puts into a component keeps it
//     alive, and one that only gets from it does not.
//
// A component that blocks anywhere else (a socket, a timer, a plain
// channel, a wait with a context that has a deadline) is not asleep in this
// sense, so it keeps the scheduler alive, deadlocked or not. The check
// costs nothing while components are awake: it runs when the last awake
// component goes to sleep, or when something that could wake one goes
// away, and it looks at every component twice, so that a wake-up in
// flight is never mistaken for a deadlock.
//
// Wait then returns a *DeadlockError (which wraps ErrDeadlock) naming each
// component and the box it waits on, and leaves the components as they
// are; Run and RunContext shut them down, wait for them, and return it.
// The Go runtime's own "all goroutines are asleep" crash is thus replaced by
// an error, and a deadlock is reported even while other goroutines of the
// process run.
//
// The zero Scheduler is not usable; make one with NewScheduler, or use
// Default.
type Scheduler struct {
	mu     sync.Mutex
	head   *Core // live components, newest first
	live   int
	idle   chan struct{} // closed when live falls to zero
	fails  failureBook
	ctx    context.Context // parent of components' contexts (values, deadline)
	logger *slog.Logger
	grace  time.Duration // 0: DefaultGracePeriod

	services *Registry

	// Deadlock detection (deadlock.go): components awake (running, not
	// asleep on their boxes), what may wake them from outside, and a
	// deadlock found and not yet taken.
	awake     atomic.Int64
	waiting   atomic.Int32 // goroutines in Wait: no one waiting, no one to tell
	keep      atomic.Int64
	keepEpoch atomic.Uint64
	stuck     chan struct{} // closed when deadlock is set
	deadlock  *DeadlockError
	seen      []uint32   // checkStuck's, kept for the next check
	boxes     []*boxCore // reachable's, kept for the next check
}

// NewScheduler returns a new, empty scheduler.
func NewScheduler() *Scheduler {
	s := &Scheduler{ctx: context.Background(), services: newRegistry()}
	return s
}

var (
	defaultOnce  sync.Once
	defaultSched *Scheduler
)

// Default returns the process's default scheduler, on which Activate and Run
// start components (Axon's scheduler.run).
func Default() *Scheduler {
	defaultOnce.Do(func() { defaultSched = NewScheduler() })
	return defaultSched
}

// SetLogger sets where the scheduler logs component failures (slog's default
// logger when unset). Failures are also returned by Run and Wait and sent on
// signal. A failure is logged once, when its component ends: a composite
// that fails because a child failed is not logged again. At most
// DefaultLogLimit failures are logged a second (see SetFailureLimits).
func (s *Scheduler) SetLogger(l *slog.Logger) {
	s.mu.Lock()
	s.logger = l
	s.mu.Unlock()
}

// Services returns the scheduler's registry of services and tracked values.
func (s *Scheduler) Services() *Registry { return s.services }

// Activate starts each component on the default scheduler and returns the
// first, for chaining as in Axon (Pipeline(...).Activate()).
func Activate(comps ...Component) Component {
	Default().Activate(comps...)
	if len(comps) == 0 {
		return nil
	}
	return comps[0]
}

// Run activates the components on the default scheduler and waits until every
// component activated on it has finished (Axon's scheduler.run.runThreads).
// It returns the failures of the components that failed, joined: each
// failure once, the first DefaultFailureLimit of them.
func Run(comps ...Component) error { return Default().Run(comps...) }

// RunContext is Run that shuts every component down when ctx is done.
func RunContext(ctx context.Context, comps ...Component) error {
	return Default().RunContext(ctx, comps...)
}

// Activate starts each component that is not yet running: its Main runs in a
// new goroutine. Activating a running or finished component does nothing.
// A nil component (nil, or a nil pointer to a component type) is not
// started: it is recorded as a failure wrapping ErrNilArgument, which the
// next Run or Wait returns, and the other components start.
func (s *Scheduler) Activate(comps ...Component) {
	for i, comp := range comps {
		if isNilComponent(comp) {
			s.recordFailure(nil, &Failure{
				Component: fmt.Sprintf("%T", comp),
				Err:       fmt.Errorf("%w: Activate: component %d of %d is a nil %T", ErrNilArgument, i+1, len(comps), comp),
			})
			continue
		}
		c := coreOf(comp)
		if !c.state.CompareAndSwap(int32(Initialised), int32(Running)) {
			continue
		}
		s.mu.Lock()
		if s.live == 0 {
			s.idle = make(chan struct{})
		}
		s.live++
		c.next = s.head
		if s.head != nil {
			s.head.prev = c
		}
		s.head = c
		ctx := s.ctx
		s.mu.Unlock()

		c.mu.Lock()
		c.sched = s
		c.awakenLocked()
		parent := c.parentLocked()
		if parent == nil {
			c.ctx.setParent(ctx)
		}
		c.mu.Unlock()
		// A component activated after its scheduler's context or its parent
		// was told to stop starts stopped.
		if ctx.Err() != nil {
			c.ctx.cancel(Shutdown{Reason: context.Cause(ctx)}, nil)
		} else if parent != nil {
			if reason, stopped := parent.ctx.stopReason(); stopped {
				c.ctx.cancel(reason, nil)
			}
		}
		go c.run(comp)
	}
}

// Run activates the components and waits until every component activated on
// the scheduler has finished. It returns the failures of the components that
// failed since the last Run or Wait, joined; if the components deadlock (see
// Scheduler), it shuts them down and returns the *DeadlockError first.
func (s *Scheduler) Run(comps ...Component) error {
	return s.RunContext(context.Background(), comps...)
}

// RunContext is Run that sends Shutdown to every running component when ctx
// is done, then waits for them all to finish, for the grace period at most
// (see SetGracePeriod): components still running then are named by a
// *StuckError among the errors returned. A shutdown is not a failure.
func (s *Scheduler) RunContext(ctx context.Context, comps ...Component) error {
	if ctx.Done() != nil {
		s.mu.Lock()
		prev := s.ctx
		s.ctx = ctx
		s.mu.Unlock()
		stop := context.AfterFunc(ctx, func() { s.ShutdownAll(Shutdown{Reason: context.Cause(ctx)}) })
		defer func() {
			stop()
			s.mu.Lock()
			s.ctx = prev
			s.mu.Unlock()
		}()
	}
	s.Activate(comps...)
	return s.waitOrStop(ctx)
}

// Wait blocks until no component is running on the scheduler, or ctx is
// done, or the components are deadlocked. It returns the failures of the
// components that failed since the last Run or Wait returned them, joined;
// or ctx's error; or the *DeadlockError, leaving the stuck components as
// they are (Run shuts them down).
func (s *Scheduler) Wait(ctx context.Context) error {
	// Deadlocks are looked for only while someone waits (checkStuck): a
	// system that went to sleep before this Wait is looked at now.
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	s.checkStuck()
	for {
		s.mu.Lock()
		idle, live := s.idle, s.live
		d := s.currentLocked()
		stuck := s.stuckChanLocked()
		s.mu.Unlock()
		if live == 0 {
			return s.takeFailures()
		}
		if d != nil {
			return d
		}
		select {
		case <-idle:
			return s.takeFailures()
		case <-stuck:
			// Looked at again: a Run may have taken it and ended it.
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// takeFailures returns the failures recorded since the last call, joined,
// and logs how many went unlogged, if any did.
func (s *Scheduler) takeFailures() error {
	s.logUnlogged()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fails.take()
}

// ShutdownAll sends msg to every running component: their contexts are
// cancelled at once, as a Shutdown on control would.
func (s *Scheduler) ShutdownAll(msg Shutdown) {
	s.mu.Lock()
	var cs []*Core
	for c := s.head; c != nil; c = c.next {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.ctx.cancel(msg, nil)
	}
}

// Running returns the components running on the scheduler, newest first.
func (s *Scheduler) Running() []Component {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Component, 0, s.live)
	for c := s.head; c != nil; c = c.next {
		out = append(out, c.self)
	}
	return out
}

// run is the goroutine of a component: Main, then the uniform ending.
func (c *Core) run(comp Component) {
	err := checkHidden(comp)
	if err == nil {
		c.startGoroutines()
		err = runMain(comp, &c.ctx)
	}
	// The component has not finished until its helpers have returned.
	err = c.endGoroutines(err)
	c.finish(err)
}

func runMain(comp Component, ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return comp.Main(ctx)
}

// finish ends a component whose Main returned err: children still running
// are shut down and waited for, its links are removed, the outcome goes out
// on signal, and its parent and scheduler hear of it.
func (c *Core) finish(err error) {
	stuck := c.stopChildren()
	var msg any
	var failure error
	// Told to stop, even if the telling has not reached c's own context yet
	// (its children are told first): Main may have returned because they
	// ended.
	reason, stopped := c.ctx.stopReason()
	var pe *PanicError
	switch {
	case stuck != nil:
		failure = c.failed(errors.Join(err, stuck))
	case errors.As(err, &pe):
		failure = c.failed(err)
	case err == nil && stopped:
		msg = reason
	case err == nil:
		msg = ProducerFinished{}
	case errors.Is(err, ErrFinished):
		// Finish(reason) gives reason itself; wrapped, the whole error,
		// which still matches reason with errors.Is.
		r := err
		if fe, ok := err.(*finishedError); ok {
			r = fe.reason
		} else if err == ErrFinished {
			r = nil
		}
		msg = ProducerFinished{Reason: r}
	case stopped && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		msg = reason
	default:
		failure = c.failed(err)
	}
	if failure != nil {
		msg = failure
		// Err answers as soon as the outcome is out: a receiver of the
		// *Failure on signal may ask the component for it at once.
		c.mu.Lock()
		c.extra().err = failure
		c.mu.Unlock()
	}
	// A composite whose signal is fed by a child's (a passthrough) lets the
	// child's outcome speak for it, as in Kamaelia; its own failure is still
	// sent.
	if sig := c.signalIfAny(); sig != nil && (failure != nil || (!c.has(flagOutcome) && !sig.fedByPassthrough())) {
		sig.sendFinal(msg)
	}
	// The outcome goes out before the component's own links go, so a
	// component that linked its own signal is heard.
	c.unlinkAll()
	c.closeInboxes()

	c.mu.Lock()
	var parent *Core
	var watchers []*Core
	c.state.Store(int32(Finished)) // before Done closes: Done means Finished
	if x := c.x; x != nil {
		parent = x.parent
		watchers = x.watchers
		if x.done != nil {
			close(x.done)
		}
	}
	s := c.sched
	c.mu.Unlock()
	if parent != nil {
		parent.mu.Lock()
		// Kept until the parent asks (EndedChildren) or removes c: at
		// most one entry per child.
		if px := parent.x; px != nil {
			px.ended = append(px.ended, c)
		}
		parent.mu.Unlock()
		parent.set(flagChildEnd)
		parent.notify()
	}
	for _, w := range watchers {
		w.notify()
	}
	c.retire()
	s.remove(c, failure)
	if s.awake.Add(-1) <= 0 {
		s.checkStuck()
	}
}

func (s *Scheduler) remove(c *Core, failure error) {
	s.mu.Lock()
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		s.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	}
	c.prev, c.next = nil, nil
	if failure != nil {
		// Booked (and logged, outside the lock) before the scheduler can
		// fall idle, so that Run returns it.
		s.mu.Unlock()
		s.recordFailure(c, failure)
		s.mu.Lock()
	}
	s.live--
	if s.live == 0 {
		close(s.idle)
	}
	s.mu.Unlock()
}

// closeInboxes ends the inboxes of a finished component. What a parent
// forwarded into them and was not taken goes back to the parent's inbox, in
// order, and the passthrough is removed, so a composite that moves on to
// its next child (Seq, Carousel) loses nothing. Other sends to them fail with
// a *ReceiverFinishedError instead of waiting for room that never comes.
func (c *Core) closeInboxes() {
	c.mu.Lock()
	ins := slices.Clone(c.inboxes)
	c.mu.Unlock()
	topo.Lock()
	var gone []*Linkage
	for _, in := range ins {
		for l := in.boxCore().ups; l != nil; l = l.nextUp {
			if l.kind == PassthroughIn {
				in.giveBack(l.from.self.(inbox))
				gone = append(gone, l)
				break
			}
		}
	}
	for _, l := range gone {
		_ = unlinkLocked(l)
	}
	topo.Unlock()
	for _, l := range gone {
		if o := l.owner; o != nil {
			o.mu.Lock()
			if o.x != nil {
				o.x.links = slices.DeleteFunc(o.x.links, func(x *Linkage) bool { return x == l })
			}
			o.mu.Unlock()
		}
	}
	for _, in := range ins {
		in.close()
	}
}

func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}
