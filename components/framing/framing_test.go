package framing

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*Chunkifier[string])(nil),
	(*LineSplit[string])(nil),
}

var finished = []any{axon.ProducerFinished{}}

func TestChunkifierFixesTheSize(t *testing.T) {
	res := axontest.Run[string, string](t, NewChunkifier[string](4), "ab", "cdefghij", "k", "lm")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"abcd", "efgh", "ijkl", "m"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestChunkifierBytesAreNewSlices(t *testing.T) {
	in := []byte("abcdef")
	res := axontest.Run[[]byte, []byte](t, NewChunkifier[[]byte](3), in)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 2)
	in[0] = 'X' // the sender changing its slice changes nothing sent
	assert.Equal(t, []string{"abc", "def"}, []string{string(res.Outputs[0]), string(res.Outputs[1])})
}

func TestChunkifierExactMultipleSendsNoShortChunk(t *testing.T) {
	res := axontest.Run[string, string](t, NewChunkifier[string](2), "ab", "cd")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"ab", "cd"}, res.Outputs)
}

func TestChunkifierNoDelay(t *testing.T) {
	ctx := t.Context()
	h, err := axon.NewHandle(axon.NewScheduler(), NewChunkifier[string](4, WithNoDelay()))
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", "abcdef"))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "abcd", v)
	v, err = h.Get(ctx, "outbox") // sent without waiting for more
	require.NoError(t, err)
	assert.Equal(t, "ef", v)
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
}

func TestChunkifierShutdownDropsWhatItHolds(t *testing.T) {
	res := axontest.RunControl[string, string](t, NewChunkifier[string](10), []string{"abc"}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestChunkifierRejectsBadSize(t *testing.T) {
	assert.PanicsWithValue(t, "framing: chunk size 0: want > 0", func() { NewChunkifier[string](0) })
}

func TestLineSplitAcrossMessages(t *testing.T) {
	res := axontest.Run[string, string](t, NewLineSplit[string](), "one\ntw", "o\n\nthr", "ee\r\nlast")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"one", "two", "", "three\r", "last"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestLineSplitWithNewlines(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, NewLineSplit[[]byte](WithNewlines()), []byte("a\nb"), []byte("\n"))
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 2)
	assert.Equal(t, "a\n", string(res.Outputs[0]))
	assert.Equal(t, "b\n", string(res.Outputs[1]))
}

func TestLineSplitShutdownDropsPartialLine(t *testing.T) {
	res := axontest.RunControl[string, string](t, NewLineSplit[string](), []string{"no newline"}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

// TestLineSplitRefusesALineTooLong sends 64 MiB with no "\n", as a peer
// might, in 64 KiB messages: LineSplit fails with a *LineError once the
// line passes its limit (1 MiB by default), having allocated little more
// than the limit, and holding nothing once it has failed.
func TestLineSplitRefusesALineTooLong(t *testing.T) {
	const piece = 64 << 10
	chunk := bytes.Repeat([]byte{'x'}, piece)
	inputs := [][]byte{[]byte("short line\n")}
	for range (64 << 20) / piece {
		inputs = append(inputs, chunk) // one array: the sender holds 64 KiB, not 64 MiB
	}
	inputs = append(inputs, []byte("\n"))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := axontest.Run[[]byte, []byte](t, NewLineSplit[[]byte](), inputs...)
	runtime.GC()
	runtime.ReadMemStats(&after)
	allocated, held := after.TotalAlloc-before.TotalAlloc, int64(after.HeapInuse)-int64(before.HeapInuse)
	t.Logf("for 64 MiB sent: %d bytes allocated, %d more in use after", allocated, held)
	const bound = 8 << 20
	assert.Less(t, allocated, uint64(bound), "allocated while splitting")
	assert.Less(t, held, int64(bound), "held after splitting")

	var le *LineError
	require.ErrorAs(t, res.Err, &le)
	require.ErrorIs(t, res.Err, ErrLineTooLong)
	assert.Equal(t, DefaultMaxLineLength, le.Limit)
	assert.Equal(t, int64(len("short line\n")), le.Offset)
	assert.Equal(t, int64(DefaultMaxLineLength+piece), le.Size, "refused at the first message past the limit")
	assert.Equal(t, "framing: line longer than the limit: the line at byte 11 reached 1114112 bytes with no \"\\n\", limit 1048576", le.Error())
	require.Len(t, res.Outputs, 1)
	assert.Equal(t, "short line", string(res.Outputs[0]), "the lines before it are sent")
}

// TestLineSplitMaxLineLength checks the limit's edge: a line of exactly
// the limit passes, with its "\n" kept or not, whether it arrives whole or
// cut; one byte more is refused.
func TestLineSplitMaxLineLength(t *testing.T) {
	res := axontest.Run[string, string](t, NewLineSplit[string](WithMaxLineLength(4)), "ab", "cd\nefgh\n", "ijkl")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"abcd", "efgh", "ijkl"}, res.Outputs)

	res = axontest.Run[string, string](t, NewLineSplit[string](WithMaxLineLength(4), WithNewlines()), "abcd\n")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"abcd\n"}, res.Outputs)

	for _, in := range [][]string{{"ok\nabcde\nnever\n"}, {"ok\nabc", "de"}, {"ok\nabcde"}} {
		res = axontest.Run[string, string](t, NewLineSplit[string](WithMaxLineLength(4)), in...)
		var le *LineError
		require.ErrorAs(t, res.Err, &le, "%q", in)
		assert.Equal(t, LineError{Offset: 3, Size: 5, Limit: 4}, *le, "%q", in)
		assert.Equal(t, []string{"ok"}, res.Outputs, "%q", in)
		require.Len(t, res.Signals, 1)
		assert.Equal(t, res.Err, res.Signals[0], "the failure is on signal")
	}
}

