package chassis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/internet"
)

// Server is a TCP server that runs one protocol component per connection:
// Kamaelia's ServerCore and SimpleServer. Make one with ServerCore or
// SimpleServer.
//
// For each connection it accepts, the Server calls its factory and runs the
// connection (an *internet.Conn) and the protocol component side by side,
// wired as Kamaelia wires them:
//
//	conn outbox  ([]byte read)         -> protocol inbox
//	protocol outbox ([]byte to write)  -> conn inbox
//	conn signal  (the client's end)    -> protocol control
//	protocol signal (its end)          -> conn control
//
// When the client goes away, the protocol is told on control:
// ProducerFinished whose Reason is an *internet.SocketShutdown (Kamaelia's
// socketShutdown); when the protocol ends, its signal ends the connection
// (ProducerFinished: what it sent is written, then the socket is closed; a
// failure: the socket is closed at once). A client that only half-closes
// (nc -N, socat, a request then CloseWrite) so still gets every reply the
// protocol sends before it ends, as net/http and nginx answer it
// (internet.WithPeerHalfClose is the Server's default);
// internet.WithCloseOnPeerHalfClose closes the connection at once instead,
// as Kamaelia did. The protocol's inbox must take
// []byte (or be an interface such as any) and its outbox must carry []byte;
// a protocol whose boxes do not fit is refused: its connection is closed.
// A component with no "inbox" of its own gets the default one (any), so a
// protocol that only sends, such as SubscribeTo[[]byte], fits as it is
// (the default outbox carries any, which does not fit: a protocol needs an
// outbox of []byte of its own), but what the client sends it is never
// read: once its inbox is
// full the connection stops reading, and so notices the client's end only
// when the protocol ends. A protocol that does not fit is a wrong factory,
// which would have every connection refused: its error goes out on
// errors, the Server stops listening, lets the connections it has end,
// and fails with that error.
//
// The Server owns what it makes: each connection and its protocol are
// children of the Server, linked to each other directly (no component
// stands between them, so a connection costs two goroutines, its Conn's
// and its protocol's). When both have ended the Server removes the four
// links and forgets both (RemoveChild), so a long-running server holds
// only its live connections.
//
// Boxes:
//
//	inbox         not used
//	control       ProducerFinished or Shutdown (see Shutdown)
//	outbox        not used
//	disconnected  internet.ConnInfo: each connection whose connection and
//	              protocol have ended and been removed, in the order they
//	              end (dropped, and counted, when nothing is linked; sent
//	              with back-pressure when something is)
//	errors        error: a protocol whose boxes do not fit (then the
//	              Server stops; dropped when nothing is linked)
//	signal        the Server's outcome
//
// Listening starts when the Server is made, so Addr reports the port chosen
// for port 0 before it runs. If it is never activated, Close it. The
// internet.ServerOptions (limits, TLS, connection options such as
// internet.WithIdleTimeout) apply to the listener and every connection.
//
// Shutdown: ProducerFinished on control closes the listener at once (the
// port is free) and lets the connections it has run to their own end; the
// Server then ends, and signal carries ProducerFinished{}. Shutdown on
// control (or its scheduler's context ending) closes the listener and every
// connection at once: each connection and protocol is shut down, and signal
// carries the Shutdown.
//
// Drain on control is a graceful shutdown with a deadline: the listener is
// closed at once, each connection's protocol is sent ProducerFinished on
// control (it finishes what it has; what it sends before it ends is
// written, then the connection half-closes and closes), and the Server
// waits for them for the Drain's Grace. Connections still running then are
// sent Shutdown (their sockets are closed at once, their protocols shut
// down). When all have ended the Server ends; signal carries
// ProducerFinished{}.
type Server struct {
	axon.Core

	srv     *internet.TCPServer
	factory func(internet.ConnInfo) axon.Component
	conns   *axon.Inbox[*internet.Conn]
	gone    *axon.Outbox[internet.ConnInfo]
	errs    *axon.Outbox[error]

	// live holds each connection being served, under its Conn and under
	// its protocol: the Server's children, whose ends it hears of.
	live    map[axon.Component]*served
	refused atomic.Uint64
	active  atomic.Int64

	draining bool      // a Drain came: protocols were told ProducerFinished
	deadline time.Time // when a draining Server shuts the rest down
	cut      bool      // the deadline passed: the rest were sent Shutdown
	misfit   error     // the first protocol whose boxes did not fit

	// Requests from Shutdown and Close, made from other goroutines: the
	// Server's wait is cancelled (poke) so that it looks at them.
	reqMu    sync.Mutex
	reqDrain bool
	reqClose bool
	poke     context.CancelFunc
}

