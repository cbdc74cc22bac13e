package internet

import (
	"context"
	"errors"

	"github.com/kamaelia-go/kamaelia/axon"
)

// errStopPump is what a pump's read function returns to end the pump
// without an error of its own to report.
var errStopPump = errors.New("internet: pump stopped")

// pump is the hidden child component that does a component's blocking reads
// (an accept, a datagram read) and sends what it reads on its outbox, which
// its parent forwards out of one of its own outboxes with a passthrough
// link.
//
// It exists because a blocking send parks the goroutine on the core of the
// outbox's owner, and only one goroutine may park on a core: the parent's
// Main waits on its inboxes (data to send, control), so the reading side,
// which waits on a socket and then on a slow consumer, needs a core of its
// own. Back-pressure then stops the reading and nothing else. (A TCP
// connection, made by the thousand, reads in its own Main instead: see
// sock.run.)
//
// The pump ends when read fails, or when its parent is stopped; the parent
// learns of it through Core.Wait (a child ended).
type pump[T any] struct {
	axon.Core
	out *axon.Outbox[T]
	// read blocks until it has a value or the source ends; an error ends
	// the pump.
	read func(ctx context.Context) (T, error)
	// undelivered, when set, is given a value that could not be sent
	// because the pump was shut down, or because its outbox led nowhere.
	undelivered func(T)
	// parent, when set, is the context of the parent's Main. A parent told
	// to stop now closes the source before the runtime cancels this child
	// (the parent's ctx ends first); a read failing then is the shutdown,
	// not an end of the source.
	parent context.Context

	err error // why read ended by itself; valid after Done
}

func newPump[T any](name string, read func(ctx context.Context) (T, error), undelivered func(T)) *pump[T] {
	p := &pump[T]{read: read, undelivered: undelivered}
	p.out = axon.NewOutbox[T](p, "outbox")
	p.SetName(name)
	return p
}

// Main reads and sends until read fails or the pump is shut down.
func (p *pump[T]) Main(ctx context.Context) error {
	for {
		v, err := p.read(ctx)
		if err != nil {
			if p.parent != nil && p.parent.Err() != nil {
				<-ctx.Done() // the runtime cancels the children next
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			p.err = err
			return nil
		}
		if p.undelivered != nil && !p.out.Linked() {
			p.undelivered(v)
			continue
		}
		if err := p.out.Send(ctx, v); err != nil {
			if p.undelivered != nil {
				p.undelivered(v)
			}
			return err
		}
	}
}

// ended reports whether the pump has finished, and then the error that
// ended its read by itself (nil after a shutdown).
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
