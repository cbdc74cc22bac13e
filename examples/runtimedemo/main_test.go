package main

import (
	"bytes"
	"context"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

func TestRunEchoesUppercasedLinesAndGraph(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), strings.NewReader("one small line\nand another one\n"), &out)
	require.NoError(t, err)
	got := out.String()

	lines := strings.Split(got, "\n")
	require.Equal(t, "echo | ONE SMALL LINE", lines[0])
	require.Equal(t, "echo | AND ANOTHER ONE", lines[1])

	// The introspector protocol: a fresh graph with the three components
	// and the links that make the pipeline.
	require.Contains(t, lines, "DEL ALL")
	for _, want := range []string{
		`^ADD NODE "\d+" "main\.lineReader_\d+" randompos component$`,
		`^ADD NODE "\d+" "main\.uppercaser_\d+" randompos component$`,
		`^ADD NODE "\d+" "main\.echoer_\d+" randompos component$`,
		`^ADD NODE "\d+\.inbox" "inbox" randompos inbox$`,
		`^ADD NODE "\d+\.signal" "signal" randompos outbox$`,
		`^ADD LINK "\d+\.outbox" "\d+\.inbox"$`,
		`^ADD LINK "\d+\.signal" "\d+\.control"$`,
	} {
		require.Regexp(t, regexp.MustCompile("(?m)"+want), got)
	}

	// The listing: every component, its boxes with len/cap, and the links.
	for _, want := range []string{
		`(?m)^component main\.lineReader_\d+ \(finished\)$`,
		`(?m)^component main\.uppercaser_\d+ \(finished\)$`,
		`(?m)^component main\.echoer_\d+ \(running\)$`,
		`(?m)^  inbox  inbox    string       0/64$`,
		`(?m)^link main\.lineReader_\d+\.outbox -> main\.uppercaser_\d+\.inbox \(normal\)$`,
		`(?m)^link main\.lineReader_\d+\.signal -> main\.uppercaser_\d+\.control \(normal\)$`,
		`(?m)^link main\.uppercaser_\d+\.outbox -> main\.echoer_\d+\.inbox \(normal\)$`,
		`(?m)^link main\.uppercaser_\d+\.signal -> main\.echoer_\d+\.control \(normal\)$`,
	} {
		require.Regexp(t, regexp.MustCompile(want), got)
	}
}

func TestRunEmptyInput(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), strings.NewReader(""), &out))
	require.NotContains(t, out.String(), "echo |")
	require.Contains(t, out.String(), "DEL ALL")
}

func TestRunStopsWhenContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	// Components activated after the context ended start stopped: nothing
	// is echoed, and a shutdown is not a failure, so run returns nil.
	require.NoError(t, run(ctx, strings.NewReader(strings.Repeat("line\n", 1000)), &out))
	require.NotContains(t, out.String(), "echo |")
}

func TestRunStopsWhileReadBlocks(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, pr, &out) }()
	// Write returns once the lineReader has read the line; its next read
	// blocks, as on a terminal, until the shutdown closes the pipe.
	_, err := pw.Write([]byte("first line\n"))
	require.NoError(t, err)
	cancel()
	require.NoError(t, <-done)
	require.Contains(t, out.String(), "DEL ALL")
}

func TestBuiltInPoem(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), strings.NewReader(poem), &out))
	n := strings.Count(strings.TrimRight(poem, "\n"), "\n") + 1
	require.Equal(t, n, strings.Count(out.String(), "echo | "))
	require.Contains(t, out.String(), "echo | "+strings.ToUpper(strings.SplitN(poem, "\n", 2)[0]))
}
