package axon

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

// goGroup is the goroutines a component started with Core.Go. Guarded by
// the component's Core.mu, except ctx and cancel, which are set once.
type goGroup struct {
	ctx    context.Context // the helpers' context: the component's, also cancelled when Main returns
	cancel context.CancelFunc
	n      int           // helpers running
	err    error         // the first helper failure
	mainOK bool          // Main returned without failing before err was set
	ended  bool          // Main has returned
	idle   chan struct{} // closed when n falls to zero after Main returned
	closed bool          // every helper has returned after Main: no more may start
}

// Go runs f in a new goroutine that belongs to the component: the component
// does not finish (no outcome on signal, Done not closed, its scheduler
// still counts it running) until f has returned. f is given a context that
// is done when the component is told to stop now (Shutdown, its parent or
// scheduler stopping it), when another of its goroutines fails, and when
// Main returns: a helper must return then, as the component waits for it
// before it finishes.
//
// A panic in f is recovered and becomes the component's failure, as a
// panic in Main does: its signal carries a *Failure wrapping a *PanicError
// with the stack. An error f returns fails the component too, unless it is
// the error of f's context once that is done (a helper told to stop may
// return ctx.Err()). The first failure wins: the component's context is
// cancelled, so Main and the other helpers stop, and the failure is the
// component's outcome whatever Main returns.
//
// Go may be called by Main, by a goroutine Go started, or before the
// component is activated (in its constructor): then f starts when the
// component is activated, just before Main. Calling Go after the component
// has finished is a programming error and panics.
//
// A blocking reader, a library's callback loop, a timer: whatever a
// component runs beside Main belongs in Go (or a Feed, which uses it), so
// that its panics are reported and the runtime can wait for it, and so that
// the scheduler knows the component may still be woken (see Scheduler).
//
//	func (r *Reader) Main(ctx context.Context) error {
//		lines := make(chan string)
//		r.Go(func(ctx context.Context) error {
//			defer close(lines)
//			return readAll(ctx, r.src, lines) // returns when ctx is done
//		})
//		...
//	}
func (c *Core) Go(f func(ctx context.Context) error) {
	c.init(c.selfOrNil())
	if c.State() == Initialised {
		c.mu.Lock()
		// Activate changes the state before it takes c.mu to record the
		// scheduler, and the component's goroutine starts after that: f
		// queued here is seen by run.
		if c.State() == Initialised {
			x := c.goesLocked()
			x.pending = append(x.pending, f)
			c.set(flagGoes)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
	}
	g := c.group()
	c.mu.Lock()
	if g.closed || c.State() == Finished {
		name := c.nameLocked()
		c.mu.Unlock()
		panic(fmt.Sprintf("axon: %s.Go called after the component finished", name))
	}
	g.n++
	c.keepAddLocked(1)
	c.mu.Unlock()
	go c.runGo(g, f)
}

// group returns the component's goroutine group, making it.
func (c *Core) group() *goGroup {
	c.mu.Lock()
	if x := c.goesIfAny(); x != nil && x.group != nil {
		c.mu.Unlock()
		return x.group
	}
	c.mu.Unlock()
	// Derived from the component's own context, which registers the child
	// with AfterFunc (it takes c.mu): made without the lock held.
	ctx, cancel := context.WithCancel(&c.ctx)
	c.mu.Lock()
	x := c.goesLocked()
	if g := x.group; g != nil { // made meanwhile by another goroutine
		c.mu.Unlock()
		cancel()
		return g
	}
	g := &goGroup{ctx: ctx, cancel: cancel}
	x.group = g
	c.set(flagGoes)
	c.mu.Unlock()
	return g
}

func (c *Core) runGo(g *goGroup, f func(ctx context.Context) error) {
	var err error
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
		c.goEnded(g, err)
	}()
	err = f(g.ctx)
}

// goEnded records the end of a helper. A failure cancels the component.
func (c *Core) goEnded(g *goGroup, err error) {
	var pe *PanicError
	failed := err != nil && (errors.As(err, &pe) || g.ctx.Err() == nil || !errors.Is(err, g.ctx.Err()))
	c.mu.Lock()
	first := failed && g.err == nil
	if first {
		g.err = err
	}
	g.n--
	if g.n == 0 && g.idle != nil {
		close(g.idle)
		g.idle = nil
	}
	c.keepAddLocked(-1)
	s := c.keepOnLocked()
	c.mu.Unlock()
	if first {
		g.cancel()
		c.ctx.cancel(Shutdown{Reason: fmt.Errorf("%s: goroutine failed: %w", c.Name(), err)}, nil)
	}
	if s != nil {
		s.checkStuck()
	}
}

// startGoroutines starts what Go queued before the component was activated.
func (c *Core) startGoroutines() {
	if !c.has(flagGoes) {
		return
	}
	c.mu.Lock()
	x := c.goesIfAny()
	if x == nil || x.pending == nil {
		c.mu.Unlock()
		return
	}
	fs := x.pending
	x.pending = nil
	c.mu.Unlock()
	for _, f := range fs {
		c.Go(f)
	}
}

// endGoroutines is called when Main has returned mainErr: it cancels the
// helpers' context, waits for every helper to return and returns the
// component's error, the first failure of Main and its helpers.
func (c *Core) endGoroutines(mainErr error) error {
	if !c.has(flagGoes) {
		return mainErr
	}
	c.mu.Lock()
	x := c.goesIfAny()
	if x == nil || x.group == nil {
		c.mu.Unlock()
		return mainErr
	}
	g := x.group
	g.ended = true
	g.mainOK = g.err == nil && !c.isFailure(mainErr)
	var idle chan struct{}
	if g.n > 0 {
		g.idle = make(chan struct{})
		idle = g.idle
	}
	c.mu.Unlock()
	g.cancel()
	if idle != nil {
		<-idle
	}
	c.mu.Lock()
	g.closed = true
	err := mainErr
	if g.err != nil && (g.mainOK || !c.isFailure(mainErr)) {
		err = g.err
	}
	c.mu.Unlock()
	return err
}

// isFailure reports whether Main's error is a failure rather than a clean
// end or the answer to being told to stop.
func (c *Core) isFailure(err error) bool {
	if err == nil || errors.Is(err, ErrFinished) {
		return false
	}
	if c.ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return false
	}
	return true
}
