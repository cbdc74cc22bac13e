package internet

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

var (
	// ErrPeerClosed is the reason a connection ended when the peer closed it
	// cleanly (its end of the stream).
	ErrPeerClosed = errors.New("internet: peer closed the connection")

	// ErrIdleTimeout is the reason a connection ended when nothing was read
	// or written for its idle timeout (see WithIdleTimeout).
	ErrIdleTimeout = errors.New("internet: connection idle too long")

	// ErrSlowConsumer is the reason a connection ended when a write could not
	// complete within its write timeout (see WithWriteTimeout): the peer
	// does not read what it is sent.
	ErrSlowConsumer = errors.New("internet: slow consumer: write timed out")

	// ErrProtocolFailed is wrapped by the reason a connection ended when it
	// was sent an *axon.Failure on control: the protocol component whose
	// signal is linked to its control failed (a malformed frame, say), so
	// the connection is closed at once.
	ErrProtocolFailed = errors.New("internet: protocol failed")
)

// SocketShutdown is why a connection ended: Kamaelia's socketShutdown
// message, carried as the Reason of the axon.ProducerFinished that the
// connection's component sends on signal when the connection ends without
// having been told to stop. Err is ErrPeerClosed, ErrIdleTimeout,
// ErrSlowConsumer, an error wrapping ErrProtocolFailed, or the I/O error
// (a reset, a failed TLS handshake); errors.Is sees through it.
type SocketShutdown struct {
	Info ConnInfo // the connection's addresses
	Err  error    // why it ended
}

// Error describes the end of the connection.
func (s *SocketShutdown) Error() string {
	return fmt.Sprintf("connection %s -> %s ended: %v", s.Info.Local, s.Info.Peer, s.Err)
}

// Unwrap returns Err.
func (s *SocketShutdown) Unwrap() error { return s.Err }

// ConnInfo holds the addresses of a connection: what a protocol factory is
// called with. Both are the zero AddrPort for a connection that is not over
// TCP (net.Pipe, say).
type ConnInfo struct {
	Peer  netip.AddrPort // the other end: the client, on a server
	Local netip.AddrPort // this end: the server's address, on a server
}

// ConnStats counts what a connection did.
type ConnStats struct {
	BytesRead    uint64 // bytes read from the socket and sent on outbox
	BytesWritten uint64 // bytes taken from inbox and written to the socket
	// Unsent is the number of bytes taken from inbox that could not be
	// written: the connection had ended, or been half-closed, first.
	Unsent uint64
}

// addrPort returns a's IP and port, unmapped, or the zero AddrPort.
func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case *net.UDPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

func infoOf(nc net.Conn) ConnInfo {
	return ConnInfo{Peer: addrPort(nc.RemoteAddr()), Local: addrPort(nc.LocalAddr())}
}

