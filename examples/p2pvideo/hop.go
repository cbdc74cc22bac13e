//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/nats-io/nats.go"
)

// With -nats, the hops between nodes go through NATS instead of TCP. Each
// node publishes the stream on a Backplane named for itself,
// "VIDEO.<name>", and the next node reads the Backplane of the one before
// it: a node that republished onto the name it reads would loop.
//
//	source:  ReadFileAdaptor --> meter --> endMarker --> PublishTo("VIDEO.source")
//	peer:    SubscribeTo("VIDEO.<from>") --> untilEnd --> meter --> endMarker --> PublishTo("VIDEO.<name>")
//	player:  SubscribeTo("VIDEO.<from>") --> untilEnd --> DiracDecoder --> ...
//
// Every Backplane there is on a natsplane Transport; each process makes the
// ones it uses, so the nodes may be separate OS processes.
//
// Two things TCP gave for free are said explicitly on NATS:
//
//   - The end of the stream. A connection closing told the next node the
//     stream was over; a Backplane spans processes and never closes for
//     its readers. The writer therefore sends an empty message last
//     (endMarker), and a reader ends at it (untilEnd). The stream's own
//     messages are never empty: endMarker drops empty chunks.
//   - Someone listening. A node started its source when a peer had
//     subscribed to its server; NATS keeps nothing for who is not yet
//     listening. So a reader says "ready" on "p2pvideo.VIDEO.<from>.ready"
//     once its subscription is in place, and the writer starts its source
//     when it hears it. As either may start first, the writer also asks
//     "hello" when it starts listening, and readers answer every hello with
//     ready: whichever comes second, one of the two messages is heard
//     (each is sent only after its sender's own subscription is in the
//     server), so there is no race and no retry loop.

// hopPrefix is the start of every hop's Backplane name.
const hopPrefix = streamName + "."

// hopName is the Backplane a node called name publishes the stream on.
func hopName(name string) string { return hopPrefix + name }

// nodeName is what -name and -from take with -nats: one NATS subject token
// of plain characters.
var nodeName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// checkNodeName says why name cannot name a node, if it cannot.
func checkNodeName(flagName, name string) error {
	if !nodeName.MatchString(name) {
		return fmt.Errorf("-%s %q: with -nats, want a node name of letters, digits, - and _ (up to 64)", flagName, name)
	}
	return nil
}

// natsNet is how the nodes of one process reach each other through a NATS
// server: the Transport their hops' Backplanes use, and the server's URL
// for the ready/hello handshake.
type natsNet struct {
	url       string
	transport *natsplane.Transport
}

func newNATSNet(url string) *natsNet {
	return &natsNet{url: url, transport: natsplane.Dial(url)}
}

// backplane makes the Backplane of the hop called name on s, on NATS.
func (nn *natsNet) backplane(name string, s *axon.Scheduler) (*chassis.Backplane[[]byte], error) {
	return newBackplane(name, s, chassis.WithTransport(nn.transport))
}

// handshake is one node's connection for the ready/hello messages.
type handshake struct {
	nc *nats.Conn
}

// dialHandshake connects to the server for the handshake of the node
// called name.
func (nn *natsNet) dialHandshake(name string) (*handshake, error) {
	nc, err := nats.Connect(nn.url, nats.Name("p2pvideo "+name))
	if err != nil {
		return nil, fmt.Errorf("NATS at %s: %w", nn.url, err)
	}
	return &handshake{nc: nc}, nil
}

func readySubject(hop string) string { return "p2pvideo." + hop + ".ready" }
func helloSubject(hop string) string { return "p2pvideo." + hop + ".hello" }

// awaitReader calls ready (once) when a reader of the hop called hop has
// subscribed, now or later.
func (h *handshake) awaitReader(hop string, ready func()) error {
	var once sync.Once
	if _, err := h.nc.Subscribe(readySubject(hop), func(*nats.Msg) { once.Do(ready) }); err != nil {
		return err
	}
	if err := h.nc.Flush(); err != nil { // the server has the subscription
		return err
	}
	return h.nc.Publish(helloSubject(hop), nil)
}

// announceReader says that this node reads the hop called hop (its
// subscription is in place), now and to every writer that asks later.
func (h *handshake) announceReader(hop string) error {
	if _, err := h.nc.Subscribe(helloSubject(hop), func(*nats.Msg) {
		_ = h.nc.Publish(readySubject(hop), nil) // a lost answer is asked for again by the next hello
	}); err != nil {
		return err
	}
	if err := h.nc.Flush(); err != nil {
		return err
	}
	return h.nc.Publish(readySubject(hop), nil)
}

