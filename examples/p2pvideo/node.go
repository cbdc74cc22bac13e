//go:build cgo

package main

import (
	"context"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
)

// streamName is the name of the Backplane each node publishes the stream on.
const streamName = "VIDEO"

// newBackplane makes the Backplane a node publishes the stream on, on that
// node's scheduler, with opts (a transport between processes, say). Every
// node makes its Backplane here and nowhere else, so that how Backplanes
// are carried is chosen in one place.
func newBackplane(name string, s *axon.Scheduler, opts ...chassis.BackplaneOption) (*chassis.Backplane[[]byte], error) {
	bp := chassis.NewBackplane[[]byte](name, append([]chassis.BackplaneOption{chassis.OnScheduler(s)}, opts...)...)
	return bp, bp.SetupErr()
}

// node is one peer of the P2P core: a source of bytes (a file read at a bit
// rate, or the peer before it) published on its own Backplane("VIDEO"), and
// a SimpleServer whose protocol, for each peer that connects, is a
// SubscribeTo("VIDEO"):
//
//	source --> meter --> PublishTo("VIDEO")     Backplane("VIDEO")
//	SimpleServer(protocol = SubscribeTo("VIDEO"))
//
// The source starts when the first peer has subscribed, so that peer sees
// the stream from its first byte (a decoder, from its sequence header), and
// a relay pulls nothing from the peer before it until someone wants it. A
// peer that joins later gets the stream from where it is then.
//
// When the source ends (the end of the file, or the peer before closing
// the connection), the pipeline's ProducerFinished reaches the Backplane's
// control: it delivers what it has and ends, which ends every subscriber,
// so every connection writes what it was sent and closes, and the peers
// after this one see the end of the stream in turn. The Backplane's own
// signal then tells the server to stop listening and end once its
// connections have.
type node struct {
	name       string
	sched      *axon.Scheduler
	bp         *chassis.Backplane[[]byte]
	source     *chassis.Pipe
	server     *chassis.Server
	meter      *meter
	subscribed chan struct{} // closed when the first peer has subscribed
	once       sync.Once
}

// newNode builds a node around src, which must send []byte on its outbox
// and end with ProducerFinished at the end of the stream, serving on listen
// ("host:port"; port 0 picks one).
func newNode(name string, src axon.Component, listen string) (*node, error) {
	n := &node{name: name, sched: newScheduler(), meter: newMeter(), subscribed: make(chan struct{})}
	var err error
	if n.bp, err = newBackplane(streamName, n.sched); err != nil {
		return nil, err
	}
	if n.source, err = chassis.NewPipeline(src, n.meter, chassis.PublishTo[[]byte](streamName)); err != nil {
		return nil, err
	}
	protocol := func() axon.Component {
		sub := chassis.SubscribeTo[[]byte](streamName)
		go func() { // ends when the subscriber has joined, or has ended without
			select {
			case <-sub.Subscribed():
				n.once.Do(func() { close(n.subscribed) })
			case <-sub.Done():
			}
		}()
		return sub
	}
	if n.server, err = chassis.SimpleServer(protocol, listen); err != nil {
		return nil, err
	}
	axon.MustLink(n.source.Signal(), n.bp.Control())
	axon.MustLink(n.bp.Signal(), n.server.Control())
	return n, nil
}

// run runs the node until the stream has gone through it and every peer
// connected to it has been sent the whole of it, or until ctx is done.
// A source that fails (a file that cannot be read, a peer that cannot be
// reached) stops the node and is its error.
func (n *node) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	starter := make(chan struct{})
	go func() {
		defer close(starter)
		select {
		case <-n.subscribed:
		case <-ctx.Done():
			return
		}
		n.sched.Activate(n.source)
		select {
		case <-n.source.Done():
			if n.source.Err() != nil {
				cancel()
			}
		case <-ctx.Done():
		}
	}()
	err := n.sched.RunContext(ctx, n.bp, n.server)
	// The source may have been started as everything else was stopping:
	// stop it too, and wait for it.
	cancel()
	<-starter
	n.sched.ShutdownAll(axon.Shutdown{})
	if werr := n.sched.Wait(context.Background()); err == nil {
		err = werr
	}
	if err == nil && n.source.Err() != nil {
		err = n.source.Err()
	}
	return err
}

// meter passes []byte on unchanged, counting messages and bytes and noting
// when the first and the last went through, for the node's throughput.
//
//	inbox    []byte  the stream
//	control  any     ProducerFinished: pass on what waits and end; Shutdown: end at once
//	outbox   []byte  the same messages
//	signal   any     its outcome
type meter struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[[]byte]

	mu          sync.Mutex
	bytes, msgs uint64
	first, last time.Time
}

func newMeter() *meter {
	m := &meter{}
	m.In = axon.NewInbox[[]byte](m, "inbox")
	m.Out = axon.NewOutbox[[]byte](m, "outbox")
	return m
}

// Main counts and passes on.
func (m *meter) Main(ctx context.Context) error {
	for b := range m.In.Messages(ctx) {
		now := time.Now()
		m.mu.Lock()
		if m.msgs == 0 {
			m.first = now
		}
		m.msgs++
		m.bytes += uint64(len(b))
		m.last = now
		m.mu.Unlock()
		if err := m.Out.Send(ctx, b); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// throughput is what went through a meter.
type throughput struct {
	Bytes, Messages uint64
	Elapsed         time.Duration // from the first message to the last
}

// BytesPerSecond is the rate over Elapsed (0 when it is too short to tell).
func (t throughput) BytesPerSecond() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Bytes) / t.Elapsed.Seconds()
}

// stats returns what has gone through so far.
func (m *meter) stats() throughput {
	m.mu.Lock()
	defer m.mu.Unlock()
	return throughput{Bytes: m.bytes, Messages: m.msgs, Elapsed: m.last.Sub(m.first)}
}
