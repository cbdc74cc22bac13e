package axon

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// runCtx is the context given to a component's Main. It is part of Core, so
// a component costs no context allocation and no entry in a parent context's
// child table: a scheduler or parent cancels its components directly. Its
// Done channel is made only when asked for; the runtime's own waits are woken
// through the component's wake channel instead.
type runCtx struct {
	parent context.Context // for Value and Deadline

	mu   sync.Mutex // guards done, and err's change
	err  atomic.Pointer[error]
	done chan struct{}
}

// core returns the Core that r is part of. A runCtx exists only as the ctx
// field of a Core, so its Core starts a fixed distance before it: found so,
// rather than kept in a pointer, it costs every component eight bytes less
// (which keeps a Core at 200 bytes, and a component of a Core and a box
// pointer in the 208-byte size class).
func (r *runCtx) core() *Core {
	return (*Core)(unsafe.Add(unsafe.Pointer(r), -ctxOffset))
}

// ctxOffset is where a Core's runCtx starts within it.
const ctxOffset = int(unsafe.Offsetof(Core{}.ctx))

type afterFn struct{ f func() }

var closedChan = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

func (r *runCtx) Deadline() (time.Time, bool) { return r.getParent().Deadline() }

// getParent and setParent guard parent: a parent may adopt or give up the
// component while contexts derived from it look values up.
func (r *runCtx) getParent() context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.parent
}

func (r *runCtx) setParent(p context.Context) {
	r.mu.Lock()
	r.parent = p
	r.mu.Unlock()
}

func (r *runCtx) Done() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		if r.err.Load() != nil {
			return closedChan
		}
		r.done = make(chan struct{})
	}
	return r.done
}

// Err is one atomic load: receives check it before every message.
func (r *runCtx) Err() error {
	if p := r.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (r *runCtx) Value(key any) any { return r.getParent().Value(key) }

// AfterFunc lets context.AfterFunc and contexts derived from this one
// (context.WithTimeout(ctx, ...)) register without starting a goroutine.
func (r *runCtx) AfterFunc(f func()) (stop func() bool) {
	c := r.core()
	c.mu.Lock()
	if r.Err() != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	a := &afterFn{f}
	x := c.extra()
	// A slice, not a set: a component has a few at a time, and an empty
	// map would cost more than the registrations.
	x.afterFns = append(x.afterFns, a)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if i := slices.Index(c.x.afterFns, a); i >= 0 {
			c.x.afterFns = slices.Delete(c.x.afterFns, i, i+1)
			return true
		}
		return false
	}
}

// cancel stops the component now: Err becomes context.Canceled (or err, when
// given), the component is woken, and its running children are cancelled
// with the same reason. Only the first cancel counts.
func (r *runCtx) cancel(reason Shutdown, err error) {
	if err == nil {
		err = context.Canceled
	}
	c := r.core()
	c.mu.Lock()
	if r.err.Load() != nil {
		c.mu.Unlock()
		return
	}
	x := c.extra()
	if !x.stopping {
		// From here on a child activated under c starts stopped (see
		// stopReason): the children told below are the ones c has now.
		x.stopping = true
		x.reason = reason
	}
	kids := slices.Clone(x.children)
	c.mu.Unlock()
	// Children first: a parent that sees its own cancellation and returns
	// must find them already told why, or its ending would tell them
	// something else.
	for _, k := range kids {
		k.ctx.cancel(reason, err)
	}
	c.mu.Lock()
	r.mu.Lock()
	if r.err.Load() != nil {
		r.mu.Unlock()
		c.mu.Unlock()
		return
	}
	r.err.Store(&err)
	if r.done != nil {
		close(r.done)
	}
	r.mu.Unlock()
	fns := x.afterFns
	x.afterFns = nil
	c.mu.Unlock()
	for _, a := range fns {
		go a.f()
	}
	c.notify()
}

// stopReason is shutdownReason counting a stop under way too: true from the
// moment cancel takes the list of children to tell, a moment before Err is
// set. A child activated under a parent that is stopping must start stopped,
// as it is not on that list.
func (r *runCtx) stopReason() (Shutdown, bool) {
	c := r.core()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x == nil || !c.x.stopping {
		return Shutdown{}, false
	}
	return c.x.reason, true
}

func (r *runCtx) shutdownReason() (Shutdown, bool) {
	c := r.core()
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.Err() == nil {
		return Shutdown{}, false
	}
	return c.x.reason, true
}
