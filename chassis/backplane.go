package chassis

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/internet"
)

// BackplaneService returns the name under which the Backplane called name is
// registered in its scheduler's services (axon.Registry).
func BackplaneService(name string) string { return "backplane/" + name }

var (
	// ErrNoBackplane is wrapped by the failure of a PublishTo or SubscribeTo
	// that starts when no Backplane of its name is registered on its
	// scheduler. It also wraps axon.ErrServiceUnknown.
	ErrNoBackplane = errors.New("chassis: no such backplane")

	// ErrBackplaneEnded is wrapped by the failure of a PublishTo or
	// SubscribeTo whose Backplane ended before it could join.
	ErrBackplaneEnded = errors.New("chassis: backplane has ended")

	// ErrSlowSubscriber is the reason of the ProducerFinished that ends a
	// subscriber with the Disconnect policy when it falls behind. It is an
	// internet.ErrSlowConsumer (errors.Is), so a Server's connection whose
	// protocol is such a subscriber closes at once when it is dropped.
	ErrSlowSubscriber error = slowSubscriber{}
)

// SlowPolicy is what a Backplane does when a subscriber's destination inbox
// is full. The policy is per subscriber (SubscribeTo's options).
type SlowPolicy uint8

const (
	// Block makes the Backplane wait for room: a slow subscriber slows the
	// publishers (back-pressure). The default.
	Block SlowPolicy = iota
	// DropOldest keeps, for the subscriber, up to a limit of messages not
	// yet delivered, dropping the oldest to make room for a new one.
	DropOldest
	// Disconnect ends the subscriber (ProducerFinished with reason
	// ErrSlowSubscriber) when its destination inbox is full.
	Disconnect
)

// String returns the policy's name.
func (p SlowPolicy) String() string {
	switch p {
	case Block:
		return "block"
	case DropOldest:
		return "drop-oldest"
	case Disconnect:
		return "disconnect"
	}
	return "policy(" + strconv.Itoa(int(p)) + ")"
}

// BackplaneOption changes how NewBackplane makes a Backplane.
type BackplaneOption func(*backplaneOptions)

type backplaneOptions struct {
	sched     *axon.Scheduler
	transport Transport
	codec     any // a framing.Codec of the Backplane's type (WithCodec)
	keepAlive bool
}

// KeepAlive makes the Backplane outlive its publishers: it ends only when
// told to on control (or its scheduler stops), as Kamaelia's did. Without
// it, a Backplane ends once every publisher that joined it has ended (see
// Backplane, Shutdown).
func KeepAlive() BackplaneOption {
	return func(o *backplaneOptions) { o.keepAlive = true }
}

// OnScheduler registers the Backplane with s's services instead of the
// default scheduler's. The Backplane must then be activated on s, as must
// its publishers and subscribers, which look it up there.
func OnScheduler(s *axon.Scheduler) BackplaneOption {
	return func(o *backplaneOptions) { o.sched = s }
}

// SubscribeOption changes how SubscribeTo subscribes.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	policy SlowPolicy
	limit  int
}

// WithDropOldest makes the subscriber's policy DropOldest, keeping up to
// limit undelivered messages (limit > 0; DefaultCapacity if not).
func WithDropOldest(limit int) SubscribeOption {
	return func(o *subscribeOptions) {
		o.policy = DropOldest
		o.limit = limit
	}
}

// WithDisconnect makes the subscriber's policy Disconnect.
func WithDisconnect() SubscribeOption {
	return func(o *subscribeOptions) { o.policy = Disconnect }
}

