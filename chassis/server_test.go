package chassis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo sends back every []byte it is given.
func echo() axon.Component { return newRelay[[]byte]() }

// dialTCP connects to addr with the safety deadline set on the connection.
func dialTCP(t testing.TB, addr net.Addr) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety))) // a net, not a wait
	t.Cleanup(func() { nc.Close() })
	return nc
}

// readN reads exactly n bytes from nc.
func readN(t testing.TB, nc net.Conn, n int) string {
	t.Helper()
	buf := make([]byte, n)
	_, err := io.ReadFull(nc, buf)
	require.NoError(t, err)
	return string(buf)
}

// roundTrip writes msg and reads it back.
func roundTrip(t testing.TB, nc net.Conn, msg string) {
	t.Helper()
	_, err := nc.Write([]byte(msg))
	require.NoError(t, err)
	assert.Equal(t, msg, readN(t, nc, len(msg)))
}

// closedByServer checks that nc's next read finds the connection closed:
// end of stream, or a reset.
func closedByServer(t testing.TB, nc net.Conn) {
	t.Helper()
	n, err := nc.Read(make([]byte, 1))
	assert.Zero(t, n)
	require.Error(t, err)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server did not close the connection")
	}
}

func TestSimpleServerEchoesToConcurrentClients(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	require.NotZero(t, srv.AddrPort().Port(), "the port is known before the server runs")
	axontest.NewHandle(t, s, srv)

	const clients, messages = 20, 50
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			nc, err := net.Dial("tcp", srv.Addr().String())
			if !assert.NoError(t, err) {
				return
			}
			defer nc.Close()
			_ = nc.SetDeadline(time.Now().Add(axontest.Safety))
			var sent bytes.Buffer
			for m := range messages {
				fmt.Fprintf(&sent, "client %d message %d\n", c, m)
			}
			go func() { _, _ = nc.Write(sent.Bytes()) }()
			got := make([]byte, sent.Len())
			_, err = io.ReadFull(nc, got)
			if assert.NoError(t, err, "client %d", c) {
				assert.Equal(t, sent.String(), string(got), "client %d", c)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, uint64(clients), srv.Stats().Accepted)
}

func TestServerCoreCallsTheFactoryWithTheAddresses(t *testing.T) {
	s := axontest.NewScheduler(t)
	infos := make(chan internet.ConnInfo, 1)
	srv, err := chassis.ServerCore(func(ci internet.ConnInfo) axon.Component {
		infos <- ci
		return echo()
	}, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)

	nc := dialTCP(t, srv.Addr())
	roundTrip(t, nc, "hello")
	ci := recv(t, infos)
	assert.Equal(t, srv.AddrPort(), ci.Local)
	assert.Equal(t, nc.LocalAddr().String(), ci.Peer.String())
}

// watched is an echo that reports what its control was sent, and ends on it.
type watched struct {
	axon.Core
	in  *axon.Inbox[[]byte]
	out *axon.Outbox[[]byte]
	ctl chan any
}

func newWatched() *watched {
	w := &watched{ctl: make(chan any, 1)}
	w.in = axon.NewInbox[[]byte](w, "inbox")
	w.out = axon.NewOutbox[[]byte](w, "outbox")
	return w
}

func (w *watched) Main(ctx context.Context) error {
	for {
		if b, ok := w.in.TryRecv(); ok {
			if err := w.out.Send(ctx, b); err != nil {
				return err
			}
			continue
		}
		if m, ok := w.Control().TryRecv(); ok {
			w.ctl <- m
			return nil
		}
		if err := w.Wait(ctx); err != nil {
			return err
		}
	}
}