// Drain, sent on a Server's control, stops it gracefully within Grace: see
// Server. A Grace of zero or less shuts the connections down at once.
type Drain struct {
	Grace time.Duration
}

// ServerCore listens on addr ("host:port"; port 0 picks a free port, which
// Addr reports) and returns a Server, not yet running, that calls factory
// for each connection it accepts with the connection's addresses (the
// client's, Peer, and the server's own, Local) and runs the component it
// returns as that connection's protocol. The factory is called on the
// Server's goroutine, one connection at a time, so it must not block;
// returning nil refuses the connection (it is closed). See Server.
//
// ServerCore does not call factory to check the protocol's boxes before the
// first connection: a factory may act when it is called (join a Backplane,
// open a file, count or log a connection, hand the component to a test),
// it is given the addresses of a connection that does not exist yet, and
// a component made and never activated cannot in general be undone. A
// protocol whose boxes do not fit is reported when the first connection
// comes (see Server); a caller whose factory has no effects can make one
// component first and look at its boxes (kamaelia launch does).
func ServerCore(factory func(internet.ConnInfo) axon.Component, addr string, opts ...internet.ServerOption) (*Server, error) {
	if factory == nil {
		return nil, errors.New("chassis: ServerCore: nil protocol factory")
	}
	// A client that half-closes after its request still gets the replies:
	// the protocol is told, and the connection closes when it has ended.
	opts = append([]internet.ServerOption{internet.WithPeerHalfClose()}, opts...)
	srv, err := internet.NewTCPServer(addr, opts...)
	if err != nil {
		return nil, err
	}
	s := &Server{srv: srv, factory: factory, live: map[axon.Component]*served{}}
	s.conns = axon.NewInbox[*internet.Conn](s, "_conns")
	s.gone = axon.NewOutbox[internet.ConnInfo](s, "disconnected")
	s.errs = axon.NewOutbox[error](s, "errors")
	s.SetName("chassis.Server(" + srv.Addr().String() + ")")
	return s, nil
}

// SimpleServer is ServerCore for a protocol that does not need to know who
// it talks to: Kamaelia's SimpleServer(protocol=..., port=...). Each
// connection gets a fresh component from protocol. The seed's
//
//	SimpleServer(protocol = VideoProtocol, port = 1500)
//
// is
//
//	VideoProtocol := func() axon.Component { return chassis.SubscribeTo[[]byte]("VIDEO") }
//	srv, err := chassis.SimpleServer(VideoProtocol, ":1500")
//
// See Server for the boxes and shutdown.
func SimpleServer(protocol func() axon.Component, addr string, opts ...internet.ServerOption) (*Server, error) {
	if protocol == nil {
		return nil, errors.New("chassis: SimpleServer: nil protocol")
	}
	return ServerCore(func(internet.ConnInfo) axon.Component { return protocol() }, addr, opts...)
}

// Addr returns the address the Server listens on.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

// AddrPort returns the IP address and port the Server listens on.
func (s *Server) AddrPort() netip.AddrPort { return s.srv.AddrPort() }

// Close stops the Server at once: the listener is closed and every
// connection is closed and its protocol shut down, as a Drain whose Grace
// has passed does. For a running Server it returns when the Server has
// ended (signal: ProducerFinished{}); for one never activated it closes
// the listener.
func (s *Server) Close() error {
	if s.State() == axon.Initialised {
		return s.srv.Close()
	}
	s.request(func() { s.reqClose = true })
	<-s.Done()
	return nil
}