// Backplane is a named, typed publish/subscribe hub (Kamaelia's Backplane):
// what PublishTo components are sent, every SubscribeTo component of the same
// name sends on, in publish order. Publishers and subscribers find the
// Backplane by name, through the services of the scheduler they run on, so
// they may be made anywhere in a system and in any order, as long as the
// Backplane has been made before they start.
//
// # Boxes
//
//	inbox         T: messages to publish (PublishTo forwards here)
//	control       see Shutdown
//	disconnected  string: the name of each subscriber disconnected as too slow
//	signal        the Backplane's outcome
//
// and, on a Transport only (WithTransport):
//
//	errors        error: each message that could not be encoded, sent or
//	              decoded, and each trouble of the transport (ErrTransport)
//	lost          uint64: one per message the transport dropped (the total)
//
// and, made while it runs, one outbox per subscriber ("_sub.N", linked
// through the subscriber's outbox to where that leads, so a delivery is one
// send straight into the final inbox) and one per subscriber and publisher to
// its control ("_end.N"). Their names start with "_", the mark of private
// wiring, so that an axon.Handle made on a running Backplane leaves them to
// it. The Backplane's goroutine takes the published
// messages in batches and hands each batch to each subscriber in turn: there
// is no goroutine per message, nor per subscriber.
//
// # Slow subscribers
//
// Each subscriber has a SlowPolicy. Block (the default) waits for room in
// the subscriber's destination inbox. DropOldest keeps a bounded queue for
// the subscriber, which its own goroutine empties; the messages it drops are
// sent on the subscriber's "dropped" outbox, so that when nothing is linked
// there (the usual case) the runtime counts them in that box's dropped count,
// visible in axon's Snapshot. Disconnect ends the subscriber with
// ProducerFinished{Reason: ErrSlowSubscriber} at the first message its
// destination has no room for, and sends its name on "disconnected" (counted
// as dropped there when nothing is linked). Stats gives all the counts.
//
// # Across processes
//
// WithTransport puts the Backplane on a Transport. What its publishers send
// is encoded (WithCodec) and published on the transport, and what arrives
// from it, from every process on the Backplane's name including this one, is
// decoded and delivered to its subscribers with their policies (it listens
// from when its first subscriber joins: a Backplane that only publishes
// receives nothing). Each publisher's messages keep their order, as the
// transport keeps the order of each process's; messages of different
// processes interleave in no order that any two processes are promised to
// agree on. Block holds back this process's publishers and the transport, up
// to the transport's own limits, but cannot hold back publishers in other
// processes: past those limits the transport drops, and the drops are
// counted (Stats.Lost, the "lost" box). A message that cannot be encoded or
// decoded is reported on "errors" and counted; the Backplane goes on.
//
// # Shutdown
//
// ProducerFinished on control makes the Backplane deliver what it has been
// sent and end (on a Transport: publish what it has, then drain the channel,
// so that its own messages reach its subscribers); Shutdown ends it at once.
// Either way it passes the message on to every subscriber and publisher,
// which end with it, and leaves the services. A Backplane's name is taken
// from NewBackplane until it ends.
//
// A Backplane also ends with its publishers, unless made with KeepAlive:
// once at least one publisher has joined and every publisher that joined
// has ended, it delivers what it has been sent, sends ProducerFinished to
// its subscribers and ends, so that a system fed by a source that runs dry
// ends by itself. Only publishers of this process count: on a Transport,
// publishers in other processes neither keep it alive nor end it, and a
// Backplane with no publisher of its own ends only when told to. A
// publisher that comes after that end finds no Backplane (ErrNoBackplane,
// or ErrBackplaneEnded while it is ending) and fails; a subscriber that
// comes then ends cleanly, with ProducerFinished whose reason wraps
// ErrBackplaneEnded: the stream it asked for is over.
//
// # Activation
//
// A Backplane that was made but not activated when its first publisher or
// subscriber starts is activated by it, on the scheduler it is registered
// with: making it is enough, as in Kamaelia's
//
//	chassis.NewBackplane[string]("CHAT")
type Backplane[T any] struct {
	axon.Core
	name      string
	in        *axon.Inbox[T]
	discOut   *axon.Outbox[string]
	stopped   *axon.Inbox[any] // see settleControl
	sched     *axon.Scheduler
	setupErr  error
	keepAlive bool // KeepAlive: the end of its publishers does not end it

	// On a Transport only (WithTransport).
	transport Transport
	remote    *remote[T]
	channel   Channel        // open while Main runs
	listening bool           // Main's: channel.Listen has been called
	rin       *axon.Inbox[T] // decoded messages from the transport

	mu      sync.Mutex // guards the fields below
	pending []*peer[T] // joined or left, not yet handled by Main
	peers   []*peer[T] // handled by Main; Main alone changes the slice
	closed  bool
	clean   bool // closed to end cleanly (ProducerFinished), not shut down
	lastID  int
	pubs    int  // publishers joined and not yet left
	pubSeen bool // a publisher has joined

	subs        []*peer[T] // subscribers, Main's own copy
	batch       []T        // Main's: taken from the inbox
	rbatch      []T        // Main's: taken from the transport
	published   atomic.Uint64
	disconnects atomic.Uint64
	sent        atomic.Uint64 // published on the transport
	received    atomic.Uint64 // taken from the transport
	encodeErrs  atomic.Uint64
	decodeErrs  atomic.Uint64
	sendErrs    atomic.Uint64
	lost        atomic.Uint64
	problems    atomic.Uint64
}