func TestServerClientDisconnectEndsItsProtocolAndRemovesIt(t *testing.T) {
	s := axontest.NewScheduler(t)
	protos := make(chan *watched, 2)
	srv, err := chassis.SimpleServer(func() axon.Component {
		w := newWatched()
		protos <- w
		return w
	}, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)

	stay := dialTCP(t, srv.Addr())
	roundTrip(t, stay, "stay")
	pStay := recv(t, protos)
	leave := dialTCP(t, srv.Addr())
	roundTrip(t, leave, "leave")
	pLeave := recv(t, protos)
	assert.Len(t, srv.Children(), 5, "the listener, and two connections and their protocols")

	require.NoError(t, leave.Close())
	waitDone(t, pLeave)
	msg := recv(t, pLeave.ctl)
	pf, ok := msg.(axon.ProducerFinished)
	require.True(t, ok, "the protocol was told %T %v", msg, msg)
	var ss *internet.SocketShutdown
	require.ErrorAs(t, pf.Reason, &ss, "Kamaelia's socketShutdown")
	assert.ErrorIs(t, ss, internet.ErrPeerClosed)
	assert.Equal(t, leave.LocalAddr().String(), ss.Info.Peer.String())

	gone := get(t, h, "disconnected").(internet.ConnInfo)
	assert.Equal(t, leave.LocalAddr().String(), gone.Peer.String())
	assert.Len(t, srv.Children(), 3, "the connection that ended and its protocol were removed")
	assert.Equal(t, 1, srv.Stats().Connections)
	assert.False(t, hasEnded(pStay))
	roundTrip(t, stay, "still served")
}

func TestServerShutdownClosesEveryConnectionAndTheListener(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	var clients []net.Conn
	for i := range 5 {
		nc := dialTCP(t, srv.Addr())
		roundTrip(t, nc, fmt.Sprint("client ", i))
		clients = append(clients, nc)
	}
	put(t, h, "control", axon.Shutdown{})
	require.NoError(t, h.Wait(axontest.Context(t)))
	for _, nc := range clients {
		closedByServer(t, nc)
	}
	for _, c := range srv.Children() {
		assert.True(t, hasEnded(c.(axon.CoreComponent)), "%s shut down and waited for", c)
	}
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is closed")
	// The port is free again at once.
	ln, err := net.Listen("tcp", srv.Addr().String())
	require.NoError(t, err)
	require.NoError(t, ln.Close())
}

func TestServerProducerFinishedStopsListeningAndLetsConnectionsEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	roundTrip(t, nc, "before")

	put(t, h, "control", axon.ProducerFinished{})
	// The server goes on serving the connection it has, and ends with it.
	roundTrip(t, nc, "after")
	select {
	case <-h.Done():
		t.Fatal("the server ended with a connection still open")
	default:
	}
	require.NoError(t, nc.Close())
	require.NoError(t, h.Wait(axontest.Context(t)))
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is closed")
}

func TestServerRefusesAProtocolWhoseBoxesDoNotFit(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(func() axon.Component { return newRelay[int]() }, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	closedByServer(t, nc)
	assert.Equal(t, uint64(1), srv.Stats().Refused)
	// The error is said, and is the Server's outcome: it stops.
	reported, ok := get(t, h, "errors").(error)
	require.True(t, ok)
	assert.ErrorContains(t, reported, "inbox")
	f, ok := get(t, h, "signal").(*axon.Failure)
	require.True(t, ok, "the Server failed")
	assert.ErrorIs(t, f, reported)
	require.Error(t, h.Wait(axontest.Context(t)))
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is closed")
}

// TestServerCloseStopsARunningServerAtOnce: Close closes the listener and
// every connection, and returns when the Server has ended.
func TestServerCloseStopsARunningServerAtOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	a, b := dialTCP(t, srv.Addr()), dialTCP(t, srv.Addr())
	roundTrip(t, a, "one")
	roundTrip(t, b, "S stubborn")
	require.NoError(t, srv.Close())
	assert.True(t, hasEnded(srv))
	for _, nc := range []net.Conn{a, b} {
		rest, _ := io.ReadAll(nc) // closed at once: no farewell
		assert.NotContains(t, string(rest), "bye")
	}
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is closed")
	assert.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
}

// TestServerShutdownDrainsThenCloses: Shutdown lets each protocol finish
// (the polite client gets its farewell), and closes what is still running
// when its context ends, returning the context's error.
func TestServerShutdownDrainsThenCloses(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)
	polite, stubborn := dialTCP(t, srv.Addr()), dialTCP(t, srv.Addr())
	roundTrip(t, polite, "hello")
	roundTrip(t, stubborn, "S hold on")

	ctx, cancel := context.WithCancel(axontest.Context(t))
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	rest, err := io.ReadAll(polite)
	require.NoError(t, err)
	assert.Equal(t, "bye 5", string(rest), "the polite client's protocol finished")
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v with a connection still running", err)
	default:
	}
	cancel()
	require.ErrorIs(t, recv(t, done), context.Canceled)
	closedByServer(t, stubborn)
	assert.True(t, hasEnded(srv))

	// With every protocol willing, Shutdown returns nil.
	srv2, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv2)
	nc := dialTCP(t, srv2.Addr())
	roundTrip(t, nc, "hi")
	require.NoError(t, srv2.Shutdown(axontest.Context(t)))
	rest, err = io.ReadAll(nc)
	require.NoError(t, err)
	assert.Equal(t, "bye 2", string(rest))
}

