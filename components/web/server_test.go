package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// serve runs srv behind a real HTTP server on 127.0.0.1 and returns its
// address; everything stops when the test ends.
func serve(t testing.TB, srv *Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := NewHTTPServer("", srv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		_ = hs.Close()
		<-done
		require.NoError(t, srv.Close())
	})
	return ln.Addr().String()
}

// raw sends a request as bytes and returns the whole answer, read until
// the server closes the connection.
func raw(t *testing.T, addr, request string) string {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer func() { _ = c.Close() }()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, request)
	require.NoError(t, err)
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	return string(b)
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// chunks3 answers with a Resource and three chunks; with length, the
// Resource gives the length.
func chunks3(length bool) Factory {
	return func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			res := Resource{Status: 200, Type: "text/html"}
			if length {
				res.Length, res.LengthKnown = 17, true
			}
			if err := h.Out.Send(ctx, res); err != nil {
				return err
			}
			for _, c := range []string{"<p>1</p>", "<p>2", "</p>\n"} {
				if err := h.Out.Send(ctx, Chunk(c)); err != nil {
					return err
				}
			}
			return nil
		}), nil
	}
}

func TestFramingChunkedLengthAndHTTP10(t *testing.T) {
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{},
		Route{Prefix: "/len", New: chunks3(true)},
		Route{Prefix: "/", New: chunks3(false)}))

	got := raw(t, addr, "GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /len HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	first, second, ok := strings.Cut(got, "HTTP/1.1 200 OK\r\n")
	require.True(t, ok)
	require.Empty(t, first)
	one, two, ok := strings.Cut(second, "HTTP/1.1 200 OK\r\n")
	require.True(t, ok, "two responses on one connection: %q", got)
	assert.Contains(t, one, "Transfer-Encoding: chunked\r\n")
	assert.NotContains(t, one, "Content-Length")
	assert.Contains(t, one, "\r\n\r\n8\r\n<p>1</p>\r\n4\r\n<p>2\r\n5\r\n</p>\n\r\n0\r\n\r\n", "each chunk flushed as an HTTP chunk")
	assert.Contains(t, two, "Content-Length: 17\r\n")
	assert.NotContains(t, two, "chunked")
	assert.True(t, strings.HasSuffix(two, "\r\n\r\n<p>1</p><p>2</p>\n"), "%q", two)

	old := raw(t, addr, "GET /x HTTP/1.0\r\n\r\n")
	assert.True(t, strings.HasPrefix(old, "HTTP/1.0 200 OK\r\n"), old)
	assert.NotContains(t, old, "chunked")
	assert.NotContains(t, old, "Content-Length")
	assert.True(t, strings.HasSuffix(old, "\r\n\r\n<p>1</p><p>2</p>\n"), "the body, then the server closed: %q", old)
}

func writeFiles(t *testing.T) string {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "page.html"), []byte("<p>page</p>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "style.css"), []byte("p{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "data.bin"), []byte("0123456789"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "index.html"), []byte("<p>index</p>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("SECRET"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(root, "link.txt")))
	return root
}

func TestStaticFiles(t *testing.T) {
	files, err := Static(writeFiles(t))
	require.NoError(t, err)
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: files}))
	base := "http://" + addr

	resp, body := get(t, base+"/page.html")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "<p>page</p>", body)
	resp, _ = get(t, base+"/style.css")
	assert.Equal(t, "text/css; charset=utf-8", resp.Header.Get("Content-Type"))
	resp, body = get(t, base+"/sub/")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "<p>index</p>", body)
	resp, _ = get(t, base+"/nothing.html")
	assert.Equal(t, 404, resp.StatusCode)

	resp, body = get(t, base+"/data.bin", "Range", "bytes=2-4")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "234", body)
	assert.Equal(t, "bytes 2-4/10", resp.Header.Get("Content-Range"))
	resp, body = get(t, base+"/data.bin", "Range", "bytes=-3")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "789", body)
	resp, body = get(t, base+"/data.bin", "Range", "bytes=7-")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "789", body)
	resp, _ = get(t, base+"/data.bin", "Range", "bytes=10-")
	assert.Equal(t, 416, resp.StatusCode)
	assert.Equal(t, "bytes */10", resp.Header.Get("Content-Range"))
	resp, body = get(t, base+"/data.bin", "Range", "bytes=0-1,4-5")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "0123456789", body)

	for _, target := range []string{"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/sub/../../secret.txt", "/link.txt", "/./../../../../etc/passwd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd"} {
		got := raw(t, addr, "GET "+target+" HTTP/1.0\r\n\r\n")
		assert.NotContains(t, got, "SECRET", target)
		assert.NotContains(t, got, "root:", target)
		assert.True(t, strings.HasPrefix(got, "HTTP/1.0 404") || strings.HasPrefix(got, "HTTP/1.1 400"), "%s: %q", target, got)
	}
	head := raw(t, addr, "HEAD /page.html HTTP/1.0\r\n\r\n")
	assert.Contains(t, head, "Content-Length: 11\r\n")
	assert.True(t, strings.HasSuffix(head, "\r\n\r\n"), "no body for HEAD: %q", head)
}

