package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// body joins the chunks of one fetch and checks the order of its replies.
func body(t *testing.T, rs []Reply) (Head, string) {
	require.NotEmpty(t, rs)
	head, ok := rs[0].(Head)
	require.True(t, ok, "a Head first: %v", rs[0])
	var b strings.Builder
	for _, r := range rs[1 : len(rs)-1] {
		c, ok := r.(Chunk)
		require.True(t, ok, "Chunks between Head and End: %T", r)
		b.Write(c)
	}
	assert.Equal(t, End{}, rs[len(rs)-1])
	return head, b.String()
}

func TestSingleShotClientFollowsARedirect(t *testing.T) {
	big := strings.Repeat("0123456789", 10000)
	moved := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			return h.Out.Send(ctx, Resource{Status: http.StatusFound, LengthKnown: true, Headers: http.Header{"Location": {"/new"}}})
		}), nil
	}
	final := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			return h.Respond(ctx, 200, "text/plain", []byte(big))
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/old", New: moved}, Route{Prefix: "/new", New: final}))
	res := axontest.Run[any, Reply](t, NewSingleShotClient(nil, Get("http://"+addr+"/old")))
	require.NoError(t, res.Err)
	head, got := body(t, res.Outputs)
	assert.Equal(t, 200, head.StatusCode)
	assert.Equal(t, "http://"+addr+"/new", head.URL)
	assert.Equal(t, big, got)
	assert.Greater(t, len(res.Outputs), 4, "the body came in chunks")
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestSingleShotClientFailsOnABadURL(t *testing.T) {
	res := axontest.Run[any, Reply](t, NewSingleShotClient(nil, Get("http://127.0.0.1:1/")))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "connection refused")
	assert.Empty(t, res.Outputs)
}

func TestSingleShotClientShutdownCancelsTheFetch(t *testing.T) {
	forever := func(*Request) (axon.Component, error) {
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			err := h.Out.Send(ctx, Resource{Type: "text/plain"})
			for err == nil {
				err = h.Out.Send(ctx, Chunk("tick\n"))
			}
			return err
		}), nil
	}
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{}, Route{Prefix: "/", New: forever}))
	h := axontest.NewHandle(t, axontest.NewScheduler(t), NewSingleShotClient(nil, Get("http://"+addr+"/")))
	ctx := axontest.Context(t)
	first, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.IsType(t, Head{}, first)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.IsType(t, axon.Shutdown{}, sig)
}

// uploads is a session that saves each POSTed body as N.torrent in dir and
// writes N to meta.txt.
func uploads(dir string) Factory {
	return func(*Request) (axon.Component, error) {
		n := 0
		return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
			data, err := h.ReadBody(ctx, 1<<20)
			if err != nil {
				return err
			}
			n++
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.torrent", n)), data, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "meta.txt"), fmt.Append(nil, n), 0o644); err != nil {
				return err
			}
			return h.Respond(ctx, 200, "text/plain", fmt.Appendf(nil, "saved %d", n))
		}), nil
	}
}

func TestSimpleClientGetsAndPostsInTurn(t *testing.T) {
	dir := t.TempDir()
	addr := serve(t, NewServer(axontest.NewScheduler(t), Limits{},
		Route{Prefix: "/upload", New: uploads(dir), Session: true},
		Route{Prefix: "/hello", New: echoSuffix}))
	base := "http://" + addr
	torrent := bytes.Repeat([]byte("d8:announce"), 5000)
	res := axontest.Run[Fetch, Reply](t, NewSimpleClient(nil),
		Post(base+"/upload", "application/x-bittorrent", torrent),
		Get("http://127.0.0.1:1/refused"),
		Get(base+"/hello/there"),
	)
	require.NoError(t, res.Err)
	var fetches [][]Reply
	var cur []Reply
	for _, r := range res.Outputs {
		cur = append(cur, r)
		switch r.(type) {
		case End, Failed:
			fetches = append(fetches, cur)
			cur = nil
		}
	}
	require.Len(t, fetches, 3)
	_, got := body(t, fetches[0])
	assert.Equal(t, "saved 1", got)
	saved, err := os.ReadFile(filepath.Join(dir, "1.torrent"))
	require.NoError(t, err)
	assert.Equal(t, torrent, saved)
	meta, err := os.ReadFile(filepath.Join(dir, "meta.txt"))
	require.NoError(t, err)
	assert.Equal(t, "1", string(meta))

	require.Len(t, fetches[1], 1)
	failed, ok := fetches[1][0].(Failed)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:1/refused", failed.URL)
	require.Error(t, failed.Err)

	_, got = body(t, fetches[2])
	assert.Equal(t, "hello /hello /there", got)
}