func TestServerCloseWithoutRunning(t *testing.T) {
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, srv.Close())
	_, err = chassis.SimpleServer(nil, "127.0.0.1:0")
	require.Error(t, err)
	_, err = chassis.SimpleServer(echo, "127.0.0.1:bad")
	require.Error(t, err)
}

// TestSimpleServerVideoProtocol is the seed's
//
//	SimpleServer(protocol = VideoProtocol, port = 1500)
//
// with VideoProtocol returning SubscribeTo("VIDEO"): every client gets what
// is published on the Backplane, in order.
func TestSimpleServerVideoProtocol(t *testing.T) {
	s := axontest.NewScheduler(t)
	bp := chassis.NewBackplane[[]byte]("VIDEO", chassis.OnScheduler(s))
	require.NoError(t, bp.SetupErr())
	s.Activate(bp)
	pub := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("VIDEO"))

	subs := make(chan *chassis.Subscriber[[]byte], 2)
	VideoProtocol := func() axon.Component {
		sub := chassis.SubscribeTo[[]byte]("VIDEO")
		subs <- sub
		return sub
	}
	srv, err := chassis.SimpleServer(VideoProtocol, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)

	a, b := dialTCP(t, srv.Addr()), dialTCP(t, srv.Addr())
	for range 2 {
		sub := recv(t, subs)
		recv(t, sub.Subscribed())
	}
	var want bytes.Buffer
	for i := range 100 {
		frame := fmt.Appendf(nil, "frame %03d;", i)
		want.Write(frame)
		put(t, pub, "inbox", frame)
	}
	for _, nc := range []net.Conn{a, b} {
		assert.Equal(t, want.String(), readN(t, nc, want.Len()))
	}
}

func TestSingleServerServesOneClientAtATime(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	require.NotZero(t, srv.AddrPort().Port())
	h := axontest.NewHandle(t, s, srv)

	first := dialTCP(t, srv.Addr())
	_, err = first.Write([]byte("hello"))
	require.NoError(t, err)
	assert.Equal(t, []byte("hello"), get(t, h, "outbox"))
	put(t, h, "inbox", []byte("welcome"))
	assert.Equal(t, "welcome", readN(t, first, 7))

	// A second client while the first is connected is refused.
	second := dialTCP(t, srv.Addr())
	closedByServer(t, second)
	assert.Equal(t, uint64(1), srv.Refused())

	// The first leaves: its *SocketShutdown on signal (not a shutdown
	// message), and the server listens on.
	require.NoError(t, first.Close())
	msg := get(t, h, "signal")
	ss, ok := msg.(*internet.SocketShutdown)
	require.True(t, ok, "signal carried %T %v", msg, msg)
	assert.ErrorIs(t, ss, internet.ErrPeerClosed)
	assert.False(t, axon.IsShutdownMessage(msg))
	assert.False(t, hasEnded(srv))

	third := dialTCP(t, srv.Addr())
	_, err = third.Write([]byte("again"))
	require.NoError(t, err)
	assert.Equal(t, []byte("again"), get(t, h, "outbox"))
	put(t, h, "inbox", []byte("back"))
	assert.Equal(t, "back", readN(t, third, 4))
	assert.Equal(t, uint64(2), srv.Clients())

	// ProducerFinished: the client is sent what it was sent, then the end.
	put(t, h, "inbox", []byte("bye"))
	put(t, h, "control", axon.ProducerFinished{})
	assert.Equal(t, "bye", readN(t, third, 3))
	closedByServer(t, third)
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestSingleServerShutdownClosesTheClient(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	_, err = nc.Write([]byte("x"))
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), get(t, h, "outbox"))
	put(t, h, "control", axon.Shutdown{})
	require.NoError(t, h.Wait(axontest.Context(t)))
	closedByServer(t, nc)
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err)
}

