package whiteboard

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPeer is a running Peer with a Handle on its boxes.
type testPeer struct {
	*Peer
	h    *axon.Handle
	addr string
}

// startPeer starts a peer on s that serves on a free loopback port (if
// serve) and connects to each of connect.
func startPeer(t *testing.T, s *axon.Scheduler, serve bool, connect ...string) *testPeer {
	t.Helper()
	p, err := NewPeer(Config{Dir: t.TempDir(), Scheduler: s})
	require.NoError(t, err)
	tp := &testPeer{Peer: p}
	if serve {
		srv, err := p.Serve("127.0.0.1:0")
		require.NoError(t, err)
		tp.addr = srv.Addr().String()
	}
	for _, a := range connect {
		_, err := p.Connect(a)
		require.NoError(t, err)
	}
	return startPeerOf(t, s, tp.Peer, tp.addr)
}

// startPeerOf runs p on s, serving (if anywhere) on addr.
func startPeerOf(t *testing.T, s *axon.Scheduler, p *Peer, addr ...string) *testPeer {
	t.Helper()
	tp := &testPeer{Peer: p}
	if len(addr) > 0 {
		tp.addr = addr[0]
	}
	var err error
	tp.h, err = axon.NewHandle(s, p, "draw", "pages", "updates", "ticker", "control", "signal")
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = tp.h.Finish(ctx)
		_ = tp.h.Wait(ctx)
	})
	return tp
}

// waitCanvas waits, update by update, until cond holds of the peer's
// picture.
func (tp *testPeer) waitCanvas(t *testing.T, what string, cond func(img *image.RGBA) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for !cond(tp.Canvas().Snapshot()) {
		if _, err := tp.h.Get(ctx, "updates"); err != nil {
			t.Fatalf("peer %s: %s: %v", tp.Origin(), what, err)
		}
	}
}

// fetched waits until the peer, which joined from, shows from's picture
// (a peer that is still fetching would hand on its notice to those that
// join it).
func (tp *testPeer) fetched(t *testing.T, from *testPeer) {
	t.Helper()
	tp.waitCanvas(t, "the picture of "+from.Origin(), func(img *image.RGBA) bool {
		return tp.Canvas().Pictures() > 0 && bytes.Equal(img.Pix, from.Canvas().Snapshot().Pix)
	})
}

// rawClient is a plain TCP client speaking the line protocol, as a
// Kamaelia 1.x peer would.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &rawClient{t: t, conn: c, r: bufio.NewReaderSize(c, 1<<20)}
}

func (c *rawClient) send(b wire.Batch) {
	c.t.Helper()
	_, err := c.conn.Write(b.Line())
	require.NoError(c.t, err)
}

// next returns the next message, and the id the MSGID line before it gave.
func (c *rawClient) next() (wire.List, MsgID) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	var id MsgID
	for {
		line, err := c.r.ReadBytes('\n')
		require.NoError(c.t, err)
		l, err := wire.Unmarshal(line)
		require.NoError(c.t, err)
		if got, ok := ParseID(l); ok {
			id = got
			continue
		}
		return l, id
	}
}

func lineBatch(r, g, b, x0, y0, x1, y1 int) wire.Batch {
	s := func(v int) string { return fmt.Sprint(v) }
	return wire.Batch{{"LINE", s(r), s(g), s(b), s(x0), s(y0), s(x1), s(y1)}}
}

func listOf(b wire.Batch) wire.List {
	l, _ := wire.Unmarshal(b.Line())
	return l
}

func hasPixel(x, y int, r, g, b uint8) func(*image.RGBA) bool {
	return func(img *image.RGBA) bool {
		c := img.RGBAAt(x, y)
		return c.R == r && c.G == g && c.B == b
	}
}

// inflate returns the raw bytes of a SETIMG message.
func inflate(t *testing.T, l wire.List) (data []byte, w, h string) {
	t.Helper()
	b, err := wire.BatchOf(l)
	require.NoError(t, err)
	require.Len(t, b, 1)
	require.Equal(t, "SETIMG", b[0][0])
	zr, err := zlib.NewReader(bytes.NewReader([]byte(b[0][1])))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	return raw, b[0][2], b[0][3]
}

