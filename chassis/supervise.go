package chassis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Factory makes a fresh component. Supervision restarts a child by calling
// its factory again, since a component that has ended cannot run twice.
type Factory func() axon.Component

// Strategy says which children a supervisor restarts when one fails.
type Strategy uint8

// The restart strategies, as in Erlang/OTP.
const (
	// OneForOne restarts only the child that failed.
	OneForOne Strategy = iota
	// AllForOne shuts the other running children down and restarts them
	// all with the one that failed, like an errgroup that starts again.
	AllForOne
)

// String returns the strategy's name.
func (s Strategy) String() string {
	switch s {
	case OneForOne:
		return "one-for-one"
	case AllForOne:
		return "all-for-one"
	}
	return fmt.Sprintf("strategy(%d)", uint8(s))
}

// Restart is a supervision policy for the children of a Graphline or a PAR
// (SupervisedGraphline, SupervisedPAR). A child that fails (its Main returns
// an error or panics) is replaced by a fresh one from its factory and
// relinked exactly as before; a child that ends cleanly or is shut down is
// not restarted. More than MaxRestarts restarts within Period (measured with
// time.Now) and the chassis gives up: it shuts every child down and fails
// with a *SupervisionError naming the child and its failure.
//
// MaxRestarts 0 restarts nothing: the first failure fails the chassis, with
// a SupervisionError. Period must be positive when MaxRestarts is.
//
// Restarts back off (see Backoff): a child that fails at once each time it
// starts is restarted a few times a second at first, then once every few
// seconds, instead of as fast as the machine can make it.
type Restart struct {
	Strategy    Strategy
	MaxRestarts int
	Period      time.Duration
	Backoff     Backoff
}

// Backoff spaces the restarts of a supervised chassis. The first restart
// waits Initial after the failure, and each one after it twice as long as
// the one before, up to Max; a restarted child that stays up for Reset
// before it fails again starts the series over at Initial. While it waits,
// the chassis goes on passing messages and can be told to stop. The zero
// Backoff means the defaults: 10 ms doubling to 5 s, reset after 10 s. A
// negative Initial restarts at once, every time.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Reset   time.Duration
}

// The defaults of Backoff's zero fields.
const (
	DefaultBackoffInitial = 10 * time.Millisecond
	DefaultBackoffMax     = 5 * time.Second
	DefaultBackoffReset   = 10 * time.Second
)

func (b Backoff) withDefaults() Backoff {
	if b.Initial == 0 {
		b.Initial = DefaultBackoffInitial
	}
	if b.Max == 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Reset == 0 {
		b.Reset = DefaultBackoffReset
	}
	return b
}

func (r Restart) check() error {
	if r.Strategy != OneForOne && r.Strategy != AllForOne {
		return fmt.Errorf("chassis: unknown restart strategy %v", r.Strategy)
	}
	if r.MaxRestarts < 0 || (r.MaxRestarts > 0 && r.Period <= 0) {
		return fmt.Errorf("chassis: bad restart intensity: %d restarts in %v", r.MaxRestarts, r.Period)
	}
	if b := r.Backoff; b.Max < 0 || b.Reset < 0 || (b.Initial > 0 && b.Max > 0 && b.Max < b.Initial) {
		return fmt.Errorf("chassis: bad restart back-off: %v doubling to %v, reset after %v", b.Initial, b.Max, b.Reset)
	}
	return nil
}

// SupervisionError is the error of a supervised chassis that gave up: a child
// failed once more after MaxRestarts restarts within Period.
type SupervisionError struct {
	Child    string        // the child, as the chassis names it
	Restarts int           // restarts made within Period before giving up
	Period   time.Duration // the policy's period
	Err      error         // the child's last failure: an *axon.Failure
}

// Error names the child, the restarts and the failure.
func (e *SupervisionError) Error() string {
	return fmt.Sprintf("child %s failed after %d restarts within %v: %v", e.Child, e.Restarts, e.Period, e.Err)
}

// Unwrap returns the child's failure.
func (e *SupervisionError) Unwrap() error { return e.Err }

// errRestart is the reason of the Shutdown a supervisor sends to the children
// it stops in order to restart them; their outcomes are not passed on.
var errRestart = errors.New("chassis: restarting")

// isRestartShutdown reports whether msg is the Shutdown of a restart.
func isRestartShutdown(msg any) bool {
	sd, ok := msg.(axon.Shutdown)
	return ok && errors.Is(sd.Reason, errRestart)
}

// end is one end of a link a crew makes: a box of the chassis itself
// (child < 0, box self) or the box called name of child child.
type end struct {
	child int
	name  string
	self  axon.Box
}

// plan is one link a crew makes, and makes again when a child is restarted.
type plan struct{ from, to end }