// TestSingleServerEndAfterFirstClient: the Single ends when its one client
// leaves, with the client's outcome, and listens no more.
func TestSingleServerEndAfterFirstClient(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv.EndAfterFirstClient())
	nc := dialTCP(t, srv.Addr())
	_, err = nc.Write([]byte("only"))
	require.NoError(t, err)
	assert.Equal(t, []byte("only"), get(t, h, "outbox"))
	require.NoError(t, nc.Close())
	pf, ok := get(t, h, "signal").(axon.ProducerFinished)
	require.True(t, ok)
	assert.ErrorIs(t, pf.Reason, internet.ErrPeerClosed)
	require.NoError(t, h.Wait(axontest.Context(t)))
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is closed")
}

// TestSingleServerPipelineServesClientAfterClient is the launch echo line
// `SingleServer ! Upper ! s.` in Go: a stage that ends on ProducerFinished
// between the Single's outbox and inbox, its control linked to the
// Single's signal, serves three clients one after another.
func TestSingleServerPipelineServesClientAfterClient(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	up := loopThroughUpper(s, srv)
	for i := range 3 {
		nc := dialTCP(t, srv.Addr())
		msg := fmt.Sprintf("client %d", i)
		_, err := nc.Write([]byte(msg))
		require.NoError(t, err)
		assert.Equal(t, strings.ToUpper(msg), readN(t, nc, len(msg)))
		require.NoError(t, nc.Close())
		// The Single has let this client go when the stage hears of it.
		_, ok := recv(t, up.seen).(*internet.SocketShutdown)
		require.True(t, ok)
	}
	assert.False(t, hasEnded(up), "the stage ended when a client left")
	assert.Equal(t, uint64(3), srv.Clients())
	assert.Zero(t, srv.Refused())
}

// loopThroughUpper runs srv and an upper stage as the launch line
// `SingleServer ! Upper ! s.` does: what the client sends comes back
// upper-cased, and the stage hears each client's leaving.
func loopThroughUpper(s *axon.Scheduler, srv *chassis.Single) *upper {
	up := newUpper()
	axon.MustLink(srv.Out, up.in)
	axon.MustLink(up.out, srv.In)
	axon.MustLink(srv.Signal(), up.Control())
	s.Activate(srv, up)
	return up
}

// upper upper-cases the bytes it is sent, reports each control message on
// seen, and ends on ProducerFinished, as a pipeline's stage does.
type upper struct {
	axon.Core
	in   *axon.Inbox[[]byte]
	out  *axon.Outbox[[]byte]
	seen chan any
}

func newUpper() *upper {
	u := &upper{seen: make(chan any, 16)}
	u.in = axon.NewInbox[[]byte](u, "inbox")
	u.out = axon.NewOutbox[[]byte](u, "outbox")
	return u
}

func (u *upper) Main(ctx context.Context) error {
	for {
		for b, ok := u.in.TryRecv(); ok; b, ok = u.in.TryRecv() {
			if err := u.out.Send(ctx, bytes.ToUpper(b)); err != nil {
				return err
			}
		}
		if u.TakeControl(func(m any) { u.seen <- m }).Finishing {
			return nil
		}
		if err := u.Wait(ctx); err != nil {
			return err
		}
	}
}

// A connection is its Conn and its protocol, linked directly as the
// Server's children: two goroutines, with no component between them (and,
// on Linux, no goroutine blocked in a read).
func TestServerConnectionIsTwoGoroutines(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)
	roundTrip(t, dialTCP(t, srv.Addr()), "first") // the poller is running from here on
	before := runtime.NumGoroutine()
	const n = 50
	for range n {
		roundTrip(t, dialTCP(t, srv.Addr()), "x")
	}
	perConn := 2
	if runtime.GOOS != "linux" {
		perConn = 3 // a goroutine of the Conn reads
	}
	assert.InDelta(t, perConn*n, runtime.NumGoroutine()-before, 2, "goroutines for %d connections", n)
	assert.Len(t, srv.Children(), 1+2*(n+1), "the listener, and each Conn and protocol")
}

