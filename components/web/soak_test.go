package web_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soakRounds is how many clients a soak test serves one after another,
// and after how many it takes its baseline.
const soakRounds, soakBase = 2000, 200

// listen serves routes with a Service on a free loopback port, on a
// scheduler of the test's own (which ends it with the test), and returns
// the address and the scheduler.
func listen(t *testing.T, limits web.Limits, routes ...web.Route) (string, *axon.Scheduler) {
	t.Helper()
	s := axontest.NewScheduler(t)
	svc, err := web.Listen("127.0.0.1:0", web.NewServer(s, limits, routes...))
	require.NoError(t, err)
	axontest.NewHandle(t, s, svc)
	return svc.Addr().String(), s
}

// oneShot is a client that makes each request on a connection of its own.
func oneShot() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

// fetch GETs url with c and returns the status and the whole body.
func fetch(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// hello answers "hello " and the path's suffix, its length known.
func hello(*web.Request) (axon.Component, error) {
	return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
		return h.Respond(ctx, 200, "text/plain", []byte("hello "+req.Suffix))
	}), nil
}

// endless streams 32 KiB chunks until told to stop, and sends why on
// ended.
func endless(ended chan<- error) web.Factory {
	chunk := make([]byte, 32<<10)
	return func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			err := h.Out.Send(ctx, web.Resource{Type: "application/octet-stream"})
			for err == nil {
				err = h.Out.Send(ctx, web.Chunk(chunk))
			}
			ended <- err
			return err
		}), nil
	}
}

// Thousands of requests one after another, each on a connection of its
// own and served by a handler component of its own: the server holds on
// to nothing of those that have ended, neither memory, goroutines nor
// components.
func TestServiceFreesFinishedRequests(t *testing.T) {
	addr, s := listen(t, web.Limits{}, web.Route{Prefix: "/hello/", New: hello})
	c := oneShot()
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			base = axontest.Measure(s)
		}
		code, body := fetch(t, c, fmt.Sprintf("http://%s/hello/%d", addr, i))
		require.Equal(t, http.StatusOK, code, "request %d", i)
		require.Equal(t, fmt.Sprintf("hello %d", i), body, "request %d", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d requests", soakRounds), s, base)
}

// parting is a session that counts its requests. It answers a request with
// ?bye and then ends, and streams its answer to one with ?stream until
// told to stop.
type parting struct {
	axon.Core
	in  *axon.Inbox[web.Incoming]
	out *axon.Outbox[web.Part]
}

func newParting(*web.Request) (axon.Component, error) {
	p := &parting{}
	p.in = axon.NewInbox[web.Incoming](p, "inbox")
	p.out = axon.NewOutbox[web.Part](p, "outbox")
	return p, nil
}

func (p *parting) Main(ctx context.Context) error {
	n := 0
	for m := range p.in.Messages(ctx) {
		req, ok := m.(*web.Request)
		if !ok {
			continue
		}
		n++
		if req.Query == "stream" {
			err := p.out.Send(ctx, web.Resource{Type: "text/plain"})
			for err == nil {
				err = p.out.Send(ctx, web.Chunk("tick\n"))
			}
			return err
		}
		body := fmt.Appendf(nil, "%s %d", req.Suffix, n)
		if err := p.out.Send(ctx, web.Resource{Type: "text/plain", Length: int64(len(body)), LengthKnown: true, Data: body}); err != nil {
			return err
		}
		if err := p.out.Send(ctx, web.End{}); err != nil {
			return err
		}
		if req.Query == "bye" {
			return nil
		}
	}
	return ctx.Err()
}

// Thousands of sessions one after another, each with a key of its own, two
// requests on connections of their own, and then gone: half of them end
// themselves after answering their last request, the other half have
// their client go away in the middle of a streamed answer. The second
// request, sent as soon as the first's answer has been read, finds its
// session free. The server forgets every session: neither memory,
// goroutines nor components stay.
func TestServiceForgetsSessionsThatAreGone(t *testing.T) {
	addr, s := listen(t, web.Limits{}, web.Route{Prefix: "/s/", New: newParting, Session: true})
	c := oneShot()
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			base = axontest.Measure(s)
		}
		url := fmt.Sprintf("http://%s/s/k%d", addr, i)
		code, body := fetch(t, c, url)
		require.Equal(t, http.StatusOK, code, "session %d", i)
		require.Equal(t, fmt.Sprintf("k%d 1", i), body, "session %d", i)
		if i%2 == 0 {
			code, body = fetch(t, c, url+"?bye")
			require.Equal(t, http.StatusOK, code, "session %d", i)
			require.Equal(t, fmt.Sprintf("k%d 2", i), body, "session %d: the same session answered", i)
			continue
		}
		resp, err := c.Get(url + "?stream")
		require.NoError(t, err, "session %d", i)
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		require.NoError(t, err, "session %d", i)
		require.Equal(t, "tick\n", line, "session %d", i)
		require.NoError(t, resp.Body.Close(), "session %d", i) // gone mid-stream
	}
	axontest.SettleBack(t, fmt.Sprintf("%d sessions", soakRounds), s, base)
}

