package natsplane

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/nats-io/nats.go"
)

// DefaultSubjectPrefix is put before a Backplane's name to make its NATS
// subject: the Backplane "VIDEO" is on "kamaelia.backplane.VIDEO".
const DefaultSubjectPrefix = "kamaelia.backplane."

// Defaults of a Transport, each changed by an Option.
const (
	// DefaultPendingMsgs and DefaultPendingBytes bound what a Backplane's
	// NATS subscription holds while its subscribers are behind: past either,
	// NATS drops new messages (counted as Lost). They are nats.go's own.
	DefaultPendingMsgs  = nats.DefaultSubPendingMsgsLimit
	DefaultPendingBytes = nats.DefaultSubPendingBytesLimit
	// DefaultReconnectWait is the pause between two tries to reconnect.
	DefaultReconnectWait = 250 * time.Millisecond
	// DefaultDrainTimeout bounds a drain (the end of a Backplane told
	// ProducerFinished); past it the connection is closed anyway.
	DefaultDrainTimeout = 5 * time.Second
)

// openFlushTimeout bounds Listen's wait for the server to confirm the
// subscription.
const openFlushTimeout = 10 * time.Second

// ErrBadName is wrapped by the error of a Backplane whose name cannot be a
// NATS subject (empty, with white space, '*', '>' or an empty token).
var ErrBadName = errors.New("natsplane: backplane name is not a valid NATS subject")

// Option changes a Transport.
type Option func(*Transport)

// WithNATSOptions passes options to nats.go for each connection: user and
// password, token, NKey or credentials file (nats.UserCredentials), TLS
// (nats.Secure, nats.RootCAs, nats.ClientCert), a name, timeouts. They are
// applied after the Transport's own (MaxReconnects(-1), ReconnectWait,
// DrainTimeout), so they may change those too. Handlers set here are called
// as well as the Transport's.
func WithNATSOptions(opts ...nats.Option) Option {
	return func(t *Transport) { t.natsOpts = append(t.natsOpts, opts...) }
}

// WithPendingLimits bounds what each Backplane's subscription holds for it
// while its subscribers are behind: msgs messages and bytes bytes (-1: no
// bound on that one). Past them NATS drops new messages, and the Backplane
// counts them as Lost.
func WithPendingLimits(msgs, bytes int) Option {
	return func(t *Transport) { t.pendingMsgs, t.pendingBytes = msgs, bytes }
}

// WithSubjectPrefix puts Backplanes on subjects prefix+name instead of
// DefaultSubjectPrefix+name: separate systems on one NATS server, or a
// subject space an account is allowed.
func WithSubjectPrefix(prefix string) Option {
	return func(t *Transport) { t.prefix = prefix }
}

// Transport is a chassis.Transport on a NATS server. Each Backplane made
// with it opens a connection of its own when it starts, subscribes to its
// subject, and drains and closes the connection when it ends.
type Transport struct {
	url          string
	natsOpts     []nats.Option
	prefix       string
	pendingMsgs  int
	pendingBytes int
}

// Dial returns a Transport to the NATS server (or cluster: a comma-separated
// list) at url, "nats://host:port" or "tls://host:port". Nothing is dialled
// until a Backplane starts:
//
//	t := natsplane.Dial("nats://broker:4222", natsplane.WithNATSOptions(nats.UserCredentials("app.creds")))
//	chassis.NewBackplane[Frame]("VIDEO", chassis.WithTransport(t))
func Dial(url string, opts ...Option) *Transport {
	t := &Transport{url: url, prefix: DefaultSubjectPrefix, pendingMsgs: DefaultPendingMsgs, pendingBytes: DefaultPendingBytes}
	for _, o := range opts {
		o(t)
	}
	return t
}

// URL returns the address the Transport dials.
func (t *Transport) URL() string { return t.url }

// Subject returns the NATS subject of the Backplane called name.
func (t *Transport) Subject(name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	return t.prefix + name, nil
}