// peer is a publisher or subscriber joined to a Backplane.
type peer[T any] struct {
	comp   member
	sub    *Subscriber[T] // nil for a publisher
	id     int
	name   string
	joined bool          // handled by Main (under the Backplane's mu)
	left   bool          // under the Backplane's mu
	onJoin chan struct{} // closed by Main when it handles the join

	// Made by Main when it handles the join; read under the Backplane's mu.
	out    *axon.Outbox[T]
	ctl    *axon.Outbox[any]
	data   *axon.Linkage
	ctx    context.Context // done when the subscriber leaves
	cancel context.CancelFunc

	delivered atomic.Uint64
}

// NewBackplane makes the Backplane called name and registers it with the
// default scheduler's services (or OnScheduler's):
//
//	chassis.NewBackplane[string]("CHAT")
//	chassis.Pipeline(console.NewReader(), chassis.PublishTo[string]("CHAT"))
//	chassis.Pipeline(chassis.SubscribeTo[string]("CHAT"), console.NewEchoer())
//
// WithTransport makes it one Backplane across processes:
//
//	chassis.NewBackplane[Frame]("VIDEO", chassis.WithTransport(natsplane.Dial(url)))
//
// A name already taken is a setup error wrapping axon.ErrServiceExists, and
// a codec of another type one wrapping axon.ErrTypeMismatch: SetupErr
// returns it and the Backplane fails with it when activated.
func NewBackplane[T any](name string, opts ...BackplaneOption) *Backplane[T] {
	var o backplaneOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.sched == nil {
		o.sched = axon.Default()
	}
	b := &Backplane[T]{name: name, sched: o.sched, keepAlive: o.keepAlive}
	b.in = axon.NewInbox[T](b, "inbox")
	b.discOut = axon.NewOutbox[string](b, "disconnected")
	b.stopped = axon.NewInbox[any](b, "_stopped")
	b.SetName("backplane(" + name + ")")
	if o.transport != nil {
		b.onTransport(o)
		if b.setupErr != nil {
			return b
		}
	}
	if err := o.sched.Services().Register(BackplaneService(name), b, "inbox"); err != nil {
		b.setupErr = fmt.Errorf("chassis: backplane %q: %w", name, err)
	}
	return b
}

// SetupErr returns the error found when the Backplane was made, or nil.
func (b *Backplane[T]) SetupErr() error { return b.setupErr }

// BackplaneName returns the name the Backplane is found by.
func (b *Backplane[T]) BackplaneName() string { return b.name }

// Run activates the Backplane on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (b *Backplane[T]) Run() error { return axon.Run(b) }

// RunContext is Run that shuts everything down when ctx is done.
func (b *Backplane[T]) RunContext(ctx context.Context) error { return axon.RunContext(ctx, b) }

// BackplaneStats are a Backplane's counts.
type BackplaneStats struct {
	Published    uint64            // messages taken from the inbox and handed on
	Disconnected uint64            // subscribers disconnected as too slow
	Subscribers  []SubscriberStats // the subscribers joined now

	// On a Transport only.
	Sent         uint64 // messages published on the transport
	Received     uint64 // messages taken from the transport and decoded
	EncodeErrors uint64 // messages published that the codec could not encode
	DecodeErrors uint64 // messages received that the codec could not decode
	SendErrors   uint64 // encoded messages the transport refused
	Lost         uint64 // messages the transport dropped (a slow consumer)
	Problems     uint64 // troubles the transport reported and survived
}

