package axon

import (
	"context"
	"errors"
	"runtime/debug"
	"sync"
)

// FeedItem is one thing a Feed's producer hands its component: a value, or
// (End) the end of what it produces and why.
type FeedItem[T any] struct {
	V   T     // the value, unless End
	Err error // with End: nil after a clean end, else what the producer returned
	End bool  // the producer has returned: no more items from this run
}

// Feed carries what a producer goroutine makes (lines read from a
// terminal, chunks read from a pipe or a device) into a private inbox of
// its component, so that Main waits on the producer, its control inbox and
// its other inboxes with one Core.Wait: the blocking read runs in the
// producer, and the component still hears Shutdown and ProducerFinished at
// once.
//
// The producer is a goroutine of the component (Core.Go): a panic in it is
// the component's failure, and the component does not finish before it
// returns. Its context is done when the feed is stopped, when the component
// is told to stop now and when Main returns; a producer blocked in a read
// must then be ended by closing what it reads (context.AfterFunc does it).
// At most window values wait in the inbox; the producer then waits for
// room (back-pressure) or to be stopped.
//
// Start, TryRecv and Stop are for Main (one goroutine). A feed may be
// started again once its previous run has ended (Done closed).
//
//	type Lines struct {
//		axon.Core
//		Out  *axon.Outbox[string]
//		feed *axon.Feed[string]
//		r    io.ReadCloser
//	}
//
//	func (l *Lines) Main(ctx context.Context) error {
//		l.feed.Start(func(ctx context.Context, emit func(string) bool) error {
//			stop := context.AfterFunc(ctx, func() { l.r.Close() }) // ends a blocked read
//			defer stop()
//			sc := bufio.NewScanner(l.r)
//			for sc.Scan() && emit(sc.Text()) {
//			}
//			return sc.Err()
//		})
//		for {
//			for it, ok := l.feed.TryRecv(); ok; it, ok = l.feed.TryRecv() {
//				if it.End {
//					return it.Err
//				}
//				if err := l.Out.Send(ctx, it.V); err != nil {
//					return err
//				}
//			}
//			if err := l.Wait(ctx); err != nil {
//				return err
//			}
//		}
//	}
type Feed[T any] struct {
	c   *Core
	in  *Inbox[FeedItem[T]]
	out *Outbox[FeedItem[T]]
	run *feedRun
}

// feedRun is one run of a feed's producer.
type feedRun struct {
	room chan struct{} // a value was taken: there may be room
	done chan struct{} // the producer's goroutine has returned

	mu      sync.Mutex
	stopped bool
	cancel  context.CancelFunc // the producer's context, once it has one
}

// NewFeed declares the inbox and outbox called name on comp, links them
// (the link is comp's, removed when it finishes) and returns the feed. At
// most window values (at least 1) wait in the inbox. Give the boxes a name
// starting with "_" to keep them out of Handles.
func NewFeed[T any](comp Component, name string, window int) *Feed[T] {
	f := &Feed[T]{c: coreOf(comp)}
	f.in = NewInbox[FeedItem[T]](comp, name)
	f.in.SetCapacity(max(window, 1))
	f.out = NewOutbox[FeedItem[T]](comp, name)
	if _, err := f.c.Link(f.out, f.in); err != nil {
		panic(err) // two fresh boxes of one type: cannot fail
	}
	return f
}

// Inbox returns the feed's inbox, for WaitFor.
func (f *Feed[T]) Inbox() *Inbox[FeedItem[T]] { return f.in }

// Start runs produce in a new goroutine of the component (Core.Go).
// produce hands each value to emit, which waits while the inbox is full and
// returns false once the feed is stopped or produce's ctx is done (produce
// should then return); what produce returns ends the run with an End item,
// unless the feed was stopped. Starting a feed whose run has not ended
// panics.
func (f *Feed[T]) Start(produce func(ctx context.Context, emit func(T) bool) error) {
	f.start(func(ctx context.Context, emit func(T) bool, end func(error)) error {
		end(produce(ctx, emit))
		return nil
	})
}