func checkName(name string) error {
	if name == "" || strings.ContainsAny(name, " \t\r\n*>") {
		return fmt.Errorf("%w: %q", ErrBadName, name)
	}
	for tok := range strings.SplitSeq(name, ".") {
		if tok == "" {
			return fmt.Errorf("%w: %q has an empty token", ErrBadName, name)
		}
	}
	return nil
}

// Open connects to the server. See chassis.Transport.
func (t *Transport) Open(ctx context.Context, name string, in chassis.Inbound) (chassis.Channel, error) {
	subject, err := t.Subject(name)
	if err != nil {
		return nil, err
	}
	c := &channel{t: t, in: in, subject: subject, done: make(chan struct{}), connClosed: make(chan struct{})}
	o := nats.GetDefaultOptions()
	o.Url = t.url
	o.Name = "kamaelia backplane " + name
	o.MaxReconnect = -1
	o.ReconnectWait = DefaultReconnectWait
	o.DrainTimeout = DefaultDrainTimeout
	for _, opt := range t.natsOpts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("natsplane: NATS option: %w", err)
		}
	}
	c.hook(&o)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nc, err := o.Connect()
	if err != nil {
		return nil, fmt.Errorf("natsplane: connecting to %s: %w", t.url, err)
	}
	c.nc = nc
	return c, nil
}

// channel is one Backplane's connection and, once it listens, subscription.
type channel struct {
	t          *Transport
	nc         *nats.Conn
	subject    string
	in         chassis.Inbound
	done       chan struct{} // closed when the subscription's goroutine ends
	connClosed chan struct{} // closed when the connection's closed handler ran
	closing    atomic.Bool

	mu      sync.Mutex // guards the fields below
	sub     *nats.Subscription
	dropped int // the subscription's drops already reported

	calls inFlight // the calls into the Inbound from nats.go's goroutines
}

// inFlight counts the calls into a Channel's Inbound under way, so that
// Closed comes only after the last has returned: nats.go calls a
// subscription's closed handler from the connection's close, while the
// subscription's goroutine may still be delivering the message it took
// last (a drain ends once no message is pending, not once the last one
// has been handled).
type inFlight struct {
	mu   sync.Mutex
	n    int
	shut bool
	idle chan struct{} // closed when n falls to 0 once shut
}

// enter reports whether a call may go on (the Inbound has not been told
// Closed); if so, leave must follow.
func (f *inFlight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shut {
		return false
	}
	f.n++
	return true
}

func (f *inFlight) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 && f.idle != nil {
		close(f.idle)
		f.idle = nil
	}
}

// shutAndWait lets no call start and waits for those under way.
func (f *inFlight) shutAndWait() {
	f.mu.Lock()
	f.shut = true
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	idle := make(chan struct{})
	f.idle = idle
	f.mu.Unlock()
	<-idle
}

// Listen subscribes to the Backplane's subject and returns once the server
// has the subscription. See chassis.Channel.
func (c *channel) Listen(ctx context.Context) error {
	sub, err := c.nc.Subscribe(c.subject, c.handle)
	if err != nil {
		return fmt.Errorf("natsplane: subscribing to %s: %w", c.subject, err)
	}
	sub.SetClosedHandler(func(string) { close(c.done) })
	c.mu.Lock()
	c.sub = sub
	c.mu.Unlock()
	if err := sub.SetPendingLimits(c.t.pendingMsgs, c.t.pendingBytes); err != nil {
		return fmt.Errorf("natsplane: %s: pending limits: %w", c.subject, err)
	}
	// Once the server has answered a ping, it has the subscription: what
	// is published from now on reaches it.
	fctx, cancel := context.WithTimeout(ctx, openFlushTimeout)
	defer cancel()
	if err := c.nc.FlushWithContext(fctx); err != nil {
		return fmt.Errorf("natsplane: subscribing to %s: %w", c.subject, err)
	}
	return nil
}

