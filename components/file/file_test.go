package file

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/internal/kit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*ReadFileAdaptor)(nil),
	(*PromptedFileReader)(nil),
	(*RateControlledFileReader)(nil),
	(*SimpleFileWriter[string])(nil),
}

// runSource runs a source until it ends by itself (axontest.Run would tell
// it ProducerFinished at once, which makes a source stop with what it has).
func runSource(t *testing.T, c axon.Component) axontest.Result[[]byte] {
	t.Helper()
	return axontest.RunControl[any, []byte](t, c, nil)
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "in.txt")
	require.NoError(t, os.WriteFile(name, []byte(content), 0o600))
	return name
}

// failure returns the *axon.Failure that res signalled, failing the test
// if there is not exactly one.
func failure[T any](t *testing.T, res axontest.Result[T]) *axon.Failure {
	t.Helper()
	require.Len(t, res.Signals, 1)
	f, ok := res.Signals[0].(*axon.Failure)
	require.True(t, ok, "signal is %T (%v), not a *axon.Failure", res.Signals[0], res.Signals[0])
	require.ErrorIs(t, res.Err, f.Err)
	return f
}

var eof = []any{axon.ProducerFinished{Reason: io.EOF}}

func TestReadFileAdaptorLinesFromFile(t *testing.T) {
	name := writeFile(t, "one\ntwo\n\nlast")
	res := runSource(t, NewReadFileAdaptor(WithFilename(name)))
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"one\n", "two\n", "\n", "last"}, strs(res.Outputs))
	assert.Equal(t, eof, res.Signals)
}

func TestReadFileAdaptorBlocks(t *testing.T) {
	res := runSource(t, NewReadFileAdaptor(WithReader(strings.NewReader("abcdefghij")), WithMode(BlockMode), WithReadSize(4)))
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"abcd", "efgh", "ij"}, strs(res.Outputs))
	assert.Equal(t, eof, res.Signals)
}

func TestReadFileAdaptorMissingFile(t *testing.T) {
	name := filepath.Join(t.TempDir(), "nope.txt")
	res := runSource(t, NewReadFileAdaptor(WithFilename(name)))
	f := failure(t, res)
	assert.ErrorIs(t, f, os.ErrNotExist)
	assert.Contains(t, f.Error(), name)
	assert.Empty(t, res.Outputs)
}

func TestReadFileAdaptorBadConfiguration(t *testing.T) {
	for name, opts := range map[string][]AdaptorOption{
		"block size":    {WithMode(BlockMode), WithReadSize(0)},
		"tiny bit rate": {WithBitrate(8), WithChunkRate(24)},
		"mode":          {WithMode(ReadMode(9))},
		"step":          {WithStepTime(-time.Second)},
	} {
		t.Run(name, func(t *testing.T) {
			opts = append(opts, WithReader(strings.NewReader("x")))
			f := failure(t, runSource(t, NewReadFileAdaptor(opts...)))
			assert.Contains(t, f.Error(), "file: ")
		})
	}
}

func TestReadFileAdaptorReadErrorIsAFailure(t *testing.T) {
	boom := errors.New("bad sector")
	r := io.MultiReader(strings.NewReader("ok\n"), errReader{boom})
	res := runSource(t, NewReadFileAdaptor(WithReader(r)))
	f := failure(t, res)
	assert.ErrorIs(t, f, boom)
	assert.Equal(t, []string{"ok\n"}, strs(res.Outputs))
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadFileAdaptorCommand(t *testing.T) {
	res := runSource(t, NewReadFileAdaptor(WithCommand("printf 'a\\nb\\n'")))
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a\n", "b\n"}, strs(res.Outputs))
	assert.Equal(t, eof, res.Signals)
}

func TestReadFileAdaptorCommandExitsNonZero(t *testing.T) {
	res := runSource(t, NewReadFileAdaptor(WithCommand("echo out; echo 'it went wrong' >&2; exit 3")))
	f := failure(t, res)
	var exit *exec.ExitError
	require.ErrorAs(t, f, &exit)
	assert.Equal(t, 3, exit.ExitCode())
	assert.Contains(t, f.Error(), "it went wrong")
	assert.Equal(t, []string{"out\n"}, strs(res.Outputs), "what it wrote before failing is sent")
}

func TestReadFileAdaptorCommandNotFound(t *testing.T) {
	res := runSource(t, NewReadFileAdaptor(WithCommand("no-such-command-kamaelia")))
	f := failure(t, res)
	var exit *exec.ExitError
	require.ErrorAs(t, f, &exit)
	assert.Equal(t, 127, exit.ExitCode())
	assert.Contains(t, f.Error(), "not found")
}

// Shutdown kills the command's whole process group: a grandchild that
// holds a FIFO open for writing dies, so the test's read of the FIFO ends.
func TestReadFileAdaptorShutdownKillsProcessGroup(t *testing.T) {
	fifo := makeFIFO(t)
	a := NewReadFileAdaptor(WithCommand("sleep 1000 > " + fifo + " & echo started; wait"))
	h, err := axon.NewHandle(axon.NewScheduler(), a)
	require.NoError(t, err)
	ctx := axontest.Context(t)
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "started\n", string(v.([]byte)))
	held := openFIFO(t, fifo) // the grandchild has it open for writing
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
	require.NoError(t, h.Close())
	assertWriterGone(t, held)
}

