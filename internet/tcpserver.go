package internet

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// ServerStats counts what a TCPServer did.
type ServerStats struct {
	Accepted uint64 // connections emitted on outbox
	// Refused counts connections closed at once: over WithMaxConnections, or
	// with nowhere to go (the outbox linked to nothing, or the server
	// stopping while it waited to send one).
	Refused      uint64
	Active       int    // connections emitted whose component has not ended
	AcceptErrors uint64 // failed Accepts, each followed by a back-off
}

// TCPServer listens for TCP connections and emits each one it accepts as a
// *Conn component on its outbox, not yet activated: Kamaelia's TCPServer.
// Whoever takes the Conn owns it: it wires it (to a protocol component,
// typically), activates it, or Closes it. ServerCore, SimpleServer and
// SingleServer in chassis are built on it.
//
// Boxes:
//
//	inbox   any      not used: what arrives is discarded
//	control any      ProducerFinished or Shutdown: close the listener, end
//	outbox  *Conn    each accepted connection, with the server's limits
//	signal  any      the outcome (below)
//
// Example:
//
//	srv, err := internet.NewTCPServer("127.0.0.1:0", internet.WithMaxConnections(100))
//	if err != nil { ... }
//	fmt.Println("listening on", srv.Addr())
//	h, _ := axon.NewHandle(sched, srv)
//	m, _ := h.Get(ctx, "outbox")
//	conn := m.(*internet.Conn) // wire it, then activate it
//
// Listening starts in NewTCPServer, so Addr reports the port chosen for
// port 0 before the server runs. Accepting happens in a child component
// that sends on the outbox with back-pressure: while the receiver does not
// take connections, the server accepts no more (the kernel's backlog holds
// them). A failed Accept (out of file descriptors, say) is retried after a
// back-off (WithAcceptBackoff). Connections over WithMaxConnections are
// closed at once and counted. A server has production limits unless told
// otherwise: DefaultMaxConnections, and for each connection
// DefaultIdleTimeout, DefaultWriteTimeout and DefaultHandshakeTimeout.
//
// Shutdown: ProducerFinished or Shutdown on control closes the listener and
// ends the server (signal: ProducerFinished{} or the Shutdown); the port is
// free again at once. Connections already emitted are not the server's: the
// receiver ends them (a ServerCore sends each ProducerFinished, then
// Shutdown past its deadline). A listener that fails other than by being
// closed is retried for ever, so the server fails only to start.
type TCPServer struct {
	axon.Core
	// Out is the "outbox": accepted connections.
	Out *axon.Outbox[*Conn]

	in        *axon.Inbox[any] // unused
	ln        net.Listener
	cfg       serverConfig
	closeOnce sync.Once
	stopping  chan struct{} // closed when the listener is closed by us

	active                     atomic.Int64
	accepted, refused, aerrors atomic.Uint64
}

// NewTCPServer listens on address ("host:port"; port 0 picks a free port,
// which Addr reports) and returns the server, not yet running. If it is
// never activated, Close it.
func NewTCPServer(address string, opts ...ServerOption) (*TCPServer, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, err
	}
	return NewTCPServerFromListener(ln, opts...), nil
}

// NewTCPServerFromListener makes a server that accepts from ln, which it
// owns: it closes ln when it ends. Any net.Listener will do (one handed
// over by a service manager, a fake in tests); connections that are not
// TCP have zero addresses in their ConnInfo.
func NewTCPServerFromListener(ln net.Listener, opts ...ServerOption) *TCPServer {
	cfg := serverConfig{conn: defaultConnConfig(), maxConns: DefaultMaxConnections,
		acceptBackoff: 5 * time.Millisecond, acceptMaxDelay: time.Second}
	cfg.conn.idleTimeout = DefaultIdleTimeout
	cfg.conn.writeTimeout = DefaultWriteTimeout
	for _, o := range opts {
		o.applyServer(&cfg)
	}
	s := &TCPServer{ln: ln, cfg: cfg, stopping: make(chan struct{})}
	s.Out = axon.NewOutbox[*Conn](s, "outbox")
	s.in = axon.NewInbox[any](s, "inbox")
	s.SetName("internet.TCPServer(" + ln.Addr().String() + ")")
	return s
}

// Addr returns the address the server listens on.
func (s *TCPServer) Addr() net.Addr { return s.ln.Addr() }

// AddrPort returns the IP address and port the server listens on, or the
// zero AddrPort for a listener that is not TCP.
func (s *TCPServer) AddrPort() netip.AddrPort { return addrPort(s.ln.Addr()) }

// Stats returns what the server has done so far.
func (s *TCPServer) Stats() ServerStats {
	return ServerStats{
		Accepted:     s.accepted.Load(),
		Refused:      s.refused.Load(),
		Active:       int(s.active.Load()),
		AcceptErrors: s.aerrors.Load(),
	}
}

// Limits returns the server's limits and those of each connection it
// accepts.
func (s *TCPServer) Limits() ServerLimits {
	return ServerLimits{MaxConnections: s.cfg.maxConns, Conn: s.cfg.conn.limits()}
}

// Close closes the listener. It is for a server that will never be
// activated; a running one is stopped by a shutdown message on control.
func (s *TCPServer) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stopping)
		err = s.ln.Close()
	})
	return err
}

// Main accepts until told to stop; see TCPServer.
func (s *TCPServer) Main(ctx context.Context) error {
	defer s.Close()
	defer context.AfterFunc(ctx, func() { s.Close() })()

	acceptor := newPump(s.Name()+".acceptor", s.accept, func(c *Conn) {
		s.refused.Add(1)
		s.accepted.Add(^uint64(0)) // it was counted when accepted
		c.Close()
	})
	if err := startPump(&s.Core, acceptor, s.Out); err != nil {
		return err
	}
	for {
		drainControl(&s.Core)
		for {
			if _, ok := s.in.TryRecv(); !ok {
				break
			}
		}
		if s.Finishing() {
			return nil // the deferred Close stops the acceptor
		}
		if done, err := acceptor.ended(); done {
			if err == nil || errors.Is(err, errStopPump) {
				return ctx.Err()
			}
			return err
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
}

// accept is the acceptor's read: the next connection within the limits.
func (s *TCPServer) accept(ctx context.Context) (*Conn, error) {
	delay := time.Duration(0)
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil, errStopPump
			}
			select {
			case <-s.stopping:
				return nil, errStopPump
			default:
			}
			// Out of file descriptors and the like: back off and retry, as
			// net/http does.
			s.aerrors.Add(1)
			if delay == 0 {
				delay = s.cfg.acceptBackoff
			} else {
				delay = min(2*delay, s.cfg.acceptMaxDelay)
			}
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.stopping:
				t.Stop()
				return nil, errStopPump
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
			continue
		}
		delay = 0
		if max := s.cfg.maxConns; max > 0 && s.active.Load() >= int64(max) {
			s.refused.Add(1)
			nc.Close()
			continue
		}
		s.active.Add(1)
		s.accepted.Add(1)
		if s.cfg.tls != nil {
			nc = tls.Server(nc, s.cfg.tls)
		}
		return newConn(nc, s.cfg.conn, func() { s.active.Add(-1) }), nil
	}
}
