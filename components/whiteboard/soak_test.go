package whiteboard

import (
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// servingPeer starts a peer on s serving on a free loopback port with
// opts, and returns it with its server.
func servingPeer(t *testing.T, s *axon.Scheduler, opts ...internet.ServerOption) (*testPeer, *chassis.Server) {
	t.Helper()
	p, err := NewPeer(Config{Dir: t.TempDir(), Scheduler: s})
	require.NoError(t, err)
	srv, err := p.Serve("127.0.0.1:0", opts...)
	require.NoError(t, err)
	tp := startPeerOf(t, s, p)
	tp.addr = srv.Addr().String()
	return tp, srv
}

// waitConnections waits until srv serves n connections: the server
// removes one a little after its socket is closed.
func waitConnections(t *testing.T, srv *chassis.Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return srv.Stats().Connections == n }, 10*time.Second, time.Millisecond,
		"the server still serves %d connections", srv.Stats().Connections)
}

// subscribed asks for the picture on c and waits for it: a connection
// publishes what it reads only once it is subscribed to what others send,
// so once the answer comes c hears every stroke sent after.
func subscribed(t *testing.T, c *rawClient) {
	t.Helper()
	c.send(PictureRequest)
	msg, _ := c.next()
	inflate(t, msg)
}

// Thousands of peers connect one after another, each sending a stroke (a
// watcher sees every one) and leaving: the peer holds on to nothing of
// those that have left.
func TestServeFreesPeersThatLeft(t *testing.T) {
	const total, baseAt = 3000, 300
	s := axon.NewScheduler()
	a, srv := servingPeer(t, s)
	watcher := dialRaw(t, a.addr)
	subscribed(t, watcher)
	var base axontest.Footprint
	round := 0
	defer func() {
		if t.Failed() {
			t.Logf("failed at round %d", round)
		}
	}()
	for i := range total {
		round = i
		if i == baseAt {
			waitConnections(t, srv, 1)
			base = axontest.Measure(s)
		}
		// Not dialRaw: its cleanup would keep every connection until the end.
		nc, err := net.Dial("tcp", a.addr)
		require.NoError(t, err)
		stroke := lineBatch(0, 0, 255, i%800, 10, (i+1)%800, 20)
		_, err = nc.Write(stroke.Line())
		require.NoError(t, err)
		got, _ := watcher.next()
		require.Equal(t, listOf(stroke), got, "stroke %d", i)
		require.NoError(t, nc.Close())
	}
	waitConnections(t, srv, 1)
	axontest.AssertBack(t, fmt.Sprintf("%d peers", total), base, axontest.Measure(s))
}

// A peer that half-closes after a stroke has the stroke heard (what was
// read before the other side went away is published) and its connection
// ended cleanly: a half-close ends a peer's connection, as in Kamaelia,
// so a GETIMG sent just before one may go unanswered. A peer that
// trickles a stroke a byte at a time is heard as if it had sent it whole.
func TestServeHalfCloseAndTrickle(t *testing.T) {
	s := axon.NewScheduler()
	a, srv := servingPeer(t, s)
	watcher := dialRaw(t, a.addr)
	subscribed(t, watcher)
	half := dialRaw(t, a.addr)
	waitConnections(t, srv, 2)
	first := lineBatch(0, 0, 255, 1, 1, 40, 40)
	half.send(first)
	require.NoError(t, half.conn.(*net.TCPConn).CloseWrite())
	got, _ := watcher.next()
	assert.Equal(t, listOf(first), got, "the half-closing peer was heard")
	rest, err := io.ReadAll(half.r)
	require.NoError(t, err, "the connection ends with an orderly close")
	assert.Empty(t, rest, "no echo of its own stroke")
	waitConnections(t, srv, 1)

	trickler := dialRaw(t, a.addr)
	stroke := lineBatch(255, 0, 0, 1, 1, 50, 60)
	for _, b := range stroke.Line() {
		_, err := trickler.conn.Write([]byte{b})
		require.NoError(t, err)
	}
	got, _ = watcher.next()
	assert.Equal(t, listOf(stroke), got)
	a.waitCanvas(t, "the trickled stroke", hasPixel(50, 60, 255, 0, 0))
}

// A peer that stops reading is dropped after the write timeout; the other
// peers are sent every stroke meanwhile and after.
func TestServeDropsPeerThatStopsReading(t *testing.T) {
	s := axon.NewScheduler()
	a, srv := servingPeer(t, s, internet.WithWriteTimeout(200*time.Millisecond))
	stuck := dialRaw(t, a.addr)
	watcher := dialRaw(t, a.addr)
	writer := dialRaw(t, a.addr)
	subscribed(t, watcher)
	waitConnections(t, srv, 3)
	big := wire.Batch{{"LINE", "0", "0", "0", "1", "1", "2", "2", strings.Repeat("x", 64<<10)}}
	start := time.Now()
	sent := 0
	for srv.Stats().Connections == 3 {
		require.Less(t, time.Since(start), 30*time.Second, "the peer that stopped reading was never dropped")
		sent++
		writer.send(big)
		got, _ := watcher.next()
		require.Equal(t, listOf(big), got, "message %d", sent)
	}
	t.Logf("dropped after %d messages of 64 KiB, %v", sent, time.Since(start))
	waitConnections(t, srv, 2)
	// What was buffered, then the end (a reset: the server closed with
	// data unsent).
	_, err := io.Copy(io.Discard, stuck.conn)
	if err != nil {
		assert.ErrorIs(t, err, syscall.ECONNRESET)
	}
	stroke := lineBatch(0, 255, 0, 5, 5, 9, 9)
	writer.send(stroke)
	got, _ := watcher.next()
	assert.Equal(t, listOf(stroke), got)
}
