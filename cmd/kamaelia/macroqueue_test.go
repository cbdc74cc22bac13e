//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// proc is a kamaelia process whose standard output and error are read a
// line at a time, each on a channel.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr chan string
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.CommandContext(axontest.Context(t), bin, args...),
		stdout: make(chan string, 256), stderr: make(chan string, 256)}
	out, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	errs, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	for r, ch := range map[io.Reader]chan string{out: p.stdout, errs: p.stderr} {
		go func() {
			defer close(ch)
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				ch <- sc.Text()
			}
		}()
	}
	return p
}

// until reads lines from ch until one holds want, and returns them.
func until(t *testing.T, ch <-chan string, want string) []string {
	t.Helper()
	var got []string
	for line := range ch {
		got = append(got, line)
		if strings.Contains(line, want) {
			return got
		}
	}
	require.Failf(t, "output ended", "waiting for %q after %q", want, got)
	return nil
}

// TestMacroAcrossProcesses records a generated multiplex with kamaelia
// macro queueing each programme on its embedded JetStream server, and
// transcodes with two kamaelia worker --handler macro processes sharing a
// recording directory; one is killed mid-job. Its job is handed to the
// other after the ack deadline, and every programme is committed once:
// one "done" among the workers, one .META, each file with its .DONE, and
// the recorder, which waits for the workers, exits 0.
func TestMacroAcrossProcesses(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kamaelia")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	dir := t.TempDir()
	ts := filepath.Join(dir, "mux.ts")
	_, errs, code := kamaelia(t, bin, "macro", "-generate", ts, "-duration", "6s")
	require.Equal(t, 0, code, errs)
	rec, lib := filepath.Join(dir, "rec"), filepath.Join(dir, "library")

	m := startProc(t, bin, "macro", "-input", ts, "-rate", "fast", "-profiles", "LO", "-out", rec, "-embedded", filepath.Join(dir, "js"))
	got := until(t, m.stderr, "macro: NATS with JetStream at ")
	url := strings.TrimPrefix(got[len(got)-1], "macro: NATS with JetStream at ")
	go func() { // the rest of its standard error, for the failure message
		for line := range m.stderr {
			t.Log("macro:", line)
		}
	}()
	worker := func() *proc {
		return startProc(t, bin, "worker", "--nats", url, "--handler", "macro", "--dir", lib, "--ack-wait", "2s")
	}
	a, b := worker(), worker()

	// A is killed on its first job, mid-transcode.
	got = until(t, a.stderr, "worker: transcoding ")
	var killed string
	_, err = fmt.Sscanf(got[len(got)-1], "worker: transcoding %s (attempt 1)", &killed)
	require.NoError(t, err, got)
	require.NoError(t, a.cmd.Process.Signal(syscall.SIGKILL))
	var aDone []string
	for line := range a.stdout {
		aDone = append(aDone, line)
	}
	_ = a.cmd.Wait()
	assert.Empty(t, aDone, "killed on its first job, it finished none")

	// The recorder queued four programmes and waits for the workers to
	// do them; B does them all, A's after the ack deadline.
	queued := until(t, m.stdout, "queued 4 programmes on stream JOBS")
	until(t, m.stdout, "the workers have done every job")
	require.NoError(t, m.cmd.Wait(), "the recorder exits 0 once every job is done")
	var ids []string
	for _, line := range queued {
		if id, ok := strings.CutPrefix(line, "queued: "); ok {
			ids = append(ids, id)
		}
	}
	require.Len(t, ids, 4, queued)
	require.Contains(t, ids, killed)

	var done []string
	for len(done) < 4 {
		line, ok := <-b.stdout
		require.True(t, ok, "B ended after %q", done)
		id, found := strings.CutPrefix(line, "done ")
		require.True(t, found, line)
		done = append(done, id)
	}
	sort.Strings(ids)
	sort.Strings(done)
	require.Equal(t, ids, done, "each programme done once among the workers")
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	var bErr []string
	for line := range b.stderr {
		bErr = append(bErr, line)
	}
	require.NoError(t, b.cmd.Wait())
	assert.Contains(t, bErr, "worker: transcoding "+killed+" (attempt 2)", "A's job was handed to B again")

	metas := metas(t, lib)
	require.Len(t, metas, 4)
	for name, r := range metas {
		require.Len(t, r.Files, 1, name)
		assert.Equal(t, "LO", r.Files[0].Profile)
		st, err := os.Stat(filepath.Join(lib, macro.FinishedDir, r.Files[0].Name))
		require.NoError(t, err)
		assert.Equal(t, r.Files[0].Bytes, st.Size())
		assert.Positive(t, st.Size())
	}
	requireWhole(t, lib)
	left, err := os.ReadDir(filepath.Join(rec, "capture"))
	require.NoError(t, err)
	assert.Empty(t, left, "the recorder removes each capture once the server has stored its job")
}

