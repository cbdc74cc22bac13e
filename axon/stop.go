package axon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultGracePeriod is how long a scheduler waits for components it has
// told to stop now (Shutdown) before it gives up on them: RunContext after
// its context ends, FinishAll and Shutdown, and a component ending with
// children still running. See SetGracePeriod.
const DefaultGracePeriod = 5 * time.Second

// SetGracePeriod sets how long the scheduler waits for components told to
// stop now before it reports them stuck (DefaultGracePeriod when d is not
// positive). A component whose Main ignores its context is never killed (Go
// cannot stop a goroutine); the wait for it ends with a *StuckError naming
// it, and it runs on.
func (s *Scheduler) SetGracePeriod(d time.Duration) {
	if d <= 0 {
		d = DefaultGracePeriod
	}
	s.mu.Lock()
	s.grace = d
	s.mu.Unlock()
}

// GracePeriod returns how long the scheduler waits for components told to
// stop now. See SetGracePeriod.
func (s *Scheduler) GracePeriod() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.graceLocked()
}

func (s *Scheduler) graceLocked() time.Duration {
	if s.grace == 0 {
		return DefaultGracePeriod
	}
	return s.grace
}

// StuckError names the components still running when a wait for them to
// stop gave up: they were told Shutdown, and their Main did not return
// within the grace period (it ignores its context). It is among the errors
// of RunContext, FinishAll and Shutdown, and the failure of a component
// whose children outlived it.
type StuckError struct {
	Components []string      // names of the components still running, sorted
	Grace      time.Duration // how long they were waited for
}

// Error names the components and the grace period.
func (e *StuckError) Error() string {
	what := "component"
	if len(e.Components) > 1 {
		what = "components"
	}
	return fmt.Sprintf("axon: %s %s still running %v after being told to stop", what, strings.Join(e.Components, ", "), e.Grace)
}

