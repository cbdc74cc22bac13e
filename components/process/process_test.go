package process

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*UnixProcess)(nil),
}

func joined(chunks [][]byte) string { return string(bytes.Join(chunks, nil)) }

// failure returns the *axon.Failure that res signalled.
func failure[T any](t *testing.T, res axontest.Result[T]) *axon.Failure {
	t.Helper()
	require.Len(t, res.Signals, 1)
	f, ok := res.Signals[0].(*axon.Failure)
	require.True(t, ok, "signal is %T (%v), not a *axon.Failure", res.Signals[0], res.Signals[0])
	require.ErrorIs(t, res.Err, f.Err)
	return f
}

func TestUnixProcessTransformsStdinToStdout(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewUnixProcess("tr a-z A-Z"), []byte("hello "), []byte("world\n"))
	require.NoError(t, res.Err)
	assert.Equal(t, "HELLO WORLD\n", joined(res.Outputs))
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

// A megabyte through cat, in small messages and out in chunks: every byte
// comes out, in order, though the pipe holds far less than that.
func TestUnixProcessDropsNothing(t *testing.T) {
	var in [][]byte
	var want bytes.Buffer
	for i := range 4096 {
		chunk := []byte(strings.Repeat(strconv.Itoa(i%10), 256))
		in = append(in, chunk)
		want.Write(chunk)
	}
	res := axontest.Run[[]byte, []byte](t, Pipethrough("cat", WithChunkSize(1000)), in...)
	require.NoError(t, res.Err)
	assert.Equal(t, want.Len(), len(joined(res.Outputs)))
	assert.True(t, bytes.Equal(want.Bytes(), bytes.Join(res.Outputs, nil)), "output differs from input")
	for _, c := range res.Outputs {
		assert.LessOrEqual(t, len(c), 1000)
	}
}

func TestUnixProcessStderrHasItsOwnOutbox(t *testing.T) {
	p := NewUnixProcess("echo out; echo err >&2")
	h, err := axon.NewHandle(axon.NewScheduler(), p)
	require.NoError(t, err)
	ctx := axontest.Context(t)
	out, err := axontest.Collect[[]byte](ctx, h, "outbox")
	require.NoError(t, err)
	errs, err := axontest.Collect[[]byte](ctx, h, "stderr")
	require.NoError(t, err)
	sigs, err := axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	assert.Equal(t, "out\n", joined(out))
	assert.Equal(t, "err\n", joined(errs))
	assert.Equal(t, []any{axon.ProducerFinished{}}, sigs)
	require.NoError(t, h.Close())
}

func TestUnixProcessNonZeroExitIsAFailure(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewUnixProcess("cat; echo 'bad input' >&2; exit 3"), []byte("data\n"))
	f := failure(t, res)
	var exit *exec.ExitError
	require.ErrorAs(t, f, &exit)
	assert.Equal(t, 3, exit.ExitCode())
	assert.Contains(t, f.Error(), "exit status 3")
	assert.Contains(t, f.Error(), "bad input", "the error ends with the command's standard error")
	assert.Equal(t, "data\n", joined(res.Outputs), "its output is all sent first")
}

func TestUnixProcessCommandNotFound(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewExec([]string{"no-such-command-kamaelia"}), []byte("x"))
	f := failure(t, res)
	assert.ErrorIs(t, f, exec.ErrNotFound)
	assert.Contains(t, f.Error(), "no-such-command-kamaelia")

	res = axontest.Run[[]byte, []byte](t, NewUnixProcess("no-such-command-kamaelia"))
	f = failure(t, res)
	var exit *exec.ExitError
	require.ErrorAs(t, f, &exit)
	assert.Equal(t, 127, exit.ExitCode())
	assert.Contains(t, f.Error(), "not found")
}

func TestUnixProcessNoCommand(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewExec(nil))
	assert.Contains(t, failure(t, res).Error(), "process: no command")
}

func TestUnixProcessKilledBySignal(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewUnixProcess("kill -TERM $$"))
	f := failure(t, res)
	var exit *exec.ExitError
	require.ErrorAs(t, f, &exit)
	assert.Contains(t, f.Error(), "signal: terminated")
}