func TestReadFileAdaptorDropsInbox(t *testing.T) {
	res := axontest.RunControl[any, []byte](t, NewReadFileAdaptor(WithReader(strings.NewReader("x\n"))), []any{1, 2})
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"x\n"}, strs(res.Outputs))
}

// at is a message and when it came, as an offset from the bubble's start.
type at struct {
	T time.Duration
	V string
}

func collect(t *testing.T, ctx context.Context, h *axon.Handle, box string, start time.Time) []at {
	t.Helper()
	var got []at
	for {
		v, err := h.Get(ctx, box)
		if errors.Is(err, axon.ErrFinished) {
			return got
		}
		require.NoError(t, err)
		s, ok := v.([]byte)
		if !ok {
			s = []byte(axonString(v))
		}
		got = append(got, at{time.Since(start), string(s)})
	}
}

func axonString(v any) string {
	if s, ok := v.(interface{ String() string }); ok {
		return s.String()
	}
	return "?"
}

func collectAsync(t *testing.T, ctx context.Context, h *axon.Handle, box string, start time.Time) func() []at {
	ch := make(chan []at, 1)
	go func() { ch <- collect(t, ctx, h, box, start) }()
	return func() []at { return <-ch }
}

func newHandle(t *testing.T, c axon.Component) *axon.Handle {
	t.Helper()
	h, err := axon.NewHandle(axon.NewScheduler(), c)
	require.NoError(t, err)
	return h
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// The article's ReadFileAdaptor(filename="video.drc", bitrate=400000): 24
// chunks a second of 2083 or 2084 bytes, 50000 bytes in each second
// exactly, each chunk on time to the nanosecond.
func TestReadFileAdaptorBitrateIsExact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		data := bytes.Repeat([]byte("0123456789"), 15000) // 150000 bytes: 3 s
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewReadFileAdaptor(WithReader(bytes.NewReader(data)), WithBitrate(400000)))
		got := collect(t, ctx, h, "outbox", start)
		require.Len(t, got, 72)
		var all strings.Builder
		sent := 0
		for k, g := range got {
			assert.Equal(t, kit.Offset(int64(k), 24), g.T, "chunk %d on time", k)
			assert.Contains(t, []int{2083, 2084}, len(g.V), "chunk %d", k)
			sent += len(g.V)
			if (k+1)%24 == 0 {
				assert.Equal(t, (k+1)/24*50000, sent, "bytes after %d s", (k+1)/24)
			}
			all.WriteString(g.V)
		}
		assert.Equal(t, string(data), all.String())
		sig := collect(t, ctx, h, "signal", start)
		assert.Equal(t, []at{{kit.Offset(71, 24), "ProducerFinished: EOF"}}, sig)
	})
}

// endless is a reader that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// ProducerFinished makes the adaptor read no more: it sends the chunk in
// hand and the four it had read ahead, at its pace, then ends cleanly.
func TestReadFileAdaptorProducerFinishedSendsWhatItRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewReadFileAdaptor(WithReader(endless{}), WithBitrate(400000)))
		outputs := collectAsync(t, ctx, h, "outbox", start)
		<-time.After(ms(100)) // chunks 0, 1, 2 have gone (0, 41.7, 83.3 ms)
		require.NoError(t, h.Finish(ctx))
		got := outputs()
		require.Len(t, got, 8)
		for k, g := range got {
			assert.Equal(t, kit.Offset(int64(k), 24), g.T)
		}
		assert.Equal(t, []at{{kit.Offset(7, 24), "ProducerFinished"}}, collect(t, ctx, h, "signal", start))
	})
}