// Conn is a connected socket as a component: Kamaelia's
// ConnectedSocketAdapter. A TCPServer emits one for each connection it
// accepts; NewConn makes one from any net.Conn.
//
// Boxes:
//
//	inbox   []byte   bytes to write to the socket, in order
//	control any      ProducerFinished: write what is queued, half-close, end
//	                 (one whose Reason is ErrSlowConsumer: close at once)
//	                 Shutdown: close at once
//	                 *axon.Failure: the protocol failed; close at once
//	outbox  []byte   bytes read from the socket, in chunks of at most the
//	                 read size (one chunk per read; the receiver owns it)
//	signal  any      the outcome: exactly one message (below)
//
// Example: an echo, which ends when the peer has closed its side and been
// sent back everything it sent.
//
//	conn := <taken from a TCPServer's outbox, or NewConn(nc, WithPeerHalfClose())>
//	axon.MustLink(conn.Out, conn.In)              // what is read is written back
//	axon.MustLink(conn.Signal(), conn.Control())  // the peer's end ends the writing
//	sched.Activate(conn)
//
// A connection is a pipeline of its own: the socket's reading side at its
// head, the writing side at its tail. Both are its Main: a consumer that
// is slow to take what was read stops the reading (TCP flow control then
// slows the peer) but never the writing; and the signal says the peer's
// end as soon as everything read before it has gone out, so a server links
// it to the protocol's control and the protocol's signal to the
// connection's control, and the whole drains in order. On Linux a plain
// TCP connection waits for data in the process's epoll poller, so it is
// one goroutine and, while idle, holds no read buffer; elsewhere (and for
// TLS) a goroutine of the component reads.
//
// Shutdown:
//
//   - The peer closes its side: everything read before has been sent on
//     outbox, then signal carries ProducerFinished{Reason: *SocketShutdown}
//     wrapping ErrPeerClosed, and the connection closes. With
//     WithPeerHalfClose it goes on writing instead, until told
//     ProducerFinished.
//   - ProducerFinished on control: the connection writes what waits in its
//     inbox, half-closes (the peer reads every byte, then end of stream),
//     closes, and signal carries ProducerFinished{}. With
//     WithWaitForPeerClose it reads on after the half-close and ends when
//     the peer closes, as above.
//   - Shutdown on control, or its scheduler's context ending: it closes the
//     socket at once (a blocked read or write returns) and signal carries
//     the Shutdown.
//   - It ends by itself: idle (ErrIdleTimeout), a write that timed out
//     (ErrSlowConsumer), a socket error (a reset, a failed TLS handshake),
//     or an *axon.Failure on control (ErrProtocolFailed): it closes at once
//     and signal carries ProducerFinished{Reason: *SocketShutdown} wrapping
//     why. If the peer had already closed its side, that was the outcome,
//     and nothing more is sent.
//
// Bytes still queued in inbox when the connection closes without having
// been told ProducerFinished are not written; ConnStats.Unsent counts them.
// A write blocked on a peer that does not read still hears, within a
// quarter of a second, a failure on control or a ProducerFinished whose
// Reason is an ErrSlowConsumer, and ends the connection for it.
type Conn struct {
	axon.Core
	// In is the "inbox": bytes to write.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": bytes read.
	Out *axon.Outbox[[]byte]

	s sock
}

// NewConn makes a connection component that owns nc: it closes nc when it
// ends. If it is never activated, Close it. A *tls.Conn is handshaken first
// (bounded by WithHandshakeTimeout). For connections accepted by a
// TCPServer, the server makes the Conn.
func NewConn(nc net.Conn, opts ...ConnOption) *Conn {
	cfg := defaultConnConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return newConn(nc, cfg, nil)
}

func newConn(nc net.Conn, cfg connConfig, release func()) *Conn {
	c := &Conn{}
	c.In = axon.NewInbox[[]byte](c, "inbox")
	c.Out = axon.NewOutbox[[]byte](c, "outbox")
	if cfg.inboxCapacity != 0 {
		c.In.SetCapacity(cfg.inboxCapacity)
	}
	c.s.init(c, &c.Core, c.In, c.Out, cfg)
	c.s.attach(nc)
	c.s.release = release
	c.SetName("internet.Conn(" + nc.RemoteAddr().String() + ")")
	return c
}

// Main runs the connection until it ends; see Conn.
func (c *Conn) Main(ctx context.Context) error {
	defer c.s.releaseSlot()
	return c.s.run(ctx)
}

// Info returns the connection's addresses.
func (c *Conn) Info() ConnInfo { return c.s.info }

// LocalAddr returns the address of this end.
func (c *Conn) LocalAddr() net.Addr { return c.s.nc.LocalAddr() }

// RemoteAddr returns the address of the peer.
func (c *Conn) RemoteAddr() net.Addr { return c.s.nc.RemoteAddr() }

// Stats returns what the connection has done so far.
func (c *Conn) Stats() ConnStats { return c.s.stats() }

// Limits returns the connection's limits: its server's, for a connection
// a TCPServer accepted.
func (c *Conn) Limits() ConnLimits { return c.s.cfg.limits() }

// Close closes the socket and gives up the connection's place under its
// server's WithMaxConnections. It is for a Conn that will never be
// activated (a server refusing it, say); a running one is stopped by a
// shutdown message on its control inbox, though Close is safe then too (it
// ends as if the socket failed).
func (c *Conn) Close() error {
	c.s.releaseSlot() // first: counted free before the peer sees the close
	return c.s.nc.Close()
}