// Shutdown stops the Server gracefully, as net/http's Server.Shutdown does:
// the listener is closed at once, each connection's protocol is told
// ProducerFinished (it finishes what it has; what it sends is written),
// and Shutdown waits for them to end. If ctx ends first, the connections
// still running are closed at once, and Shutdown returns ctx's error once
// the Server has ended. A Server never activated has its listener closed.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.State() == axon.Initialised {
		return s.srv.Close()
	}
	s.request(func() { s.reqDrain = true })
	select {
	case <-s.Done():
		return nil
	case <-ctx.Done():
	}
	s.request(func() { s.reqClose = true })
	<-s.Done()
	return ctx.Err()
}

// request records a request from Shutdown or Close and wakes the Server.
func (s *Server) request(set func()) {
	s.reqMu.Lock()
	set()
	if s.poke != nil {
		s.poke()
	}
	s.reqMu.Unlock()
}

// takeRequests acts on what Shutdown and Close asked for.
func (s *Server) takeRequests() {
	s.reqMu.Lock()
	drain, cut := s.reqDrain, s.reqClose
	s.reqMu.Unlock()
	if drain && !s.draining {
		s.startDrain(time.Time{})
	}
	if cut && !s.cut {
		if !s.draining {
			s.draining = true
		}
		s.cutRest()
	}
}

// startDrain tells every protocol ProducerFinished; deadline is when the
// rest are cut (zero: when Close or Shutdown's context says).
func (s *Server) startDrain(deadline time.Time) {
	s.draining = true
	s.deadline = deadline
	for k, c := range s.live {
		if k == c.proto {
			_ = tell(c.proto, axon.ProducerFinished{}) // refused only once it has finished
		}
	}
}

// cutRest closes every connection still running at once.
func (s *Server) cutRest() {
	s.cut = true
	for k, c := range s.live {
		if k == c.conn {
			_ = c.conn.Tell(axon.Shutdown{Reason: errDrainDeadline})
		}
	}
}

// ServerCounts counts what a Server did.
type ServerCounts struct {
	internet.ServerStats        // the listener's counts
	Connections          int    // connections whose protocol is running or ending
	Refused              uint64 // connections closed because their protocol did not fit
}

// Stats returns what the Server has done so far.
func (s *Server) Stats() ServerCounts {
	return ServerCounts{ServerStats: s.srv.Stats(), Connections: int(s.active.Load()), Refused: s.refused.Load()}
}

// Limits returns the limits of the Server's listener and of each
// connection it serves (see internet.ServerLimits).
func (s *Server) Limits() internet.ServerLimits { return s.srv.Limits() }

// Run activates the Server on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (s *Server) Run() error { return axon.Run(s) }

