package inspect_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startInspector starts an inspector of s serving the Axon protocol too,
// both on free loopback ports, and closes it when the test ends.
func startInspector(t *testing.T, s *axon.Scheduler, opts ...inspect.Option) *inspect.Server {
	t.Helper()
	srv, err := inspect.Start(s, append([]inspect.Option{inspect.WithAxonProtocol("127.0.0.1:0")}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, srv.Close()) })
	return srv
}

// hostOf is the host:port of srv's HTTP server.
func hostOf(t *testing.T, srv *inspect.Server) string {
	t.Helper()
	return "127.0.0.1:" + port(t, srv)
}

// firstSnapshot reads an event stream up to its first snapshot event and
// returns that event's data.
func firstSnapshot(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if line == "event: snapshot\n" {
			break
		}
	}
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, "data: {"), "a snapshot event's data: %q", line)
	return line
}

// Thousands of requests one after another, each on a connection of its
// own and for each thing the inspector serves (the page, the JSON, the DOT
// and the event stream, left after its first snapshot): the inspector
// holds on to nothing of those that have ended, and adds nothing to the
// system it inspects.
func TestStartFreesFinishedRequests(t *testing.T) {
	s, _, _ := twoParts(t)
	srv := startInspector(t, s)
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	paths := []string{"", "snapshot.json", "graph.dot", "events"}
	const total, baseAt = 2000, 200
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = axontest.Measure(s)
		}
		path := paths[i%len(paths)]
		resp, err := c.Get(srv.URL() + path)
		require.NoError(t, err, "request %d", i)
		var body string
		if path == "events" {
			body = firstSnapshot(t, bufio.NewReader(resp.Body))
		} else {
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err, "request %d", i)
			body = string(b)
		}
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d: /%s", i, path)
		require.Contains(t, body, "producer", "request %d: /%s", i, path)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d requests", total), s, base)
}

// Thousands of clients of the Axon protocol one after another, each
// reading the whole graph and hanging up: the inspector holds on to
// nothing of those that have gone, and stops looking at the system when
// the last has.
func TestAxonProtocolFreesFinishedClients(t *testing.T) {
	s, p, c := twoParts(t)
	srv := startInspector(t, s)
	pid, cid := fmt.Sprint(p.ID()), fmt.Sprint(c.ID())
	graph := []string{
		fmt.Sprintf(`ADD NODE "%s" "producer" randompos component`, pid),
		fmt.Sprintf(`ADD NODE "%s" "consumer" randompos component`, cid),
		fmt.Sprintf(`ADD LINK "%s.outbox" "%s.inbox"`, pid, cid),
	}
	const total, baseAt = 2000, 200
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = axontest.Measure(s)
		}
		// Not dialProtocol: its Cleanup would hold every connection
		// until the test ends, which the footprint would count.
		nc, err := net.Dial("tcp", srv.AxonAddr())
		require.NoError(t, err, "client %d", i)
		require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety)))
		lines := (&protocolClient{Conn: nc, r: bufio.NewReader(nc)}).readUntil(t, graph...)
		require.Equal(t, "DEL ALL", lines[0], "client %d", i)
		require.NoError(t, nc.Close())
	}
	axontest.SettleBack(t, fmt.Sprintf("%d protocol clients", total), s, base)
}

// A client that sends its requests, half-closes (as nc -N does) and only
// then reads gets every response whole, each the same as a client that
// did not half-close gets, and then the end of the connection. An event
// stream or a protocol client that half-closes has said it is finished,
// as a listener anywhere in kamaelia-go has: its stream ends cleanly,
// rather than hanging. None of them leaves anything behind.
func TestStartAnswersAHalfClosingClient(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, c := twoParts(t)
	srv := startInspector(t, s)
	host := hostOf(t, srv)
	// From here on the system stands still, and every look is the same.
	settle(t, ctx, srv.URL(), func(snap *axon.Snapshot) bool { return inboxLen(snap, c.ID()) == 3 })
	paths := []string{"", "snapshot.json", "graph.dot"}
	want := map[string][]byte{}
	for _, path := range paths {
		_, want[path] = httpGet(t, ctx, srv.URL()+path)
	}
	base := axontest.Measure(s)

	halfClose := func(addr, what string) []byte {
		t.Helper()
		all, err := axontest.HalfClose(addr, what)
		require.NoError(t, err, "the inspector ends the connection after answering")
		return all
	}

	// One request at a time, and all three sent at once (pipelined).
	var pipelined strings.Builder
	for _, path := range paths {
		req := "GET /" + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
		pipelined.WriteString(req)
		r := bufio.NewReader(bytes.NewReader(halfClose(host, req)))
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err, "/%s", path)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err, "/%s: the body whole", path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "/%s", path)
		assert.Equal(t, string(want[path]), string(body), "/%s", path)
		_, err = r.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "/%s: nothing after the response", path)
	}
	r := bufio.NewReader(bytes.NewReader(halfClose(host, pipelined.String())))
	for _, path := range paths {
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err, "pipelined /%s", path)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err, "pipelined /%s: the body whole", path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "pipelined /%s", path)
		assert.Equal(t, string(want[path]), string(body), "pipelined /%s", path)
	}
	_, err := r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "nothing after the pipelined responses")

	// The event stream ends, well formed: the last chunk is there.
	r = bufio.NewReader(bytes.NewReader(halfClose(host, "GET /events HTTP/1.1\r\nHost: "+host+"\r\n\r\n")))
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err, "/events")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	_, err = io.ReadAll(resp.Body)
	require.NoError(t, err, "/events: the stream ends whole")

	// The protocol's client is let go too, whatever of the graph it got.
	graph := string(halfClose(srv.AxonAddr(), ""))
	assert.True(t, strings.HasPrefix("DEL ALL\n", graph) || strings.HasPrefix(graph, "DEL ALL\n"), "%q", graph)

	axontest.SettleBack(t, "after the half-closing clients", s, base)
}

