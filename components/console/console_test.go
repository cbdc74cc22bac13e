package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*Reader)(nil),
	(*Echoer)(nil),
}

// runSource runs a source until it ends by itself: axontest.Run would tell
// it ProducerFinished at once, which makes a source stop with what it has.
func runSource(t *testing.T, c axon.Component, inputs ...any) axontest.Result[string] {
	t.Helper()
	return axontest.RunControl[any, string](t, c, inputs)
}

func TestReaderSendsEachLineWithEOLAndPrompts(t *testing.T) {
	var prompts bytes.Buffer
	r := NewReader(WithInput(strings.NewReader("one\ntwo\r\n\nlast")),
		WithPrompt("> "), WithPromptOutput(&prompts), WithEOL("|"))
	res := runSource(t, r)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"one|", "two|", "|", "last|"}, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{Reason: io.EOF}}, res.Signals)
	// One prompt before each line, and one before the read that found the end.
	assert.Equal(t, strings.Repeat("> ", 4), prompts.String())
}

func TestReaderDefaultEOLIsNewline(t *testing.T) {
	r := NewReader(WithInput(strings.NewReader("a\nb\n")), WithPrompt(""))
	res := runSource(t, r)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a\n", "b\n"}, res.Outputs)
}

func TestReaderEmptyInputSendsNothing(t *testing.T) {
	res := runSource(t, NewReader(WithInput(strings.NewReader("")), WithPrompt("")))
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.ProducerFinished{Reason: io.EOF}}, res.Signals)
}

func TestReaderReadErrorIsAFailure(t *testing.T) {
	boom := errors.New("disk on fire")
	in := io.MultiReader(strings.NewReader("ok\n"), iotest.ErrReader(boom))
	res := runSource(t, NewReader(WithInput(in), WithPrompt("")))
	assert.Equal(t, []string{"ok\n"}, res.Outputs)
	require.ErrorIs(t, res.Err, boom)
	var f *axon.Failure
	require.Len(t, res.Signals, 1)
	require.ErrorAs(t, res.Signals[0].(error), &f)
	assert.ErrorIs(t, f, boom)
	assert.Contains(t, f.Error(), "console: reading")
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestReaderPromptWriteErrorIsAFailure(t *testing.T) {
	boom := errors.New("terminal gone")
	r := NewReader(WithInput(strings.NewReader("x\n")), WithPromptOutput(failWriter{boom}))
	res := runSource(t, r)
	require.ErrorIs(t, res.Err, boom)
	assert.Empty(t, res.Outputs)
}

// A Shutdown must stop a Reader whose read is blocked: the pipe never gives
// it anything. The Reader closes the pipe, so the writer side sees it closed.
func TestReaderShutdownWhileReadBlocked(t *testing.T) {
	pr, pw := io.Pipe()
	r := NewReader(WithInput(pr), WithPrompt(""))
	res := axontest.RunControl[any, string](t, r, nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	_, err := pw.Write([]byte("late\n"))
	assert.ErrorIs(t, err, io.ErrClosedPipe, "the Reader closed its input")
}

// ProducerFinished while a read is blocked: the lines already read are
// sent, and the Reader ends cleanly without waiting for more input.
func TestReaderProducerFinishedWhileReadBlocked(t *testing.T) {
	ctx := axontest.Context(t)
	pr, pw := io.Pipe()
	r := NewReader(WithInput(pr), WithPrompt(""))
	h, err := axon.NewHandle(axon.NewScheduler(), r)
	require.NoError(t, err)
	go func() { _, _ = pw.Write([]byte("first\n")) }() // returns once read
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "first\n", v)
	require.NoError(t, h.Finish(ctx))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	_, err = h.Get(ctx, "outbox")
	assert.ErrorIs(t, err, axon.ErrFinished)
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
}

func TestReaderDropsWhatItIsSentOnInbox(t *testing.T) {
	pr, pw := io.Pipe()
	r := NewReader(WithInput(pr), WithPrompt(""))
	go func() {
		_, _ = pw.Write([]byte("line\n"))
		_ = pw.Close()
	}()
	res := runSource(t, r, "ignored", 42)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"line\n"}, res.Outputs)
}

