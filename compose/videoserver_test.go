package compose_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestArticleVideoServer is what a new user does first: the article's
// video server composed from the palette (a file read at 400 kbit/s into
// a SingleServer), run from Compose; the inspector shows RFA1 and SS2
// linked, a client receives the file's bytes, and Stop ends it.
func TestArticleVideoServer(t *testing.T) {
	ctx := axontest.Context(t)
	clip := filepath.Join(t.TempDir(), "clip.drc")
	data := bytes.Repeat([]byte("KAMAELIA"), 50_000) // 400 kB: 8 s at 400 kbit/s
	require.NoError(t, os.WriteFile(clip, data, 0o600))
	stderr := &axontest.Buffer{}
	srv := compose.New(catalog.New(catalog.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr}), compose.Options{})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	a := &api{t: t, srv: srv, hs: hs}
	a.add("ReadFileAdaptor")
	a.set(1, "filename", clip)
	a.set(1, "bitrate", "400000")
	a.add("SingleServer")
	a.set(2, "port", "0")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	res := a.op("/api/run", nil, http.StatusOK)
	require.Equal(t, compose.Running, res.View.Run.State, res.View.Run.Error)

	select {
	case <-stderr.Written():
	case <-ctx.Done():
		t.Fatal("the server did not say where it listens")
	}
	m := regexp.MustCompile(`SS2 listening on (\S+)`).FindStringSubmatch(stderr.String())
	require.NotNil(t, m, stderr.String())
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m[1])
	require.NoError(t, err)
	defer conn.Close()
	buf := make([]byte, 64)
	_, err = io.ReadFull(conn, buf)
	require.NoError(t, err)
	assert.True(t, bytes.Contains(buf, []byte("KAMAELIA")), "the client gets the clip: %q", buf)

	var snap axon.Snapshot
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/run/snapshot.json", nil, &snap))
	ids := map[string]uint64{}
	for _, c := range snap.Components {
		ids[c.Name] = c.ID
	}
	require.Contains(t, ids, "RFA1")
	require.Contains(t, ids, "SS2")
	linked := false
	for _, l := range snap.Links {
		if l.FromComponent == ids["RFA1"] && l.FromBox == "outbox" && l.ToComponent == ids["SS2"] && l.ToBox == "inbox" {
			linked = true
		}
	}
	assert.True(t, linked, "the inspector shows RFA1.outbox linked to SS2.inbox")

	res = a.op("/api/stop", nil, http.StatusOK)
	assert.Equal(t, compose.Stopped, res.View.Run.State)
}