// crew is the part of a Graphline or a PAR that owns the children: it links
// them by plan, and restarts them under a Restart policy.
type crew struct {
	owner     *axon.Core
	ownerComp axon.Component
	names     []string
	factories []Factory // nil: not supervised
	policy    Restart
	plans     []plan
	ctl       []*axon.Outbox[any] // the chassis's outbox to each child's control

	mu   sync.Mutex // guards kids: Child reads them while the chassis restarts
	kids []member

	proxies map[string]axon.Box // supervised: chassis inbox in front of a child's inbox
	proxied map[string]bool     // proxy linked to the current instance
	stamps  []time.Time         // times of recent restarts
	grace   time.Duration       // how long a stopped child may take to end (0: the scheduler's grace period)

	delay   time.Duration // the back-off before the next restart (0: not yet backing off)
	due     time.Time     // when the pending restart may be made (zero: none pending)
	started time.Time     // when the last restart was made
}

// restartIn returns how long to wait before restarting after a failure seen
// at now: 0 when the restart may be made now. The first call for a failure
// fixes when it is due.
func (c *crew) restartIn(now time.Time) time.Duration {
	b := c.policy.Backoff.withDefaults()
	if b.Initial < 0 {
		return 0
	}
	if c.due.IsZero() {
		switch {
		case c.delay == 0 || (!c.started.IsZero() && now.Sub(c.started) >= b.Reset):
			c.delay = b.Initial
		default:
			c.delay = min(2*c.delay, b.Max)
		}
		c.due = now.Add(c.delay)
	}
	return max(c.due.Sub(now), 0)
}

func (c *crew) supervised() bool { return c.factories != nil }

func (c *crew) kid(i int) member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kids[i]
}

func (c *crew) members() []member {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.kids)
}

// boxOf resolves an end of a plan to a box: an outbox when it is the source.
func (c *crew) boxOf(e end, source bool) (axon.Box, error) {
	if e.child < 0 {
		return e.self, nil
	}
	if source {
		return outboxOf(c.kids[e.child], e.name)
	}
	return inboxOf(c.kids[e.child], e.name)
}

// addControl makes the chassis's outbox to child i's control.
func (c *crew) addControl(i int) {
	c.ctl = append(c.ctl, axon.NewOutbox[any](c.ownerComp, "_control."+c.names[i]))
}

// linkAll makes every link: the plans and the control outboxes.
func (c *crew) linkAll() error {
	for i := range c.kids {
		if _, err := c.owner.Link(c.ctl[i], c.kids[i].Control()); err != nil {
			return err
		}
	}
	for _, p := range c.plans {
		if err := c.link(p, nil); err != nil {
			return err
		}
	}
	return nil
}

// link makes the link of p. With renewed set, it makes only the parts that
// touch a renewed child (the others are still in place).
func (c *crew) link(p plan, renewed map[int]bool) error {
	from, err := c.boxOf(p.from, true)
	if err != nil {
		return err
	}
	to, err := c.boxOf(p.to, false)
	if err != nil {
		return err
	}
	isNew := func(e end) bool { return e.child >= 0 && (renewed == nil || renewed[e.child]) }
	if c.supervised() && p.from.child >= 0 && p.to.child >= 0 {
		// A sibling's outbox goes through an inbox of the chassis in front of
		// the child's: when the child is restarted, that inbox holds what the
		// sibling sends until the new child is linked, so nothing is lost.
		key := c.names[p.to.child] + "." + p.to.name
		proxy, ok := c.proxies[key]
		if !ok {
			proxy, err = axon.NewInboxLike(c.ownerComp, "_proxy."+key, to)
			if err != nil {
				return err
			}
			c.proxies[key] = proxy
		}
		if isNew(p.to) && !c.proxied[key] {
			if _, err := c.owner.Link(proxy, to); err != nil {
				return err
			}
			c.proxied[key] = true
		}
		if isNew(p.from) {
			if _, err := c.owner.Link(from, proxy); err != nil {
				return err
			}
		}
		return nil
	}
	_, err = c.owner.Link(from, to)
	return err
}

// tell sends msg to the control of each child of which (every child when
// which is nil) that is still running.
func (c *crew) tell(ctx context.Context, which []int, msg any) {
	if which == nil {
		which = make([]int, len(c.ctl))
		for i := range which {
			which[i] = i
		}
	}
	for _, i := range which {
		if c.kid(i).State() != axon.Finished {
			_ = c.ctl[i].Send(ctx, msg)
		}
	}
}

// allow records a restart at now, or reports that the policy's intensity
// would be exceeded.
func (c *crew) allow(now time.Time) bool {
	cut := now.Add(-c.policy.Period)
	c.stamps = slices.DeleteFunc(c.stamps, func(t time.Time) bool { return !t.After(cut) })
	if len(c.stamps) >= c.policy.MaxRestarts {
		return false
	}
	c.stamps = append(c.stamps, now)
	return true
}

// await waits until every member that ms returns has ended, for the grace
// period at most, calling tend each time the chassis wakes (a message on
// one of reads, a child's end). It gives up on the members still running
// then: it stops being their parent, so that the chassis can end without
// them, and returns a *axon.StuckError naming them.
func (c *crew) await(ms func() []member, tend func(), reads []axon.Box) error {
	grace := graceOr(c.owner, c.grace)
	wctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for {
		tend()
		kids := ms()
		if allDone(kids) {
			return nil
		}
		if wctx.Err() != nil {
			return c.giveUp(kids, grace)
		}
		_ = c.owner.WaitFor(wctx, reads...)
	}
}

