package internet

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// Defaults of the limits a connection has when no option sets them.
const (
	// DefaultReadSize is the most a connection reads from its socket at
	// once, and so the largest chunk it sends on its outbox.
	DefaultReadSize = 8 << 10
	// DefaultHandshakeTimeout bounds a TLS handshake.
	DefaultHandshakeTimeout = 10 * time.Second
)

// Defaults of the limits a TCPServer gives itself and every connection it
// accepts, as nats-server and net/http guides choose them: each bounds what
// one misbehaving client can hold. Turn one off with its option and zero
// (WithMaxConnections(0), WithIdleTimeout(0), WithWriteTimeout(0)).
const (
	// DefaultMaxConnections caps the connections a TCPServer has open at
	// once: with the file limit, what bounds its memory (a connection
	// costs some kilobytes; see docs/performance.md).
	DefaultMaxConnections = 10000
	// DefaultIdleTimeout closes a server's connection on which no byte has
	// moved either way for this long: a client gone silent (or trickling
	// slower than this) gives its place back.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultWriteTimeout closes a server's connection whose peer has not
	// taken a write for this long (ErrSlowConsumer), so that one client
	// that stops reading cannot hold back a protocol, or a Backplane,
	// that serves others.
	DefaultWriteTimeout = 10 * time.Second
)

// ConnLimits are the limits of one connection, as its options set them
// (zero: none).
type ConnLimits struct {
	IdleTimeout      time.Duration // WithIdleTimeout
	WriteTimeout     time.Duration // WithWriteTimeout
	HandshakeTimeout time.Duration // WithHandshakeTimeout (TLS only)
	ReadSize         int           // WithReadSize
	PeerHalfClose    bool          // WithPeerHalfClose: goes on writing after the peer half-closes
}

// ServerLimits are the limits of a TCPServer and of each connection it
// accepts.
type ServerLimits struct {
	MaxConnections int // WithMaxConnections (zero: none)
	Conn           ConnLimits
}

func (c connConfig) limits() ConnLimits {
	return ConnLimits{IdleTimeout: c.idleTimeout, WriteTimeout: c.writeTimeout,
		HandshakeTimeout: c.handshakeTimeout, ReadSize: c.readSize, PeerHalfClose: c.peerHalfClose}
}

// connConfig is what ConnOptions set: the limits of one connection.
type connConfig struct {
	idleTimeout      time.Duration
	writeTimeout     time.Duration
	handshakeTimeout time.Duration
	readSize         int
	inboxCapacity    int
	waitForPeerClose bool
	peerHalfClose    bool
}

func defaultConnConfig() connConfig {
	return connConfig{readSize: DefaultReadSize, handshakeTimeout: DefaultHandshakeTimeout}
}

// clientConfig is what ClientOptions set.
type clientConfig struct {
	conn        connConfig
	dialTimeout time.Duration
	retry       Backoff
	dialer      Dialer
	tls         *tls.Config
}

// serverConfig is what ServerOptions set.
type serverConfig struct {
	conn           connConfig
	maxConns       int
	tls            *tls.Config
	acceptBackoff  time.Duration // first delay after a failed Accept
	acceptMaxDelay time.Duration
}

// ClientOption configures a TCPClient. Every ConnOption is one, as is what
// WithTLS returns.
type ClientOption interface{ applyClient(*clientConfig) }

// ServerOption configures a TCPServer. Every ConnOption is one (it then
// applies to each connection the server accepts), as is what WithTLS
// returns.
type ServerOption interface{ applyServer(*serverConfig) }

// ConnOption sets a limit or a behaviour of a connection. NewConn takes
// them, and so do NewTCPClient and NewTCPServer (for every connection the
// server accepts).
type ConnOption func(*connConfig)

func (o ConnOption) applyClient(c *clientConfig) { o(&c.conn) }
func (o ConnOption) applyServer(c *serverConfig) { o(&c.conn) }

type clientOption func(*clientConfig)

func (o clientOption) applyClient(c *clientConfig) { o(c) }

type serverOption func(*serverConfig)

func (o serverOption) applyServer(c *serverConfig) { o(c) }

// WithIdleTimeout ends a connection on which no byte has been read or
// written for d (Kamaelia's NoActivityTimeout): its signal then carries
// ProducerFinished with a *SocketShutdown wrapping ErrIdleTimeout. A write
// that is blocked on a peer that does not read is bounded by
// WithWriteTimeout, not by this. Zero means no idle limit: the default of
// NewConn and TCPClient; a TCPServer's is DefaultIdleTimeout.
func WithIdleTimeout(d time.Duration) ConnOption {
	return func(c *connConfig) { c.idleTimeout = d }
}

// WithWriteTimeout is the slow-consumer policy, as in nats-server: a socket
// write that cannot complete within d means the peer is not reading fast
// enough, and the connection is closed with ErrSlowConsumer as the reason.
// Zero means writes wait as long as they must, and the back-pressure
// reaches whoever sends to the connection's inbox: the default of NewConn
// and TCPClient; a TCPServer's is DefaultWriteTimeout.
func WithWriteTimeout(d time.Duration) ConnOption {
	return func(c *connConfig) { c.writeTimeout = d }
}

// WithReadSize sets the most a connection reads at once (DefaultReadSize
// unless set); each chunk sent on the outbox is at most n bytes. The
// connection keeps one buffer of this size.
func WithReadSize(n int) ConnOption {
	return func(c *connConfig) {
		if n > 0 {
			c.readSize = n
		}
	}
}