// hook chains the channel's handlers in front of those already set.
func (c *channel) hook(o *nats.Options) {
	userErr, userDisc, userReconn, userClosed := o.AsyncErrorCB, o.DisconnectedErrCB, o.ReconnectedCB, o.ClosedCB
	o.AsyncErrorCB = func(nc *nats.Conn, s *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrSlowConsumer) {
			if c.calls.enter() {
				c.countDropped()
				c.calls.leave()
			}
		} else {
			c.in.Problem(fmt.Errorf("natsplane: %s: %w", c.subject, err))
		}
		if userErr != nil {
			userErr(nc, s, err)
		}
	}
	o.DisconnectedErrCB = func(nc *nats.Conn, err error) {
		if !c.closing.Load() {
			c.in.Problem(fmt.Errorf("natsplane: disconnected from %s, reconnecting: %w", nc.ConnectedUrlRedacted(), orClosed(err)))
		}
		if userDisc != nil {
			userDisc(nc, err)
		}
	}
	o.ReconnectedCB = func(nc *nats.Conn) {
		// The subscription is made again by nats.go; messages published
		// while the connection was down are gone (no JetStream).
		if userReconn != nil {
			userReconn(nc)
		}
	}
	o.ClosedCB = func(nc *nats.Conn) {
		// Once the subscription's closed handler has run, nats.go starts
		// no delivery; the one its goroutine may still be making is waited
		// for (calls), and then nothing reaches the Inbound.
		if sub := c.subscription(); sub != nil {
			<-c.done
		}
		c.calls.shutAndWait()
		c.in.Closed()
		close(c.connClosed)
		if userClosed != nil {
			userClosed(nc)
		}
	}
}

func orClosed(err error) error {
	if err == nil {
		return nats.ErrConnectionClosed
	}
	return err
}

// handle delivers one message: nats.go's goroutine of the subscription.
func (c *channel) handle(m *nats.Msg) {
	if !c.calls.enter() {
		// Taken by nats.go's goroutine just as the connection closed,
		// after the Backplane heard Closed: it cannot be delivered.
		c.in.Lost(1)
		return
	}
	defer c.calls.leave()
	c.countDropped()
	// An error means the Backplane has ended: Close follows.
	_ = c.in.Deliver(m.Data) // nats.go gives each message its own copy of the data
}

func (c *channel) subscription() *nats.Subscription {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sub
}

// countDropped reports the subscription's drops not yet reported. It is
// called from two goroutines (the subscription's and the connection's
// callbacks): the lock keeps the reports, running totals, in order.
func (c *channel) countDropped() {
	sub := c.subscription()
	if sub == nil {
		return
	}
	d, err := sub.Dropped()
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := d - c.dropped; n > 0 {
		c.dropped = d
		c.in.Lost(uint64(n))
	}
}

// Publish sends msg on the Backplane's subject. See chassis.Channel.
func (c *channel) Publish(msg []byte) error { return c.nc.Publish(c.subject, msg) }

// Drain unsubscribes once what was published is back (if listening), then
// flushes and closes the connection (nats.Conn.Drain); the connection's
// closed handler calls Inbound.Closed. See chassis.Channel.
func (c *channel) Drain() error {
	c.closing.Store(true)
	if err := c.nc.Drain(); err != nil {
		c.nc.Close()
		return fmt.Errorf("natsplane: draining %s: %w", c.subject, err)
	}
	return nil
}

// Close closes the connection and waits for its goroutines that call back
// into the Backplane. See chassis.Channel.
func (c *channel) Close() error {
	c.closing.Store(true)
	c.nc.Close()
	c.wait()
	return nil
}

// wait returns once the subscription's goroutine and the connection's
// callbacks are done (the closed handler waits for the former).
func (c *channel) wait() { <-c.connClosed }
