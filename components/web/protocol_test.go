package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProtocolOfSimpleServer(t *testing.T) {
	s := axontest.NewScheduler(t)
	hold, entered := make(chan struct{}), make(chan string, 1)
	close(hold)
	web := NewServer(s, Limits{},
		Route{Prefix: "/session/", New: counter(hold, entered), Session: true},
		Route{Prefix: "/", New: chunks3(false)})
	defer func() { require.NoError(t, web.Close()) }()
	srv, err := chassis.SimpleServer(web.Protocol, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	addr := srv.Addr().String()

	got := raw(t, addr, "GET /x HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	assert.Equal(t, 2, strings.Count(got, "HTTP/1.1 200 OK\r\n"), got)
	assert.Equal(t, 2, strings.Count(got, "\r\n\r\n8\r\n<p>1</p>\r\n4\r\n<p>2\r\n5\r\n</p>\n\r\n0\r\n\r\n"), got)
	old := raw(t, addr, "GET /x HTTP/1.0\r\n\r\n")
	assert.True(t, strings.HasSuffix(old, "\r\n\r\n<p>1</p><p>2</p>\n"), old)

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for i := 1; i <= 3; i++ {
		resp, err := client.Get("http://" + addr + "/session/abc")
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, "<html><body>"+string(rune('0'+i))+"</body></html>", string(b))
	}
	client.CloseIdleConnections()
	require.NoError(t, h.Close())
}