// rawGet opens a connection to addr and sends a GET for path on it.
func rawGet(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	_, err = io.WriteString(nc, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	return nc
}

// recvWithin returns what c delivers, failing the test if nothing comes
// within axontest.Safety.
func recvWithin[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(axontest.Safety):
		t.Fatalf("%s: nothing within %v", what, axontest.Safety)
		panic("unreachable")
	}
}

// stopReading has a client ask addr for /stream and stop reading it:
// others are served meanwhile, each within a bound, and when it closes
// its connection the stream's handler, whose end comes on ended, is told
// to stop.
func stopReading(t *testing.T, addr string, ended <-chan error) {
	t.Helper()
	stuck := rawGet(t, addr, "/stream")
	head := make([]byte, len("HTTP/1.1 200 OK"))
	_, err := io.ReadFull(stuck, head) // the answer has begun, and is not read further
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 200 OK", string(head))
	c := oneShot()
	const bound = 2 * time.Second
	for i := range 50 {
		start := time.Now()
		code, body := fetch(t, c, fmt.Sprintf("http://%s/hello/%d", addr, i))
		require.Equal(t, http.StatusOK, code, "request %d", i)
		require.Equal(t, fmt.Sprintf("hello %d", i), body, "request %d", i)
		require.Less(t, time.Since(start), bound, "request %d waited on the stuck client", i)
	}
	select {
	case err := <-ended:
		t.Fatalf("the stuck client's handler ended (%v) while its client was there", err)
	default:
	}
	require.NoError(t, stuck.Close())
	require.ErrorIs(t, recvWithin(t, ended, "the stuck client's handler"), context.Canceled)
}

// A client that asks for an endless stream and stops reading holds only
// its own connection and handler, held back by back-pressure: others are
// served meanwhile, each within a bound, and when it goes its handler is
// told to stop and the server is back to where it was.
func TestServiceClientThatStopsReading(t *testing.T) {
	ended := make(chan error, 1)
	addr, s := listen(t, web.Limits{},
		web.Route{Prefix: "/hello/", New: hello}, web.Route{Prefix: "/stream", New: endless(ended)})
	code, _ := fetch(t, oneShot(), "http://"+addr+"/hello/x")
	require.Equal(t, http.StatusOK, code)
	base := axontest.Measure(s)
	stopReading(t, addr, ended)
	axontest.SettleBack(t, "after the client that stopped reading", s, base)
}

// A client that stops reading and stays is cut off once a write to it has
// waited Limits.WriteTimeout: its handler is told to stop and the server
// is back to where it was while the client still holds its socket.
func TestServiceCutsOffAClientThatStopsReading(t *testing.T) {
	ended := make(chan error, 1)
	addr, s := listen(t, web.Limits{WriteTimeout: 200 * time.Millisecond},
		web.Route{Prefix: "/hello/", New: hello}, web.Route{Prefix: "/stream", New: endless(ended)})
	c := oneShot()
	code, _ := fetch(t, c, "http://"+addr+"/hello/x")
	require.Equal(t, http.StatusOK, code)
	base := axontest.Measure(s)

	stuck := rawGet(t, addr, "/stream")
	require.ErrorIs(t, recvWithin(t, ended, "the stuck client's handler"), context.Canceled)
	axontest.SettleBack(t, "after cutting off the client that stopped reading", s, base)
	require.NoError(t, stuck.SetReadDeadline(time.Now().Add(axontest.Safety)))
	n, err := io.Copy(io.Discard, stuck)
	if err != nil {
		// Closed with data it never took: the server may have reset it.
		require.ErrorIs(t, err, syscall.ECONNRESET)
	}
	assert.Positive(t, n, "it had its answer's start")
}

// tellingListener is a listener whose connections say on eofs each time a
// read of theirs finds the client's end of stream: the server has seen a
// half-close.
type tellingListener struct {
	net.Listener
	eofs chan struct{}
}

func (l tellingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tellingConn{c, l.eofs}, nil
}

type tellingConn struct {
	net.Conn
	eofs chan struct{}
}