// sock is the machinery shared by Conn and TCPClient: a net.Conn driven by
// a component's inbox, outbox and control.
type sock struct {
	comp axon.Component
	core *axon.Core
	in   *axon.Inbox[[]byte]
	out  *axon.Outbox[[]byte]
	cfg  connConfig

	nc   net.Conn
	info ConnInfo

	start    time.Time
	activity atomic.Int64 // time.Since(start) of the last byte moved, in ns

	read, written, unsent atomic.Uint64

	release     func()
	releaseOnce sync.Once

	ctl *axon.Inbox[any] // the control inbox, once looked up
	now nowWriter        // writes without a deadline what the socket takes at once; nil: none

	// What control said, taken between writes or during one (run's
	// goroutine only).
	failure *axon.Failure
	slow    bool
}

func (s *sock) init(comp axon.Component, core *axon.Core, in *axon.Inbox[[]byte], out *axon.Outbox[[]byte], cfg connConfig) {
	s.comp, s.core, s.in, s.out, s.cfg = comp, core, in, out, cfg
}

// attach gives s its socket, before run.
func (s *sock) attach(nc net.Conn) {
	s.nc = nc
	s.info = infoOf(nc)
}

func (s *sock) releaseSlot() {
	s.releaseOnce.Do(func() {
		if s.release != nil {
			s.release()
		}
	})
}

func (s *sock) stats() ConnStats {
	return ConnStats{BytesRead: s.read.Load(), BytesWritten: s.written.Load(), Unsent: s.unsent.Load()}
}

func (s *sock) touch() { s.activity.Store(int64(time.Since(s.start))) }

// idleFor returns how long it has been since a byte moved.
func (s *sock) idleFor() time.Duration {
	return time.Since(s.start) - time.Duration(s.activity.Load())
}

// reason makes the Reason of the ProducerFinished that says the
// connection ended by itself.
func (s *sock) reason(err error) error { return &SocketShutdown{Info: s.info, Err: err} }

// run drives the connection; it closes the socket before it returns.
//
// The connection reads in its own Main: on Linux a plain TCP socket is
// read when the process's poller says it is readable (see poller), so a
// connection is one goroutine; otherwise (TLS, net.Pipe, another read
// size, another system) a goroutine of the component reads and hands what
// it read over through a Feed. Either way what was read goes out on
// outbox with TrySend, and while the receiver has no room the connection
// stops reading (TCP flow control then slows the peer) but goes on
// writing, so an echo loop cannot deadlock in it.
//
// The connection is a pipeline of its own, the socket's reading side at
// its head: the peer's end of stream goes out on signal as soon as
// everything read before it has gone out on outbox, while the writing side
// may go on (SendOutcome). Exactly one outcome goes out on signal.
func (s *sock) run(ctx context.Context) error {
	nc := s.nc
	defer nc.Close()
	// Shutdown means now: a blocked read, write or handshake returns.
	defer afterFunc(ctx, func() { nc.Close() })()

	s.start = time.Now()
	if err := s.handshake(ctx, nc); err != nil {
		return err
	}
	s.touch()

	// The loop's state lives on the heap and its work in functions of
	// their own, so that what a connection's goroutine holds on its stack
	// while it waits is a few frames: the stack then fits the 2 KiB a
	// goroutine starts with, and shrinks back to it after a deep write.
	r := &connRun{s: s, ctx: ctx, nc: nc, ctl: s.core.Control()}
	r.waker = s.core.NewWaker() // woken by the poller and the idle timer
	r.src = s.newSource(nc, r.waker)
	s.now, _ = r.src.(nowWriter)
	defer r.close()
	for {
		if done, err := r.step(); done {
			return err
		}
		if err := s.core.WaitFor(ctx, r.waitOn()...); err != nil {
			return ctx.Err()
		}
	}
}

