package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/stretchr/testify/require"
)

func TestWorkerAndJobCommands(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: t.TempDir()})
	require.NoError(t, err)
	defer srv.Shutdown()
	in, out := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{"newsnight.ts": "capture one", "film.ts": "capture two"} {
		require.NoError(t, os.WriteFile(filepath.Join(in, name), []byte(body), 0o644))
	}

	pr, pw := io.Pipe()
	w := start(t, pw, "worker", "--nats", srv.ClientURL(), "--dir", out, "--stream", "CMD")
	require.Contains(t, w.first, "worker: taking jobs from stream CMD")
	lines := bufio.NewScanner(pr)

	var jobOut, jobErr bytes.Buffer
	code := run(context.Background(), []string{"job", "--nats", srv.ClientURL(), "--stream", "CMD", "--meta", `{"channel":"BBC TWO"}`,
		filepath.Join(in, "newsnight.ts")}, &jobOut, &jobErr)
	require.Equal(t, 0, code, jobErr.String())
	code = run(context.Background(), []string{"job", "--nats", srv.ClientURL(), "--stream", "CMD", "--path",
		filepath.Join(in, "film.ts"), filepath.Join(in, "newsnight.ts")}, &jobOut, &jobErr)
	require.Equal(t, 0, code, jobErr.String())
	require.Equal(t, "queued newsnight.ts\nqueued film.ts\nduplicate newsnight.ts\n", jobOut.String())

	done := map[string]bool{}
	for len(done) < 2 {
		require.True(t, lines.Scan(), "the worker's output ended")
		f := strings.Fields(lines.Text())
		require.Equal(t, "done", f[0], lines.Text())
		done[f[1]] = true
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // ends when pw is closed
	require.Equal(t, 0, w.stop(t))
	pw.Close()

	for name, want := range map[string]string{
		"newsnight.ts": "capture one", "newsnight.ts.json": `{"channel":"BBC TWO"}`,
		"film.ts": "capture two", "film.ts.json": "null",
	} {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		require.Equal(t, want, string(b), name)
	}
	names, err := filepath.Glob(filepath.Join(out, ".*"))
	require.NoError(t, err)
	require.Empty(t, names, "no attempt's file is left")
}

func TestWorkerCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"worker"},
		{"worker", "--nats", "nats://x", "--embedded", "/tmp/x"},
		{"worker", "--nats", "nats://x", "--handler", "transcode-everything"},
		{"worker", "--nats", "nats://x", "--concurrency", "0"},
		{"job", "f"},
		{"job", "--nats", "nats://x"},
		{"job", "--nats", "nats://x", "--id", "a", "f", "g"},
		{"job", "--nats", "nats://x", "--meta", "{", "f"},
	} {
		var out, errs bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		require.Equal(t, 2, run(ctx, args, &out, &errs), "%v: %s", args, errs.String())
		cancel()
	}
}

func TestWorkerWithEmbeddedServer(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(in, "prog"), []byte("raw capture"), 0o644))
	pr, pw := io.Pipe()
	w := start(t, pw, "worker", "--embedded", t.TempDir(), "--dir", out)
	url, ok := strings.CutPrefix(strings.TrimSpace(w.first), "worker: NATS with JetStream at ")
	require.True(t, ok, w.first)

	var jobOut, jobErr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"job", "--nats", url, "--id", "prog-1", filepath.Join(in, "prog")}, &jobOut, &jobErr), jobErr.String())
	lines := bufio.NewScanner(pr)
	require.True(t, lines.Scan())
	require.Equal(t, "done prog-1", lines.Text())
	go func() { _, _ = io.Copy(io.Discard, pr) }() // ends when pw is closed
	require.Equal(t, 0, w.stop(t))
	pw.Close()
	b, err := os.ReadFile(filepath.Join(out, "prog-1"))
	require.NoError(t, err)
	require.Equal(t, "raw capture", string(b))
}
