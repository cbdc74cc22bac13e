package axon

import (
	"context"
	"sync"
	"time"
)

// runCtx is the context given to a component's Main. It is part of Core, so
// a component costs no context allocation and no entry in a parent context's
// child table: a scheduler or parent cancels its components directly. Its
// Done channel is made only when asked for; the runtime's own waits are woken
// through the component's wake channel instead.
type runCtx struct {
	c      *Core
	parent context.Context // for Value and Deadline

	mu       sync.Mutex
	err      error
	reason   Shutdown
	done     chan struct{}
	afterFns map[*afterFn]struct{}
}

type afterFn struct{ f func() }

var closedChan = func() chan struct{} { ch := make(chan struct{}); close(ch); return ch }()

func (r *runCtx) Deadline() (time.Time, bool) { return r.parent.Deadline() }

func (r *runCtx) Done() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done == nil {
		if r.err != nil {
			return closedChan
		}
		r.done = make(chan struct{})
	}
	return r.done
}

func (r *runCtx) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *runCtx) Value(key any) any { return r.parent.Value(key) }

// AfterFunc lets context.AfterFunc and contexts derived from this one
// (context.WithTimeout(ctx, ...)) register without starting a goroutine.
func (r *runCtx) AfterFunc(f func()) (stop func() bool) {
	r.mu.Lock()
	if r.err != nil {
		r.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	a := &afterFn{f}
	if r.afterFns == nil {
		r.afterFns = make(map[*afterFn]struct{})
	}
	r.afterFns[a] = struct{}{}
	r.mu.Unlock()
	return func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		if _, ok := r.afterFns[a]; ok {
			delete(r.afterFns, a)
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
	r.mu.Lock()
	if r.err != nil {
		r.mu.Unlock()
		return
	}
	r.err = err
	r.reason = reason
	if r.done != nil {
		close(r.done)
	}
	fns := r.afterFns
	r.afterFns = nil
	r.mu.Unlock()
	for a := range fns {
		go a.f()
	}
	c := r.c
	c.notify()
	c.mu.Lock()
	kids := append([]*Core(nil), c.children...)
	c.mu.Unlock()
	for _, k := range kids {
		k.ctx.cancel(reason, err)
	}
}

func (r *runCtx) shutdownReason() (Shutdown, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reason, r.err != nil
}
