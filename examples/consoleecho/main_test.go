package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// chanWriter hands each write to the test through a channel, so the test
// can wait for an echo while the echoer runs.
type chanWriter struct {
	ch chan []byte
}

func (b *chanWriter) Write(p []byte) (int, error) {
	b.ch <- bytes.Clone(p)
	return len(p), nil
}

func TestEchoesEveryLineThenEndsAtEndOfInput(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	in := "hello\nworld\nlast line without newline"
	err := run(ctx, []string{"-prompt", "", "-tag", "echo: "}, strings.NewReader(in), &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "echo: hello\necho: world\necho: last line without newline\n", out.String())
}

func TestPromptsBeforeEachLine(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, nil, strings.NewReader("a\nb\n"), &out, io.Discard))
	// A prompt goes out before each read (the last one answered by the end
	// of input); the reader reads ahead of the echoer, so prompts and echoes
	// interleave as the goroutines run.
	assert.Equal(t, 3, strings.Count(out.String(), ">>> "), out.String())
	assert.Equal(t, "a\nb\n", strings.ReplaceAll(out.String(), ">>> ", ""))
}

// TestStopsOnCancelWhileReading types one line into a pipe, sees it echoed,
// and cancels while the reader is blocked waiting for the next.
func TestStopsOnCancelWhileReading(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	out := &chanWriter{ch: make(chan []byte, 16)}
	errc := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { errc <- run(runCtx, []string{"-prompt", ""}, pr, out, io.Discard) }()

	_, err := pw.Write([]byte("typed\n"))
	require.NoError(t, err)
	select {
	case got := <-out.ch:
		assert.Equal(t, "typed\n", string(got))
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	stop()
	select {
	case err := <-errc:
		require.NoError(t, err, "a shutdown is not a failure")
	case <-ctx.Done():
		t.Fatal("run did not return after cancel")
	}
}

func TestBadFlags(t *testing.T) {
	ctx := t.Context()
	var stderr bytes.Buffer
	err := run(ctx, []string{"-nosuchflag"}, strings.NewReader(""), io.Discard, &stderr)
	require.Error(t, err)
	assert.Contains(t, stderr.String(), "nosuchflag")
	err = run(ctx, []string{"extra"}, strings.NewReader(""), io.Discard, io.Discard)
	require.ErrorContains(t, err, "unexpected arguments")
	assert.ErrorIs(t, run(ctx, []string{"-h"}, strings.NewReader(""), io.Discard, io.Discard), flag.ErrHelp)
}