// SubscriberStats are the counts of one subscriber of a Backplane.
type SubscriberStats struct {
	Subscriber string // its component's name
	Policy     SlowPolicy
	Delivered  uint64 // messages handed to it (to its queue, for DropOldest)
	Dropped    uint64 // messages dropped for it (DropOldest)
}

// Stats returns the Backplane's counts now. It is safe to call at any time.
func (b *Backplane[T]) Stats() BackplaneStats {
	st := BackplaneStats{
		Published: b.published.Load(), Disconnected: b.disconnects.Load(),
		Sent: b.sent.Load(), Received: b.received.Load(),
		EncodeErrors: b.encodeErrs.Load(), DecodeErrors: b.decodeErrs.Load(),
		SendErrors: b.sendErrs.Load(), Lost: b.lost.Load(), Problems: b.problems.Load(),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.peers {
		if p.sub == nil || p.left {
			continue
		}
		st.Subscribers = append(st.Subscribers, SubscriberStats{
			Subscriber: p.name, Policy: p.sub.opts.policy,
			Delivered: p.delivered.Load(), Dropped: p.sub.drops.Load(),
		})
	}
	return st
}

// join adds a publisher or subscriber; Main links it in.
func (b *Backplane[T]) join(m member, sub *Subscriber[T], onJoin chan struct{}) (*peer[T], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("%w: %q", ErrBackplaneEnded, b.name)
	}
	if sub == nil {
		b.pubs++
		b.pubSeen = true
	}
	b.lastID++
	p := &peer[T]{comp: m, sub: sub, id: b.lastID, name: m.Name(), onJoin: onJoin}
	b.pending = append(b.pending, p)
	wake(&b.Core)
	return p, nil
}

// leave removes a publisher or subscriber. Called by the peer as it ends: from
// then on nothing more is delivered to it, even if Main is in the middle of
// a delivery.
func (b *Backplane[T]) leave(p *peer[T]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.left {
		return
	}
	p.left = true
	if p.sub == nil {
		b.pubs--
	}
	if p.data != nil {
		_ = axon.Unlink(p.data)
	}
	if p.cancel != nil {
		p.cancel()
	}
	b.pending = append(b.pending, p)
	wake(&b.Core)
}

// admit handles the joins and leaves since the last call. Main only.
func (b *Backplane[T]) admit(ctx context.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	changed := false
	for _, p := range b.pending {
		switch {
		case !p.joined && !p.left:
			b.link(ctx, p)
			p.joined = true
			b.peers = append(b.peers, p)
			changed = true
			close(p.onJoin)
		case p.joined && p.left:
			b.unlink(p)
			changed = true
		}
	}
	b.pending = b.pending[:0]
	if changed {
		b.peers = slices.DeleteFunc(b.peers, func(p *peer[T]) bool { return p.left })
		b.subs = b.subs[:0]
		for _, p := range b.peers {
			if p.sub != nil {
				b.subs = append(b.subs, p)
			}
		}
	}
}