// Join and fetch: a raw client asking A for the picture gets one SETIMG
// of A's canvas; a Go peer B joining A asks for it first, shows that it is
// fetching, and ends with A's picture.
func TestJoinAndFetch(t *testing.T) {
	s := axon.NewScheduler()
	a := startPeer(t, s, true)
	ctx := t.Context()
	stroke := lineBatch(0, 0, 255, 10, 10, 300, 200)
	require.NoError(t, a.h.Put(ctx, "draw", stroke))
	a.waitCanvas(t, "own stroke", hasPixel(300, 200, 0, 0, 255))

	raw := dialRaw(t, a.addr)
	raw.send(PictureRequest)
	msg, id := raw.next()
	// The stroke goes to the canvas and to the mesh by two ways: drawn
	// already, it may still be on its way to the connections when this
	// one joins, and come before the picture (which holds it too).
	if b, err := wire.BatchOf(msg); err == nil && b[0].Name() == "LINE" {
		require.Equal(t, listOf(stroke), msg, "only the stroke in flight comes before the picture")
		msg, id = raw.next()
	}
	assert.False(t, id.IsZero(), "the SETIMG is named")
	data, w, h := inflate(t, msg)
	assert.Equal(t, "832", w)
	assert.Equal(t, "719", h)
	assert.Len(t, data, 832*719*3)
	assert.Equal(t, RGBOf(a.Canvas().Snapshot()), data)

	// A Go peer's first line is the picture request.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	watcher := startPeer(t, s, false, ln.Addr().String())
	conn, err := ln.Accept()
	require.NoError(t, err)
	first, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "[ GETIMG ] \n", first)
	// Until the picture comes, it shows that it is fetching: black, with text.
	watcher.waitCanvas(t, "fetching notice", func(img *image.RGBA) bool {
		return hasPixel(5, 5, 0, 0, 0)(img) && count(img, White) > 0
	})
	conn.Close()

	b := startPeer(t, s, false, a.addr)
	b.waitCanvas(t, "A's picture", func(img *image.RGBA) bool {
		return bytes.Equal(img.Pix, a.Canvas().Snapshot().Pix)
	})
}

// Draw and no echo: a raw client's stroke is drawn on A and reaches a
// second client, and not the first.
func TestDrawNoEcho(t *testing.T) {
	s := axon.NewScheduler()
	a := startPeer(t, s, true)
	r1, r2 := dialRaw(t, a.addr), dialRaw(t, a.addr)
	// Both are connected once A answers their picture requests.
	for _, r := range []*rawClient{r1, r2} {
		r.send(PictureRequest)
		msg, _ := r.next()
		inflate(t, msg)
	}
	line := lineBatch(192, 0, 0, 20, 30, 120, 30)
	r1.send(line)
	a.waitCanvas(t, "r1's stroke", hasPixel(120, 30, 192, 0, 0))
	img := a.Canvas().Snapshot()
	for x := 20; x <= 120; x++ {
		assert.True(t, hasPixel(x, 30, 192, 0, 0)(img), "x=%d", x)
	}
	got, id := nextStroke(r2)
	assert.Equal(t, listOf(line), got)
	assert.Equal(t, a.Origin(), id.Origin, "a plain line is named by the first Go peer")
	// r2 answers; r1 hears the answer and nothing before it: not its own line.
	marker := lineBatch(0, 0, 0, 0, 0, 1, 1)
	r2.send(marker)
	got, _ = nextStroke(r1)
	assert.Equal(t, listOf(marker), got)
}

