package internet

import (
	"context"
	"errors"
	"sync"

	"github.com/kamaelia-go/kamaelia/axon"
)

// errStopPump is what a pump's read function returns to end the pump
// without an error of its own to report.
var errStopPump = errors.New("internet: pump stopped")

// pump is the hidden child component that does a component's blocking reads
// (a socket read, an accept) and sends what it reads on its outbox, which its
// parent forwards out of one of its own outboxes with a passthrough link.
//
// It exists because a blocking send parks the goroutine on the core of the
// outbox's owner, and only one goroutine may park on a core: the parent's
// Main waits on its inboxes (data to write, control), so the reading side,
// which waits on a socket and then on a slow consumer, needs a core of its
// own. Back-pressure then stops the reading and nothing else: a consumer
// that is slow to take what a connection read never stops the connection
// from writing what it is given, so an echo loop cannot deadlock in it.
//
// The pump ends when read fails, or when its parent stops it; the parent
// learns of it through Core.Wait (a child ended).
type pump[T any] struct {
	axon.Core
	out *axon.Outbox[T]
	// read blocks until it has a value or the source ends; an error ends
	// the pump.
	read func(ctx context.Context) (T, error)
	// undelivered, when set, is given a value that could not be sent
	// because the pump was stopped, or because its outbox led nowhere.
	undelivered func(T)
	// end, when set, makes what Main returns from the error that ended
	// read by itself (not by a stop or a shutdown).
	end func(err error) error
	// parent, when set, is the context of the parent's Main. A parent told
	// to stop now closes the source before the runtime cancels this child
	// (the parent's ctx ends first); a read failing then is the shutdown,
	// not an end of the source.
	parent context.Context

	mu       sync.Mutex
	stopped  bool
	reason   error
	stopSend context.CancelFunc

	err error // why read ended by itself; valid after Done
}

func newPump[T any](name string, read func(ctx context.Context) (T, error), undelivered func(T)) *pump[T] {
	p := &pump[T]{read: read, undelivered: undelivered}
	p.out = axon.NewOutbox[T](p, "outbox")
	p.SetName(name)
	return p
}

// stop makes the pump end with ProducerFinished{Reason: reason} on its
// signal once its read fails (the parent closes the source after calling
// stop). A send waiting for room is abandoned.
func (p *pump[T]) stop(reason error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.stopped, p.reason = true, reason
	if p.stopSend != nil {
		p.stopSend()
	}
}

func (p *pump[T]) stopReason() (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped, p.reason
}

// Main reads and sends until read fails or the pump is stopped or shut down.
func (p *pump[T]) Main(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.mu.Lock()
	p.stopSend = cancel
	if p.stopped {
		cancel()
	}
	p.mu.Unlock()
	for {
		v, err := p.read(ctx)
		if err != nil {
			if stopped, r := p.stopReason(); stopped {
				return axon.Finish(r)
			}
			if p.parent != nil && p.parent.Err() != nil {
				<-ctx.Done() // the runtime cancels the children next
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			p.err = err
			if p.end != nil {
				return p.end(err)
			}
			return nil
		}
		if p.undelivered != nil && !p.out.Linked() {
			p.undelivered(v)
			continue
		}
		if err := p.out.Send(sctx, v); err != nil {
			if p.undelivered != nil {
				p.undelivered(v)
			}
			if stopped, r := p.stopReason(); stopped {
				return axon.Finish(r)
			}
			return err
		}
	}
}

// ended reports whether the pump has finished, and then the error that
// ended its read by itself (nil after a stop or a shutdown).
func (p *pump[T]) ended() (bool, error) {
	select {
	case <-p.Done():
		return true, p.err
	default:
		return false, nil
	}
}

// startPump makes p a child of parent, forwards p's outbox out of parent's
// out, and activates it. The link belongs to parent, so it goes when parent
// finishes, after the runtime has waited for p.
func startPump[T any](parent *axon.Core, p *pump[T], out *axon.Outbox[T]) error {
	parent.AddChildren(p)
	if _, err := parent.Link(p.out, out); err != nil {
		parent.RemoveChild(p)
		return err
	}
	parent.ActivateChildren()
	return nil
}

// drainControl takes every message waiting on c's control inbox and
// returns the first *axon.Failure among them, if any: a failure of the
// component whose signal is linked to c's control. It is Core.TakeControl
// for the callers that need only the failure.
func drainControl(c *axon.Core) *axon.Failure { return c.TakeControl(nil).Failure }