func (c tellingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if errors.Is(err, io.EOF) {
		select {
		case c.eofs <- struct{}{}:
		default:
		}
	}
	return n, err
}

// serveTuned serves srv on NewHTTPServer's http.Server, changed by tune,
// on a free loopback port until the test ends, and returns the address
// and a channel that hears when the server reads a client's end of
// stream.
func serveTuned(t *testing.T, srv *web.Server, tune func(*http.Server)) (string, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	eofs := make(chan struct{}, 1)
	hs := web.NewHTTPServer("", srv)
	if tune != nil {
		tune(hs)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(tellingListener{ln, eofs})
	}()
	t.Cleanup(func() {
		_ = hs.Close()
		<-done
		require.NoError(t, srv.Close())
	})
	return ln.Addr().String(), eofs
}

// dateLine is the Date header net/http adds, the one part of an answer
// that changes from one request to the next.
var dateLine = regexp.MustCompile(`(?m)^Date: [^\r]*\r\n`)

// readAnswer reads all c sends until the server closes it, with the Date
// header taken out.
func readAnswer(t *testing.T, c net.Conn) string {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(axontest.Safety)))
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	return dateLine.ReplaceAllString(string(b), "")
}

// halfClose sends request on a new connection to addr and half-closes it,
// as nc -N and socat do.
func halfClose(t *testing.T, addr, request string) *net.TCPConn {
	t.Helper()
	tc := whole(t, addr, request).(*net.TCPConn)
	require.NoError(t, tc.CloseWrite())
	return tc
}

// whole sends request to addr in one write, on a new connection.
func whole(t *testing.T, addr, request string) net.Conn {
	t.Helper()
	nc := dial(t, addr)
	_, err := io.WriteString(nc, request)
	require.NoError(t, err)
	return nc
}

// dial connects to addr for the rest of the test.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	return nc
}

// trickle sends request to addr a byte at a time, each in a write of its
// own, on a new connection.
func trickle(t *testing.T, addr, request string) net.Conn {
	t.Helper()
	nc := dial(t, addr)
	for i := range len(request) {
		_, err := nc.Write([]byte{request[i]})
		require.NoError(t, err)
	}
	return nc
}

// misbehaving is the routes the half-close and trickle tests are served
// by: /hello/ at once; /held/ once hold is closed, saying on entered
// that it has its request; /count/ with the length of the request body
// it read whole.
func misbehaving(hold <-chan struct{}, entered chan<- struct{}) []web.Route {
	held := func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			entered <- struct{}{}
			select {
			case <-hold:
			case <-ctx.Done():
				return ctx.Err()
			}
			return h.Respond(ctx, 200, "text/plain", []byte("held "+req.Suffix))
		}), nil
	}
	count := func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			b, err := h.ReadBody(ctx, 1<<20)
			if err != nil {
				return err
			}
			return h.Respond(ctx, 200, "text/plain", fmt.Appendf(nil, "%d bytes, %d x", len(b), strings.Count(string(b), "x")))
		}), nil
	}
	return []web.Route{{Prefix: "/hello/", New: hello}, {Prefix: "/held/", New: held}, {Prefix: "/count/", New: count}}
}

// answer is the whole answer the misbehaving routes give with body, as
// readAnswer returns it; close says it ends with the connection.
func answer(body string, close bool) string {
	conn := ""
	if close {
		conn = "Connection: close\r\n"
	}
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n%s\r\n%s", len(body), conn, body)
}

// postBody is a request to /count/ with a body of n bytes "x", larger
// than one read of the server's when n is; it asks for the connection to
// be closed after the answer.
func postBody(n int) string {
	return fmt.Sprintf("POST /count/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", n, strings.Repeat("x", n))
}

// counted is the body /count/ answers a body of n bytes "x" with.
func counted(n int) string { return fmt.Sprintf("%d bytes, %d x", n, n) }