// link makes a peer's boxes and links. b.mu is held.
func (b *Backplane[T]) link(ctx context.Context, p *peer[T]) {
	id := strconv.Itoa(p.id)
	// Fresh private outboxes ("_": no Handle takes them), so linking them
	// cannot fail.
	p.ctl = axon.NewOutbox[any](b, "_end."+id)
	_, _ = b.Link(p.ctl, p.comp.Control())
	if p.sub == nil {
		return
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	if p.sub.opts.policy == DropOldest {
		return // its own goroutine sends on from its queue
	}
	p.out = axon.NewOutbox[T](b, "_sub."+id)
	p.data, _ = b.Link(p.out, p.sub.out)
}

// unlink removes a peer's links and boxes. b.mu is held.
func (b *Backplane[T]) unlink(p *peer[T]) {
	for _, box := range []axon.Box{p.out, p.ctl} {
		if isNil(box) {
			continue
		}
		axon.UnlinkBox(box)
		_ = b.RemoveBox(box)
	}
	if p.cancel != nil {
		p.cancel()
	}
}

func isNil(b axon.Box) bool {
	if b == nil {
		return true
	}
	v := reflect.ValueOf(b)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// wake makes c's Wait or WaitFor return, now or the next time it waits. It
// is for a goroutine of the system itself (a publisher joining, the
// Backplane handing a DropOldest subscriber its queue), which is running
// as it calls: so the Waker is closed at once, and no open Waker tells the
// scheduler's deadlock detection that something outside may still wake c.
func wake(c *axon.Core) {
	w := c.NewWaker()
	w.Wake()
	w.Close()
}

// activate activates a Backplane that was made but not activated, on the
// scheduler it is registered with, so that the publisher or subscriber
// that found it does not wait for it for ever. Activating twice is a no-op.
func (b *Backplane[T]) activate() {
	if b.State() == axon.Initialised {
		b.sched.Activate(b)
	}
}

// publishersGone reports whether the Backplane should end with its
// publishers: not KeepAlive, a publisher has joined, and all that joined
// have left. It then stops joins at once, so that no publisher joins a
// Backplane that is ending.
func (b *Backplane[T]) publishersGone() bool {
	if b.keepAlive {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || !b.pubSeen || b.pubs > 0 {
		return b.closed && b.clean
	}
	b.closed, b.clean = true, true
	return true
}

// endedCleanly reports whether the Backplane has closed to end cleanly.
func (b *Backplane[T]) endedCleanly() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed && b.clean
}

// batchSize is how many messages the Backplane takes from its inbox at once.
const batchSize = 64

// Main delivers. See Backplane.
func (b *Backplane[T]) Main(ctx context.Context) error {
	if b.setupErr != nil {
		return b.setupErr
	}
	defer func() { _ = b.sched.Services().Deregister(BackplaneService(b.name)) }()
	if s := b.Scheduler(); s != b.sched {
		b.close(ctx, axon.Shutdown{Reason: ErrBackplaneEnded})
		return fmt.Errorf("chassis: backplane %q runs on another scheduler than the one it is registered with (see OnScheduler)", b.name)
	}
	if b.transport != nil {
		if err := b.open(ctx); err != nil {
			b.close(ctx, axon.Shutdown{Reason: err})
			return err
		}
		defer b.closeChannel()
	}
	var stop axon.Shutdown
	finishing := false
	waitOn := []axon.Box{b.in, b.Control()}
	if b.channel != nil {
		waitOn = append(waitOn, b.rin)
	}
	for {
		st := b.TakeControl(nil)
		if st.Shutdown != nil {
			stop = *st.Shutdown
		}
		finishing = finishing || st.Finishing
		if err := b.listenIfNeeded(ctx); err != nil {
			b.close(ctx, axon.Shutdown{Reason: err})
			return err
		}
		b.admit(ctx)
		if ctx.Err() != nil {
			break
		}
		busy, err := b.step(ctx)
		if err != nil {
			break
		}
		if busy {
			continue
		}
		if finishing || b.publishersGone() {
			break
		}
		_ = b.WaitFor(ctx, waitOn...)
	}
	if b.channel != nil && ctx.Err() == nil {
		b.drain(ctx)
	}
	if ctx.Err() != nil {
		if sd := b.TakeControl(nil).Shutdown; sd != nil {
			stop = *sd
		} else if sd, ok := b.settleControl(); ok {
			stop = sd
		}
		b.close(ctx, stop)
		return ctx.Err()
	}
	b.close(ctx, axon.ProducerFinished{})
	return nil
}

// step moves a batch each way there is one: from the inbox to the
// subscribers (or, on a Transport, out through it), and from the Transport to
// the subscribers. It reports whether it moved anything.
func (b *Backplane[T]) step(ctx context.Context) (busy bool, err error) {
	if b.batch = b.in.TryRecvBatch(b.batch[:0], batchSize); len(b.batch) > 0 {
		busy = true
		b.published.Add(uint64(len(b.batch)))
		if b.channel != nil {
			b.publish(b.batch)
		} else if err := b.deliver(ctx, b.batch); err != nil {
			return busy, err
		}
	}
	if b.channel != nil {
		if b.rbatch = b.rin.TryRecvBatch(b.rbatch[:0], batchSize); len(b.rbatch) > 0 {
			busy = true
			if err := b.deliver(ctx, b.rbatch); err != nil {
				return busy, err
			}
		}
	}
	return busy, nil
}

// settleControl returns the Shutdown that stopped the Backplane, when it was
// told one on control that it has not seen yet. The runtime cancels a
// component as a Shutdown is put into its control box, a moment before the
// message is queued there; linking the box onward waits for that put to
// finish (a link takes the box's lock, as the put does) and moves what was
// queued, in order, to the Backplane's own "_stopped" box.
func (b *Backplane[T]) settleControl() (axon.Shutdown, bool) {
	l, err := axon.Link(b.Control(), b.stopped)
	if err != nil {
		return axon.Shutdown{}, false
	}
	_ = axon.Unlink(l)
	if sd := axon.TakeControlFrom(b.stopped, nil).Shutdown; sd != nil {
		return *sd, true
	}
	return axon.Shutdown{}, false
}

// deliver hands a batch to every subscriber, by its policy.
func (b *Backplane[T]) deliver(ctx context.Context, batch []T) error {
	for _, p := range b.subs {
		switch p.sub.opts.policy {
		case Block:
			if err := p.out.SendBatch(p.ctx, batch); err != nil {
				if ctx.Err() != nil {
					return err
				}
				continue // it left while we waited: admit will drop it
			}
		case DropOldest:
			p.sub.offer(batch)
		case Disconnect:
			sent := len(batch)
			for i, v := range batch {
				if err := p.out.TrySend(v); err != nil {
					sent = i
					break
				}
			}
			if sent < len(batch) {
				p.delivered.Add(uint64(sent))
				b.disconnect(p)
				continue
			}
		}
		p.delivered.Add(uint64(len(batch)))
	}
	return nil
}

// disconnect ends a subscriber that fell behind. Main only.
func (b *Backplane[T]) disconnect(p *peer[T]) {
	b.mu.Lock()
	if p.data != nil {
		_ = axon.Unlink(p.data)
	}
	_ = p.ctl.TrySend(axon.ProducerFinished{Reason: ErrSlowSubscriber})
	p.left = true
	b.pending = append(b.pending, p)
	b.mu.Unlock()
	b.disconnects.Add(1)
	_ = b.discOut.TrySend(p.name)
}

// close stops joins, links what joined late, and passes msg to every peer.
func (b *Backplane[T]) close(ctx context.Context, msg any) {
	b.mu.Lock()
	b.closed = true
	if _, ok := msg.(axon.ProducerFinished); ok {
		b.clean = true
	}
	b.mu.Unlock()
	b.admit(ctx)
	b.mu.Lock()
	peers := slices.Clone(b.peers)
	b.mu.Unlock()
	for _, p := range peers {
		_ = p.ctl.TrySend(msg)
	}
}

// Publisher forwards what it is sent to the Backplane of its name: the value
// PublishTo returns (Kamaelia's PublishTo).
//
// # Boxes
//
//	inbox    T: forwarded to the Backplane's inbox, once the Publisher runs
//	control  see Shutdown
//	outbox   not used
//	signal   the Publisher's outcome
//
// The Publisher looks its Backplane up when it starts, in the services of
// its scheduler, and links its inbox to the Backplane's: a message sent to it
// goes straight to the Backplane. What it was sent before it started moves
// there then, in order. No Backplane of that name, or one of another type,
// fails it with an error naming both (ErrNoBackplane, axon.ErrTypeMismatch).
//
// # Shutdown
//
// ProducerFinished or Shutdown on control ends the Publisher. The Backplane
// goes on for its other publishers; when it was the last, the Backplane
// delivers what it was sent and ends too, unless made with KeepAlive. The
// Backplane's end ends it with the Backplane's message.
type Publisher[T any] struct {
	axon.Core
	name   string
	in     *axon.Inbox[T]
	wait   *axon.Inbox[struct{}]
	joined chan struct{}
}

// PublishTo returns a Publisher to the Backplane called name:
//
//	chassis.Pipeline(newTicker(), chassis.PublishTo[Tick]("CLOCK"))
func PublishTo[T any](name string) *Publisher[T] {
	p := &Publisher[T]{name: name, joined: make(chan struct{})}
	p.in = axon.NewInbox[T](p, "inbox")
	p.wait = axon.NewInbox[struct{}](p, "_wait")
	return p
}

// Joined is closed when the Publisher has joined its Backplane: from then
// on the Backplane's end ends it too. (What it is sent reaches the Backplane
// a moment earlier, as soon as it has linked its inbox there.)
func (p *Publisher[T]) Joined() <-chan struct{} { return p.joined }

// Run activates the Publisher on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (p *Publisher[T]) Run() error { return axon.Run(p) }

// Main joins the Backplane and waits to be told to end. See Publisher.
func (p *Publisher[T]) Main(ctx context.Context) error {
	b, err := lookup[T](p.Services(), p.name)
	if err != nil {
		return err
	}
	b.activate()
	if _, err := p.Link(p.in, b.in); err != nil {
		return fmt.Errorf("chassis: publishing to %q: %w", p.name, err)
	}
	pr, err := b.join(p, nil, p.joined)
	if err != nil {
		return err
	}
	defer b.leave(pr)
	_, err = p.wait.Recv(ctx) // nothing is sent here: it ends on Shutdown or ProducerFinished
	return endWith(ctx, &p.Core, err)
}

// endWith turns how a wait ended into what Main returns: ctx's error after
// Shutdown, and after ProducerFinished nil or, when it gave a reason,
// axon.Finish(reason), so that the reason goes on.
func endWith(ctx context.Context, c *axon.Core, err error) error {
	if ctx.Err() != nil || !errors.Is(err, axon.ErrFinished) {
		return err
	}
	if r := c.TakeControl(nil).Reason; r != nil {
		return axon.Finish(r)
	}
	return nil
}

// lookup finds the Backplane of T called name in r.
func lookup[T any](r *axon.Registry, name string) (*Backplane[T], error) {
	svc, err := r.Lookup(BackplaneService(name))
	if err != nil {
		return nil, fmt.Errorf("%w %q on this scheduler (make it with NewBackplane before its publishers and subscribers start): %w", ErrNoBackplane, name, err)
	}
	b, ok := svc.Component.(*Backplane[T])
	if !ok {
		return nil, fmt.Errorf("chassis: %w: backplane %q carries %s, not %s", axon.ErrTypeMismatch, name, svc.Inbox.Type(), reflect.TypeFor[T]())
	}
	return b, nil
}

// Subscriber sends on what the Backplane of its name is sent from the moment
// it has joined, in publish order: the value SubscribeTo returns (Kamaelia's
// SubscribeTo).
//
// # Boxes
//
//	inbox    not read
//	control  see Shutdown
//	outbox   T: every message published after the Subscriber joined
//	dropped  T: the messages its DropOldest policy dropped (see Backplane)
//	signal   the Subscriber's outcome
//
// It looks the Backplane up when it starts, as a Publisher does, and joins
// it; Subscribed is closed once the Backplane has linked it in, and every
// message the Backplane takes from its inbox after that reaches the
// Subscriber's outbox. With the default policy (Block) the Backplane sends
// straight into the inbox the outbox leads to; with DropOldest the
// Subscriber's own goroutine sends on from its queue.
//
// # Shutdown
//
// ProducerFinished on control ends it (after its queue is sent on, for
// DropOldest); Shutdown ends it at once. Either way it leaves the Backplane,
// which sends it nothing more. The Backplane's end ends it with the
// Backplane's message; a Disconnect ends it with ProducerFinished whose
// reason is ErrSlowSubscriber.
type Subscriber[T any] struct {
	axon.Core
	name       string
	opts       subscribeOptions
	out        *axon.Outbox[T]
	dropped    *axon.Outbox[T]
	subscribed chan struct{}

	mu    sync.Mutex // guards queue
	queue []T        // DropOldest: not yet sent on, oldest first
	drops atomic.Uint64
}

// SubscribeTo returns a Subscriber to the Backplane called name:
//
//	chassis.Pipeline(chassis.SubscribeTo[string]("CHAT"), console.NewEchoer())
func SubscribeTo[T any](name string, opts ...SubscribeOption) *Subscriber[T] {
	s := &Subscriber[T]{name: name, subscribed: make(chan struct{})}
	for _, o := range opts {
		o(&s.opts)
	}
	if s.opts.policy == DropOldest && s.opts.limit <= 0 {
		s.opts.limit = axon.DefaultCapacity
	}
	s.out = axon.NewOutbox[T](s, "outbox")
	s.dropped = axon.NewOutbox[T](s, "dropped")
	return s
}

// Subscribed is closed when the Subscriber has joined its Backplane.
func (s *Subscriber[T]) Subscribed() <-chan struct{} { return s.subscribed }

// Dropped returns how many messages the DropOldest policy dropped.
func (s *Subscriber[T]) Dropped() uint64 { return s.drops.Load() }

// Run activates the Subscriber on the default scheduler and waits until
// every component activated there has finished (axon.Run).
func (s *Subscriber[T]) Run() error { return axon.Run(s) }

// offer queues a batch for a DropOldest subscriber, dropping the oldest
// messages beyond its limit, and wakes it. The Backplane's goroutine only.
func (s *Subscriber[T]) offer(batch []T) {
	s.mu.Lock()
	s.queue = append(s.queue, batch...)
	var gone []T
	if n := len(s.queue) - s.opts.limit; n > 0 {
		gone = append(gone, s.queue[:n]...)
		clear(s.queue[:n])
		s.queue = append(s.queue[:0], s.queue[n:]...)
	}
	s.mu.Unlock()
	for _, v := range gone {
		s.drops.Add(1)
		_ = s.dropped.TrySend(v) // counted by the runtime when nothing is linked
	}
	wake(&s.Core)
}

// take returns the queued messages, oldest first, and empties the queue.
func (s *Subscriber[T]) take(dst []T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst = append(dst, s.queue...)
	clear(s.queue)
	s.queue = s.queue[:0]
	return dst
}

// Main joins the Backplane, then sends on (DropOldest) or waits to be told to
// end. See Subscriber.
func (s *Subscriber[T]) Main(ctx context.Context) error {
	b, err := lookup[T](s.Services(), s.name)
	if err != nil {
		return err
	}
	b.activate()
	pr, err := b.join(s, s, s.subscribed)
	if err != nil {
		if b.endedCleanly() {
			return axon.Finish(err) // the stream is over: nothing to fail for
		}
		return err
	}
	defer b.leave(pr)
	var buf []T
	for {
		if s.opts.policy == DropOldest {
			if buf = s.take(buf[:0]); len(buf) > 0 {
				if err := s.out.SendBatch(ctx, buf); err != nil {
					return err
				}
				continue
			}
		}
		st := s.TakeControl(nil)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if st.Finishing {
			// What the Backplane queued before it was told is sent on.
			if buf = s.take(buf[:0]); len(buf) > 0 {
				if err := s.out.SendBatch(ctx, buf); err != nil {
					return err
				}
			}
			if st.Reason != nil {
				return axon.Finish(st.Reason)
			}
			return nil
		}
		if err := s.WaitFor(ctx, s.Control()); err != nil {
			return err
		}
	}
}

// slowSubscriber is ErrSlowSubscriber's type.
type slowSubscriber struct{}

func (slowSubscriber) Error() string { return "chassis: subscriber too slow: disconnected" }

// Is makes ErrSlowSubscriber an internet.ErrSlowConsumer.
func (slowSubscriber) Is(target error) bool { return target == internet.ErrSlowConsumer }
