package workqueue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Job is one piece of work: an ID that names it for good (the queue keeps
// one job of each ID, and a Handler commits each ID once), metadata for the
// worker, and what to work on, carried in the job (Payload) or named by a
// path the workers can reach (Path, on storage they share).
type Job struct {
	// ID names the job; it must be unique among jobs, non-empty, at most
	// MaxIDLength bytes, and free of white space and control characters.
	ID string
	// Meta is JSON for the Handler: what the job is (a programme's
	// metadata, a profile). Empty is null.
	Meta json.RawMessage
	// Payload is the job's bytes, carried in the queue (they count against
	// the server's max_payload).
	Payload []byte
	// Path names a file holding the job's input instead, on storage every
	// worker reaches.
	Path string
	// Attempt is 1 the first time a job is handed to a worker, and one
	// more each time it is handed out again (set by the queue; ignored when
	// publishing).
	Attempt int
}

// MaxIDLength is the longest Job.ID.
const MaxIDLength = 256

// Headers of a job's message; its body is the Payload.
const (
	headerPath = "Kamaelia-Job-Path"
	headerMeta = "Kamaelia-Job-Meta"
)

// ErrBadJob is wrapped by the error of a job that cannot be queued: an ID
// missing or badly formed, Meta that is not JSON.
var ErrBadJob = errors.New("workqueue: bad job")

// ErrBadMessage is wrapped by the error a worker reports for a message on
// the queue's subject that is not a job (it is terminated, never retried).
var ErrBadMessage = errors.New("workqueue: message is not a job")

// Check reports what is wrong with j as a job to queue, or nil.
func (j Job) Check() error {
	if j.ID == "" {
		return fmt.Errorf("%w: no ID", ErrBadJob)
	}
	if len(j.ID) > MaxIDLength {
		return fmt.Errorf("%w: ID of %d bytes (at most %d)", ErrBadJob, len(j.ID), MaxIDLength)
	}
	for _, r := range j.ID {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("%w: ID %q holds white space or a control character", ErrBadJob, j.ID)
		}
	}
	if strings.ContainsAny(j.Path, "\r\n") {
		return fmt.Errorf("%w: job %s: path holds a line break", ErrBadJob, j.ID)
	}
	if len(j.Meta) > 0 && !json.Valid(j.Meta) {
		return fmt.Errorf("%w: job %s: Meta is not JSON", ErrBadJob, j.ID)
	}
	return nil
}

// message returns j as the message that carries it.
func (j Job) message(subject string) (*nats.Msg, error) {
	if err := j.Check(); err != nil {
		return nil, err
	}
	m := nats.NewMsg(subject)
	m.Data = j.Payload
	m.Header.Set(jetstream.MsgIDHeader, j.ID)
	if j.Path != "" {
		m.Header.Set(headerPath, j.Path)
	}
	if len(j.Meta) > 0 {
		// Compact: a header is one line.
		var b bytes.Buffer
		if err := json.Compact(&b, j.Meta); err != nil {
			return nil, fmt.Errorf("%w: job %s: %v", ErrBadJob, j.ID, err)
		}
		m.Header.Set(headerMeta, b.String())
	}
	return m, nil
}