// The documented defaults, read back from a running Server, one of its
// connections and a framer serving it: 10,000 connections, 2 min idle,
// 10 s write, 10 s TLS handshake, 8 KiB reads, replies to half-closing
// clients, 1 MiB frames.
func TestServerDefaultsAsDocumented(t *testing.T) {
	s := axontest.NewScheduler(t)
	protos := make(chan *framing.DeFramer, 1)
	srv, err := chassis.SimpleServer(func() axon.Component {
		d := framing.NewDeFramer()
		protos <- d
		return d
	}, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	proto := recv(t, protos)
	// A frame in, its payload back: the connection is running.
	_, err = nc.Write(framing.AppendFrame(nil, []byte("hi")))
	require.NoError(t, err)
	assert.Equal(t, "hi", readN(t, nc, 2))

	want := internet.ServerLimits{
		MaxConnections: 10_000,
		Conn: internet.ConnLimits{
			IdleTimeout:      2 * time.Minute,
			WriteTimeout:     10 * time.Second,
			HandshakeTimeout: 10 * time.Second,
			ReadSize:         8 << 10,
			PeerHalfClose:    true,
		},
	}
	assert.Equal(t, want, srv.Limits())
	var conn *internet.Conn
	for _, k := range srv.Children() {
		if c, ok := k.(*internet.Conn); ok {
			conn = c
		}
	}
	require.NotNil(t, conn, "the connection is a child of the Server")
	assert.Equal(t, want.Conn, conn.Limits())
	assert.Equal(t, 1<<20, proto.MaxFrameSize())
	assert.Equal(t, 1<<20, framing.NewFramer().MaxFrameSize())
}

// A client that half-closes after its request (nc -N) gets the reply a
// pipeline through the Single sends back, then the end of the stream; the
// next client, coming while the first lingers, is served at once, not
// refused.
func TestSingleServerRepliesToAHalfClosingClient(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	srv.HalfCloseLinger(axontest.Safety) // only the next client ends the first's turn
	up := loopThroughUpper(s, srv)

	first := dialTCP(t, srv.Addr())
	_, err = first.Write([]byte("hello\n"))
	require.NoError(t, err)
	require.NoError(t, first.(*net.TCPConn).CloseWrite())
	assert.Equal(t, "HELLO\n", readN(t, first, 6), "the reply reaches a half-closed client")
	// The reply can reach the client before its connection has read the
	// half-close: a client coming before the Single noticed it would be
	// refused, so the next one comes once it has.
	require.Eventually(t, srv.Lingering, axontest.Safety, time.Millisecond)

	second := dialTCP(t, srv.Addr())
	all, err := io.ReadAll(first)
	require.NoError(t, err, "the first client's stream ends cleanly")
	assert.Empty(t, all)
	_, ok := recv(t, up.seen).(*internet.SocketShutdown)
	require.True(t, ok, "the first client has left")
	_, err = second.Write([]byte("next"))
	require.NoError(t, err)
	assert.Equal(t, "NEXT", readN(t, second, 4))
	assert.Zero(t, srv.Refused())
	assert.Equal(t, uint64(2), srv.Clients())
}

// With the default linger, a half-closed client's stream ends once the
// replies have stopped coming.
func TestSingleServerHalfClosedClientEndsAfterTheLinger(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0")
	require.NoError(t, err)
	up := loopThroughUpper(s, srv)

	nc := dialTCP(t, srv.Addr())
	start := time.Now()
	_, err = nc.Write([]byte("abc"))
	require.NoError(t, err)
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	all, err := io.ReadAll(nc) // to the end of the stream
	require.NoError(t, err)
	assert.Equal(t, "ABC", string(all))
	assert.GreaterOrEqual(t, time.Since(start), chassis.DefaultHalfCloseLinger, "served for the linger")
	_, ok := recv(t, up.seen).(*internet.SocketShutdown)
	require.True(t, ok)
}

// Closing a half-closing client at once is Kamaelia's behaviour, kept as
// an option: the client's stream ends without waiting for a linger.
func TestSingleServerCloseOnPeerHalfClose(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0", internet.WithCloseOnPeerHalfClose())
	require.NoError(t, err)
	srv.HalfCloseLinger(axontest.Safety) // not used: the connection closes by itself
	h := axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	_, err = nc.Write([]byte("x"))
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), get(t, h, "outbox"))
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	ss, ok := get(t, h, "signal").(*internet.SocketShutdown)
	require.True(t, ok)
	assert.ErrorIs(t, ss, internet.ErrPeerClosed)
	closedByServer(t, nc)
}
