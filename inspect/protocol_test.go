package inspect_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// protocolClient is a connection to an inspector's Axon protocol port
// whose reads fail after the test's safety margin instead of hanging.
type protocolClient struct {
	net.Conn
	r *bufio.Reader
}

func dialProtocol(t *testing.T, addr string) *protocolClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety)))
	t.Cleanup(func() { nc.Close() })
	return &protocolClient{Conn: nc, r: bufio.NewReader(nc)}
}

// readUntil reads lines until every line in want has been read, and
// returns all the lines read.
func (c *protocolClient) readUntil(t *testing.T, want ...string) []string {
	t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	var got []string
	for len(missing) > 0 {
		line, err := c.r.ReadString('\n')
		require.NoError(t, err, "still waiting for %v after %q", missing, got)
		line = strings.TrimSuffix(line, "\n")
		got = append(got, line)
		delete(missing, line)
	}
	return got
}

func TestAxonProtocolSendsTheGraphThenItsChanges(t *testing.T) {
	s, p, c := twoParts(t)
	srv, err := inspect.Start(s, inspect.WithAxonProtocol("127.0.0.1:0"), inspect.WithInterval(10*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	require.NotEmpty(t, srv.AxonAddr())

	client := dialProtocol(t, srv.AxonAddr())
	pid, cid := fmt.Sprint(p.ID()), fmt.Sprint(c.ID())
	lines := client.readUntil(t,
		fmt.Sprintf(`ADD NODE "%s" "producer" randompos component`, pid),
		fmt.Sprintf(`ADD NODE "%s" "consumer" randompos component`, cid),
		fmt.Sprintf(`ADD NODE "%s.inbox" "inbox" randompos inbox`, cid),
		fmt.Sprintf(`ADD NODE "%s.outbox" "outbox" randompos outbox`, pid),
		fmt.Sprintf(`ADD LINK "%s" "%s.inbox"`, cid, cid),
		fmt.Sprintf(`ADD LINK "%s.outbox" "%s.inbox"`, pid, cid),
	)
	assert.Equal(t, "DEL ALL", lines[0], "the graph starts from nothing")

	// A component that comes and goes is added, then deleted.
	h := axontest.NewHandle(t, s, idle("visitor"))
	vid := fmt.Sprint(h.Component().(*part).ID())
	client.readUntil(t, fmt.Sprintf(`ADD NODE "%s" "visitor" randompos component`, vid))
	require.NoError(t, h.Close())
	lines = client.readUntil(t, fmt.Sprintf(`DEL NODE "%s"`, vid), fmt.Sprintf(`DEL NODE "%s.inbox"`, vid))
	// The rest of the additions may come first; from the first deletion
	// on there are only deletions.
	for i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "DEL ") }); i < len(lines); i++ {
		assert.True(t, strings.HasPrefix(lines[i], "DEL "), "only deletions when a component ends: %q", lines[i])
	}
}

// chanHandler is a slog.Handler that passes each record's message on.
type chanHandler struct{ msgs chan string }

func (h chanHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h chanHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.msgs <- r.Message:
	default:
	}
	return nil
}
func (h chanHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h chanHandler) WithGroup(string) slog.Handler      { return h }

// dialSmall connects with a small receive buffer, so that a client that
// does not read fills it soon.
func dialSmall(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	nc, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return nc
}