// echoSuffix answers with its prefix and suffix.
func echoSuffix(*Request) (axon.Component, error) {
	return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
		return h.Respond(ctx, 200, "text/plain", []byte("hello "+req.Prefix+" "+req.Suffix))
	}), nil
}

func TestRoutingFirstMatchWins(t *testing.T) {
	files, err := Static(writeFiles(t))
	require.NoError(t, err)
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{},
		Route{Prefix: "/hello", New: echoSuffix},
		Route{Prefix: "/", New: files}))
	_, body := get(t, "http://"+addr+"/hello/x")
	assert.Equal(t, "hello /hello /x", body)
	resp, body := get(t, "http://"+addr+"/page.html")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "<p>page</p>", body)
	bad := raw(t, addr, "GARBAGE\r\n\r\n")
	assert.True(t, strings.HasPrefix(bad, "HTTP/1.1 400 Bad Request"), bad)

	only := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/hello", New: echoSuffix}))
	resp, body = get(t, "http://"+only+"/other")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, NoRouteMessage+"\n", body)
}

// counter is a session: it counts its requests; a request with ?wait
// waits on hold before it answers.
func counter(hold chan struct{}, entered chan string) Factory {
	return func(*Request) (axon.Component, error) {
		n := 0
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			n++
			if req.Query == "wait" {
				entered <- req.Suffix
				select {
				case <-hold:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return h.Respond(ctx, 200, "text/html", fmt.Appendf(nil, "<html><body>%d</body></html>", n))
		}), nil
	}
}

func TestSessionsCountAndRefuseWhenBusy(t *testing.T) {
	hold, entered := make(chan struct{}), make(chan string, 1)
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/session/", New: counter(hold, entered), Session: true}))
	base := "http://" + addr + "/session/"
	for i := 1; i <= 3; i++ {
		_, body := get(t, base+"abc")
		assert.Equal(t, fmt.Sprintf("<html><body>%d</body></html>", i), body)
	}
	_, body := get(t, base+"xyz")
	assert.Equal(t, "<html><body>1</body></html>", body)

	slow := make(chan string, 1)
	go func() {
		resp, err := http.Get(base + "abc?wait")
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		slow <- string(b)
	}()
	assert.Equal(t, "abc", <-entered)
	resp, body := get(t, base+"abc")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, BusyMessage+"\n", body)
	_, body = get(t, base+"xyz")
	assert.Equal(t, "<html><body>2</body></html>", body, "another session is not busy")
	close(hold)
	assert.Equal(t, "<html><body>4</body></html>", <-slow)
	_, body = get(t, base+"abc")
	assert.Equal(t, "<html><body>5</body></html>", body)
}

func TestRequestBodyStreamsBothWays(t *testing.T) {
	// The handler echoes each body chunk upper-cased as it arrives.
	echo := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			if err := h.Out.Send(ctx, Resource{Type: "text/plain"}); err != nil {
				return err
			}
			return h.Body(ctx, func(p []byte) error { return h.Out.Send(ctx, Chunk(strings.ToUpper(string(p)))) })
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: echo}))
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", "http://"+addr+"/up", pr)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req) // returns once the headers came
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	rd := bufio.NewReader(resp.Body)
	for _, line := range []string{"first\n", "second\n"} {
		_, err := io.WriteString(pw, line)
		require.NoError(t, err)
		got, err := rd.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, strings.ToUpper(line), got, "answered before the body ended")
	}
	require.NoError(t, pw.Close())
	rest, err := io.ReadAll(rd)
	require.NoError(t, err)
	assert.Empty(t, rest)
}