// StartDetached is Start for a producer whose blocking call nothing can
// interrupt (a read of standard input, which is never closed): once the
// feed is stopped, or its component told to stop or its Main returned, the
// component stops waiting for the producer and may finish; the producer's
// goroutine lives on until its call returns, and what it emits after is
// refused. A panic in the producer is the component's failure while the
// component waits for it, and is logged after, on the logger of the
// component's scheduler (Scheduler.SetLogger).
func (f *Feed[T]) StartDetached(produce func(emit func(T) bool) error) {
	name := f.c.Name()
	f.start(func(ctx context.Context, emit func(T) bool, end func(error)) error {
		// The producer's end is handed over under mu, and detached says,
		// under mu, that nothing waits for it any more: a panic is then
		// either returned (the component's failure) or logged, never lost
		// between the two.
		var (
			mu       sync.Mutex
			detached bool
			ended    = make(chan error, 1)
		)
		sched := f.c.Scheduler()
		go func() {
			var err error
			defer func() {
				var pe *PanicError
				if v := recover(); v != nil {
					pe = &PanicError{Value: v, Stack: debug.Stack()}
					err = pe
				}
				mu.Lock()
				gone := detached
				if !gone {
					ended <- err
				}
				mu.Unlock()
				if gone && pe != nil {
					sched.currentLogger().Error("component's detached producer panicked", "component", name, "err", pe)
				}
			}()
			err = produce(emit)
		}()
		select {
		case err := <-ended:
			var pe *PanicError
			if errors.As(err, &pe) {
				return pe
			}
			end(err)
		case <-ctx.Done():
			mu.Lock()
			detached = true
			mu.Unlock()
			// A panic handed over before detached was set is still the
			// component's failure.
			select {
			case err := <-ended:
				var pe *PanicError
				if errors.As(err, &pe) {
					return pe
				}
			default:
			}
		}
		return nil
	})
}

// start runs body in a goroutine of the component with the run's context,
// emit for its values and end for its end; body returns what the goroutine
// returns to Core.Go.
func (f *Feed[T]) start(body func(ctx context.Context, emit func(T) bool, end func(error)) error) {
	r := f.begin()
	f.c.Go(func(ctx context.Context) error {
		defer close(r.done)
		ctx, cancel := r.context(ctx)
		defer cancel()
		if ctx.Err() != nil {
			return nil // stopped before it started
		}
		return body(ctx,
			func(v T) bool { return f.put(ctx, r, FeedItem[T]{V: v}) },
			func(err error) { f.put(ctx, r, FeedItem[T]{Err: err, End: true}) })
	})
}

func (f *Feed[T]) begin() *feedRun {
	if f.run != nil {
		select {
		case <-f.run.done:
		default:
			panic("axon: Feed.Start: the feed's producer is still running")
		}
	}
	// Made here, by Main, so that they belong to the component's run (and
	// to a testing/synctest bubble when the test runs in one).
	r := &feedRun{room: make(chan struct{}, 1), done: make(chan struct{})}
	f.run = r
	return r
}

// context returns the producer's context, which Stop cancels (done at
// once if the feed was stopped already).
func (r *feedRun) context(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		cancel()
	}
	r.cancel = cancel
	return ctx, cancel
}

func (f *Feed[T]) put(ctx context.Context, r *feedRun, it FeedItem[T]) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		err := f.out.TrySend(it)
		if err == nil {
			return true
		}
		if !errors.Is(err, ErrBoxFull) {
			return false
		}
		select {
		case <-r.room:
		case <-ctx.Done():
			return false
		}
	}
}

// TryRecv takes the next item, if one is waiting, and tells the producer
// there is room.
func (f *Feed[T]) TryRecv() (FeedItem[T], bool) {
	it, ok := f.in.TryRecv()
	if ok && f.run != nil {
		select {
		case f.run.room <- struct{}{}:
		default:
		}
	}
	return it, ok
}

// Stop tells the producer to stop: its context is done, its next emit
// refuses, and so does its end, so nothing more comes from this run. It
// does not wait; Done is closed when the producer's goroutine has returned.
func (f *Feed[T]) Stop() {
	r := f.run
	if r == nil {
		return
	}
	r.mu.Lock()
	r.stopped = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Done is closed when the producer's goroutine of the latest run has
// returned; nil before Start.
func (f *Feed[T]) Done() <-chan struct{} {
	if f.run == nil {
		return nil
	}
	return f.run.done
}