// stuckError returns a *StuckError naming the components running on the
// scheduler, or nil when none is.
func (s *Scheduler) stuckError(grace time.Duration) error {
	var names []string
	for _, c := range s.Running() {
		names = append(names, c.core().Name())
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return &StuckError{Components: names, Grace: grace}
}

// waitGrace waits for the running components to end, for the grace period
// at most, and returns a *StuckError naming those still running then.
func (s *Scheduler) waitGrace() error {
	s.mu.Lock()
	idle, live, grace := s.idle, s.live, s.graceLocked()
	s.mu.Unlock()
	if live == 0 {
		return nil
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-idle:
		return nil
	case <-t.C:
	}
	return s.stuckError(grace)
}

// waitOrStop waits until no component is running, as Wait does, and when ctx
// ends first, or the components are deadlocked, sends Shutdown to every
// component still running and waits the grace period for them. It returns
// the deadlock and the failures, joined with a *StuckError when some did not
// end.
func (s *Scheduler) waitOrStop(ctx context.Context) error {
	err := s.Wait(ctx)
	var reason error
	switch {
	case errors.Is(err, ErrDeadlock):
		// The stuck components are shut down, so that nothing is left
		// behind, and the deadlock is the answer.
		reason = err
	case ctx.Err() != nil && err == ctx.Err():
		reason, err = context.Cause(ctx), nil
	default:
		return err
	}
	s.ShutdownAll(Shutdown{Reason: reason})
	stuck := s.waitGrace()
	return joinErrors(slices.DeleteFunc([]error{err, s.takeFailures(), stuck}, isNil))
}

func isNil(err error) bool { return err == nil }

// FinishAll drains the system: it sends ProducerFinished to the control
// inbox of every source, then waits until every component has ended. A
// source is a component running on the scheduler that has no parent and
// whose control inbox nothing links into: nothing else would tell it to
// finish. (A Pipeline is one, and passes the message to its first stage; a
// component fed by another's signal hears from that one when it ends; a
// component driven by a Handle is left to the Handle.) Each source finishes
// what it has and tells the next, so no message in flight is lost.
//
// If ctx ends first, FinishAll sends Shutdown to every component still
// running and waits for them for the grace period, as RunContext does. It
// returns the failures since the last Run or Wait, joined, with a
// *StuckError naming the components that did not end.
func (s *Scheduler) FinishAll(ctx context.Context) error {
	for _, c := range s.sources() {
		// A source that ends meanwhile needs no telling.
		_ = c.Tell(ProducerFinished{})
	}
	return s.waitOrStop(ctx)
}

// sources returns the components FinishAll tells to finish: see FinishAll.
func (s *Scheduler) sources() []*Core {
	s.mu.Lock()
	var live []*Core
	for c := s.head; c != nil; c = c.next {
		live = append(live, c)
	}
	s.mu.Unlock()
	var out []*Core
	for _, c := range live {
		c.mu.Lock()
		parent := c.parentLocked()
		ctl := c.findInbox("control")
		c.mu.Unlock()
		if parent != nil {
			continue
		}
		if ctl != nil {
			topo.Lock()
			fed := ctl.boxCore().ups != nil
			topo.Unlock()
			if fed {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// Shutdown stops the system now: it sends Shutdown to every running
// component and waits until they have all ended, ctx is done or the grace
// period has passed, whichever comes first. It returns the failures since
// the last Run or Wait, joined, with a *StuckError naming the components
// still running when it stopped waiting.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.ShutdownAll(Shutdown{})
	grace := s.GracePeriod()
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := s.Wait(ctx)
	if ctx.Err() == nil || err != ctx.Err() {
		return err
	}
	return joinErrors(slices.DeleteFunc([]error{s.takeFailures(), s.stuckError(grace)}, isNil))
}

// errNotShutdownMessage is wrapped by the error of Tell given a message
// that is not a shutdown message.
var errNotShutdownMessage = errors.New("not a shutdown message")

// Tell puts a shutdown message on the component's control inbox, from plain
// Go code that has no link to it and needs no Handle: Tell(ProducerFinished{})
// asks it to finish what it has and stop, Tell(Shutdown{}) to stop now.
// Shutdown messages go in regardless of the inbox's capacity, as the
// runtime's own do. A composite that forwards its control passes the message
// on (a Pipeline to its first stage).
//
// msg must be a shutdown message (see IsShutdownMessage); Tell returns an
// error otherwise, and a *ReceiverFinishedError when the component has
// finished.
func (c *Core) Tell(msg any) error {
	if !IsShutdownMessage(msg) {
		return fmt.Errorf("axon: Tell %s a %T: %w (ProducerFinished, Shutdown or *Failure)", c.Name(), msg, errNotShutdownMessage)
	}
	ctl := c.Control()
	if c.State() == Finished {
		return &ReceiverFinishedError{Box: ctl.String()}
	}
	return ctl.put(context.Background(), msg, putForce, sender{})
}

// stopChildren shuts down c's children still running and waits for them,
// for the grace period of c's scheduler at most. It returns a *StuckError
// naming the children still running then, which c's failure carries.
func (c *Core) stopChildren() error {
	var (
		timer   *time.Timer
		grace   time.Duration
		expired bool
		stuck   []string
	)
	for _, k := range c.childList() {
		if k.State() != Running {
			continue
		}
		k.ctx.cancel(Shutdown{Reason: fmt.Errorf("parent %s finished", c.Name())}, nil)
		if timer == nil {
			grace = DefaultGracePeriod
			if s := c.Scheduler(); s != nil {
				grace = s.GracePeriod()
			}
			timer = time.NewTimer(grace)
		}
		if !expired {
			select {
			case <-k.Done():
				continue
			case <-timer.C:
				expired = true
			}
		}
		select {
		case <-k.Done():
		default:
			stuck = append(stuck, k.Name())
		}
	}
	if timer != nil {
		timer.Stop()
	}
	if len(stuck) == 0 {
		return nil
	}
	slices.Sort(stuck)
	return &StuckError{Components: stuck, Grace: grace}
}
