package internet_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopbacks are the only addresses the tests use.
var loopbacks = []struct{ name, addr string }{
	{"ipv4", "127.0.0.1:0"},
	{"ipv6", "[::1]:0"},
}

// listen listens on addr, skipping the test when the address family is
// not available (no IPv6 on the loopback interface).
func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil && addr == "[::1]:0" {
		t.Skipf("IPv6 loopback unavailable: %v", err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// acceptOne accepts one connection in a goroutine and hands it over.
func acceptOne(t *testing.T, ln net.Listener) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(ch)
			return
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetDeadline(time.Now().Add(axontest.Safety)) // a net, not a wait
		ch <- c
	}()
	return ch
}

func accepted(t *testing.T, ctx context.Context, ch <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c, ok := <-ch:
		require.True(t, ok, "accept failed")
		return c
	case <-ctx.Done():
		t.Fatal("no connection accepted")
		return nil
	}
}

func TestTCPClientRoundTrip(t *testing.T) {
	for _, lb := range loopbacks {
		t.Run(lb.name, func(t *testing.T) {
			ctx := axontest.Context(t)
			ln := listen(t, lb.addr)
			acc := acceptOne(t, ln)
			c := internet.NewTCPClient(ln.Addr().String())
			h := axontest.NewHandle(t, axontest.NewScheduler(t), c)

			srv := accepted(t, ctx, acc)
			<-c.Connected()
			assert.Equal(t, srv.RemoteAddr().String(), c.LocalAddr().String())
			assert.Equal(t, ln.Addr().String(), c.RemoteAddr().String())

			msg := bytes.Repeat([]byte("kamaelia "), 10000) // 90 kB: many chunks
			for len(msg) > 0 {
				n := min(len(msg), 7000)
				require.NoError(t, h.Put(ctx, "inbox", msg[:n]))
				msg = msg[n:]
			}
			got := make([]byte, 90000)
			_, err := io.ReadFull(srv, got)
			require.NoError(t, err)
			assert.Equal(t, bytes.Repeat([]byte("kamaelia "), 10000), got)

			reply := bytes.Repeat([]byte{0, 1, 2, 255}, 20000)
			go func() {
				srv.Write(reply)
				srv.Close()
			}()
			assert.Equal(t, reply, rest(t, ctx, h))
			ss := reason(t, get(t, ctx, h, "signal"))
			assert.ErrorIs(t, ss, internet.ErrPeerClosed)
			assert.Equal(t, netip.MustParseAddrPort(ln.Addr().String()), ss.Info.Peer)
			require.NoError(t, h.Wait(ctx))
			assert.Equal(t, internet.ConnStats{BytesRead: 80000, BytesWritten: 90000}, c.Stats())
		})
	}
}

func TestTCPClientFinishHalfClosesThenWaitsForTheServer(t *testing.T) {
	ctx := axontest.Context(t)
	ln := listen(t, "127.0.0.1:0")
	acc := acceptOne(t, ln)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient(ln.Addr().String(), internet.WithWaitForPeerClose()))
	require.NoError(t, h.Put(ctx, "inbox", []byte("request")))
	require.NoError(t, h.Finish(ctx))

	srv := accepted(t, ctx, acc)
	// The server reads to the end of the stream: the client half-closed.
	assert.Equal(t, "request", string(recvBytes(t, ctx, readAll(srv))))
	// The client still reads: the reply after the half-close arrives.
	_, err := srv.Write([]byte("reply"))
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	assert.Equal(t, "reply", string(rest(t, ctx, h)))
	assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
}

func TestTCPClientFinishWritesEverythingAndCloses(t *testing.T) {
	ctx := axontest.Context(t)
	ln := listen(t, "127.0.0.1:0")
	acc := acceptOne(t, ln)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient(ln.Addr().String()))
	var want []byte
	for i := range 200 {
		chunk := bytes.Repeat([]byte{byte(i)}, 1000)
		want = append(want, chunk...)
		require.NoError(t, h.Put(ctx, "inbox", chunk))
	}
	require.NoError(t, h.Finish(ctx))
	srv := accepted(t, ctx, acc)
	assert.Equal(t, want, recvBytes(t, ctx, readAll(srv)))
	assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h, "signal"))
}