// A client that sends its request and half-closes (nc -N, socat) gets its
// whole answer: one whose handler answers only after the server has read
// the client's end of stream, one answered at once, two pipelined in one
// write, and one whose body is larger than one read.
func TestServerAnswersHalfClosingClients(t *testing.T) {
	hold, entered := make(chan struct{}), make(chan struct{}, 1)
	srv := web.NewServer(axontest.NewScheduler(t), web.Limits{}, misbehaving(hold, entered)...)
	addr, eofs := serveTuned(t, srv, nil)

	// First, while eofs can hear of no other connection's end.
	nc := halfClose(t, addr, "GET /held/x HTTP/1.1\r\nHost: a\r\n\r\n")
	recvWithin(t, entered, "the held handler")
	recvWithin(t, eofs, "the server reading the half-close")
	close(hold)
	assert.Equal(t, answer("held x", false), readAnswer(t, nc), "answered after the server saw the client's end")

	nc = halfClose(t, addr, "GET /hello/x HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, answer("hello x", false), readAnswer(t, nc))

	nc = halfClose(t, addr, "GET /hello/x HTTP/1.1\r\nHost: a\r\n\r\nGET /hello/x HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, strings.Repeat(answer("hello x", false), 2), readAnswer(t, nc), "two requests in one write: both answered")

	nc = halfClose(t, addr, postBody(200<<10))
	assert.Equal(t, answer(counted(200<<10), true), readAnswer(t, nc))
}

// A half-closed client whose handler says nothing is not waited for for
// ever: once WriteTimeout has passed since the server read its end, its
// connection is closed with no answer (not an empty 200), and the handler
// is told to stop.
func TestServerLetsAHalfClosedClientGoWithoutAnAnswer(t *testing.T) {
	const writeTimeout = 200 * time.Millisecond
	stopped := make(chan error, 1)
	mute := func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			<-ctx.Done()
			stopped <- ctx.Err()
			return ctx.Err()
		}), nil
	}
	s := axontest.NewScheduler(t)
	srv := web.NewServer(s, web.Limits{WriteTimeout: writeTimeout}, web.Route{Prefix: "/", New: mute})
	addr, eofs := serveTuned(t, srv, nil)
	base := axontest.Measure(s)

	nc := halfClose(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	recvWithin(t, eofs, "the server reading the half-close")
	start := time.Now()
	assert.Empty(t, readAnswer(t, nc), "no answer, not an empty 200")
	assert.GreaterOrEqual(t, time.Since(start), writeTimeout*9/10, "not before WriteTimeout")
	require.ErrorIs(t, recvWithin(t, stopped, "the mute handler"), context.Canceled)
	axontest.SettleBack(t, "after the half-closed client without an answer", s, base)
}

// A client that trickles its request a byte at a time within the header
// timeout gets the answer one that sends it whole gets. One that stops
// part way through its headers is cut off once the header timeout has
// passed, and others are served meanwhile, not after it.
func TestServerTricklingClients(t *testing.T) {
	const headerTimeout = time.Second
	srv := web.NewServer(axontest.NewScheduler(t), web.Limits{}, misbehaving(nil, nil)...)
	addr, _ := serveTuned(t, srv, func(hs *http.Server) { hs.ReadHeaderTimeout = headerTimeout })
	req := "GET /hello/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"

	require.Equal(t, answer("hello x", true), readAnswer(t, whole(t, addr, req)))
	assert.Equal(t, answer("hello x", true), readAnswer(t, trickle(t, addr, req)))
	assert.Equal(t, answer(counted(100), true), readAnswer(t, trickle(t, addr, postBody(100))), "a trickled body")

	start := time.Now()
	slow := trickle(t, addr, req[:20]) // and the rest never comes
	cut := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(slow)
		cut <- string(b)
	}()
	c := oneShot()
	for i := range 10 {
		code, body := fetch(t, c, fmt.Sprintf("http://%s/hello/%d", addr, i))
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, fmt.Sprintf("hello %d", i), body)
	}
	select {
	case got := <-cut:
		t.Fatalf("the others were served only after the slow client was cut off (%q)", got)
	default:
	}
	got := recvWithin(t, cut, "the client that stopped part way")
	elapsed := time.Since(start)
	assert.NotContains(t, got, "200 OK")
	assert.NotContains(t, got, "hello", "no route served it")
	assert.GreaterOrEqual(t, elapsed, headerTimeout, "not cut off before its time")
	assert.Less(t, elapsed, headerTimeout+3*time.Second)
}

// simpleServer serves routes with Protocol on a chassis SimpleServer on a
// free loopback port until the test ends, and returns it and its
// scheduler.
func simpleServer(t *testing.T, routes ...web.Route) (*chassis.Server, *axon.Scheduler) {
	t.Helper()
	s := axontest.NewScheduler(t)
	srv := web.NewServer(s, web.Limits{}, routes...)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	ss, err := chassis.SimpleServer(srv.Protocol, "127.0.0.1:0")
	require.NoError(t, err)
	// Not "disconnected", which the Handle would queue without bound.
	axontest.NewHandle(t, s, ss, "control", "signal")
	return ss, s
}

