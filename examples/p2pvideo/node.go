//go:build cgo

package main

import (
	"context"
	"fmt"
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
//
// With -nats the node has no server: it publishes on a Backplane of its own
// name on NATS, "VIDEO.<name>", and the next node reads that (see hop.go).
// Its source starts when a reader of that hop says it is ready.
type node struct {
	name       string
	sched      *axon.Scheduler
	bp         *chassis.Backplane[[]byte]
	source     *chassis.Pipe
	meter      *meter
	subscribed chan struct{} // closed when the first peer has subscribed
	once       sync.Once

	server *chassis.Server // TCP: serves the stream to the next peers

	// On NATS (nil on TCP):
	nats *natsNet
	hop  string // the Backplane it publishes on, "VIDEO.<name>"
	in   *hopIn // what it reads from the node before; nil for a source
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
				n.markSubscribed()
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

// newNATSNode builds a node called name whose hops go through NATS: it
// publishes on "VIDEO.<name>" what src sends or, when src is nil, what it
// reads from "VIDEO.<from>". display is its name in reports.
func newNATSNode(display, name string, src axon.Component, from string, nn *natsNet) (*node, error) {
	n := &node{name: display, sched: newScheduler(), meter: newMeter(), subscribed: make(chan struct{}),
		nats: nn, hop: hopName(name)}
	var err error
	if n.bp, err = nn.backplane(n.hop, n.sched); err != nil {
		return nil, err
	}
	stages := []axon.Component{src}
	if src == nil {
		if n.in, err = nn.newHopIn(from, n.sched); err != nil {
			return nil, err
		}
		stages = []axon.Component{n.in.sub, n.in.end}
	}
	stages = append(stages, n.meter, newEndMarker(), chassis.PublishTo[[]byte](n.hop))
	if n.source, err = chassis.NewPipeline(stages...); err != nil {
		return nil, err
	}
	axon.MustLink(n.source.Signal(), n.bp.Control())
	return n, nil
}

// markSubscribed notes that a peer has subscribed: the source may start.
func (n *node) markSubscribed() { n.once.Do(func() { close(n.subscribed) }) }

// where says where the node serves the stream.
func (n *node) where() string {
	if n.server != nil {
		return n.server.Addr().String()
	}
	return n.hop + " on " + n.nats.url
}

// figures returns what has gone through the node so far.
func (n *node) figures() figures { return figures{Name: n.name, throughput: n.meter.stats()} }

// close frees what a node that will never run holds (a TCP listener).
func (n *node) close() {
	if n.server != nil {
		_ = n.server.Close()
	}
}

// run runs the node until the stream has gone through it and every peer
// connected to it has been sent the whole of it, or until ctx is done.
// A source that fails (a file that cannot be read, a peer that cannot be
// reached) stops the node and is its error.
func (n *node) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	comps := []axon.Component{n.bp, n.server}
	var hs *handshake
	if n.nats != nil {
		comps = []axon.Component{n.bp}
		if n.in != nil {
			comps = append(comps, n.in.bp)
		}
		var err error
		if hs, err = n.nats.dialHandshake(n.name); err != nil {
			return err
		}
		defer hs.close()
		if err := hs.awaitReader(n.hop, n.markSubscribed); err != nil {
			return fmt.Errorf("waiting for a reader of %s: %w", n.hop, err)
		}
	}
	var announceErr error
	starter := make(chan struct{})
	go func() {
		defer close(starter)
		select {
		case <-n.subscribed:
		case <-ctx.Done():
			return
		}
		n.sched.Activate(n.source)
		if n.in != nil {
			// Now that this node's stream is wanted, it asks for the one
			// before.
			if announceErr = n.in.announce(ctx, hs); announceErr != nil {
				cancel()
			}
		}
		select {
		case <-n.source.Done():
			if n.source.Err() != nil {
				cancel()
			}
		case <-ctx.Done():
		}
	}()
	err := n.sched.RunContext(ctx, comps...)
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
	if announceErr != nil {
		err = fmt.Errorf("telling %s this node reads it: %w", n.in.name, announceErr)
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
