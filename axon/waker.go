package axon

import "sync/atomic"

// Waker lets any goroutine wake a component: a library's callback (a NATS
// subscription, a timer, an OS notification) that has left something for
// the component, in a structure of its own, calls Wake, and the
// component's Wait or WaitFor returns. Wakes before the component next
// waits are not lost, and several wakes coalesce into one return.
//
// While it is open a Waker tells the scheduler that something outside the
// component's boxes may still wake it, so a component that sleeps waiting
// for a Waker is never reported as deadlocked (see Scheduler). Close it when
// nothing will call Wake any more; the component finishing closes it too.
//
//	func (n *Subscriber) Main(ctx context.Context) error {
//		w := n.NewWaker()
//		defer w.Close()
//		var mu sync.Mutex
//		var got []*nats.Msg
//		sub, err := n.conn.Subscribe(n.subject, func(m *nats.Msg) {
//			mu.Lock()
//			got = append(got, m)
//			mu.Unlock()
//			w.Wake()
//		})
//		if err != nil {
//			return err
//		}
//		defer sub.Unsubscribe()
//		for {
//			if err := n.Wait(ctx); err != nil {
//				return err
//			}
//			if w.Woken() {
//				mu.Lock()
//				msgs := got
//				got = nil
//				mu.Unlock()
//				for _, m := range msgs {
//					if err := n.Out.Send(ctx, m.Data); err != nil {
//						return err
//					}
//				}
//			}
//		}
//	}
type Waker struct {
	c      *Core
	woken  atomic.Bool
	closed atomic.Bool
}

// NewWaker returns an open Waker of the component. It may be made before
// the component is activated.
func (c *Core) NewWaker() *Waker {
	c.init(c.selfOrNil())
	w := &Waker{c: c}
	c.keepAdd(1)
	return w
}

// Wake makes the component's Wait or WaitFor return, now if it is waiting,
// else the next time it waits; safe from any goroutine. Recv and Messages
// are not ended by it: they wait for a message. Wake on a closed Waker
// does nothing.
func (w *Waker) Wake() {
	if w.closed.Load() {
		return
	}
	w.woken.Store(true)
	w.c.set(flagWoken)
	w.c.notify()
}

// Woken reports whether Wake was called since the last Woken, and clears
// it: the component asks after its Wait returns, to learn which of its
// Wakers woke it.
func (w *Waker) Woken() bool { return w.woken.Load() && w.woken.Swap(false) }

// Close ends the Waker: later Wakes do nothing, and the component no
// longer counts as one that something outside may wake. Closing twice does
// nothing.
func (w *Waker) Close() {
	if w.closed.CompareAndSwap(false, true) {
		w.c.keepAdd(-1)
	}
}
