package workqueue

import (
	"context"
	"errors"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/nats-io/nats.go"
)

// Publisher is the capture side's component: it queues each job it is
// sent.
//
// Boxes:
//
//	inbox    Job    jobs to queue
//	control  any    ProducerFinished, Shutdown
//	outbox   Ack    each job's Ack, once the server has stored it (a job
//	                queued before has Duplicate set)
//	errors   error  each job that is not valid (wrapping ErrBadJob): it is
//	                not queued (dropped, and counted, when nothing is linked)
//	signal   any    the outcome
//
// It opens the queue when it starts (NewPublisher) or uses one the caller
// opened (NewQueuePublisher), and closes only what it opened. A job the
// server does not take (no connection within the context's time, no
// stream) is its failure, naming the job.
//
// Shutdown: ProducerFinished queues what it has been sent and ends;
// Shutdown ends at once (a job being queued may or may not have been
// stored: publishing it again is harmless, being deduplicated by its ID).
type Publisher struct {
	axon.Core
	In   *axon.Inbox[Job]
	Out  *axon.Outbox[Ack]
	Errs *axon.Outbox[error]

	url  string
	cfg  Config
	opts []nats.Option
	q    *Queue
}

// NewPublisher returns a Publisher that opens the queue cfg names on the
// server at url (see Open) when it starts.
func NewPublisher(url string, cfg Config, opts ...nats.Option) *Publisher {
	p := &Publisher{url: url, cfg: cfg, opts: opts}
	p.init()
	return p
}

// NewQueuePublisher returns a Publisher on q, which the caller closes.
func NewQueuePublisher(q *Queue) *Publisher {
	p := &Publisher{q: q}
	p.init()
	return p
}

func (p *Publisher) init() {
	p.In = axon.NewInbox[Job](p, "inbox")
	p.Out = axon.NewOutbox[Ack](p, "outbox")
	p.Errs = axon.NewOutbox[error](p, "errors")
	p.SetName("workqueue.Publisher")
}

// Main queues jobs until told to stop.
func (p *Publisher) Main(ctx context.Context) error {
	q := p.q
	if q == nil {
		var err error
		if q, err = Open(ctx, p.url, p.cfg, p.opts...); err != nil {
			return err
		}
		defer q.Close()
	}
	for j := range p.In.Messages(ctx) {
		ack, err := q.Publish(ctx, j)
		if errors.Is(err, ErrBadJob) {
			if err := p.Errs.Send(ctx, err); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := p.Out.Send(ctx, ack); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Worker is the component that does jobs: it takes them from the queue and
// runs its Handler on each (see Queue.Work for how, and Handler for the
// contract that commits each job once).
//
// Boxes:
//
//	inbox    not used
//	control  any     ProducerFinished, Shutdown
//	outbox   Result  each job's outcome: done (Err nil, acknowledged),
//	                 failed and to be tried again, or given up (Final)
//	signal   any     the outcome
//
// It opens the queue when it starts (NewWorker) or uses one the caller
// opened (NewQueueWorker). Results are sent with back-pressure: a
// consumer that does not take them holds the worker up (an outbox linked
// to nothing drops them, counted).
//
// Shutdown: ProducerFinished takes no more jobs, lets the ones running
// finish and ends; Shutdown cancels the jobs running (they go back to the
// queue at once, for another worker) and ends. A queue that cannot be
// opened, or whose consumer or stream is deleted, is its failure.
type Worker struct {
	axon.Core
	Out *axon.Outbox[Result]

	// Options are Work's (Results is the Worker's own and is ignored).
	Options WorkOptions

	url     string
	cfg     Config
	opts    []nats.Option
	q       *Queue
	handler Handler
}

// NewWorker returns a Worker that opens the queue cfg names on the server
// at url (see Open) when it starts, and runs h on each job.
func NewWorker(url string, cfg Config, h Handler, opts ...nats.Option) *Worker {
	w := &Worker{url: url, cfg: cfg, opts: opts, handler: h}
	w.init()
	return w
}

// NewQueueWorker returns a Worker on q, which the caller closes.
func NewQueueWorker(q *Queue, h Handler) *Worker {
	w := &Worker{q: q, handler: h}
	w.init()
	return w
}

func (w *Worker) init() {
	w.Out = axon.NewOutbox[Result](w, "outbox")
	w.SetName("workqueue.Worker")
}

// Main works until told to stop.
func (w *Worker) Main(ctx context.Context) error {
	if w.handler == nil {
		return errors.New("workqueue: Worker with a nil Handler")
	}
	q := w.q
	if q == nil {
		var err error
		if q, err = Open(ctx, w.url, w.cfg, w.opts...); err != nil {
			return err
		}
		defer q.Close()
	}
	drain := make(chan struct{})
	done := make(chan error, 1)
	wk := w.NewWaker()
	defer wk.Close()
	o := w.Options
	o.Drain = drain
	o.Results = func(r Result) { _ = w.Out.Send(ctx, r) } // fails only when ctx ends
	w.Go(func(context.Context) error {
		done <- q.Work(ctx, w.handler, o)
		wk.Wake()
		return nil
	})
	drained := false
	for {
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("workqueue: worker: %w", err)
			}
			return ctx.Err()
		default:
		}
		if w.TakeControl(nil).Finishing && !drained {
			drained = true
			close(drain)
		}
		if err := w.Wait(ctx); err != nil {
			<-done // Work ends with ctx
			return err
		}
	}
}