// Relay: C connects to B, B to A; a stroke from C reaches A, and a stroke
// from A reaches C, each once.
func TestRelayThroughThreePeers(t *testing.T) {
	s := axon.NewScheduler()
	a := startPeer(t, s, true)
	b := startPeer(t, s, true, a.addr)
	b.fetched(t, a)
	c := startPeer(t, s, true, b.addr)
	c.fetched(t, b)
	ctx := t.Context()
	watchA, watchC := dialRaw(t, a.addr), dialRaw(t, c.addr)
	for _, r := range []*rawClient{watchA, watchC} {
		r.send(PictureRequest)
		msg, _ := r.next()
		inflate(t, msg)
	}

	fromC := lineBatch(0, 192, 0, 400, 400, 500, 450)
	require.NoError(t, c.h.Put(ctx, "draw", fromC))
	a.waitCanvas(t, "C's stroke", hasPixel(500, 450, 0, 192, 0))
	b.waitCanvas(t, "C's stroke", hasPixel(500, 450, 0, 192, 0))
	fromA := lineBatch(0, 0, 255, 100, 600, 200, 650)
	require.NoError(t, a.h.Put(ctx, "draw", fromA))
	c.waitCanvas(t, "A's stroke", hasPixel(200, 650, 0, 0, 255))
	b.waitCanvas(t, "A's stroke", hasPixel(200, 650, 0, 0, 255))

	// Each watcher hears each stroke once, in order, and then the next.
	m1 := lineBatch(1, 1, 1, 0, 0, 2, 2)
	require.NoError(t, b.h.Put(ctx, "draw", m1))
	for name, w := range map[string]*rawClient{"A": watchA, "C": watchC} {
		for _, want := range []struct {
			msg    wire.Batch
			origin string
		}{{fromC, c.Origin()}, {fromA, a.Origin()}, {m1, b.Origin()}} {
			got, id := nextStroke(w)
			assert.Equal(t, listOf(want.msg), got, "watcher of %s", name)
			assert.Equal(t, want.origin, id.Origin, "watcher of %s", name)
		}
	}
	for _, p := range []*testPeer{a, b, c} {
		p.waitCanvas(t, "the marker", hasPixel(2, 2, 1, 1, 1))
	}
	samePicture(t, a, b, c)
}

// samePicture asserts that the peers' canvases are byte for byte equal.
func samePicture(t *testing.T, peers ...*testPeer) {
	t.Helper()
	first := peers[0].Canvas().Snapshot()
	for _, p := range peers[1:] {
		img := p.Canvas().Snapshot()
		diff := 0
		for i := range img.Pix {
			if img.Pix[i] != first.Pix[i] {
				diff++
			}
		}
		assert.Zero(t, diff, "bytes differing between %s and %s", peers[0].Origin(), p.Origin())
	}
}

// A cycle of three peers: A serves, B connects to A, C to B, and A to C.
// A stroke reaches every peer once and does not circulate.
func TestCycleOfThreePeers(t *testing.T) {
	s := axon.NewScheduler()
	a := startPeer(t, s, true)
	b := startPeer(t, s, true, a.addr)
	b.fetched(t, a)
	c := startPeer(t, s, true, b.addr)
	c.fetched(t, b)
	_, err := a.Connect(c.addr)
	require.NoError(t, err)
	a.fetched(t, c)
	watchers := map[string]*rawClient{}
	for name, p := range map[string]*testPeer{"A": a, "B": b, "C": c} {
		r := dialRaw(t, p.addr)
		r.send(PictureRequest)
		for {
			// Joining peers' pictures go round too: wait for this peer's.
			msg, id := r.next()
			if id.Origin == p.Origin() && msg[0].(wire.List)[0] == "SETIMG" {
				break
			}
		}
		watchers[name] = r
	}
	ctx := t.Context()
	for i, p := range []*testPeer{a, b, c} {
		line := lineBatch(0, 0, 200+i, 10, 100*i+10, 700, 100*i+10)
		require.NoError(t, p.h.Put(ctx, "draw", line))
		for name, r := range watchers {
			got, id := nextStroke(r)
			assert.Equal(t, listOf(line), got, "watcher of %s", name)
			assert.Equal(t, p.Origin(), id.Origin)
		}
	}
	// Every stroke once, in order, nothing else: the last marker comes
	// straight after.
	marker := lineBatch(9, 9, 9, 0, 0, 1, 1)
	require.NoError(t, c.h.Put(ctx, "draw", marker))
	for name, r := range watchers {
		got, _ := nextStroke(r)
		assert.Equal(t, listOf(marker), got, "watcher of %s", name)
	}
	for _, p := range []*testPeer{a, b, c} {
		p.waitCanvas(t, "all strokes", hasPixel(1, 1, 9, 9, 9))
	}
	samePicture(t, a, b, c)
	t.Logf("duplicates dropped so far: A %d, B %d, C %d", a.Duplicates(), b.Duplicates(), c.Duplicates())
}