// Thousands of requests over Protocol one after another, each on a
// connection of its own (a connection and a Protocol component each, and
// a handler): the SimpleServer and the Server hold on to nothing of those
// that have ended.
func TestProtocolFreesFinishedConnections(t *testing.T) {
	ss, s := simpleServer(t, web.Route{Prefix: "/hello/", New: hello})
	addr := ss.Addr().String()
	c := oneShot()
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			// The last connection's components end a little after its
			// answer: the baseline is taken without them.
			require.Eventually(t, func() bool { return ss.Stats().Connections == 0 }, 10*time.Second, time.Millisecond)
			base = axontest.Measure(s)
		}
		code, body := fetch(t, c, fmt.Sprintf("http://%s/hello/%d", addr, i))
		require.Equal(t, http.StatusOK, code, "request %d", i)
		require.Equal(t, fmt.Sprintf("hello %d", i), body, "request %d", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d connections", soakRounds), s, base)
}

// Over Protocol too, a client that stops reading an endless stream holds
// only its own connection and handler while others are served, and when
// it goes everything of it is let go.
func TestProtocolClientThatStopsReading(t *testing.T) {
	ended := make(chan error, 1)
	ss, s := simpleServer(t, web.Route{Prefix: "/hello/", New: hello}, web.Route{Prefix: "/stream", New: endless(ended)})
	addr := ss.Addr().String()
	code, _ := fetch(t, oneShot(), "http://"+addr+"/hello/x")
	require.Equal(t, http.StatusOK, code)
	require.Eventually(t, func() bool { return ss.Stats().Connections == 0 }, 10*time.Second, time.Millisecond)
	base := axontest.Measure(s)
	stopReading(t, addr, ended)
	axontest.SettleBack(t, "after the client that stopped reading", s, base)
}

// Over Protocol, a connection of a chassis SimpleServer, a half-closing
// client gets its whole answer too: Protocol is told the client has
// finished (ProducerFinished), and every request sent before is answered.
func TestProtocolAnswersHalfClosingClients(t *testing.T) {
	hold, entered := make(chan struct{}), make(chan struct{}, 1)
	ss, _ := simpleServer(t, misbehaving(hold, entered)...)
	addr := ss.Addr().String()

	nc := halfClose(t, addr, "GET /hello/x HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, answer("hello x", false), readAnswer(t, nc))

	nc = halfClose(t, addr, "GET /hello/x HTTP/1.1\r\nHost: a\r\n\r\nGET /hello/x HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, strings.Repeat(answer("hello x", false), 2), readAnswer(t, nc), "two requests in one write: both answered")

	nc = halfClose(t, addr, "GET /held/x HTTP/1.1\r\nHost: a\r\n\r\n")
	recvWithin(t, entered, "the held handler")
	close(hold)
	assert.Equal(t, answer("held x", false), readAnswer(t, nc))

	nc = halfClose(t, addr, postBody(200<<10))
	assert.Equal(t, answer(counted(200<<10), true), readAnswer(t, nc), "the body that came before the half-close is all read")
}

// Over Protocol, a handler that answers a request body as it arrives
// (here, echoing it) gets all of a large one: what the client sends is
// written to the HTTP server while its answer is passed on, so neither
// waits for the other.
func TestProtocolStreamsABodyBothWays(t *testing.T) {
	echo := func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			if err := h.Out.Send(ctx, web.Resource{Type: "text/plain"}); err != nil {
				return err
			}
			return h.Body(ctx, func(p []byte) error { return h.Out.Send(ctx, web.Chunk(strings.ToUpper(string(p)))) })
		}), nil
	}
	ss, _ := simpleServer(t, web.Route{Prefix: "/", New: echo})
	addr := ss.Addr().String()
	const size = 4 << 20
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = nc.Close() }()
	require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety)))
	sent := make(chan error, 1)
	go func() {
		_, err := io.WriteString(nc, fmt.Sprintf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", size)+strings.Repeat("x", size))
		sent <- err
	}()
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, size, len(b))
	assert.Equal(t, size, bytes.Count(b, []byte("X")), "the body, echoed upper-cased")
	require.NoError(t, recvWithin(t, sent, "the body sent"))
}

// Over Protocol, a request trickled a byte at a time, in a write of its
// own each, gets the answer one sent whole gets. (Protocol's header
// timeout is NewHTTPServer's 10 s, which a test of it would wait out.)
func TestProtocolTricklingClients(t *testing.T) {
	ss, _ := simpleServer(t, misbehaving(nil, nil)...)
	addr := ss.Addr().String()
	req := "GET /hello/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	require.Equal(t, answer("hello x", true), readAnswer(t, whole(t, addr, req)))
	assert.Equal(t, answer("hello x", true), readAnswer(t, trickle(t, addr, req)))
	assert.Equal(t, answer(counted(100), true), readAnswer(t, trickle(t, addr, postBody(100))), "a trickled body")
}