// jobOf reads the job a message carries.
func jobOf(m jetstream.Msg) (Job, error) {
	h := m.Headers()
	j := Job{ID: h.Get(jetstream.MsgIDHeader), Payload: m.Data(), Path: h.Get(headerPath)}
	if meta := h.Get(headerMeta); meta != "" {
		j.Meta = json.RawMessage(meta)
	}
	if md, err := m.Metadata(); err == nil {
		j.Attempt = int(md.NumDelivered)
	}
	if err := j.Check(); err != nil {
		return j, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	return j, nil
}

// Config names a queue and sets how it hands jobs out. The zero Config is
// the default queue.
type Config struct {
	// Stream is the JetStream stream holding the jobs; "" is "JOBS".
	Stream string
	// Subject is the subject jobs are published on; "" is
	// "kamaelia.jobs.<Stream>".
	Subject string
	// Consumer is the durable consumer every worker of the queue shares;
	// "" is "workers".
	Consumer string
	// AckWait is the ack deadline: a job handed to a worker that neither
	// finishes it nor says it is still at work (a worker says so every
	// AckWait/3 while its Handler runs) is handed out again after it. 0 is
	// 30 s.
	AckWait time.Duration
	// MaxDeliver is how many times a job is handed out before it is given
	// up (a Handler that fails each time, a worker killed each time); 0 is
	// 5.
	MaxDeliver int
	// Retry is the wait before a job whose Handler failed is handed out
	// again (times the attempt, at most a minute); 0 is 1 s.
	Retry time.Duration
	// Duplicates is how long the stream remembers a job's ID: a job
	// published again within it (a capture side that retries) is not queued
	// twice. 0 is 24 h.
	Duplicates time.Duration
	// Memory keeps the jobs in memory instead of files (they are then lost
	// with the server).
	Memory bool
	// Replicas is the stream's copies in a JetStream cluster; 0 is 1.
	Replicas int
}

func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = "JOBS"
	}
	if c.Subject == "" {
		c.Subject = "kamaelia.jobs." + c.Stream
	}
	if c.Consumer == "" {
		c.Consumer = "workers"
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if c.Retry <= 0 {
		c.Retry = time.Second
	}
	if c.Duplicates <= 0 {
		c.Duplicates = 24 * time.Hour
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	return c
}

// Queue is a work queue on a JetStream stream with the work-queue
// retention policy: a job is kept until a worker acknowledges it, and
// each job goes to one worker at a time. Every method is safe for
// concurrent use.
type Queue struct {
	cfg    Config
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	cons   jetstream.Consumer
}

// Open connects to the NATS server at url (a JetStream server: see
// natsplane.ServerConfig.JetStreamDir for an embedded one, or an external
// cluster's URLs, comma-separated) with opts (credentials, TLS), and makes
// the queue's stream and consumer, or takes them as they are when they
// exist with the same settings. Close it when done.
func Open(ctx context.Context, url string, cfg Config, opts ...nats.Option) (*Queue, error) {
	nc, err := nats.Connect(url, append([]nats.Option{nats.Name("kamaelia workqueue"), nats.MaxReconnects(-1)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("workqueue: connecting to %s: %w", url, err)
	}
	q, err := OpenConn(ctx, nc, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	q.nc = nc
	return q, nil
}

// OpenConn is Open on a connection the caller made; Close then leaves it
// open.
func OpenConn(ctx context.Context, nc *nats.Conn, cfg Config) (*Queue, error) {
	cfg = cfg.withDefaults()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("workqueue: %w", err)
	}
	storage := jetstream.FileStorage
	if cfg.Memory {
		storage = jetstream.MemoryStorage
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        cfg.Stream,
		Subjects:    []string{cfg.Subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     storage,
		Replicas:    cfg.Replicas,
		Duplicates:  cfg.Duplicates,
		Description: "kamaelia work queue",
	})
	if err != nil {
		return nil, fmt.Errorf("workqueue: stream %s: %w", cfg.Stream, err)
	}
	cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       cfg.Consumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxDeliver:    cfg.MaxDeliver,
		FilterSubject: cfg.Subject,
		MaxAckPending: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("workqueue: consumer %s of %s: %w", cfg.Consumer, cfg.Stream, err)
	}
	return &Queue{cfg: cfg, js: js, stream: st, cons: cons}, nil
}

// Config returns the queue's settings, defaults filled in.
func (q *Queue) Config() Config { return q.cfg }

// Close closes the connection Open made.
func (q *Queue) Close() {
	if q.nc != nil {
		q.nc.Close()
	}
}

// Ack is what the queue said of a job published.
type Ack struct {
	ID        string
	Sequence  uint64 // its place in the stream
	Duplicate bool   // a job of this ID was queued already: this one was not
}

// Publish queues j and returns once the server has stored it. A job whose
// ID the stream remembers (Config.Duplicates) is not queued again: the Ack
// says Duplicate. A job that is not valid is an error wrapping ErrBadJob.
func (q *Queue) Publish(ctx context.Context, j Job) (Ack, error) {
	m, err := j.message(q.cfg.Subject)
	if err != nil {
		return Ack{}, err
	}
	pa, err := q.js.PublishMsg(ctx, m)
	if err != nil {
		return Ack{}, fmt.Errorf("workqueue: publishing job %s: %w", j.ID, err)
	}
	return Ack{ID: j.ID, Sequence: pa.Sequence, Duplicate: pa.Duplicate}, nil
}

// Pending returns how many jobs the queue holds: queued, or handed out and
// not yet done.
func (q *Queue) Pending(ctx context.Context) (uint64, error) {
	info, err := q.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("workqueue: stream %s: %w", q.cfg.Stream, err)
	}
	return info.State.Msgs, nil
}

// Handler does a job. It returns nil once the job's work is committed; an
// error has the job handed out again later (after Config.Retry times the
// attempt), until Config.MaxDeliver attempts.
//
// The contract that makes each job committed exactly once: a job can be
// handed out again after its Handler has committed it — the worker was
// killed, or lost its connection, between the commit and the
// acknowledgement, or was stalled past the ack deadline — so the Handler's
// commit must be idempotent by Job.ID: one atomic step (a rename into
// place, a create that fails when the ID's result exists, a database
// insert keyed by the ID) that a second attempt finds done and skips. See
// CommitFile. Everything before the commit may be done any number of
// times, and ctx is cancelled when the worker is told to stop: the job is
// then handed out again. A Handler that panics fails that attempt, with
// an *axon.PanicError as its error, as one that returns an error does.
type Handler func(ctx context.Context, j Job) error

// Result is what a worker did with one job.
type Result struct {
	Job      Job
	Err      error         // nil: done and acknowledged
	Final    bool          // with Err: the job was given up (MaxDeliver reached, or not a job)
	Duration time.Duration // the Handler's time
}

// WorkOptions says how Work works.
type WorkOptions struct {
	// Concurrency is how many jobs run at once; 0 is 1.
	Concurrency int
	// Results, when set, is called with each job's Result, from the
	// goroutine that ran it.
	Results func(Result)
	// Idle bounds each wait for a job (a pull request's expiry); 0 is 5 s.
	// It only sets how often an idle worker asks again.
	Idle time.Duration
	// Drain, when closed, makes Work take no more jobs, let the ones
	// running end as they would, and return.
	Drain <-chan struct{}
}

// Work takes jobs from the queue and runs h on each, Concurrency at a
// time, until ctx is done (the jobs running then have their ctx cancelled
// too, and a job not done goes back to the queue at once) or Drain is
// closed (the jobs running finish); then it returns nil.
// A job is acknowledged only after h returned nil, and the acknowledgement
// is confirmed by the server before the Result says so; while h runs, the
// worker tells the server every AckWait/3 that it is still at work, so a
// long job is not handed to another worker, while a worker that dies stops
// saying so and its job is handed out again after AckWait. Each worker
// asks for one job per free slot, so none holds jobs it has not started.
// While the server cannot be reached (a lost connection, a restart) it
// keeps asking, at most every 5 s; the queue's consumer or stream deleted
// is its error.
func (q *Queue) Work(ctx context.Context, h Handler, o WorkOptions) error {
	if h == nil {
		return errors.New("workqueue: Work with a nil Handler")
	}
	n := max(o.Concurrency, 1)
	idle := o.Idle
	if idle <= 0 {
		idle = 5 * time.Second
	}
	// Fetching stops at ctx's end or the drain; the jobs, at ctx's.
	fetch, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	if o.Drain != nil {
		go func() { // ends with fetch, which ends with Work
			select {
			case <-o.Drain:
				stopFetch()
			case <-fetch.Done():
			}
		}()
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := q.workLoop(fetch, ctx, h, o.Results, idle); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

// callHandler runs h on j, turning a panic into the job's error (an
// *axon.PanicError, with its stack): one bad job fails as any failed job
// does, is tried again and in the end given up, and never takes the
// worker's process down.
func callHandler(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("workqueue: the handler of job %s panicked: %w", j.ID, &axon.PanicError{Value: r, Stack: debug.Stack()})
		}
	}()
	return h(ctx, j)
}

func collect(ch <-chan error) []error {
	var out []error
	for err := range ch {
		out = append(out, err)
	}
	return out
}

// workLoop runs one job at a time until fetch is done; each job runs
// under ctx. A fetch that fails for want of the server (a lost connection,
// a server restarting, a cluster electing a leader) is tried again, after
// a wait that grows to maxFetchBackoff; the consumer or stream gone is the
// loop's error.
func (q *Queue) workLoop(fetch, ctx context.Context, h Handler, results func(Result), idle time.Duration) error {
	backoff := time.Duration(0)
	failed := func(err error) error {
		if errors.Is(err, jetstream.ErrConsumerDeleted) || errors.Is(err, jetstream.ErrConsumerNotFound) ||
			errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("workqueue: fetching a job: %w", err)
		}
		backoff = min(max(2*backoff, 50*time.Millisecond), maxFetchBackoff)
		t := time.NewTimer(backoff)
		defer t.Stop()
		select {
		case <-t.C:
		case <-fetch.Done():
		}
		return nil
	}
	quiet := func(err error) bool {
		return err == nil || fetch.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout)
	}
	for fetch.Err() == nil {
		fctx, cancel := context.WithTimeout(fetch, idle)
		batch, err := q.cons.Fetch(1, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			if quiet(err) {
				continue
			}
			if err := failed(err); err != nil {
				return err
			}
			continue
		}
		for m := range batch.Messages() {
			if r, ok := q.run(ctx, m, h); ok && results != nil {
				results(r)
			}
		}
		cancel()
		if err := batch.Error(); !quiet(err) {
			if err := failed(err); err != nil {
				return err
			}
			continue
		}
		backoff = 0
	}
	return nil
}

