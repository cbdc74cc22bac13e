package internet

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// DialError is the failure of a TCPClient that could not connect: its
// signal carries an *axon.Failure wrapping it.
type DialError struct {
	Address  string // what was dialled
	Attempts int    // how many attempts were made
	Err      error  // the last attempt's error
}

// Error describes the failure.
func (e *DialError) Error() string {
	return fmt.Sprintf("internet: connecting to %s failed after %d attempt(s): %v", e.Address, e.Attempts, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *DialError) Unwrap() error { return e.Err }

// TCPClient connects to a TCP server and then behaves as a Conn: Kamaelia's
// TCPClient.
//
// Boxes:
//
//	inbox   []byte   bytes to write to the server, in order; what arrives
//	                 while connecting waits (the inbox is bounded)
//	control any      ProducerFinished: write what is queued, half-close, end
//	                 Shutdown: close at once (or stop connecting)
//	outbox  []byte   bytes read from the server, in chunks
//	signal  any      the outcome (below)
//
// Example: send a request, half-close, and read the reply until the server
// closes.
//
//	c := internet.NewTCPClient("127.0.0.1:8080", internet.WithWaitForPeerClose(),
//		internet.WithDialTimeout(5*time.Second))
//	h, _ := axon.NewHandle(sched, c)
//	h.Put(ctx, "inbox", []byte("GET / HTTP/1.0\r\n\r\n"))
//	h.Finish(ctx)
//	reply, _ := axontest.Collect[[]byte](ctx, h, "outbox")
//
// Connecting: each attempt is bounded by WithDialTimeout and failed
// attempts are retried as WithRetry says; WithTLS adds a TLS handshake to
// each attempt. Connected reports when the connection is up, and LocalAddr
// and RemoteAddr then say where.
//
// Shutdown: a client that cannot connect fails: its signal carries an
// *axon.Failure wrapping a *DialError. Once connected it ends as a Conn
// does: ProducerFinished on control writes what is queued, half-closes and
// closes (or, with WithWaitForPeerClose, reads on until the server closes);
// Shutdown closes at once; the connection's own end (the server closed, a
// reset, an idle or write timeout) sends ProducerFinished with a
// *SocketShutdown reason on signal.
type TCPClient struct {
	axon.Core
	// In is the "inbox": bytes to write.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": bytes read.
	Out *axon.Outbox[[]byte]

	address   string
	cfg       clientConfig
	s         sock
	mu        sync.Mutex // guards the addresses until connected is closed
	connected chan struct{}
}

// NewTCPClient makes a client that connects to address ("host:port") when
// it is activated.
func NewTCPClient(address string, opts ...ClientOption) *TCPClient {
	cfg := clientConfig{conn: defaultConnConfig()}
	for _, o := range opts {
		o.applyClient(&cfg)
	}
	if cfg.dialer == nil {
		cfg.dialer = &net.Dialer{}
	}
	c := &TCPClient{address: address, cfg: cfg, connected: make(chan struct{})}
	c.In = axon.NewInbox[[]byte](c, "inbox")
	c.Out = axon.NewOutbox[[]byte](c, "outbox")
	if cfg.conn.inboxCapacity != 0 {
		c.In.SetCapacity(cfg.conn.inboxCapacity)
	}
	c.s.init(c, &c.Core, c.In, c.Out, cfg.conn)
	c.SetName("internet.TCPClient(" + address + ")")
	return c
}

// Connected is closed once the client is connected (after the TLS
// handshake, with WithTLS).
func (c *TCPClient) Connected() <-chan struct{} { return c.connected }

// LocalAddr returns the address of the client's end, or nil before it is
// connected.
func (c *TCPClient) LocalAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.nc == nil {
		return nil
	}
	return c.s.nc.LocalAddr()
}

// RemoteAddr returns the address of the server, or nil before the client is
// connected.
func (c *TCPClient) RemoteAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.s.nc == nil {
		return nil
	}
	return c.s.nc.RemoteAddr()
}

// Stats returns what the connection has done so far.
func (c *TCPClient) Stats() ConnStats { return c.s.stats() }

// Main connects, then runs the connection until it ends; see TCPClient.
func (c *TCPClient) Main(ctx context.Context) error {
	nc, err := c.dial(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.s.attach(nc)
	c.mu.Unlock()
	close(c.connected)
	return c.s.run(ctx)
}

// dial makes the attempts WithRetry allows.
func (c *TCPClient) dial(ctx context.Context) (net.Conn, error) {
	attempts := max(c.cfg.retry.Attempts, 1)
	for n := 1; ; n++ {
		nc, err := c.attempt(ctx)
		if err == nil {
			return nc, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if n >= attempts {
			return nil, &DialError{Address: c.address, Attempts: n, Err: err}
		}
		t := time.NewTimer(c.cfg.retry.delay(n))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// attempt makes one connection, TLS handshake included, within the dial
// timeout.
func (c *TCPClient) attempt(ctx context.Context) (net.Conn, error) {
	if c.cfg.dialTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.dialTimeout)
		defer cancel()
	}
	nc, err := c.cfg.dialer.DialContext(ctx, "tcp", c.address)
	if err != nil {
		return nil, err
	}
	if c.cfg.tls == nil {
		return nc, nil
	}
	cfg := c.cfg.tls
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(c.address)
		if err != nil {
			nc.Close()
			return nil, err
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	tc := tls.Client(nc, cfg)
	if c.cfg.conn.handshakeTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.conn.handshakeTimeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		nc.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return tc, nil
}