// A client that trickles its request a byte at a time (within the header
// timeout) is answered as one that sent it whole: the JSON, and the event
// stream's first snapshot.
func TestStartServesATricklingClient(t *testing.T) {
	s, _, _ := twoParts(t)
	srv := startInspector(t, s)
	host := hostOf(t, srv)
	base := axontest.Measure(s)
	for _, path := range []string{"snapshot.json", "events"} {
		nc, err := net.Dial("tcp", host)
		require.NoError(t, err)
		req := "GET /" + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
		for i := range len(req) {
			_, err := nc.Write([]byte{req[i]})
			require.NoError(t, err)
		}
		require.NoError(t, nc.SetReadDeadline(time.Now().Add(axontest.Safety)))
		resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
		require.NoError(t, err, "/%s", path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "/%s", path)
		if path == "events" {
			assert.Contains(t, firstSnapshot(t, bufio.NewReader(resp.Body)), `"producer"`)
		} else {
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Contains(t, string(body), `"producer"`)
		}
		require.NoError(t, nc.Close())
	}
	axontest.SettleBack(t, "after the trickling clients", s, base)
}

// bigSystem is a system of n idle components on a scheduler of the
// test's own: its snapshot is far more than the sockets' buffers hold.
func bigSystem(t *testing.T, n int) *axon.Scheduler {
	t.Helper()
	s := axontest.NewScheduler(t)
	for i := range n {
		s.Activate(idle(fmt.Sprintf("worker-%d", i)))
	}
	return s
}

// stopReading asks for the event stream on a connection with a small
// receive buffer, reads the response's head (the stream has begun) and
// then nothing more.
func stopReading(t *testing.T, host string) net.Conn {
	t.Helper()
	nc := dialSmall(t, host)
	_, err := io.WriteString(nc, "GET /events HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(axontest.Safety)))
	head := make([]byte, len("HTTP/1.1 200 OK"))
	_, err = io.ReadFull(nc, head)
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 200 OK", string(head))
	return nc
}

// A client of the event stream that stops reading, its socket full,
// holds only its own stream: meanwhile the JSON, another event stream and
// the protocol are served; when it reads again its stream goes on where
// it stopped, and when it goes the inspector is back to where it was.
// (Within the write timeout, here longer than the test: the next test is
// past it.)
func TestEventStreamClientThatStopsReading(t *testing.T) {
	ctx := axontest.Context(t)
	const n = 4000
	s := bigSystem(t, n)
	srv := startInspector(t, s, inspect.WithWriteTimeout(axontest.Safety))
	host := hostOf(t, srv)
	_, body := httpGet(t, ctx, srv.URL()+"snapshot.json")
	require.Greater(t, len(body), 512<<10, "a snapshot bigger than the sockets' buffers")
	base := axontest.Measure(s)

	stuck := stopReading(t, host)
	for i := range 10 {
		resp, body := httpGet(t, ctx, srv.URL()+"snapshot.json")
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
		require.Contains(t, string(body), `"worker-3999"`, "request %d", i)
	}
	var seen int
	err := inspect.Watch(ctx, srv.URL(), func(snap *axon.Snapshot) error {
		seen = len(snap.Components)
		return errSettled
	})
	require.ErrorIs(t, err, errSettled)
	assert.Equal(t, n, seen, "another event stream gets the whole system")
	proto := dialProtocol(t, srv.AxonAddr())
	adds := 0
	for adds < n {
		line, err := proto.r.ReadString('\n')
		require.NoError(t, err)
		if strings.HasSuffix(line, " component\n") {
			adds++
		}
	}
	require.NoError(t, proto.Close())

	assert.Contains(t, firstSnapshot(t, bufio.NewReader(stuck)), `"worker-3999"`, "the stuck stream's first snapshot, whole")
	require.NoError(t, stuck.Close())
	axontest.SettleBack(t, "after the client that stopped reading", s, base)
}

// A client of the event stream that stops reading for longer than the
// write timeout is disconnected, and said so in the log, as a protocol
// client is; what it leaves is freed without it having to go.
func TestEventStreamDisconnectsAClientThatDoesNotRead(t *testing.T) {
	ctx := axontest.Context(t)
	s := bigSystem(t, 4000)
	logged := chanHandler{msgs: make(chan string, 16)}
	srv := startInspector(t, s, inspect.WithWriteTimeout(200*time.Millisecond), inspect.WithLogger(slog.New(logged)))
	// A small request to start with: a reader of the whole 1.5 MB
	// snapshot could itself be slower than this write timeout under load.
	resp, _ := httpGet(t, ctx, srv.URL()+"nothing-here")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	base := axontest.Measure(s)

	stuck := stopReading(t, hostOf(t, srv))
	select {
	case msg := <-logged.msgs:
		require.Equal(t, "inspect: disconnected an event stream client that does not read", msg)
	case <-ctx.Done():
		t.Fatal("the client that does not read was not disconnected")
	}
	// What the inspector sent before it gave up is still there to read,
	// then the connection ends: the inspector closed it.
	_, err := io.Copy(io.Discard, stuck)
	require.NoError(t, err)
	axontest.SettleBack(t, "after the client that did not read", s, base)
}