func TestBodyOverTheLimit(t *testing.T) {
	gotErr := make(chan error, 1)
	up := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			_, err := h.ReadBody(ctx, 1<<20)
			gotErr <- err
			return h.Respond(ctx, 413, "text/plain", []byte("too big"))
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{MaxBodyBytes: 1000}, Route{Prefix: "/", New: up}))
	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader(strings.Repeat("x", 5000)))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode)
	var mbe *http.MaxBytesError
	require.ErrorAs(t, <-gotErr, &mbe)
	assert.Equal(t, int64(1000), mbe.Limit)
}

func TestHandlerFailures(t *testing.T) {
	boom := errors.New("boom")
	early := func(*Request) (axon.Component, error) {
		return NewHandler(func(context.Context, *Handler, *Request) error { return boom }), nil
	}
	late := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			if err := h.Out.Send(ctx, Resource{Type: "text/plain"}); err != nil {
				return err
			}
			if err := h.Out.Send(ctx, Chunk("partial")); err != nil {
				return err
			}
			return boom
		}), nil
	}
	nothing := func(*Request) (axon.Component, error) { return nil, errors.New("no such thing") }
	sched := axontest.NewScheduler(t)
	srv := NewServer(sched, Limits{},
		Route{Prefix: "/early", New: early}, Route{Prefix: "/late", New: late}, Route{Prefix: "/", New: nothing})
	addr := serve(t, srv)
	resp, body := get(t, "http://"+addr+"/early")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Contains(t, body, "boom")
	resp, body = get(t, "http://"+addr+"/none")
	assert.Equal(t, 500, resp.StatusCode)
	assert.Contains(t, body, "no such thing")
	resp, err := http.Get("http://" + addr + "/late")
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, "partial", string(b))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a failed stream is cut, not ended cleanly")

	// The requests failed, not the components: the scheduler has no
	// failure to report once everything has ended.
	require.NoError(t, srv.Close())
	require.NoError(t, sched.RunContext(axontest.Context(t)), "RunContext returns the failures recorded")
}

func TestClientGoneShutsTheHandlerDown(t *testing.T) {
	ended := make(chan error, 1)
	forever := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			err := h.Out.Send(ctx, Resource{Type: "text/plain"})
			for err == nil {
				err = h.Out.Send(ctx, Chunk("tick\n"))
			}
			ended <- err
			return err
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: forever}))
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "tick\n", line)
	require.NoError(t, resp.Body.Close())
	require.ErrorIs(t, <-ended, context.Canceled)
}

func TestServiceServesUntilToldToStop(t *testing.T) {
	files, err := Static(writeFiles(t))
	require.NoError(t, err)
	s := axontest.NewScheduler(t)
	svc, err := Listen("127.0.0.1:0", NewServer(s, Limits{}, Route{Prefix: "/", New: files}))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, svc)
	_, body := get(t, "http://"+svc.Addr().String()+"/page.html")
	assert.Equal(t, "<p>page</p>", body)
	ctx := axontest.Context(t)
	require.NoError(t, h.Finish(ctx))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	_, err = http.Get("http://" + svc.Addr().String() + "/page.html")
	require.Error(t, err, "no longer listening")

	_, err = Listen(svc.Addr().String()+"0", nil)
	require.Error(t, err)
}

func TestSessionWhoseClientWentAwayIsForgotten(t *testing.T) {
	ended := make(chan error, 1)
	starts := 0
	stream := func(*Request) (axon.Component, error) {
		starts++
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			if req.Query != "stream" {
				return h.Respond(ctx, 200, "text/plain", fmt.Appendf(nil, "session %d", starts))
			}
			err := h.Out.Send(ctx, Resource{Type: "text/plain"})
			for err == nil {
				err = h.Out.Send(ctx, Chunk("tick\n"))
			}
			ended <- err
			return err
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/s/", New: stream, Session: true}))
	resp, err := http.Get("http://" + addr + "/s/a?stream")
	require.NoError(t, err)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "tick\n", line)
	require.NoError(t, resp.Body.Close())
	require.ErrorIs(t, <-ended, context.Canceled, "the session was told to stop, not left streaming to nowhere")
	_, body := get(t, "http://"+addr+"/s/a")
	assert.Equal(t, "session 2", body, "a new session took its place")
}