// maxFetchBackoff is the longest wait before a worker asks the server for
// a job again after a failed fetch.
const maxFetchBackoff = 5 * time.Second

// run does one job: h, with "still at work" every AckWait/3, then the
// acknowledgement (h returned nil), a delayed retry (an error), or the
// end of the job (its last attempt, or a message that is not a job). ok is
// false when ctx ended the job: it goes back to the queue.
func (q *Queue) run(ctx context.Context, m jetstream.Msg, h Handler) (Result, bool) {
	j, err := jobOf(m)
	if err != nil {
		_ = m.TermWithReason(err.Error())
		return Result{Job: j, Err: err, Final: true}, true
	}
	jctx, cancel := context.WithCancel(ctx)
	beat := make(chan struct{})
	go func() { // ends when the job does
		defer close(beat)
		t := time.NewTicker(q.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	start := time.Now()
	err = callHandler(jctx, h, j)
	took := time.Since(start)
	cancel()
	<-beat
	if ctx.Err() != nil && err != nil {
		// Told to stop: the job goes back at once, for another worker.
		_ = m.Nak()
		return Result{}, false
	}
	r := Result{Job: j, Err: err, Duration: took}
	if err == nil {
		// Confirmed: the Result says done only once the server has it.
		actx, acancel := context.WithTimeout(context.Background(), q.cfg.AckWait)
		defer acancel()
		if aerr := m.DoubleAck(actx); aerr != nil && !errors.Is(aerr, jetstream.ErrMsgAlreadyAckd) {
			r.Err = fmt.Errorf("workqueue: job %s done, but its acknowledgement failed (it will be handed out again; its commit must be idempotent): %w", j.ID, aerr)
		}
		return r, true
	}
	if j.Attempt >= q.cfg.MaxDeliver {
		r.Final = true
		_ = m.TermWithReason("attempt " + strconv.Itoa(j.Attempt) + ": " + err.Error())
		return r, true
	}
	_ = m.NakWithDelay(min(q.cfg.Retry*time.Duration(max(j.Attempt, 1)), time.Minute))
	return r, true
}