func TestTCPClientConnectionRefused(t *testing.T) {
	ctx := axontest.Context(t)
	// A port that was just free and is closed again: connecting is refused.
	ln := listen(t, "127.0.0.1:0")
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient(addr))
	sig := get(t, ctx, h, "signal")
	f, ok := sig.(*axon.Failure)
	require.True(t, ok, "signal is %T (%v)", sig, sig)
	var de *internet.DialError
	require.ErrorAs(t, f, &de)
	assert.Equal(t, 1, de.Attempts)
	assert.ErrorIs(t, f, syscall.ECONNREFUSED)
	assert.ErrorIs(t, h.Wait(ctx), syscall.ECONNREFUSED)
}

func TestTCPClientResetByPeer(t *testing.T) {
	ctx := axontest.Context(t)
	ln := listen(t, "127.0.0.1:0")
	acc := acceptOne(t, ln)
	c := internet.NewTCPClient(ln.Addr().String())
	h := axontest.NewHandle(t, axontest.NewScheduler(t), c)
	srv := accepted(t, ctx, acc).(*net.TCPConn)
	<-c.Connected()
	require.NoError(t, srv.SetLinger(0)) // Close sends a reset
	require.NoError(t, srv.Close())
	ss := reason(t, get(t, ctx, h, "signal"))
	assert.ErrorIs(t, ss, syscall.ECONNRESET)
}

func TestTCPClientShutdownClosesAtOnce(t *testing.T) {
	ctx := axontest.Context(t)
	ln := listen(t, "127.0.0.1:0")
	acc := acceptOne(t, ln)
	c := internet.NewTCPClient(ln.Addr().String())
	h := axontest.NewHandle(t, axontest.NewScheduler(t), c)
	srv := accepted(t, ctx, acc)
	<-c.Connected()
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
	assert.Empty(t, recvBytes(t, ctx, readAll(srv)), "the server sees the end of the stream")
}

// pipeDialer is a Dialer for tests in a synctest bubble: it fails the first
// failures attempts with refused, and records when each attempt was made.
type pipeDialer struct {
	mu       sync.Mutex
	failures int
	block    bool // attempts wait for their context instead
	times    []time.Time
	peers    chan net.Conn
}

func newPipeDialer(failures int) *pipeDialer {
	return &pipeDialer{failures: failures, peers: make(chan net.Conn, 1)}
}

func (d *pipeDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.times = append(d.times, time.Now())
	n := len(d.times)
	d.mu.Unlock()
	if d.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if n <= d.failures {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	a, b := net.Pipe()
	d.peers <- b
	return a, nil
}

// offsets returns when each attempt was made, from start.
func (d *pipeDialer) offsets(start time.Time) []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []time.Duration
	for _, t := range d.times {
		out = append(out, t.Sub(start))
	}
	return out
}

func TestTCPClientRetriesWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		d := newPipeDialer(3)
		start := time.Now()
		c := internet.NewTCPClient("server:1", internet.WithDialer(d), internet.WithRetry(internet.Backoff{
			Attempts: 5, Initial: 100 * time.Millisecond, Max: 250 * time.Millisecond,
		}))
		h := axontest.NewHandle(t, axontest.NewScheduler(t), c)
		// Queued before the connection is up, written once it is.
		require.NoError(t, h.Put(ctx, "inbox", []byte("early")))
		peer := <-d.peers
		<-c.Connected()
		assert.Equal(t, []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 550 * time.Millisecond},
			d.offsets(start), "delays 100ms, 200ms, then capped at 250ms")
		buf := make([]byte, 5)
		_, err := io.ReadFull(peer, buf)
		require.NoError(t, err)
		assert.Equal(t, "early", string(buf))
		peer.Close()
		assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
	})
}

func TestTCPClientGivesUpAfterItsAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		d := newPipeDialer(100)
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient("server:1", internet.WithDialer(d),
			internet.WithRetry(internet.Backoff{Attempts: 3, Initial: time.Second, Multiplier: 3})))
		sig := get(t, ctx, h, "signal")
		var de *internet.DialError
		require.ErrorAs(t, sig.(*axon.Failure), &de)
		assert.Equal(t, 3, de.Attempts)
		assert.Equal(t, "server:1", de.Address)
		assert.ErrorIs(t, de, syscall.ECONNREFUSED)
		assert.Equal(t, []time.Duration{0, time.Second, 4 * time.Second}, d.offsets(start))
	})
}

func TestTCPClientDialTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		d := newPipeDialer(0)
		d.block = true
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient("server:1", internet.WithDialer(d),
			internet.WithDialTimeout(2*time.Second),
			internet.WithRetry(internet.Backoff{Attempts: 2, Initial: time.Second})))
		sig := get(t, ctx, h, "signal")
		assert.Equal(t, 5*time.Second, time.Since(start), "2s, 1s back-off, 2s")
		assert.ErrorIs(t, sig.(*axon.Failure), context.DeadlineExceeded)
		assert.Equal(t, []time.Duration{0, 3 * time.Second}, d.offsets(start))
	})
}

func TestTCPClientShutdownWhileConnecting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		d := newPipeDialer(100)
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewTCPClient("server:1", internet.WithDialer(d),
			internet.WithRetry(internet.Backoff{Attempts: 10, Initial: time.Hour})))
		synctest.Wait() // the first attempt failed; the back-off has begun
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
		assert.Zero(t, time.Since(start), "no waiting out the back-off")
	})
}

// --- TCPServer ---

func TestTCPServerEmitsConnections(t *testing.T) {
	for _, lb := range loopbacks {
		t.Run(lb.name, func(t *testing.T) {
			listen(t, lb.addr) // skips without IPv6
			ctx := axontest.Context(t)
			s := axontest.NewScheduler(t)
			srv, err := internet.NewTCPServer(lb.addr)
			require.NoError(t, err)
			require.NotZero(t, srv.AddrPort().Port(), "port 0 was replaced by the port chosen")
			h := axontest.NewHandle(t, s, srv)

			cl := dial(t, srv.Addr().String())
			defer cl.Close()
			conn := get(t, ctx, h, "outbox").(*internet.Conn)
			assert.Equal(t, internet.ConnInfo{
				Peer:  netip.MustParseAddrPort(cl.LocalAddr().String()),
				Local: srv.AddrPort(),
			}, conn.Info())

			axon.MustLink(conn.Out, conn.In) // an echo
			s.Activate(conn)
			_, err = cl.Write([]byte("echo me"))
			require.NoError(t, err)
			buf := make([]byte, 7)
			_, err = io.ReadFull(cl, buf)
			require.NoError(t, err)
			assert.Equal(t, "echo me", string(buf))
			assert.Equal(t, internet.ServerStats{Accepted: 1, Active: 1}, srv.Stats())

			require.NoError(t, cl.Close())
			<-conn.Done()
			assert.Equal(t, internet.ServerStats{Accepted: 1, Active: 0}, srv.Stats())

			require.NoError(t, h.Finish(ctx))
			assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h, "signal"))
		})
	}
}

func TestTCPServerMaxConnections(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	srv, err := internet.NewTCPServer("127.0.0.1:0", internet.WithMaxConnections(1))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)

	first := dial(t, srv.Addr().String())
	defer first.Close()
	conn := get(t, ctx, h, "outbox").(*internet.Conn)
	axon.MustLink(conn.Out, conn.In)
	s.Activate(conn)

	second := dial(t, srv.Addr().String())
	defer second.Close()
	// The server closes the second at once: its read ends.
	_, err = second.Read(make([]byte, 1))
	require.Error(t, err)
	assert.Equal(t, internet.ServerStats{Accepted: 1, Refused: 1, Active: 1}, srv.Stats())

	// When the first goes, there is room again.
	require.NoError(t, first.Close())
	<-conn.Done()
	third := dial(t, srv.Addr().String())
	defer third.Close()
	conn3 := get(t, ctx, h, "outbox").(*internet.Conn)
	require.NoError(t, conn3.Close())
	assert.Equal(t, internet.ServerStats{Accepted: 2, Refused: 1, Active: 0}, srv.Stats())
}

func TestTCPServerShutdownFreesThePort(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	srv, err := internet.NewTCPServer("127.0.0.1:0")
	require.NoError(t, err)
	addr := srv.Addr().String()
	h := axontest.NewHandle(t, s, srv)
	// An accepted connection in TIME_WAIT must not keep the port.
	cl := dial(t, addr)
	require.NoError(t, get(t, ctx, h, "outbox").(*internet.Conn).Close())
	cl.Close()

	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
	_, err = net.Dial("tcp", addr)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "nothing listens any more")

	again, err := internet.NewTCPServer(addr)
	require.NoError(t, err, "the port can be listened on again at once")
	assert.Equal(t, addr, again.Addr().String())
	require.NoError(t, again.Close())
}

