//go:build cgo

package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lines reads a process's output a line at a time until want is in one,
// and returns the lines read.
func linesUntil(t *testing.T, r *bufio.Reader, want string) []string {
	t.Helper()
	var got []string
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "waiting for %q after %q", want, got)
		got = append(got, strings.TrimSpace(line))
		if strings.Contains(line, want) {
			return got
		}
	}
}

func metas(t *testing.T, dir string) map[string]macro.Recording {
	t.Helper()
	out := map[string]macro.Recording{}
	ms, err := filepath.Glob(filepath.Join(dir, macro.FinishedDir, "*.META"))
	require.NoError(t, err)
	for _, m := range ms {
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		var r macro.Recording
		require.NoError(t, json.Unmarshal(b, &r))
		out[r.Name] = r
	}
	return out
}

// requireWhole checks that every media file in finished has its .DONE
// marker and every .DONE its file: nothing half-made was committed.
func requireWhole(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(dir, macro.FinishedDir))
	if os.IsNotExist(err) {
		return
	}
	require.NoError(t, err)
	names := map[string]bool{}
	for _, e := range es {
		names[e.Name()] = true
	}
	for n := range names {
		switch ext := filepath.Ext(n); ext {
		case ".META":
		case ".DONE":
			require.True(t, names[strings.TrimSuffix(n, ext)+".mp4"], "%s without its file", n)
		default:
			require.True(t, names[strings.TrimSuffix(n, ext)+".DONE"], "%s without its .DONE", n)
		}
	}
}

// startMacro starts `kamaelia macro` with args and returns it, its
// standard output to read lines from, and its standard error as it comes.
func startMacro(t *testing.T, bin string, args ...string) (*exec.Cmd, *bufio.Reader, *axontest.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(axontest.Context(t), bin, append([]string{"macro"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	errs := &axontest.Buffer{}
	cmd.Stderr = errs
	require.NoError(t, cmd.Start())
	return cmd, bufio.NewReader(stdout), errs
}

// TestMacroCommand runs kamaelia macro as a user would: it generates a
// two-channel multiplex, records it as fast as it goes and serves the
// feeds; recorded at its real rate it takes SIGTERM by committing the
// programmes in progress, marked cut short, and exits 0; killed, it leaves
// nothing half-made in finished.
func TestMacroCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kamaelia")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	dir := t.TempDir()
	ts := filepath.Join(dir, "mux.ts")

	t.Run("generate and usage", func(t *testing.T) {
		stdout, _, code := kamaelia(t, bin, "macro", "-generate", ts, "-duration", "6s")
		require.Equal(t, 0, code)
		assert.Contains(t, stdout, "4 junctions")
		stdout, _, code = kamaelia(t, bin, "macro", "-h")
		assert.Equal(t, 0, code)
		assert.Contains(t, stdout, "usage: kamaelia macro")
		for _, args := range [][]string{{}, {"-input", ts, "-adapter", "0"}, {"-input", ts, "-profiles", "XX"},
			{"-input", ts, "-services", "x"}, {"-input", ts, "-rate", "slow"}, {"-bogus"}, {"-input", ts, "extra"}} {
			_, errs, code := kamaelia(t, bin, append([]string{"macro"}, args...)...)
			assert.Equal(t, 2, code, "%q: %s", args, errs)
		}
		_, errs, code := kamaelia(t, bin, "macro", "-input", filepath.Join(dir, "missing.ts"))
		assert.Equal(t, 1, code)
		assert.Contains(t, errs, "no such file")
	})

	t.Run("record fast and serve", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rec")
		cmd, r, errs := startMacro(t, bin, "-input", ts, "-rate", "fast", "-profiles", "LO", "-out", out, "-http", "127.0.0.1:0")
		first := linesUntil(t, r, "serving http://")
		url := strings.TrimSuffix(strings.TrimPrefix(first[len(first)-1], "serving "), "/")
		got := linesUntil(t, r, "recorded 4 programmes")
		assert.Contains(t, got, `amendment: service 4228 event 2 "The Film"`)
		resp, err := http.Get(url + "/feeds/bbc-four.rss")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var feed macro.RSS
		require.NoError(t, xml.Unmarshal(body, &feed))
		require.Len(t, feed.Channel.Items, 2)
		assert.Equal(t, []string{"Quiz", "Gardening"}, []string{feed.Channel.Items[0].Title, feed.Channel.Items[1].Title})
		assert.Equal(t, "video/mp4", feed.Channel.Items[0].Enclosure.Type)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		require.NoError(t, cmd.Wait(), "a clean exit: %s", errs.String())
		requireWhole(t, out)
		left, err := os.ReadDir(filepath.Join(out, "capture"))
		require.NoError(t, err)
		assert.Empty(t, left, "the captures are removed once committed")
	})

	t.Run("SIGTERM finishes the current programme", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rec")
		cmd, r, errs := startMacro(t, bin, "-input", ts, "-rate", "real", "-profiles", "LO", "-out", out, "-services", "4228")
		linesUntil(t, r, `finished: BBC TWO "Newsnight"`)
		// The Film is being recorded: nothing of it is in finished.
		m := metas(t, out)
		require.Len(t, m, 1)
		assert.False(t, m["Newsnight"].CutShort)
		requireWhole(t, out)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		got := linesUntil(t, r, `finished: BBC TWO "The Film" (cut short)`)
		_, _ = io.Copy(io.Discard, r)
		require.NoError(t, cmd.Wait(), "exit status 0: %s", errs.String())
		assert.NotContains(t, strings.Join(got, "\n"), "recorded", "it stopped before the input's end")
		m = metas(t, out)
		require.Len(t, m, 2)
		assert.True(t, m["The Film"].CutShort)
		assert.Equal(t, uint16(2), m["The Film"].EventID)
		requireWhole(t, out)
		assert.Contains(t, errs.String(), "finishing the current programmes")
	})

	t.Run("killed mid-programme", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "rec")
		cmd, r, _ := startMacro(t, bin, "-input", ts, "-rate", "real", "-profiles", "LO", "-out", out)
		linesUntil(t, r, `junction: service 4228 event 2`)
		require.NoError(t, cmd.Process.Kill())
		_, _ = io.Copy(io.Discard, r)
		_ = cmd.Wait()
		requireWhole(t, out)
		for name, rec := range metas(t, out) {
			assert.NotEqual(t, "The Film", name, "a programme in progress is not in finished")
			assert.False(t, rec.CutShort)
		}
	})
}