// close closes the connection (its subscriptions go with it).
func (h *handshake) close() { h.nc.Close() }

// hopIn is the head of a node that reads a hop from NATS: the hop's
// Backplane, and a Subscriber to it that ends at the end of the stream.
//
//	Backplane("VIDEO.<from>") on NATS
//	SubscribeTo("VIDEO.<from>") --> untilEnd --> (the rest of the node)
//	untilEnd's "finish" --> the Backplane's control
type hopIn struct {
	nn   *natsNet
	name string // the hop's Backplane
	bp   *chassis.Backplane[[]byte]
	sub  *chassis.Subscriber[[]byte]
	end  *untilEnd
}

// newHopIn makes the head of a node reading the hop of the node called
// from, on s.
func (nn *natsNet) newHopIn(from string, s *axon.Scheduler) (*hopIn, error) {
	in := &hopIn{nn: nn, name: hopName(from), end: newUntilEnd()}
	var err error
	if in.bp, err = nn.backplane(in.name, s); err != nil {
		return nil, err
	}
	in.sub = chassis.SubscribeTo[[]byte](in.name)
	// At the end of the stream, the Backplane drains and ends, which ends
	// the Subscriber: the head of the pipeline, so the whole node drains.
	axon.MustLink(in.end.Finish, in.bp.Control())
	return in, nil
}

// announce tells the writer of the hop that this node reads it, once the
// Subscriber is in place (or does nothing if ctx ends first).
func (in *hopIn) announce(ctx context.Context, h *handshake) error {
	select {
	case <-in.sub.Subscribed():
		return h.announceReader(in.name)
	case <-in.sub.Done():
		return nil // it ended without joining: its error is the pipeline's
	case <-ctx.Done():
		return nil
	}
}

// endMarker passes the stream on and, when it ends, sends an empty message:
// the end of the stream, for the readers in other processes. It drops empty
// messages of the stream itself, which would look like the end.
//
//	inbox    []byte  the stream
//	control  any     ProducerFinished: pass on what waits, send the end, end;
//	                 Shutdown: end at once, with no end marker
//	outbox   []byte  the stream, then one empty message
//	signal   any     its outcome
type endMarker struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[[]byte]
}

func newEndMarker() *endMarker {
	m := &endMarker{}
	m.In = axon.NewInbox[[]byte](m, "inbox")
	m.Out = axon.NewOutbox[[]byte](m, "outbox")
	return m
}

// Main passes the stream on, then marks its end.
func (m *endMarker) Main(ctx context.Context) error {
	for b := range m.In.Messages(ctx) {
		if len(b) == 0 {
			continue
		}
		if err := m.Out.Send(ctx, b); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return m.Out.Send(ctx, []byte{})
}

// untilEnd passes the stream on until its end (an empty message, sent by
// the writer's endMarker), then asks the hop's Backplane to finish and ends,
// counting the bytes it passed.
//
//	inbox    []byte  the stream from the hop's Subscriber
//	control  any     ProducerFinished: pass on what waits and end (the
//	                 stream was cut short: an error); Shutdown: end at once
//	outbox   []byte  the stream, without its end marker
//	finish   any     ProducerFinished at the end of the stream (link it to
//	                 the hop's Backplane's control)
//	signal   any     ProducerFinished after the end marker; a failure if the
//	                 Subscriber ended first
type untilEnd struct {
	axon.Core
	In     *axon.Inbox[[]byte]
	Out    *axon.Outbox[[]byte]
	Finish *axon.Outbox[any]

	bytes atomic.Uint64
}

// errCutShort is the failure of a reader whose hop ended before the end of
// the stream.
var errCutShort = errors.New("the stream ended without its end marker")

func newUntilEnd() *untilEnd {
	u := &untilEnd{}
	u.In = axon.NewInbox[[]byte](u, "inbox")
	u.Out = axon.NewOutbox[[]byte](u, "outbox")
	u.Finish = axon.NewOutbox[any](u, "finish")
	return u
}

// Main passes the stream on until its end marker.
func (u *untilEnd) Main(ctx context.Context) error {
	for b := range u.In.Messages(ctx) {
		if len(b) == 0 {
			return u.Finish.Send(ctx, axon.ProducerFinished{})
		}
		u.bytes.Add(uint64(len(b)))
		if err := u.Out.Send(ctx, b); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errCutShort
}

// bytesRead is how many bytes of the stream it has passed on.
func (u *untilEnd) bytesRead() uint64 { return u.bytes.Load() }
