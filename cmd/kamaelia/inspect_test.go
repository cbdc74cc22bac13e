package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startCommand runs a subcommand in a goroutine, its output on a pipe; stop
// cancels it and returns what it returned.
func startCommand(t *testing.T, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error, args ...string) (out *bufio.Reader, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(axontest.Context(t))
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		_ = pw.Close()
		done <- err
	}()
	stop = sync.OnceValue(func() error {
		cancel()
		go func() { _, _ = io.Copy(io.Discard, pr) }() // let a write in progress finish
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	return bufio.NewReader(pr), stop
}

// readUntil reads lines until one contains want, and returns it.
func readUntil(t *testing.T, r *bufio.Reader, want string) string {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "no line containing %q", want)
		if strings.Contains(line, want) {
			return line
		}
	}
}

// TestInspectWatchesADemo runs `kamaelia inspect -demo` and watches it with
// `kamaelia inspect URL` in each format, as two terminals would.
func TestInspectWatchesADemo(t *testing.T) {
	demo, stopDemo := startCommand(t, runInspect, "-demo", "-addr", "127.0.0.1:0")
	url := strings.TrimSpace(strings.TrimPrefix(readUntil(t, demo, "inspector: "), "inspector: "))
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	go func() { _, _ = io.Copy(io.Discard, demo) }() // the rest of what it prints

	t.Run("text", func(t *testing.T) {
		out, stop := startCommand(t, runInspect, url)
		line := readUntil(t, out, "deadlock:")
		assert.Regexp(t, `deadlock: (ping -> pong -> ping|pong -> ping -> pong)`, line)
		require.NoError(t, stop())
	})
	t.Run("axon", func(t *testing.T) {
		out, stop := startCommand(t, runInspect, "-format", "axon", url)
		assert.Equal(t, "DEL ALL\n", readUntil(t, out, "DEL ALL"), "the whole graph comes first")
		readUntil(t, out, `"recorder"`)
		require.NoError(t, stop())
	})
	t.Run("json", func(t *testing.T) {
		out, stop := startCommand(t, runInspect, "-format", "json", url)
		assert.Contains(t, readUntil(t, out, `"components"`), `"name":"camera"`)
		require.NoError(t, stop())
	})
	require.NoError(t, stopDemo())
}

func TestInspectUsageErrors(t *testing.T) {
	ctx := axontest.Context(t)
	for _, args := range [][]string{
		{},
		{"127.0.0.1:8080"},
		{"-format", "yaml", "http://127.0.0.1:1/"},
		{"-demo", "http://127.0.0.1:1/"},
	} {
		err := runInspect(ctx, args, io.Discard, io.Discard)
		var ue usageError
		assert.ErrorAs(t, err, &ue, "args %q", args)
	}
}

func TestSummarise(t *testing.T) {
	s := &axon.Snapshot{
		Components: []axon.ComponentInfo{
			{ID: 1, Name: "a", BlockedOn: "b.inbox"},
			{ID: 2, Name: "b", BlockedOn: "a.inbox"},
			{ID: 3, Name: "c"},
		},
		Boxes: []axon.BoxInfo{
			{Component: 1, Name: "inbox", Inbox: true, Len: 4, Cap: 4},
			{Component: 2, Name: "inbox", Inbox: true, Len: 4, Cap: 4},
			{Component: 3, Name: "inbox", Inbox: true, Len: 9, Cap: -1},
			{Component: 3, Name: "signal", Dropped: 1},
		},
		Deadlocks: [][]uint64{{1, 2}},
	}
	assert.Equal(t, "3 components, 0 links, 2 blocked sending, 2 full inboxes, 1 deadlocks\n"+
		"  deadlock: a -> b -> a\n"+
		"  full: a.inbox 4/4, b.inbox 4/4\n"+
		"  dropped: c.signal 1\n", summarise(s))
}