// giveUp lets go of the members still running and names them.
func (c *crew) giveUp(kids []member, grace time.Duration) error {
	e := &axon.StuckError{Grace: grace}
	for _, k := range kids {
		if k.State() == axon.Finished {
			continue
		}
		name := k.Name()
		for i, n := range c.names {
			if c.kid(i) == k {
				name = n
			}
		}
		e.Components = append(e.Components, name)
		c.owner.RemoveChild(k)
	}
	return e
}

// restart replaces the failed child (and under AllForOne every other child
// still running or failed) with a fresh one from its factory, and relinks
// it as before. tend is called once the old children have all ended, to
// take what they signalled before their links go.
func (c *crew) restart(ctx context.Context, failed int, tend func()) error {
	kids := c.members()
	now := time.Now()
	c.due, c.started = time.Time{}, now
	if !c.allow(now) {
		return &SupervisionError{Child: c.names[failed], Restarts: len(c.stamps), Period: c.policy.Period, Err: kids[failed].Err()}
	}
	renew := map[int]bool{failed: true}
	if c.policy.Strategy == AllForOne {
		for i, k := range kids {
			if k.State() != axon.Finished || k.Err() != nil {
				renew[i] = true
			}
		}
	}
	order := make([]int, 0, len(renew))
	for i := range renew {
		order = append(order, i)
	}
	slices.Sort(order)
	stop := axon.Shutdown{Reason: errRestart}
	for _, i := range order {
		if kids[i].State() != axon.Finished {
			if err := c.ctl[i].Send(ctx, stop); err != nil && !errors.Is(err, axon.ErrFinished) {
				return err // stopping; a child that has just ended is fine
			}
		}
	}
	stopped := func() []member {
		ms := make([]member, len(order))
		for j, i := range order {
			ms[j] = kids[i]
		}
		return ms
	}
	if err := c.await(stopped, tend, nil); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	tend()

	old := map[axon.Component]bool{}
	for _, i := range order {
		old[kids[i]] = true
		for k := range c.proxied {
			if strings.HasPrefix(k, c.names[i]+".") {
				delete(c.proxied, k)
			}
		}
	}
	unlinkTouching(c.owner.Links(), old)

	for _, i := range order {
		fresh, err := asMember(c.factories[i]())
		if err != nil {
			return fmt.Errorf("chassis: restarting child %s: %w", c.names[i], err)
		}
		prev := kids[i]
		c.owner.RemoveChild(prev)
		c.owner.AddChildren(fresh)
		c.mu.Lock()
		c.kids[i] = fresh
		c.mu.Unlock()
		if err := c.handOver(i, prev, fresh); err != nil {
			return fmt.Errorf("chassis: restarting child %s: %w", c.names[i], err)
		}
	}
	for _, p := range c.plans {
		if renew[p.from.child] || renew[p.to.child] {
			if err := c.link(p, renew); err != nil {
				return fmt.Errorf("chassis: relinking restarted child: %w", err)
			}
		}
	}
	c.owner.ActivateChildren()
	return nil
}

// handOver links the chassis's control outbox to the fresh child and gives
// it what was waiting, not yet taken, in the old child's inboxes that the
// plans feed: control messages other than the restart's Shutdown, then the
// others, in order. Messages the old child had begun taking are lost with it.
func (c *crew) handOver(i int, prev, fresh member) error {
	if _, err := c.owner.Link(c.ctl[i], fresh.Control()); err != nil {
		return err
	}
	// The old child's control messages are in its box, or, when an inbox of
	// the chassis was forwarded into it, were given back there by the
	// runtime as the child ended (all of them, the restart's Shutdown too).
	waiting := []*axon.Inbox[any]{prev.Control()}
	for _, p := range c.plans {
		if p.to.child == i && p.to.name == "control" && p.from.child < 0 {
			if in, ok := p.from.self.(*axon.Inbox[any]); ok {
				waiting = append(waiting, in)
			}
		}
	}
	var sendErr error
	for _, in := range waiting {
		axon.TakeControlFrom(in, func(m any) {
			if sendErr == nil && !isRestartShutdown(m) {
				sendErr = c.ctl[i].TrySend(m)
			}
		})
	}
	if sendErr != nil {
		return sendErr
	}
	done := map[string]bool{"control": true}
	for _, p := range c.plans {
		if p.to.child != i || done[p.to.name] {
			continue
		}
		done[p.to.name] = true
		from, err := inboxOf(prev, p.to.name)
		if err != nil {
			continue
		}
		to, err := inboxOf(fresh, p.to.name)
		if err != nil {
			return err
		}
		// A passthrough link moves the waiting messages, in order; the
		// link itself is not wanted.
		l, err := axon.Link(from, to)
		if err != nil {
			return err
		}
		_ = axon.Unlink(l)
	}
	return nil
}