// TestLineSplitWithoutMaxLineLength takes a line longer than the default
// limit when told to take any.
func TestLineSplitWithoutMaxLineLength(t *testing.T) {
	long := strings.Repeat("y", DefaultMaxLineLength+1)
	res := axontest.Run[string, string](t, NewLineSplit[string](WithoutMaxLineLength()), long[:10], long[10:]+"\nz")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{long, "z"}, res.Outputs)
}

func TestLineSplitRejectsBadLimit(t *testing.T) {
	for _, n := range []int{0, -1} {
		assert.Panics(t, func() { NewLineSplit[string](WithMaxLineLength(n)) }, "%d", n)
	}
	assert.NotPanics(t, func() { NewLineSplit[string](WithMaxLineLength(0), WithoutMaxLineLength()) })
}

type myString string

func TestFramingWorksOnNamedTypes(t *testing.T) {
	res := axontest.Run[myString, myString](t, NewLineSplit[myString](), myString("x\ny"))
	require.NoError(t, res.Err)
	assert.Equal(t, []myString{"x", "y"}, res.Outputs)
}

// cut splits data into pieces the way messages might come: each byte of
// cuts gives the length of the next piece (1 to 16, from its low four
// bits) and, when its high bit is set, an empty piece before it.
func cut(data, cuts []byte) [][]byte {
	var pieces [][]byte
	for i := 0; len(data) > 0; i++ {
		n := len(data)
		if len(cuts) > 0 {
			c := cuts[i%len(cuts)]
			if c&0x80 != 0 {
				pieces = append(pieces, nil)
			}
			n = min(n, 1+int(c&0x0f))
		}
		pieces = append(pieces, data[:n])
		data = data[n:]
	}
	return pieces
}

// FuzzChunker checks the Chunkifier's parser: however the stream is cut
// into messages, the chunks are all of the size, the rest is shorter, and
// together they are the stream.
func FuzzChunker(f *testing.F) {
	f.Add([]byte("hello world"), []byte{3, 0, 5}, uint8(4))
	f.Add([]byte(""), []byte{}, uint8(1))
	f.Add(bytes.Repeat([]byte{0}, 100), []byte{16}, uint8(7))
	f.Fuzz(func(t *testing.T, data, cuts []byte, size uint8) {
		c := &chunker{size: int(size%64) + 1}
		var out bytes.Buffer
		for _, p := range cut(data, cuts) {
			c.push(p)
			for {
				chunk, ok := c.next()
				if !ok {
					break
				}
				require.Len(t, chunk, c.size)
				out.Write(chunk)
			}
			require.Less(t, c.len(), c.size)
		}
		rest := c.rest()
		assert.Less(t, len(rest), c.size)
		out.Write(rest)
		assert.True(t, bytes.Equal(data, out.Bytes()), "chunks and rest are not the stream")
		assert.Nil(t, c.rest(), "nothing left twice")
	})
}

// FuzzLineSplitter checks LineSplit's parser: however the stream is cut,
// no line holds a "\n" or is longer than the limit, the splitter never
// holds more than the limit, and the lines joined with "\n" are the stream,
// up to a line too long, which is refused at the message that takes it
// past the limit.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n\nc"), []byte{1, 2}, false, uint8(0))
	f.Add([]byte("\n\n"), []byte{0}, true, uint8(1))
	f.Add([]byte("no newline"), []byte{}, false, uint8(3))
	f.Add([]byte("abcdef\nabc\nabcd"), []byte{2, 0x83}, true, uint8(3))
	f.Fuzz(func(t *testing.T, data, cuts []byte, keep bool, limit uint8) {
		l := &lineSplitter{keepNewline: keep, max: int(limit % 16)}
		var lines []string
		emit := func(line []byte) error {
			if keep {
				require.True(t, bytes.HasSuffix(line, []byte("\n")))
				line = line[:len(line)-1]
			}
			require.NotContains(t, string(line), "\n")
			if l.max > 0 {
				require.LessOrEqual(t, len(line), l.max)
			}
			lines = append(lines, string(line))
			return nil
		}
		var fed int
		for _, p := range cut(data, cuts) {
			if err := l.feed(p, emit); err != nil {
				var le *LineError
				require.ErrorAs(t, err, &le)
				require.ErrorIs(t, err, ErrLineTooLong)
				assert.Equal(t, l.max, le.Limit)
				assert.Greater(t, le.Size, int64(le.Limit))
				// The refused line starts where the lines sent end, and
				// is a line of the stream with no "\n" in its first
				// Size bytes.
				sent := len(lines) // their "\n"s
				for _, line := range lines {
					sent += len(line)
				}
				assert.Equal(t, int64(sent), le.Offset)
				require.LessOrEqual(t, le.Offset+le.Size, int64(fed+len(p)))
				assert.NotContains(t, string(data[le.Offset:le.Offset+le.Size]), "\n")
				return
			}
			fed += len(p)
			if l.max > 0 {
				require.LessOrEqual(t, len(l.buf), l.max)
			}
		}
		joined := strings.Join(lines, "\n")
		if len(lines) > 0 {
			joined += "\n"
		}
		if rest := l.rest(); rest != nil {
			require.NotContains(t, string(rest), "\n")
			joined += string(rest)
		}
		assert.Equal(t, string(data), joined)
		assert.Nil(t, l.rest(), "nothing left twice")
	})
}