// TestMacroQueueLimits: a capture larger than the server's max_payload is
// a clear error naming the programme and kept, not dropped; with -shared
// the jobs name the capture paths instead and a worker transcodes from
// them and removes them.
func TestMacroQueueLimits(t *testing.T) {
	dir := t.TempDir()
	ts := filepath.Join(dir, "mux.ts")
	var stdout, stderr bytes.Buffer
	ctx := axontest.Context(t)
	require.Equal(t, 0, run(ctx, []string{"macro", "-generate", ts, "-duration", "4s"}, &stdout, &stderr), stderr.String())

	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: t.TempDir(), MaxPayload: 64 << 10})
	require.NoError(t, err)
	defer srv.Shutdown()
	rec := filepath.Join(dir, "rec")
	stdout.Reset()
	stderr.Reset()
	code := run(ctx, []string{"macro", "-input", ts, "-rate", "fast", "-profiles", "LO", "-out", rec, "-nats", srv.ClientURL()}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "its capture is")
	assert.Contains(t, stderr.String(), "max_payload")
	assert.Contains(t, stderr.String(), "4 programmes could not be queued")
	kept, err := os.ReadDir(filepath.Join(rec, "capture"))
	require.NoError(t, err)
	assert.Len(t, kept, 4, "the captures not queued are kept")

	// The same captures' paths fit: the workers share the folder.
	rec = filepath.Join(dir, "shared")
	stdout.Reset()
	stderr.Reset()
	code = run(ctx, []string{"macro", "-input", ts, "-rate", "fast", "-profiles", "LO", "-out", rec, "-nats", srv.ClientURL(),
		"-stream", "SHARED", "-shared"}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "queued 4 programmes on stream SHARED")
	pr, pw := io.Pipe()
	w := start(t, pw, "worker", "--nats", srv.ClientURL(), "--stream", "SHARED", "--handler", "macro", "--dir", rec)
	lines := bufio.NewScanner(pr)
	for range 4 {
		require.True(t, lines.Scan())
		require.True(t, strings.HasPrefix(lines.Text(), "done "), lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // ends when pw is closed
	require.Equal(t, 0, w.stop(t))
	pw.Close()
	require.Len(t, metas(t, rec), 4)
	requireWhole(t, rec)
	left, err := os.ReadDir(filepath.Join(rec, "capture"))
	require.NoError(t, err)
	assert.Empty(t, left, "the worker removes each shared capture once committed")
}

// TestMacroQueueCommandLine: the queue flags' mistakes are usage errors.
func TestMacroQueueCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"macro", "-input", "x.ts", "-rate", "fast", "-nats", "nats://127.0.0.1:1", "-embedded", "/tmp/x"},
		{"macro", "-input", "x.ts", "-rate", "fast", "-shared"},
	} {
		var out, errs bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		require.Equal(t, 2, run(ctx, args, &out, &errs), "%v: %s", args, errs.String())
		cancel()
	}
}