func TestReadFileAdaptorShutdownDuringBitrate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewReadFileAdaptor(WithReader(endless{}), WithBitrate(400000)))
		outputs := collectAsync(t, ctx, h, "outbox", start)
		<-time.After(ms(100))
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		assert.Len(t, outputs(), 3)
		assert.Equal(t, []at{{ms(100), "Shutdown"}}, collect(t, ctx, h, "signal", start))
	})
}

func TestReadFileAdaptorStepTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewReadFileAdaptor(WithReader(strings.NewReader("a\nb\nc\n")), WithStepTime(ms(200))))
		got := collect(t, ctx, h, "outbox", start)
		assert.Equal(t, []at{{0, "a\n"}, {ms(200), "b\n"}, {ms(400), "c\n"}}, got)
	})
}

func TestPromptedFileReaderBytes(t *testing.T) {
	name := writeFile(t, "abcdefgh")
	res := axontest.Run[int, []byte](t, NewPromptedFileReader(name, Bytes), 3, 0, -1, 3, 10)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"abc", "def", "gh"}, strs(res.Outputs))
	assert.Equal(t, eof, res.Signals, "a short read is the end of the file")
}

func TestPromptedFileReaderLines(t *testing.T) {
	res := axontest.Run[int, []byte](t, NewPromptedReader(strings.NewReader("a\nb\nc\nd"), Lines), 2, 1, 5)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a\nb\n", "c\n", "d"}, strs(res.Outputs))
	assert.Equal(t, eof, res.Signals)
}

// A file read exactly to its end is known to have ended at the next
// request, which finds nothing.
func TestPromptedFileReaderExactEnd(t *testing.T) {
	res := axontest.Run[int, []byte](t, NewPromptedReader(strings.NewReader("abcd"), Bytes), 2, 2)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"ab", "cd"}, strs(res.Outputs))
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals, "told ProducerFinished before it found the end")

	res = axontest.Run[int, []byte](t, NewPromptedReader(strings.NewReader("abcd"), Bytes), 2, 2, 1)
	require.NoError(t, res.Err)
	assert.Equal(t, eof, res.Signals)
}

func TestPromptedFileReaderMissingFile(t *testing.T) {
	res := axontest.Run[int, []byte](t, NewPromptedFileReader(filepath.Join(t.TempDir(), "gone"), Bytes), 1)
	assert.ErrorIs(t, failure(t, res), os.ErrNotExist)
}

func TestPromptedFileReaderShutdownWhileReadBlocked(t *testing.T) {
	pr, pw := io.Pipe()
	res := axontest.RunControl[int, []byte](t, NewPromptedReader(pr, Bytes), []int{5}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	_, err := pw.Write([]byte("x"))
	assert.ErrorIs(t, err, io.ErrClosedPipe, "the reader was closed")
}

func TestRateControlledReaderLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var in strings.Builder
		for i := range 10 {
			in.WriteString(string(rune('a'+i)) + "\n")
		}
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewRateControlledReader(strings.NewReader(in.String()), Lines, 4, WithChunkSize(2)))
		got := collect(t, ctx, h, "outbox", start)
		assert.Equal(t, []at{{0, "a\nb\n"}, {ms(500), "c\nd\n"}, {ms(1000), "e\nf\n"}, {ms(1500), "g\nh\n"}, {ms(2000), "i\nj\n"}}, got)
		assert.Equal(t, []at{{ms(2500), "ProducerFinished: EOF"}}, collect(t, ctx, h, "signal", start))
	})
}

func TestRateControlledReaderCarriesRemainders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewRateControlledReader(strings.NewReader("0123456789"), Bytes, 10, WithChunksPerSecond(4)))
		got := collect(t, ctx, h, "outbox", start)
		assert.Equal(t, []at{{0, "01"}, {ms(250), "234"}, {ms(500), "56"}, {ms(750), "789"}}, got)
		assert.Equal(t, []at{{ms(1000), "ProducerFinished: EOF"}}, collect(t, ctx, h, "signal", start))
	})
}

func TestRateControlledReaderProducerFinishedAndShutdown(t *testing.T) {
	for _, msg := range []any{axon.ProducerFinished{}, axon.Shutdown{}} {
		synctest.Test(t, func(t *testing.T) {
			ctx, start := t.Context(), time.Now()
			h := newHandle(t, NewRateControlledReader(endless{}, Bytes, 100))
			outputs := collectAsync(t, ctx, h, "outbox", start)
			<-time.After(ms(250))
			require.NoError(t, h.Put(ctx, "control", msg))
			got := outputs()
			assert.Equal(t, []time.Duration{0, ms(100), ms(200)}, []time.Duration{got[0].T, got[1].T, got[2].T})
			assert.Len(t, got, 3)
			assert.Equal(t, []at{{ms(250), msg.(interface{ String() string }).String()}}, collect(t, ctx, h, "signal", start))
		})
	}
}

