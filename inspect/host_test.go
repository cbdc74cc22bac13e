package inspect_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// getAs fetches path from srv over real HTTP with the Host header host,
// and returns the response with its body read.
func getAs(t *testing.T, ctx context.Context, srv *inspect.Server, host, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, body := httpDo(t, req)
	return resp, string(body)
}

func port(t *testing.T, srv *inspect.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL())
	require.NoError(t, err)
	return u.Port()
}

// TestStartAnswersOnlyForItsOwnHosts: a request whose Host is a name the
// inspector was not told of (what DNS rebinding sends) is refused with 403
// and a body that says why; its own address, localhost and loopback
// addresses are served, and a name given to WithAllowedHosts.
func TestStartAnswersOnlyForItsOwnHosts(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	srv, err := inspect.Start(s, inspect.WithAllowedHosts("Inspector.Example:9999"))
	require.NoError(t, err)
	defer srv.Close()
	p := port(t, srv)

	for _, host := range []string{"evil.example", "evil.example:" + p, "127.0.0.1.evil.example:" + p, "localhost.evil.example", "192.0.2.1:" + p} {
		resp, body := getAs(t, ctx, srv, host, "snapshot.json")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, host)
		assert.Contains(t, body, `inspect: Host "`+host+`" is not one this inspector serves as`, host)
		assert.Contains(t, body, "inspect.WithAllowedHosts", host)
		assert.NotContains(t, body, "producer", "%s: nothing of the system is shown", host)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), host)
	}
	for _, host := range []string{"127.0.0.1:" + p, "127.0.0.1", "localhost:" + p, "LocalHost", "[::1]:" + p, "127.0.0.2", "inspector.example", "INSPECTOR.example:" + p} {
		resp, body := getAs(t, ctx, srv, host, "snapshot.json")
		assert.Equal(t, http.StatusOK, resp.StatusCode, host)
		assert.Contains(t, body, `"producer"`, host)
	}
}

// TestStartOnEveryInterfaceTakesAnyAddress: listening on every interface,
// the inspector is reached at any of the machine's addresses, which cannot
// be rebound; a name still has to be allowed.
func TestStartOnEveryInterfaceTakesAnyAddress(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	srv, err := inspect.Start(s, inspect.WithAddr(net.JoinHostPort("0.0.0.0", "0")))
	require.NoError(t, err)
	defer srv.Close()

	resp, _ := getAs(t, ctx, srv, "192.0.2.1", "graph.dot")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = getAs(t, ctx, srv, "evil.example", "graph.dot")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// TestEveryResponseSaysNoSniff: the page, the data, the event stream, a
// path that does not exist and a refused host all carry
// X-Content-Type-Options: nosniff, from Start's server and from Handler.
func TestEveryResponseSaysNoSniff(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	srv, err := inspect.Start(s)
	require.NoError(t, err)
	defer srv.Close()
	host := "127.0.0.1:" + port(t, srv)

	for _, path := range []string{"", "snapshot.json", "graph.dot", "nothing-here"} {
		resp, _ := getAs(t, ctx, srv, host, path)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), "/%s", path)
	}

	// The event stream never ends by itself: read its headers, then go.
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx2, http.MethodGet, srv.URL()+"events", nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	require.NoError(t, err)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), "/events")
	cancel()
	resp.Body.Close()

	h := inspect.Handler(s)
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, "/graph.dot", nil)
	require.NoError(t, err)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"), "Handler")
}

// TestStartBoundsIdleAndSlowClients: Start's server has an idle timeout
// (a connection with no request is closed), a read-header timeout (one
// whose headers do not come is closed) and a limit on the headers' size.
func TestStartBoundsIdleAndSlowClients(t *testing.T) {
	s, _, _ := twoParts(t)
	srv, err := inspect.Start(s)
	require.NoError(t, err)
	defer srv.Close()
	hs := inspect.HTTPServer(srv)
	assert.Positive(t, hs.IdleTimeout, "idle timeout")
	assert.Positive(t, hs.ReadHeaderTimeout, "read-header timeout")
	assert.Positive(t, hs.MaxHeaderBytes, "header size")
}