// WithInboxCapacity sets the capacity of a connection's inbox: how many
// chunks may wait to be written before a sender waits (n > 0, or
// axon.Unbounded; axon's default capacity unless set).
func WithInboxCapacity(n int) ConnOption {
	return func(c *connConfig) { c.inboxCapacity = n }
}

// WithHandshakeTimeout bounds a TLS handshake (DefaultHandshakeTimeout
// unless set). A TCPClient bounds it by its dial timeout too.
func WithHandshakeTimeout(d time.Duration) ConnOption {
	return func(c *connConfig) { c.handshakeTimeout = d }
}

// WithWaitForPeerClose makes a connection told ProducerFinished keep reading
// after it has written what it was given and half-closed its side: it ends
// when the peer closes (Kamaelia's wait_for_serverclose). Without it, the
// connection closes as soon as its side is half-closed.
func WithWaitForPeerClose() ConnOption {
	return func(c *connConfig) { c.waitForPeerClose = true }
}

// WithPeerHalfClose lets the peer half-close: when it closes its side, the
// connection stops reading and says so on signal at once
// (ProducerFinished with ErrPeerClosed), but goes on writing what it is
// given until it is told ProducerFinished on control. Linked as a server
// links it (signal to the protocol's control, the protocol's signal to
// control), the protocol's last replies then reach a peer that has only
// half-closed, as a pipeline drains from its head, and as net/http and
// nginx answer a client that half-closes after its request. chassis's
// ServerCore and SimpleServer give it to every connection they serve;
// without it (NewConn, TCPClient and TCPServer's default), the peer's end
// of stream closes the connection at once (Kamaelia's behaviour).
func WithPeerHalfClose() ConnOption {
	return func(c *connConfig) { c.peerHalfClose = true }
}

// WithCloseOnPeerHalfClose makes a connection close as soon as the peer
// closes its side (Kamaelia's behaviour), what the protocol would still
// have written included: the opposite of WithPeerHalfClose, for a server
// whose clients close only when they are done with the answers.
func WithCloseOnPeerHalfClose() ConnOption {
	return func(c *connConfig) { c.peerHalfClose = false }
}

// Dialer makes connections for a TCPClient. *net.Dialer is one; tests give
// one that returns net.Pipe ends.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Backoff says how a TCPClient retries a connection that failed. Attempt n
// (n >= 2) starts Initial*Multiplier^(n-2) after attempt n-1 failed, at most
// Max after it. The zero Backoff makes one attempt.
type Backoff struct {
	// Attempts is how many connection attempts are made in all; 0 or 1
	// means one.
	Attempts int
	// Initial is the delay before the second attempt.
	Initial time.Duration
	// Max caps the delay; 0 means no cap.
	Max time.Duration
	// Multiplier scales the delay after each failed attempt; values below 1
	// mean 2.
	Multiplier float64
}

// delay returns how long to wait after the failed attempt n (from 1).
func (b Backoff) delay(n int) time.Duration {
	m := b.Multiplier
	if m < 1 {
		m = 2
	}
	d := float64(b.Initial)
	for range n - 1 {
		d *= m
		if b.Max > 0 && d >= float64(b.Max) {
			return b.Max
		}
	}
	if b.Max > 0 && d > float64(b.Max) {
		return b.Max
	}
	return time.Duration(d)
}

// WithDialTimeout bounds each connection attempt of a TCPClient, the TLS
// handshake included. Zero (the default) leaves it to the operating system.
func WithDialTimeout(d time.Duration) ClientOption {
	return clientOption(func(c *clientConfig) { c.dialTimeout = d })
}

// WithRetry makes a TCPClient retry a connection that failed, as b says.
func WithRetry(b Backoff) ClientOption {
	return clientOption(func(c *clientConfig) { c.retry = b })
}

// WithDialer makes a TCPClient connect with d instead of a net.Dialer.
func WithDialer(d Dialer) ClientOption {
	return clientOption(func(c *clientConfig) { c.dialer = d })
}

// WithMaxConnections caps how many connections a TCPServer has open at once:
// one accepted beyond n is closed at once and counted in ServerStats.Refused.
// A connection counts from its accept until its component ends (or is
// closed, if it is never activated). DefaultMaxConnections unless set;
// zero means no cap.
func WithMaxConnections(n int) ServerOption {
	return serverOption(func(c *serverConfig) { c.maxConns = n })
}

// WithAcceptBackoff sets how a TCPServer waits after a failed Accept (out of
// file descriptors, say) before it tries again: first, then doubling up to
// max, as net/http's Server does (5ms and 1s unless set).
func WithAcceptBackoff(first, max time.Duration) ServerOption {
	return serverOption(func(c *serverConfig) { c.acceptBackoff, c.acceptMaxDelay = first, max })
}

// TLSOption is both a ClientOption and a ServerOption: see WithTLS.
type TLSOption struct{ cfg *tls.Config }

func (o TLSOption) applyClient(c *clientConfig) { c.tls = o.cfg }
func (o TLSOption) applyServer(c *serverConfig) { c.tls = o.cfg }

// WithTLS makes a TCPClient or TCPServer speak TLS with cfg (see
// ClientTLSConfig and ServerTLSConfig for configurations from certificate
// files). A client whose cfg has no ServerName verifies the host it dials.
// The handshake happens in the connection's component, bounded by
// WithHandshakeTimeout, so a slow handshake never holds up the accept loop.
func WithTLS(cfg *tls.Config) TLSOption { return TLSOption{cfg} }