// handshake runs a TLS connection's handshake, bounded by the handshake
// timeout; a failure is the connection's outcome.
func (s *sock) handshake(ctx context.Context, nc net.Conn) error {
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return nil
	}
	hctx, cancel := ctx, context.CancelFunc(func() {})
	if s.cfg.handshakeTimeout > 0 {
		hctx, cancel = context.WithTimeout(ctx, s.cfg.handshakeTimeout)
	}
	err := tc.HandshakeContext(hctx)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return axon.Finish(s.reason(fmt.Errorf("TLS handshake: %w", err)))
	}
	return nil
}

// connRun is the state of a running connection's loop.
type connRun struct {
	s     *sock
	ctx   context.Context
	nc    net.Conn
	ctl   *axon.Inbox[any]
	waker *axon.Waker
	src   readSource
	boxes [3]axon.Box // what the loop waits on

	pending    []byte // read, not yet taken by the receiver
	readErr    error  // what ended the reading (io.EOF: the peer's end)
	stopRead   bool   // this side half-closed: what the peer sends is not read
	halfClosed bool   // this side is done: ProducerFinished was handled
	peerClosed bool   // the peer's end went out on signal; writing goes on
	idle       idleTimer
}

func (r *connRun) close() {
	r.idle.stop()
	r.src.close()
	r.waker.Close()
}

// end closes the connection now, with ProducerFinished{Reason: reason} on
// signal (nil: a clean end), unless the outcome went out already (the
// peer's end of stream).
func (r *connRun) end(reason error) error {
	if r.ctx.Err() != nil {
		return r.ctx.Err() // the closed socket is why it failed
	}
	r.s.discardQueued()
	if errors.Is(reason, ErrSlowConsumer) {
		abort(r.nc)
	}
	r.nc.Close()
	return axon.Finish(reason)
}

// step does what there is to do: control, reading, writing, the ends of
// either side. It reports whether the connection has ended, and then what
// Main returns.
//
//go:noinline
func (r *connRun) step() (done bool, err error) {
	s := r.s
	// Whether ProducerFinished has come is read before the inbox is
	// drained: what was sent before it is in the inbox by then.
	failure, slow, finishing := s.takeControl()
	if failure != nil {
		return true, r.end(s.reason(fmt.Errorf("%w: %w", ErrProtocolFailed, failure)))
	}
	if slow && !r.halfClosed {
		// The protocol ended because the peer does not keep up (a
		// Backplane's Disconnect policy): what is queued would never be
		// read, so the connection closes at once.
		return true, r.end(s.reason(ErrSlowConsumer))
	}
	r.read()
	if err := s.writeQueued(r.halfClosed); err != nil {
		return true, r.end(s.reason(err))
	}
	if r.readErr != nil && r.pending == nil && !r.peerClosed && !r.stopRead {
		if r.ctx.Err() != nil {
			return true, r.ctx.Err()
		}
		eof := errors.Is(r.readErr, io.EOF)
		why := r.readErr
		if eof {
			why = ErrPeerClosed
		}
		if !eof || !s.cfg.peerHalfClose || r.halfClosed {
			return true, r.end(s.reason(why))
		}
		// The peer half-closed: say so now, so the protocol finishes what
		// it has, and write until told ProducerFinished.
		s.core.SendOutcome(axon.ProducerFinished{Reason: s.reason(why)})
		r.peerClosed = true
	}
	if finishing && !r.halfClosed {
		// Half-close first: the peer reads every byte, then end of stream,
		// whatever happens to the socket after.
		r.halfClosed = true
		if !s.cfg.waitForPeerClose {
			r.stopRead, r.pending = true, nil
		}
		if cw, ok := r.nc.(interface{ CloseWrite() error }); ok {
			// Without waiting for the peer, a failed half-close changes
			// nothing: the socket is closed next anyway.
			if err := cw.CloseWrite(); err != nil && s.cfg.waitForPeerClose && !r.peerClosed {
				return true, r.end(s.reason(err))
			}
		}
		if r.peerClosed || !s.cfg.waitForPeerClose {
			return true, r.end(nil)
		}
		return r.step() // the peer's end may have come meanwhile
	}
	if s.cfg.idleTimeout > 0 {
		quiet := s.idleFor()
		if quiet >= s.cfg.idleTimeout {
			return true, r.end(s.reason(ErrIdleTimeout))
		}
		// The timer wakes the component at the idle deadline as it stood
		// when the timer was last set; bytes moved since push it back, so
		// it is checked again then.
		r.idle.at(s.cfg.idleTimeout-quiet, r.waker)
	}
	return false, nil
}