func TestAxonProtocolDisconnectsAClientThatDoesNotRead(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	// A system big enough that its graph (some 1.3 MB of protocol) cannot
	// fit in the sockets' buffers.
	const n = 4000
	for i := range n {
		s.Activate(idle(fmt.Sprintf("worker-%d", i)))
	}
	logged := chanHandler{msgs: make(chan string, 16)}
	srv, err := inspect.Start(s, inspect.WithAxonProtocol("127.0.0.1:0"),
		inspect.WithWriteTimeout(200*time.Millisecond), inspect.WithLogger(slog.New(logged)))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()

	slow := dialSmall(t, srv.AxonAddr()) // and never read
	select {
	case msg := <-logged.msgs:
		require.Equal(t, "inspect: disconnected an Axon protocol client that does not read", msg)
	case <-ctx.Done():
		t.Fatal("the client that does not read was not disconnected")
	}
	// What the server sent before it gave up is still there to read, then
	// the connection ends: the server closed it.
	require.NoError(t, slow.SetReadDeadline(time.Now().Add(axontest.Safety)))
	_, err = io.Copy(io.Discard, slow)
	if err != nil {
		require.ErrorIs(t, err, syscall.ECONNRESET)
	}

	// A client that reads is served all the same.
	fast := dialProtocol(t, srv.AxonAddr())
	adds := 0
	for adds < n {
		line, err := fast.r.ReadString('\n')
		require.NoError(t, err)
		if strings.HasPrefix(line, "ADD NODE") && strings.HasSuffix(line, " component\n") {
			adds++
		}
	}
}

func TestStartRejectsWhatItCannotServe(t *testing.T) {
	s := axon.NewScheduler()
	_, err := inspect.Start(s, inspect.WithAddr("127.0.0.1:not-a-port"))
	require.ErrorContains(t, err, "inspect: HTTP:")

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	_, err = inspect.Start(s, inspect.WithAxonProtocol(taken.Addr().String()))
	require.ErrorContains(t, err, "inspect: Axon protocol:")
	require.ErrorContains(t, err, "address already in use")
}

func TestStartWithNoSchedulerInspectsTheDefaultOne(t *testing.T) {
	ctx := axontest.Context(t)
	srv, err := inspect.Start(nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	resp, body := httpGet(t, ctx, srv.URL()+"snapshot.json")
	require.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"components":null,"boxes":null,"links":null}`, string(body))
}

func TestServerReportsWhereItListens(t *testing.T) {
	s := axon.NewScheduler()
	srv, err := inspect.Start(s)
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, srv.URL())
	assert.Empty(t, srv.AxonAddr())
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "closing again")

	srv, err = inspect.Start(s, inspect.WithAddr("0.0.0.0:0"), inspect.WithAxonProtocol("0.0.0.0:0"))
	require.NoError(t, err)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, srv.URL(), "an address a browser can open")
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, srv.AxonAddr())
	require.NoError(t, srv.Close())
}

// TestCloseLeavesNothingRunning watches a system through every kind of
// client, closes the inspector, and checks that no goroutine of it is left.
func TestCloseLeavesNothingRunning(t *testing.T) {
	ctx := axontest.Context(t)
	s := axon.NewScheduler()
	a, b := idle("a"), idle("b")
	axon.MustLink(a.out, b.in)
	s.Activate(a, b)
	srv, err := inspect.Start(s, inspect.WithAxonProtocol("127.0.0.1:0"), inspect.WithInterval(5*time.Millisecond))
	require.NoError(t, err)

	proto := dialProtocol(t, srv.AxonAddr())
	proto.readUntil(t, "DEL ALL")
	watched := make(chan error, 1)
	seen := make(chan struct{})
	go func() {
		once := false
		watched <- inspect.Watch(ctx, srv.URL(), func(*axon.Snapshot) error {
			if !once {
				once = true
				close(seen)
			}
			return nil
		})
	}()
	<-seen
	_, _ = httpGet(t, ctx, srv.URL()+"snapshot.json")

	require.NoError(t, srv.Close())
	require.ErrorIs(t, <-watched, inspect.ErrStreamEnded)
	_, err = proto.r.ReadString('\n')
	for err == nil {
		_, err = proto.r.ReadString('\n')
	}
	assert.ErrorIs(t, err, io.EOF, "the inspector closed the protocol connection")
	proto.Close()

	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(ctx))
	axontest.VerifyNone(t)
}