func TestTCPServerWithNothingLinkedRefuses(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := internet.NewTCPServer("127.0.0.1:0")
	require.NoError(t, err)
	s.Activate(srv) // its outbox leads nowhere: a Handle would link it
	cl := dial(t, srv.Addr().String())
	defer cl.Close()
	_, err = cl.Read(make([]byte, 1))
	require.Error(t, err, "closed by the server")
	assert.Equal(t, internet.ServerStats{Refused: 1}, srv.Stats())
	s.ShutdownAll(axon.Shutdown{})
	<-srv.Done()
}

// fakeListener is a net.Listener for a synctest bubble: Accept returns the
// scripted errors first, then the connections sent on conns, then
// net.ErrClosed once closed.
type fakeListener struct {
	mu     sync.Mutex
	errs   []error
	times  []time.Time
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *fakeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	l.times = append(l.times, time.Now())
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		l.mu.Unlock()
		return nil, err
	}
	l.mu.Unlock()
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *fakeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *fakeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func TestTCPServerBacksOffAfterAcceptErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		emfile := &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
		ln := &fakeListener{errs: []error{emfile, emfile, emfile, emfile}, conns: make(chan net.Conn, 1), closed: make(chan struct{})}
		start := time.Now()
		srv := internet.NewTCPServerFromListener(ln, internet.WithAcceptBackoff(5*time.Millisecond, 15*time.Millisecond))
		h := axontest.NewHandle(t, axontest.NewScheduler(t), srv)
		a, b := net.Pipe()
		defer b.Close()
		ln.conns <- a
		conn := get(t, ctx, h, "outbox").(*internet.Conn)
		require.NoError(t, conn.Close())
		ln.mu.Lock()
		var offs []time.Duration
		for _, tm := range ln.times[:5] {
			offs = append(offs, tm.Sub(start))
		}
		ln.mu.Unlock()
		ms := time.Millisecond
		assert.Equal(t, []time.Duration{0, 5 * ms, 15 * ms, 30 * ms, 45 * ms}, offs, "5ms, 10ms, then capped at 15ms")
		assert.Equal(t, uint64(4), srv.Stats().AcceptErrors)
		require.NoError(t, h.Finish(ctx))
		assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h, "signal"))
		select {
		case <-ln.closed:
		default:
			t.Fatal("the listener was not closed")
		}
	})
}

func TestTCPServerCloseBeforeActivationFreesThePort(t *testing.T) {
	srv, err := internet.NewTCPServer("127.0.0.1:0")
	require.NoError(t, err)
	addr := srv.Addr().String()
	require.NoError(t, srv.Close())
	again, err := internet.NewTCPServer(addr)
	require.NoError(t, err)
	require.NoError(t, again.Close())
}

// A Conn over a real socket, with both half-closes: the peer's first, then
// this side's, after which it ends.
func TestConnBothSidesHalfClose(t *testing.T) {
	for _, order := range []string{"peer first", "this side first"} {
		t.Run(order, func(t *testing.T) {
			ctx := axontest.Context(t)
			ln := listen(t, "127.0.0.1:0")
			acc := acceptOne(t, ln)
			cl := dial(t, ln.Addr().String())
			conn := internet.NewConn(accepted(t, ctx, acc), internet.WithPeerHalfClose(), internet.WithWaitForPeerClose())
			h := axontest.NewHandle(t, axontest.NewScheduler(t), conn)
			peerDone := func() {
				_, err := cl.Write([]byte("question"))
				require.NoError(t, err)
				require.NoError(t, cl.(*net.TCPConn).CloseWrite())
				assert.Equal(t, "question", string(readBytes(t, ctx, h, 8)))
			}
			if order == "peer first" {
				peerDone()
				assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
				require.NoError(t, h.Put(ctx, "inbox", []byte("answer")))
				require.NoError(t, h.Finish(ctx))
				assert.Equal(t, "answer", string(recvBytes(t, ctx, readAll(cl))))
			} else {
				require.NoError(t, h.Put(ctx, "inbox", []byte("answer")))
				require.NoError(t, h.Finish(ctx))
				assert.Equal(t, "answer", string(recvBytes(t, ctx, readAll(cl))))
				peerDone()
				assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
			}
			require.NoError(t, h.Wait(ctx), "the connection ends once both sides are done")
		})
	}
}