// Main accepts connections and runs their protocols until told to stop; see
// Server.
func (s *Server) Main(ctx context.Context) error {
	s.AddChildren(s.srv)
	if _, err := s.Link(s.srv.Out, s.conns); err != nil {
		s.RemoveChild(s.srv)
		s.srv.Close()
		return err
	}
	s.ActivateChildren()
	closed := false
	for {
		for {
			c, ok := s.conns.TryRecv()
			if !ok {
				break
			}
			if closed {
				c.Close()
				continue
			}
			s.start(c)
		}
		if err := s.reap(ctx); err != nil {
			return err
		}
		finishing := s.takeControl()
		s.takeRequests()
		if s.draining && !s.cut && !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
			s.cutRest()
		}
		if finishing || s.draining || s.misfit != nil {
			if !closed {
				closed = true
				s.srv.Close() // its acceptor stops and it ends
			}
			if len(s.live) == 0 && s.conns.Len() == 0 && isDone(s.srv) {
				return s.misfit
			}
		}
		wctx, cancel := context.WithCancel(ctx)
		if s.draining && !s.cut && !s.deadline.IsZero() {
			wctx, cancel = context.WithDeadline(ctx, s.deadline)
		}
		s.reqMu.Lock()
		s.poke = cancel
		pending := (s.reqDrain && !s.draining) || (s.reqClose && !s.cut)
		s.reqMu.Unlock()
		var err error
		if !pending {
			err = s.Wait(wctx)
		}
		s.reqMu.Lock()
		s.poke = nil
		s.reqMu.Unlock()
		cancel()
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// errDrainDeadline is the Reason of the Shutdown sent to the connections
// still running when a Drain's Grace has passed.
var errDrainDeadline = errors.New("chassis: server drain deadline passed")

// takeControl takes every message waiting on control, starts a Drain if one
// is among them, and reports whether the Server was told ProducerFinished.
func (s *Server) takeControl() (finishing bool) {
	return s.TakeControl(func(msg any) {
		d, ok := msg.(Drain)
		if !ok || s.draining {
			return
		}
		s.startDrain(time.Now().Add(d.Grace))
	}).Finishing
}

// served is a connection being served and its protocol.
type served struct {
	conn    *internet.Conn
	proto   axon.Component
	info    internet.ConnInfo
	links   [4]*axon.Linkage
	running int // of conn and proto
}

// start runs a connection and a fresh protocol for it: both become the
// Server's children, linked to each other by links of no component's, which
// the Server removes when both have ended. No component stands between
// them, so a connection costs two goroutines, its Conn's and its
// protocol's.
func (s *Server) start(c *internet.Conn) {
	proto := s.factory(c.Info())
	if proto == nil {
		s.refused.Add(1)
		c.Close()
		return
	}
	sv := &served{conn: c, proto: proto, info: c.Info(), running: 2}
	if err := sv.wire(); err != nil {
		// Every connection would be refused: the factory is wrong. Say
		// so, and stop as ProducerFinished would, failing with it.
		s.refused.Add(1)
		c.Close()
		_ = s.errs.TrySend(err) // dropped, and counted, when nothing is linked
		if s.misfit == nil {
			s.misfit = err
		}
		return
	}
	s.live[c] = sv
	s.live[proto] = sv
	s.active.Add(1)
	s.AddChildren(c, proto)
	sched := s.Scheduler()
	sched.Activate(c)
	sched.Activate(proto)
}

// tell puts a shutdown message on comp's control (axon.Core.Tell).
func tell(comp axon.Component, msg any) error {
	if t, ok := comp.(interface{ Tell(any) error }); ok {
		return t.Tell(msg)
	}
	return fmt.Errorf("chassis: %T has no Tell", comp)
}

// wire links the connection and the protocol as Kamaelia wires them.
func (sv *served) wire() error {
	for i, l := range [...]struct {
		from    axon.Component
		fromBox string
		to      axon.Component
		toBox   string
	}{
		{sv.conn, "outbox", sv.proto, "inbox"},
		{sv.proto, "outbox", sv.conn, "inbox"},
		{sv.conn, "signal", sv.proto, "control"},
		{sv.proto, "signal", sv.conn, "control"},
	} {
		lk, err := axon.LinkByName(l.from, l.fromBox, l.to, l.toBox)
		if err != nil {
			sv.unwire()
			return fmt.Errorf("chassis: server protocol %s: %w", sv.proto, err)
		}
		sv.links[i] = lk
	}
	return nil
}

// unwire removes the links wire made.
func (sv *served) unwire() {
	for i, l := range sv.links {
		if l != nil {
			_ = axon.Unlink(l)
			sv.links[i] = nil
		}
	}
}

// reap forgets the connections whose Conn and protocol have both ended and
// reports each on disconnected.
func (s *Server) reap(ctx context.Context) error {
	for _, k := range s.EndedChildren() {
		sv := s.live[k]
		if sv == nil {
			continue // the listener
		}
		delete(s.live, k)
		if sv.running--; sv.running > 0 {
			continue
		}
		sv.unwire()
		s.RemoveChild(sv.conn)
		s.RemoveChild(sv.proto)
		s.active.Add(-1)
		if err := s.gone.Send(ctx, sv.info); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// isDone reports whether c has finished (its Done is closed).
func isDone(c interface{ Done() <-chan struct{} }) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

// Single is a TCP server for one client at a time: Kamaelia's SingleServer.
// Make one with SingleServer.
//
// The client's socket is passed through the server's own boxes: what
// arrives on inbox is written to the client, and what the client sends
// comes out of outbox, with no copy and no extra hop (the links are
// passthroughs to the connection, made when a client connects and removed
// when it leaves). While a client is connected, later clients are refused:
// their connections are accepted and closed at once (Refused counts them).
// When no client is connected, what arrives on inbox is discarded.
//
// Boxes:
//
//	inbox    []byte   bytes for the client (discarded while there is none)
//	control  any      ProducerFinished or Shutdown (see Shutdown)
//	outbox   []byte   bytes the client sent, in chunks as read
//	signal   any      *internet.SocketShutdown each time a client leaves
//	                  (the Single goes on listening, and serves the next
//	                  client), then the Single's own outcome
//
// What goes out on signal when a client leaves is not a shutdown message,
// so a pipeline through the Single (its signal linked to the next stage's
// control, as in `SingleServer ! Upper ! s.`) serves client after client.
// EndAfterFirstClient makes it end when its first client leaves instead,
// as Kamaelia's did.
//
// A client that half-closes after sending (nc -N, socat, a request then
// CloseWrite) still gets its replies, as a SimpleServer's do: the
// connection goes on writing what arrives on inbox until nothing has
// arrived or been written for the linger (DefaultHalfCloseLinger unless
// HalfCloseLinger sets another), then half-closes and closes, and the
// client has left. Nothing in a pipeline through the Single says when it
// has answered, so a quiet spell stands for it. A client that connects
// meanwhile is not refused: the lingering one is closed at once (what it
// was sent is written first) and the new one served next.
// internet.WithCloseOnPeerHalfClose, or a linger of zero, closes a
// half-closing client at once instead (Kamaelia's behaviour).
//
// Listening starts when the Single is made, so Addr reports the port chosen
// for port 0 before it runs. If it is never activated, Close it.
//
// Shutdown: ProducerFinished on control closes the listener, tells the
// connected client's connection ProducerFinished (it writes what it was
// sent, half-closes and closes), and ends when it has; signal carries
// ProducerFinished{}. Shutdown on control, or its scheduler's context
// ending, closes the listener and the connection at once; signal carries
// the Shutdown.
type Single struct {
	axon.Core
	// In is the "inbox": bytes for the client.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": bytes from the client.
	Out *axon.Outbox[[]byte]

	srv     *internet.TCPServer
	conns   *axon.Inbox[*internet.Conn]
	connCtl *axon.Outbox[any]
	connSig *axon.Inbox[any]

	cur        *internet.Conn
	links      []*axon.Linkage
	once       bool  // EndAfterFirstClient
	onceReason error // why the one client left
	refused    atomic.Uint64
	clients    atomic.Uint64
	lingering  atomic.Bool // the client being served has half-closed (Lingering)

	linger   time.Duration  // HalfCloseLinger
	outcome  any            // what the client's connection said on signal, when it half-closed
	told     bool           // the client's connection was told ProducerFinished
	quiet    time.Time      // since when nothing was written to a half-closed client
	written  uint64         // its bytes written when last looked at
	waiting  *internet.Conn // a client that came while the last one lingered
	lingerAt deadlineCtx
}

// DefaultHalfCloseLinger is how long a Single goes on serving a client that
// has half-closed once nothing arrives for it or is written to it: see
// Single.
const DefaultHalfCloseLinger = 500 * time.Millisecond

// SingleServer listens on addr ("host:port"; port 0 picks a free port,
// which Addr reports) and returns a Single, not yet running. See Single.
func SingleServer(addr string, opts ...internet.ServerOption) (*Single, error) {
	// A client that half-closes after its request still gets the replies.
	opts = append([]internet.ServerOption{internet.WithPeerHalfClose()}, opts...)
	srv, err := internet.NewTCPServer(addr, opts...)
	if err != nil {
		return nil, err
	}
	s := &Single{srv: srv, linger: DefaultHalfCloseLinger}
	s.In = axon.NewInbox[[]byte](s, "inbox")
	s.Out = axon.NewOutbox[[]byte](s, "outbox")
	s.conns = axon.NewInbox[*internet.Conn](s, "_conns")
	s.connSig = axon.NewInbox[any](s, "_connsig")
	s.SetName("chassis.Single(" + srv.Addr().String() + ")")
	return s, nil
}

// EndAfterFirstClient makes the Single serve one client only: when it
// leaves, the Single stops listening and ends, its signal carrying
// ProducerFinished{Reason: *internet.SocketShutdown} (Kamaelia's
// SingleServer, whose consumer ended with its client). Call it before the
// Single is activated; it returns s.
func (s *Single) EndAfterFirstClient() *Single {
	s.once = true
	return s
}

// HalfCloseLinger sets how long the Single goes on serving a client that
// has half-closed once nothing arrives for it or is written to it (see
// Single); zero or less closes such a client at once. Call it before the
// Single is activated; it returns s.
func (s *Single) HalfCloseLinger(d time.Duration) *Single {
	s.linger = d
	return s
}

// Addr returns the address the Single listens on.
func (s *Single) Addr() net.Addr { return s.srv.Addr() }

// AddrPort returns the IP address and port the Single listens on.
func (s *Single) AddrPort() netip.AddrPort { return s.srv.AddrPort() }

// Close closes the listener of a Single that will never be activated.
func (s *Single) Close() error { return s.srv.Close() }

// Refused returns how many clients were turned away because another was
// connected.
func (s *Single) Refused() uint64 { return s.refused.Load() }

// Clients returns how many clients have been served (connected, whether or
// not they have left).
func (s *Single) Clients() uint64 { return s.clients.Load() }

// Lingering reports whether the client being served has half-closed and
// the Single has noticed: from then until it leaves, a client that comes
// is served next instead of refused. (A client that connects after the
// first half-closed, but before the Single noticed, is refused.)
func (s *Single) Lingering() bool { return s.lingering.Load() }

// Run activates the Single on the default scheduler and waits until every
// component activated there has finished (axon.Run).
func (s *Single) Run() error { return axon.Run(s) }

// Main serves one client at a time until told to stop; see Single.
func (s *Single) Main(ctx context.Context) error {
	s.AddChildren(s.srv)
	if _, err := s.Link(s.srv.Out, s.conns); err != nil {
		s.RemoveChild(s.srv)
		s.srv.Close()
		return err
	}
	s.ActivateChildren()
	defer s.lingerAt.stop()
	defer func() {
		if s.waiting != nil {
			s.waiting.Close() // stopped before its turn came
		}
	}()
	closed, finishing := false, false
	for {
		if s.cur != nil && isDone(s.cur) {
			msg := s.left()
			switch {
			case closed:
			case s.once:
				// The first client was the only one: end with its outcome.
				s.onceReason = msg.Reason
				closed = true
				s.srv.Close()
			default:
				if err := s.Signal().Send(ctx, msg.Reason); err != nil && ctx.Err() != nil {
					return ctx.Err()
				}
			}
		}
		if s.cur == nil && s.waiting != nil {
			c := s.waiting
			s.waiting = nil
			if closed {
				s.refused.Add(1)
				c.Close()
			} else if err := s.join(c); err != nil {
				c.Close()
				return err
			}
		}
		if s.onceReason != nil && s.cur == nil && isDone(s.srv) && s.conns.Len() == 0 {
			return axon.Finish(s.onceReason)
		}
		for {
			c, ok := s.conns.TryRecv()
			if !ok {
				break
			}
			if s.cur != nil && !s.told {
				// A half-close that came with this client is noticed
				// first, so the client is served next, not refused.
				s.noticeHalfClose()
			}
			switch {
			case s.cur == nil && !closed:
				if err := s.join(c); err != nil {
					c.Close()
					return err
				}
			case s.outcome != nil && s.waiting == nil && !closed:
				// The client being served has half-closed: it is let go
				// now, and this one served next.
				s.waiting = c
				s.finishClient()
			default:
				s.refused.Add(1)
				c.Close()
			}
		}
		if s.cur == nil {
			for {
				if _, ok := s.In.TryRecv(); !ok {
					break
				}
			}
		}
		wait := s.lingerClient()
		if s.TakeControl(nil).Finishing {
			finishing = true
		}
		if finishing {
			if !closed {
				closed = true
				s.srv.Close()
			}
			s.finishClient()
			if s.cur == nil && s.waiting == nil && isDone(s.srv) && s.conns.Len() == 0 {
				return nil
			}
		}
		wctx := ctx
		if wait > 0 {
			wctx = s.lingerAt.at(ctx, wait)
		}
		if err := s.Wait(wctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// lingerClient looks after a client that has half-closed: it notices the
// half-close (its connection's outcome on signal), and tells the
// connection ProducerFinished once nothing has arrived for the client or
// been written to it for the linger. It returns how long to wait before
// looking again (zero: no need).
func (s *Single) lingerClient() time.Duration {
	if s.cur == nil || s.told || !s.noticeHalfClose() {
		return 0
	}
	if s.linger <= 0 {
		s.finishClient()
		return 0
	}
	if w := s.cur.Stats().BytesWritten; w != s.written || s.cur.In.Len() > 0 {
		s.quiet, s.written = time.Now(), w
	}
	left := s.linger - time.Since(s.quiet)
	if left <= 0 {
		s.finishClient()
		return 0
	}
	return left
}

// noticeHalfClose reports whether the client being served has half-closed,
// taking its connection's outcome from signal the first time it is there.
func (s *Single) noticeHalfClose() bool {
	if s.outcome == nil {
		m, ok := s.connSig.TryRecv()
		if !ok {
			return false
		}
		s.outcome = m
		s.quiet, s.written = time.Now(), s.cur.Stats().BytesWritten
		s.lingering.Store(true)
	}
	return true
}

// finishClient tells the client's connection ProducerFinished: it writes
// what it was sent, half-closes and closes.
func (s *Single) finishClient() {
	if s.cur == nil || s.told {
		return
	}
	s.told = true
	_ = s.connCtl.TrySend(axon.ProducerFinished{}) // its control has room: nothing else sends there
}

// deadlineCtx is a context that ends after a delay, made again only once
// it has ended or the delay asked for is shorter.
type deadlineCtx struct {
	ctx    context.Context
	cancel context.CancelFunc
	when   time.Time
}

func (d *deadlineCtx) at(parent context.Context, after time.Duration) context.Context {
	when := time.Now().Add(after)
	if d.ctx == nil || d.ctx.Err() != nil || when.Before(d.when) {
		d.stop()
		d.ctx, d.cancel = context.WithDeadline(parent, when)
		d.when = when
	}
	return d.ctx
}

func (d *deadlineCtx) stop() {
	if d.cancel != nil {
		d.cancel()
	}
}

// left forgets the client that has gone and returns what to say on signal:
// the connection's own outcome when it was ProducerFinished (its Reason the
// *internet.SocketShutdown saying why), else ProducerFinished wrapping it.
func (s *Single) left() axon.ProducerFinished {
	info := s.cur.Info()
	msg := s.outcome
	for {
		m, ok := s.connSig.TryRecv()
		if !ok {
			break
		}
		msg = m
	}
	s.leave()
	s.cur, s.outcome, s.told = nil, nil, false
	s.lingering.Store(false)
	switch m := msg.(type) {
	case axon.ProducerFinished:
		if m.Reason != nil {
			return m
		}
		return axon.ProducerFinished{Reason: &internet.SocketShutdown{Info: info, Err: internet.ErrPeerClosed}}
	case nil:
		return axon.ProducerFinished{Reason: &internet.SocketShutdown{Info: info, Err: internet.ErrPeerClosed}}
	case error:
		return axon.ProducerFinished{Reason: &internet.SocketShutdown{Info: info, Err: m}}
	default:
		return axon.ProducerFinished{Reason: &internet.SocketShutdown{Info: info, Err: fmt.Errorf("%v", m)}}
	}
}

// join makes c the client: passthroughs from inbox and to outbox, and the
// Single's line to its control.
func (s *Single) join(c *internet.Conn) error {
	s.cur = c
	s.AddChildren(c)
	// Made per client, so that a Handle on the Single, which links every
	// outbox there is when it is made, does not take it.
	s.connCtl = axon.NewOutbox[any](s, "_connctl")
	for _, l := range [...][2]axon.Box{
		{s.In, c.In},
		{c.Out, s.Out},
		{s.connCtl, c.Control()},
		{c.Signal(), s.connSig},
	} {
		lk, err := s.Link(l[0], l[1])
		if err != nil {
			s.leave()
			s.cur = nil
			return err
		}
		s.links = append(s.links, lk)
	}
	s.clients.Add(1)
	s.Scheduler().Activate(c)
	return nil
}

// leave removes the links to the client's connection and forgets it.
func (s *Single) leave() {
	for _, l := range s.links {
		_ = axon.Unlink(l)
	}
	clear(s.links)
	s.links = s.links[:0]
	if s.connCtl != nil {
		_ = s.RemoveBox(s.connCtl)
		s.connCtl = nil
	}
	if s.cur != nil {
		s.RemoveChild(s.cur)
	}
}