// read sends what the socket has on outbox while the receiver has room.
func (r *connRun) read() {
	s := r.s
	for !r.stopRead && (r.pending != nil || r.readErr == nil) {
		if r.pending == nil {
			b, err := r.src.next()
			if err != nil {
				r.readErr = err
				return
			}
			if b == nil {
				return // the source wakes the component when there is more
			}
			s.read.Add(uint64(len(b)))
			s.touch()
			r.pending = b
		}
		if err := s.out.TrySend(r.pending); err != nil {
			if !errors.Is(err, axon.ErrBoxFull) {
				// The receiver has finished: what is read has nowhere to
				// go. What it sent before is written first.
				r.pending, r.readErr = nil, err
			}
			return // else WaitFor returns when there is room
		}
		r.pending = nil
	}
}

// waitOn returns the boxes to wait on: data to write, control, and room
// for what was read or the next chunk of a feed.
func (r *connRun) waitOn() []axon.Box {
	r.boxes[0], r.boxes[1] = r.s.in, r.ctl
	if r.pending != nil {
		r.boxes[2] = r.s.out
		return r.boxes[:3]
	}
	if b := r.src.waitBox(); b != nil && r.readErr == nil && !r.stopRead {
		r.boxes[2] = b
		return r.boxes[:3]
	}
	return r.boxes[:2]
}

// abort makes closing nc reset the connection rather than leave what its
// send buffer holds to a peer that does not read: the kernel would keep
// the closed socket, and the peer's end of it open, for as long as the
// peer keeps its window shut.
func abort(nc net.Conn) {
	if tc, ok := nc.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}

// readSource is where a connection's Main gets what its socket read.
type readSource interface {
	// next returns the next chunk read (the caller owns it), nil and no
	// error when there is none yet (the component is woken when there may
	// be), or the error that ended the reading (io.EOF: the peer's end of
	// stream).
	next() ([]byte, error)
	// waitBox is the inbox to wait on for the next chunk, or nil when a
	// Waker wakes the component instead.
	waitBox() axon.Box
	// close lets the source go, once the socket is closed or about to be.
	close()
}

// newSource returns how the connection reads nc: woken by the process's
// poller where it can (an idle connection then holds no goroutine and no
// buffer beyond its Main), else by a goroutine of the component that reads
// into a buffer of its own.
func (s *sock) newSource(nc net.Conn, w *axon.Waker) readSource {
	if src := newPollSource(nc, s.cfg.readSize, w); src != nil {
		return src
	}
	return newFeedSource(s.comp, nc, s.cfg.readSize)
}

// feedSource reads in a goroutine of the component and hands each chunk
// over through a Feed of one.
type feedSource struct {
	feed *axon.Feed[[]byte]
}

