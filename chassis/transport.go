package chassis

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/internet/framing"
)

// Transport carries the messages of Backplanes beyond their process: a
// broker (see package chassis/natsplane) or anything else that delivers
// what any process publishes on a name to every process that listens to it.
// A Backplane made WithTransport opens its Channel when it starts and closes
// it when it ends; the publishers and subscribers do not change.
type Transport interface {
	// Open attaches the Backplane called name to the channel of that name,
	// ready to publish; it delivers nothing until Listen. It gives up when
	// ctx is done.
	Open(ctx context.Context, name string, in Inbound) (Channel, error)
}

// Channel is one Backplane's attachment to a Transport.
type Channel interface {
	// Listen makes the channel deliver to the Inbound every message
	// published on it from then on, by any process, this one included. It
	// returns once the transport would deliver a message published now: a
	// subscriber admitted after Listen misses nothing published after it
	// joined. A Backplane listens when its first subscriber joins, so that a
	// process that only publishes receives nothing.
	Listen(ctx context.Context) error
	// Publish sends one encoded message to every process on the channel.
	// The transport keeps msg from then on. It may block while the
	// transport has no room; an error is a message not sent.
	Publish(msg []byte) error
	// Drain stops the channel gracefully: what this process published is
	// sent, and, if listening, delivered back to the Inbound with what else
	// is pending; then it calls Inbound.Closed. It returns at once.
	Drain() error
	// Close stops the channel now and releases what it holds. Once it has
	// returned, Inbound.Deliver is neither running nor called again.
	Close() error
}

// Inbound is where a Channel delivers: the Backplane's side. Its methods
// are safe to call from any goroutine.
type Inbound interface {
	// Deliver hands on one message as it was published. It blocks while
	// the Backplane has no room (the transport's own buffers and limits
	// then fill), and returns an error once the Backplane has ended. The
	// Backplane keeps msg.
	Deliver(msg []byte) error
	// Lost reports n messages the transport dropped before Deliver
	// (a slow consumer past the transport's limits).
	Lost(n uint64)
	// Problem reports a trouble of the transport that did not end it: a
	// lost connection it is re-establishing, an error from the broker.
	Problem(err error)
	// Closed says that Deliver will not be called again: the channel has
	// been drained or has closed. It comes once, after the last Deliver
	// has returned; Lost may still report a message the channel dropped
	// as it closed.
	Closed()
}

// ErrTransport is wrapped by every error a Backplane reports about its
// Transport: on its "errors" outbox, and as its failure when the Channel
// cannot be opened.
var ErrTransport = errors.New("chassis: backplane transport")

// WithTransport puts the Backplane on t: what its publishers send goes out
// through t, encoded by its codec (WithCodec), and what arrives from t, from
// every process on the Backplane's name including this one, goes to its
// subscribers. Without it a Backplane lives in its process alone.
func WithTransport(t Transport) BackplaneOption {
	return func(o *backplaneOptions) { o.transport = t }
}

// WithCodec makes a Backplane on a Transport encode its messages with c.
// Without it, a Backplane of []byte sends the bytes as they are and any
// other one uses framing.Gob. c must be a framing.Codec of the Backplane's
// own type: another one is a setup error wrapping axon.ErrTypeMismatch.
// Without a Transport the codec is not used.
func WithCodec[T any](c framing.Codec[T]) BackplaneOption {
	return func(o *backplaneOptions) { o.codec = c }
}

// rawBytes is the codec of a Backplane of []byte: the bytes are the message.
type rawBytes struct{}

func (rawBytes) Marshal(v []byte) ([]byte, error)      { return v, nil }
func (rawBytes) Unmarshal(data []byte) ([]byte, error) { return data, nil }

// codecFor returns the codec a Backplane of T uses on a Transport.
func codecFor[T any](given any) (framing.Codec[T], error) {
	if given != nil {
		c, ok := given.(framing.Codec[T])
		if !ok {
			return nil, fmt.Errorf("%w: codec %T does not encode %s", axon.ErrTypeMismatch, given, reflect.TypeFor[T]())
		}
		return c, nil
	}
	if c, ok := any(rawBytes{}).(framing.Codec[T]); ok {
		return c, nil
	}
	return framing.Gob[T]{}, nil
}

// remote is a Backplane's side of its Channel: it decodes what arrives and
// queues it for the Backplane's goroutine.
type remote[T any] struct {
	b      *Backplane[T]
	codec  framing.Codec[T]
	ctx    context.Context // the Backplane's Main's, until the Channel is closed
	stop   context.CancelFunc
	in     *axon.Outbox[T] // to the Backplane's "_remote"
	closed atomic.Bool     // the channel has closed: Inbound.Closed was called
	waker  *axon.Waker     // open while the channel is: the transport wakes the Backplane
	errs   *axon.Outbox[error]
	lost   *axon.Outbox[uint64]
}

// Deliver decodes msg and queues it; see Inbound.
func (r *remote[T]) Deliver(msg []byte) error {
	v, err := r.codec.Unmarshal(msg)
	if err != nil {
		// Its index counts every message taken from the transport before it.
		index := r.b.received.Load() + r.b.decodeErrs.Add(1) - 1
		r.report(fmt.Errorf("%w: backplane %q: message received does not decode: %w", ErrTransport, r.b.name,
			&framing.CodecError{Index: int64(index), Type: reflect.TypeFor[T](), Err: err}))
		return nil
	}
	// Counted first, so that a subscriber that has it sees it counted.
	r.b.received.Add(1)
	if err := r.in.Send(r.ctx, v); err != nil {
		r.b.received.Add(^uint64(0))
		return fmt.Errorf("%w: backplane %q has ended: %w", ErrTransport, r.b.name, err)
	}
	return nil
}