func TestEchoerWritesTagAndMessageWithoutNewline(t *testing.T) {
	var out bytes.Buffer
	res := axontest.Run[any, any](t, NewEchoer(WithOutput(&out), WithTag("> ")), "a\n", 7, "b\n")
	require.NoError(t, res.Err)
	assert.Equal(t, "> a\n> 7> b\n", out.String())
	assert.Empty(t, res.Outputs, "not forwarding")
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestEchoerForwardsReprAndNewline(t *testing.T) {
	var out bytes.Buffer
	e := NewEchoer(WithOutput(&out), WithForwarding(), WithRepr(), WithNewline("\n"))
	res := axontest.Run[any, any](t, e, "x", 3)
	require.NoError(t, res.Err)
	assert.Equal(t, "\"x\"\n3\n", out.String())
	assert.Equal(t, []any{"x", 3}, res.Outputs)
}

func TestEchoerWriteErrorIsAFailure(t *testing.T) {
	boom := errors.New("no space left on device")
	res := axontest.Run[any, any](t, NewEchoer(WithOutput(failWriter{boom})), "x")
	require.ErrorIs(t, res.Err, boom)
	var f *axon.Failure
	require.Len(t, res.Signals, 1)
	require.ErrorAs(t, res.Signals[0].(error), &f)
	assert.Contains(t, f.Error(), "console: writing")
}

func TestEchoerShutdownStopsAtOnce(t *testing.T) {
	var out bytes.Buffer
	res := axontest.RunControl[any, any](t, NewEchoer(WithOutput(&out)), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	assert.Empty(t, out.String())
}

// The article's Pipeline(ConsoleReader(), ConsoleEchoer()): the echoer
// drains and stops after the reader reaches the end of its input.
func TestReaderToEchoerStopsAtEndOfInput(t *testing.T) {
	ctx := axontest.Context(t)
	input := "hello\nworld\n"
	var out bytes.Buffer
	r := NewReader(WithInput(strings.NewReader(input)), WithPrompt(""))
	e := NewEchoer(WithOutput(&out))
	axon.MustLink(r.Out, e.In)
	axon.MustLink(r.Signal(), e.Control())
	s := axon.NewScheduler()
	require.NoError(t, s.RunContext(ctx, r, e))
	assert.Equal(t, input, out.String())
}

// Ctrl-C: cancelling the context given to RunContext stops a pipeline whose
// reader is blocked on input that never comes.
func TestReaderToEchoerStopsOnCancel(t *testing.T) {
	pr, _ := io.Pipe()
	var out bytes.Buffer
	r := NewReader(WithInput(pr), WithPrompt(""))
	e := NewEchoer(WithOutput(&out))
	axon.MustLink(r.Out, e.In)
	axon.MustLink(r.Signal(), e.Control())
	ctx, cancel := context.WithCancel(axontest.Context(t))
	s := axon.NewScheduler()
	s.Activate(r, e)
	cancel()
	require.NoError(t, s.RunContext(ctx))
	assert.Equal(t, axon.Finished, r.State())
	assert.Equal(t, axon.Finished, e.State())
}

func TestReadLinesStopsWhenEmitRefuses(t *testing.T) {
	var got []string
	err := readLines(strings.NewReader("a\nb\nc\n"), "", nil, func(s string) bool {
		got = append(got, s)
		return len(got) < 2
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)
}

// FuzzReadLines checks the line splitting of Reader: joining the lines with
// their newlines gives back the input, whatever the input and however the
// reads are cut.
func FuzzReadLines(f *testing.F) {
	for _, s := range []string{"", "a", "a\n", "a\r\nb", "\n\n", "\r\n", "x\ry\n", "\r"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, oneByte bool) {
		var r io.Reader = strings.NewReader(in)
		if oneByte {
			r = iotest.OneByteReader(r)
		}
		var lines []string
		require.NoError(t, readLines(r, "", nil, func(s string) bool { lines = append(lines, s); return true }))
		// Rebuild: each line but the last was ended by "\n" (or "\r\n", which
		// readLines strips to the same line).
		var b strings.Builder
		rest := in
		for i, l := range lines {
			assert.NotContains(t, l, "\n")
			b.WriteString(l)
			last := i == len(lines)-1
			switch {
			case strings.HasPrefix(rest[len(l):], "\r\n"):
				b.WriteString("\r\n")
			case strings.HasPrefix(rest[len(l):], "\n"):
				b.WriteString("\n")
			default:
				require.True(t, last, "only the last line may lack a newline")
			}
			rest = in[b.Len():]
		}
		assert.Equal(t, in, b.String())
	})
}