// nextStroke returns the next message that is not a picture (the pictures
// joining peers asked for may still be going round).
func nextStroke(r *rawClient) (wire.List, MsgID) {
	for {
		l, id := r.next()
		if c, ok := l[0].(wire.List); ok && len(c) > 0 && c[0] == "SETIMG" {
			continue
		}
		return l, id
	}
}

// A remote [ next ] makes the receiver load its own next page, without
// sending a picture; the page turn goes on to the other peers.
func TestRemotePageTurn(t *testing.T) {
	dir := t.TempDir()
	for n, blue := range []string{"10", "20"} {
		c := NewCanvas(CanvasWidth, CanvasHeight)
		_, err := c.Exec(wire.Command{"CLEAR", "0", "0", blue})
		require.NoError(t, err)
		require.NoError(t, c.SaveFile(PageFile(dir, n+1)))
	}
	s := axon.NewScheduler()
	p, err := NewPeer(Config{Dir: dir, Scheduler: s})
	require.NoError(t, err)
	srv, err := p.Serve("127.0.0.1:0")
	require.NoError(t, err)
	a := &testPeer{Peer: p, addr: srv.Addr().String()}
	a.h, err = axon.NewHandle(s, p, "draw", "pages", "updates", "ticker", "control", "signal")
	require.NoError(t, err)
	defer func() { _ = a.h.Finish(context.Background()); _ = a.h.Wait(context.Background()) }()
	ctx := t.Context()
	// The local buttons: page 1 shown and sent on to the peers. A watcher
	// already joined sees the picture go out: a client that joined while
	// it was still on its way would get it too, and take it for the answer
	// to its own request.
	watcher := dialRaw(t, a.addr)
	watcher.send(PictureRequest)
	msg, _ := watcher.next()
	inflate(t, msg)
	require.NoError(t, a.h.Put(ctx, "pages", PageCommand{Op: OpUndo}))
	a.waitCanvas(t, "page 1", hasPixel(0, 0, 0, 0, 10))
	msg, _ = watcher.next()
	page1, _, _ := inflate(t, msg)
	assert.Equal(t, []byte{0, 0, 10}, page1[:3], "page 1 went out to the peers")

	r1, r2 := dialRaw(t, a.addr), dialRaw(t, a.addr)
	for _, r := range []*rawClient{r1, r2} {
		r.send(PictureRequest)
		msg, _ := r.next()
		inflate(t, msg)
	}
	r1.send(wire.Batch{{"next"}})
	a.waitCanvas(t, "page 2", hasPixel(0, 0, 0, 0, 20))
	got, _ := r2.next()
	assert.Equal(t, listOf(wire.Batch{{"next"}}), got, "the turn goes on to the others")
	marker := lineBatch(0, 0, 0, 5, 5, 6, 6)
	r2.send(marker)
	got, _ = r1.next()
	assert.Equal(t, listOf(marker), got, "no SETIMG after a remote turn")
	v, err := a.h.Get(ctx, "ticker")
	require.NoError(t, err)
	assert.Equal(t, "Page 1 reloaded", v)
	v, err = a.h.Get(ctx, "ticker")
	require.NoError(t, err)
	assert.Equal(t, "Page 2 of 2", v)
}