// Lost counts the messages the transport dropped; see Inbound. Each is sent
// on "lost" (its value the total so far), so that, when nothing is linked
// there, the runtime counts them as that box's dropped messages.
func (r *remote[T]) Lost(n uint64) {
	for range n {
		_ = r.lost.TrySend(r.b.lost.Add(1))
	}
}

// Problem reports a transport trouble; see Inbound.
func (r *remote[T]) Problem(err error) {
	r.b.problems.Add(1)
	r.report(fmt.Errorf("%w: backplane %q: %w", ErrTransport, r.b.name, err))
}

// Closed wakes the Backplane; see Inbound.
func (r *remote[T]) Closed() {
	r.closed.Store(true)
	r.waker.Wake()
}

// report sends err on "errors"; unlinked, the runtime counts it dropped.
func (r *remote[T]) report(err error) { _ = r.errs.TrySend(err) }

// publish encodes and sends what local publishers sent. Main only.
func (b *Backplane[T]) publish(batch []T) {
	r := b.remote
	for _, v := range batch {
		data, err := r.codec.Marshal(v)
		if err != nil {
			// Its index counts every message published before it.
			index := b.sent.Load() + b.sendErrs.Load() + b.encodeErrs.Add(1) - 1
			r.report(fmt.Errorf("%w: backplane %q: message published cannot be encoded: %w", ErrTransport, b.name,
				&framing.CodecError{Index: int64(index), Type: reflect.TypeFor[T](), Err: err}))
			continue
		}
		b.sent.Add(1) // first: it may be back before Publish returns
		if err := b.channel.Publish(data); err != nil {
			b.sent.Add(^uint64(0))
			b.sendErrs.Add(1)
			r.report(fmt.Errorf("%w: backplane %q: message not sent: %w", ErrTransport, b.name, err))
		}
	}
}

// onTransport makes the boxes and links of a Backplane on a Transport.
func (b *Backplane[T]) onTransport(o backplaneOptions) {
	codec, err := codecFor[T](o.codec)
	if err != nil {
		b.setupErr = fmt.Errorf("chassis: backplane %q: %w", b.name, err)
		return
	}
	b.transport = o.transport
	b.rin = axon.NewInbox[T](b, "_remote")
	r := &remote[T]{b: b, codec: codec}
	r.in = axon.NewOutbox[T](b, "_deliver")
	r.errs = axon.NewOutbox[error](b, "errors")
	r.lost = axon.NewOutbox[uint64](b, "lost")
	_, _ = b.Link(r.in, b.rin) // fresh boxes of one type: cannot fail
	b.remote = r
}

// open opens the Backplane's Channel. Main only, before it admits anyone.
func (b *Backplane[T]) open(ctx context.Context) error {
	b.remote.ctx, b.remote.stop = context.WithCancel(ctx)
	b.remote.waker = b.NewWaker()
	ch, err := b.transport.Open(ctx, b.name, b.remote)
	if err != nil {
		b.remote.stop()
		b.remote.waker.Close()
		return fmt.Errorf("%w: backplane %q: opening: %w", ErrTransport, b.name, err)
	}
	b.channel = ch
	return nil
}

// listenIfNeeded makes the Channel listen before the first subscriber is
// admitted. Main only.
func (b *Backplane[T]) listenIfNeeded(ctx context.Context) error {
	if b.channel == nil || b.listening {
		return nil
	}
	b.mu.Lock()
	wanted := slices.ContainsFunc(b.pending, func(p *peer[T]) bool { return p.sub != nil && !p.left })
	b.mu.Unlock()
	if !wanted {
		return nil
	}
	if err := b.channel.Listen(ctx); err != nil {
		return fmt.Errorf("%w: backplane %q: listening: %w", ErrTransport, b.name, err)
	}
	b.listening = true
	return nil
}

// closeChannel closes the Channel as Main ends.
func (b *Backplane[T]) closeChannel() {
	// A Deliver waiting for room gives up: Main takes no more, and Close
	// waits for the Deliver in flight.
	b.remote.stop()
	if err := b.channel.Close(); err != nil {
		b.remote.report(fmt.Errorf("%w: backplane %q: closing: %w", ErrTransport, b.name, err))
	}
	b.remote.waker.Close() // nothing outside will deliver any more
}

// drain drains the Channel, delivering what arrives until it has closed:
// this process's own messages come back before that. Main only, after
// ProducerFinished.
func (b *Backplane[T]) drain(ctx context.Context) {
	if err := b.channel.Drain(); err != nil {
		b.remote.report(fmt.Errorf("%w: backplane %q: draining: %w", ErrTransport, b.name, err))
		return
	}
	for {
		// Closed comes after the last Deliver: once it is seen, what is
		// queued is all there will be.
		closed := b.remote.closed.Load()
		for {
			if b.rbatch = b.rin.TryRecvBatch(b.rbatch[:0], batchSize); len(b.rbatch) == 0 {
				break
			}
			if err := b.deliver(ctx, b.rbatch); err != nil {
				return
			}
		}
		if closed {
			return
		}
		if err := b.WaitFor(ctx, b.rin); err != nil { // or the waker: Closed
			return
		}
	}
}
