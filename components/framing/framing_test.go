package framing

import (
	"bytes"
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
// no line holds a "\n", and the lines joined with "\n" are the stream.
func FuzzLineSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n\nc"), []byte{1, 2}, false)
	f.Add([]byte("\n\n"), []byte{0}, true)
	f.Add([]byte("no newline"), []byte{}, false)
	f.Fuzz(func(t *testing.T, data, cuts []byte, keep bool) {
		l := &lineSplitter{keepNewline: keep}
		var lines []string
		for _, p := range cut(data, cuts) {
			l.push(p)
			for {
				line, ok := l.next()
				if !ok {
					break
				}
				if keep {
					require.True(t, bytes.HasSuffix(line, []byte("\n")))
					line = line[:len(line)-1]
				}
				require.NotContains(t, string(line), "\n")
				lines = append(lines, string(line))
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
	})
}