// logTap is a slog handler that hands each record's message and attributes
// to the test.
type logTap struct{ ch chan string }

func (l logTap) Enabled(context.Context, slog.Level) bool { return true }
func (l logTap) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { sb.WriteString(" " + a.String()); return true })
	l.ch <- sb.String()
	return nil
}
func (l logTap) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l logTap) WithGroup(string) slog.Handler      { return l }

// A peer that cannot reach the peer it joins says so and goes on; a peer
// sent a line that is not a token list says so and goes on.
func TestBadConnectionsAreReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close())

	logs := logTap{ch: make(chan string, 100)}
	s := axon.NewScheduler()
	p, err := NewPeer(Config{Dir: t.TempDir(), Scheduler: s, Logger: slog.New(logs)})
	require.NoError(t, err)
	srv, err := p.Serve("127.0.0.1:0")
	require.NoError(t, err)
	_, err = p.Connect(closed)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, p, "updates", "control", "signal")
	require.NoError(t, err)
	defer func() { _ = h.Finish(context.Background()); _ = h.Wait(context.Background()) }()
	expect := func(what string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case m := <-logs.ch:
				if strings.Contains(m, what) {
					return
				}
			case <-timeout:
				t.Fatalf("no log of %q", what)
			}
		}
	}
	expect("connection ended")

	r := dialRaw(t, srv.Addr().String())
	_, err = r.conn.Write([]byte("[ LINE ] ] \n"))
	require.NoError(t, err)
	expect("malformed token list")
	// The peer goes on: it still answers (the failed join no longer holds
	// the requests of those joining it).
	r.send(PictureRequest)
	msg, _ := r.next()
	inflate(t, msg)
}

// The fetching notice comes through the mesh and a client connection's end
// straight from the peer, so a connection that fails at once can be
// reported ended before its notice arrives. That notice is passed over:
// taken for a fetch under way, it would hold the picture requests of peers
// joining this one for as long as the peer runs.
func TestFetchingNoticeAfterItsConnectionEndedIsPassedOver(t *testing.T) {
	s := axontest.NewScheduler(t)
	l := newLocalEvents()
	h := axontest.NewHandle(t, s, l, "inbox", "fetchdone", "outbox", "control", "signal")
	ctx := axontest.Context(t)
	request := Envelope{From: 9, LocalOnly: true, Msg: PictureRequest.List()}
	stroke := lineBatch(1, 2, 3, 4, 5, 6, 7)
	next := func() wire.Batch {
		t.Helper()
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		return v.(wire.Batch)
	}

	// Connection 1 ends before its notice comes. The stroke comes out once
	// the end has been taken: the end is looked at before every message.
	require.NoError(t, h.Put(ctx, "fetchdone", uint64(1)))
	require.NoError(t, h.Put(ctx, "inbox", Envelope{From: 2, Msg: stroke.List()}))
	assert.Equal(t, stroke, next())
	require.NoError(t, h.Put(ctx, "inbox", Envelope{From: 1, LocalOnly: true, Msg: FetchingNotice.List()}))
	require.NoError(t, h.Put(ctx, "inbox", request))
	assert.Equal(t, PictureRequest, next(), "the late notice is passed over: the request is answered, not held")

	// Connection 3 fetches: its notice shows, a request waits for the
	// picture, and is let go when the connection ends without one.
	require.NoError(t, h.Put(ctx, "inbox", Envelope{From: 3, LocalOnly: true, Msg: FetchingNotice.List()}))
	assert.Equal(t, FetchingNotice, next())
	require.NoError(t, h.Put(ctx, "inbox", request))
	require.NoError(t, h.Put(ctx, "inbox", Envelope{From: 2, Msg: stroke.List()}))
	assert.Equal(t, stroke, next(), "the request is held while connection 3 fetches")
	require.NoError(t, h.Put(ctx, "fetchdone", uint64(3)))
	assert.Equal(t, PictureRequest, next(), "let go when connection 3 ends")
}