// A command that exits without reading its input ends the component
// cleanly; the input it did not read is dropped, as with a Unix pipe.
func TestUnixProcessExitsWithoutReading(t *testing.T) {
	big := bytes.Repeat([]byte("y"), 1<<20)
	res := axontest.Run[[]byte, []byte](t, NewUnixProcess("head -c 5"), big, big)
	require.NoError(t, res.Err)
	assert.Equal(t, "yyyyy", joined(res.Outputs))
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
}

func TestUnixProcessEndsWhenCommandExitsByItself(t *testing.T) {
	res := axontest.RunControl[[]byte, []byte](t, NewExec([]string{"echo", "hi"}), nil)
	require.NoError(t, res.Err)
	assert.Equal(t, "hi\n", joined(res.Outputs))
}

func TestUnixProcessWithDirAndEnv(t *testing.T) {
	dir := t.TempDir()
	res := axontest.RunControl[[]byte, []byte](t, NewUnixProcess("pwd; echo $GREETING", WithDir(dir), WithEnv([]string{"GREETING=hello"})), nil)
	require.NoError(t, res.Err)
	real, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	assert.Equal(t, real+"\nhello\n", joined(res.Outputs))
}

// Shutdown in the middle of work kills the whole process group: the
// grandchild holding a FIFO open dies, so the test's read of it ends, and
// a shell that never stops writing stops.
func TestUnixProcessShutdownKillsProcessGroup(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	p := NewUnixProcess("sleep 1000 > " + fifo + " & while :; do echo busy; done")
	h, err := axon.NewHandle(axon.NewScheduler(), p)
	require.NoError(t, err)
	ctx := axontest.Context(t)
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Contains(t, string(v.([]byte)), "busy")
	held, err := os.OpenFile(fifo, os.O_RDONLY, 0) // returns once sleep has it open
	require.NoError(t, err)
	defer held.Close()

	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	require.NoError(t, h.Wait(ctx))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
	require.NoError(t, h.Close())

	require.NoError(t, held.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = io.ReadAll(held)
	assert.NoError(t, err, "the grandchild holding the FIFO was not killed")
}

// ProducerFinished closes standard input: a command that reads to the end
// of its input then exits.
func TestUnixProcessProducerFinishedClosesStdin(t *testing.T) {
	ctx := axontest.Context(t)
	p := NewUnixProcess("wc -c")
	h, err := axon.NewHandle(axon.NewScheduler(), p)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", []byte("12345")))
	require.NoError(t, h.Finish(ctx))
	out, err := axontest.Collect[[]byte](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "5", strings.TrimSpace(joined(out)))
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
}

// Two processes in a row, as a shell pipeline: the first's signal tells
// the second to finish.
func TestUnixProcessesInAPipeline(t *testing.T) {
	ctx := axontest.Context(t)
	a, b := NewUnixProcess("tr a-z A-Z"), NewUnixProcess("rev")
	axon.MustLink(a.Out, b.In)
	axon.MustLink(a.Signal(), b.Control())
	s := axon.NewScheduler()
	hb, err := axon.NewHandle(s, b)
	require.NoError(t, err)
	ha, err := axon.NewHandle(s, a)
	require.NoError(t, err)
	require.NoError(t, ha.Put(ctx, "inbox", []byte("abc\n")))
	require.NoError(t, ha.Finish(ctx))
	out, err := axontest.Collect[[]byte](ctx, hb, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "CBA\n", joined(out))
	require.NoError(t, s.Wait(ctx))
	require.NoError(t, ha.Close())
	require.NoError(t, hb.Close())
}

func TestStdinWriterReportsOtherWriteErrors(t *testing.T) {
	boom := errors.New("device unplugged")
	w := &stdinWriter{w: failingWriteCloser{boom}}
	w.In = axon.NewInbox[[]byte](w, "inbox")
	res := axontest.Run[[]byte, any](t, w, []byte("x"))
	assert.ErrorIs(t, failure(t, res), boom)
}

type failingWriteCloser struct{ err error }

func (f failingWriteCloser) Write([]byte) (int, error) { return 0, f.err }
func (f failingWriteCloser) Close() error              { return nil }

// A non-zero exit is an error from Run too.
func TestNonZeroExitIsAnErrorFromRun(t *testing.T) {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	err := s.Run(NewUnixProcess("exit 4"))
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 4, exit.ExitCode())
	var f *axon.Failure
	require.ErrorAs(t, err, &f)
	assert.Contains(t, f.Component, "UnixProcess_")
}