func TestRateControlledReaderFailures(t *testing.T) {
	res := runSource(t, NewRateControlledFileReader(filepath.Join(t.TempDir(), "gone"), Bytes, 10))
	assert.ErrorIs(t, failure(t, res), os.ErrNotExist)
	res = runSource(t, NewRateControlledReader(strings.NewReader("x"), Bytes, 0))
	assert.Contains(t, failure(t, res).Error(), "want all > 0")
}

func TestSimpleFileWriterWritesAndCloses(t *testing.T) {
	name := filepath.Join(t.TempDir(), "out.bin")
	res := axontest.Run[[]byte, any](t, NewSimpleFileWriter[[]byte](name, Truncate), []byte("hello "), []byte("world"))
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(got))
}

func TestSimpleFileWriterAppendsStrings(t *testing.T) {
	name := writeFile(t, "old\n")
	res := axontest.Run[string, any](t, NewSimpleFileWriter[string](name, Append), "new\n")
	require.NoError(t, res.Err)
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	assert.Equal(t, "old\nnew\n", string(got))
}

func TestSimpleFileWriterCannotOpen(t *testing.T) {
	name := filepath.Join(t.TempDir(), "no", "such", "dir", "f")
	res := axontest.Run[string, any](t, NewSimpleFileWriter[string](name, Truncate), "x")
	assert.ErrorIs(t, failure(t, res), os.ErrNotExist)
}

func TestSimpleFileWriterToClosedFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	res := axontest.Run[[]byte, any](t, NewSimpleWriter[[]byte](f), []byte("x"))
	fl := failure(t, res)
	assert.ErrorIs(t, fl, os.ErrClosed)
	assert.Contains(t, fl.Error(), "file: writing")
}

func TestSimpleFileWriterDiskFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	res := axontest.Run[string, any](t, NewSimpleFileWriter[string]("/dev/full", Truncate), "data")
	assert.ErrorIs(t, failure(t, res), syscall.ENOSPC)
}

// closeRecorder is a writer whose Close can fail, and that records it was closed.
type closeRecorder struct {
	bytes.Buffer
	closeErr error
	closed   bool
}

func (c *closeRecorder) Close() error { c.closed = true; return c.closeErr }

func TestSimpleFileWriterReportsCloseError(t *testing.T) {
	w := &closeRecorder{closeErr: errors.New("nfs server gone")}
	res := axontest.Run[string, any](t, NewSimpleWriter[string](w), "a", "b")
	fl := failure(t, res)
	assert.ErrorIs(t, fl, w.closeErr)
	assert.Contains(t, fl.Error(), "file: closing")
	assert.Equal(t, "ab", w.String())
}

func TestSimpleFileWriterShutdownCloses(t *testing.T) {
	w := &closeRecorder{}
	res := axontest.RunControl[string, any](t, NewSimpleWriter[string](w), []string{"a", "b", "c"}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	assert.True(t, w.closed)
	assert.True(t, strings.HasPrefix("abc", w.String()), "what was written is a prefix of the input: %q", w.String())
}

func makeFIFO(t *testing.T) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(name, 0o600))
	return name
}

// openFIFO opens fifo for reading; it returns once a writer has it open.
func openFIFO(t *testing.T, fifo string) *os.File {
	t.Helper()
	f, err := os.OpenFile(fifo, os.O_RDONLY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// assertWriterGone reads f to its end, which comes only when every process
// holding it open for writing has died.
func assertWriterGone(t *testing.T, f *os.File) {
	t.Helper()
	require.NoError(t, f.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := io.ReadAll(f)
	assert.NoError(t, err, "the process holding the FIFO was not killed")
}

// Bad input is an error from Run too, naming the component and the file.
func TestBadInputIsAnErrorFromRun(t *testing.T) {
	dir := t.TempDir()
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	err := s.Run(
		NewReadFileAdaptor(WithFilename(filepath.Join(dir, "missing.txt"))),
		NewSimpleFileWriter[string](filepath.Join(dir, "no", "dir", "out.txt"), Truncate),
		NewReadFileAdaptor(WithCommand("exit 5")),
	)
	require.ErrorIs(t, err, os.ErrNotExist)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 5, exit.ExitCode())
	assert.Contains(t, err.Error(), "missing.txt")
	assert.Contains(t, err.Error(), filepath.Join("no", "dir", "out.txt"))
	assert.Contains(t, err.Error(), "ReadFileAdaptor_", "the failure names the component")
}