func newFeedSource(comp axon.Component, nc net.Conn, size int) *feedSource {
	f := axon.NewFeed[[]byte](comp, "_read", 1)
	f.Start(func(ctx context.Context, emit func([]byte) bool) error {
		// A read blocked when the component stops ends when Main closes
		// the socket, which it does before the runtime waits for this.
		buf := make([]byte, size)
		for {
			n, err := nc.Read(buf)
			if n > 0 && !emit(append([]byte(nil), buf[:n]...)) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	return &feedSource{feed: f}
}

func (s *feedSource) next() ([]byte, error) {
	it, ok := s.feed.TryRecv()
	switch {
	case !ok:
		return nil, nil
	case !it.End:
		return it.V, nil
	case it.Err == nil:
		return nil, io.EOF
	}
	return nil, it.Err
}

func (s *feedSource) waitBox() axon.Box { return s.feed.Inbox() }

func (s *feedSource) close() { s.feed.Stop() }

// writeQueued writes every chunk waiting in the inbox. After a half-close
// they cannot be written and are counted as unsent.
func (s *sock) writeQueued(halfClosed bool) error {
	for {
		b, ok := s.in.TryRecv()
		if !ok {
			return nil
		}
		if halfClosed {
			s.unsent.Add(uint64(len(b)))
			continue
		}
		if err := s.write(b); err != nil {
			return err
		}
	}
}

// discardQueued takes what waits in the inbox of a connection that has
// ended, counting it as unsent.
func (s *sock) discardQueued() {
	for {
		b, ok := s.in.TryRecv()
		if !ok {
			return
		}
		s.unsent.Add(uint64(len(b)))
	}
}

// takeControl takes the messages waiting on control and reports what they
// said, with what earlier calls (from write) took: the protocol's failure,
// whether it ended because the peer is too slow (a ProducerFinished whose
// Reason is an ErrSlowConsumer), and whether it has finished.
func (s *sock) takeControl() (failure *axon.Failure, slow, finishing bool) {
	if s.ctl == nil {
		s.ctl = s.core.Control()
	}
	// TakeControl, without looking the box up each time.
	st := axon.TakeControlFrom(s.ctl, nil)
	st.Finishing = st.Finishing || s.core.Finishing()
	if s.failure == nil {
		s.failure = st.Failure
	}
	s.slow = s.slow || errors.Is(st.Reason, ErrSlowConsumer)
	return s.failure, s.slow, st.Finishing
}

// nowWriter is a read source that can also write to its socket what the
// socket takes at once, more cheaply than a write bounded by a deadline.
type nowWriter interface {
	// writeNow writes what of b the socket takes now, without waiting:
	// 0 when it takes nothing or the write fails.
	writeNow(b []byte) int
}

// writeCheck is how often a write blocked on a peer that does not read
// looks at control: a protocol that fails, or gives up on the peer, ends
// the write.
const writeCheck = 250 * time.Millisecond

// write writes b, bounded by the write timeout, and by the protocol
// failing or giving up on the peer while it waits.
func (s *sock) write(b []byte) error {
	if s.now != nil {
		// Most writes complete at once: they need no deadline, which costs
		// a timer's update per write.
		if n := s.now.writeNow(b); n > 0 {
			s.written.Add(uint64(n))
			s.touch()
			if b = b[n:]; len(b) == 0 {
				return nil
			}
		}
	}
	start := time.Now()
	for {
		d := writeCheck
		if s.cfg.writeTimeout > 0 {
			d = min(d, s.cfg.writeTimeout-time.Since(start))
		}
		if err := s.nc.SetWriteDeadline(time.Now().Add(d)); err != nil {
			return err
		}
		n, err := s.nc.Write(b)
		s.written.Add(uint64(n))
		if n > 0 {
			s.touch()
		}
		b = b[n:]
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			s.unsent.Add(uint64(len(b)))
			return err
		}
		failure, slow, _ := s.takeControl()
		if failure != nil || slow || (s.cfg.writeTimeout > 0 && time.Since(start) >= s.cfg.writeTimeout) {
			s.unsent.Add(uint64(len(b)))
			if failure != nil {
				return fmt.Errorf("%w: %w", ErrProtocolFailed, failure)
			}
			return ErrSlowConsumer
		}
	}
}

// idleTimer wakes a connection at its idle deadline. It is set again only
// once it has fired, so bytes moving cost it nothing.
type idleTimer struct {
	t     *time.Timer
	fired atomic.Bool
}

// at makes sure the component is woken within d: a new timer, or the old
// one set again once it has fired.
func (it *idleTimer) at(d time.Duration, w *axon.Waker) {
	if it.t == nil {
		it.t = time.AfterFunc(d, func() {
			it.fired.Store(true)
			w.Wake()
		})
		return
	}
	if it.fired.Swap(false) {
		it.t.Reset(d)
	}
}

func (it *idleTimer) stop() {
	if it.t != nil {
		it.t.Stop()
	}
}

// afterFunc is context.AfterFunc. The context axon gives a component's Main
// registers f itself (its AfterFunc method), which costs a connection less
// than a context of its own.
func afterFunc(ctx context.Context, f func()) (stop func() bool) {
	if a, ok := ctx.(interface{ AfterFunc(func()) func() bool }); ok {
		return a.AfterFunc(f)
	}
	return context.AfterFunc(ctx, f)
}
