package framing_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decodeDelim(delim string, max int, pieces [][]byte) ([][]byte, error) {
	d := framing.NewDelimDecoder([]byte(delim), max)
	var out [][]byte
	for _, p := range pieces {
		if err := d.Feed(p, func(b []byte) error { out = append(out, b); return nil }); err != nil {
			return out, err
		}
	}
	return out, d.End()
}

func TestDelimDecoderSplitsAnywhere(t *testing.T) {
	records := []string{"GET / HTTP/1.0", "", "Host: example", "a\rb\nc", "last"}
	stream := []byte(strings.Join(records, "\r\n") + "\r\n")
	for _, n := range []int{0, 1, 2, 3, 5, 16} {
		got, err := decodeDelim("\r\n", 0, splits(stream, n))
		require.NoError(t, err, "pieces of %d", n)
		assert.Equal(t, records, strs(got), "pieces of %d: the delimiter may straddle pieces", n)
	}
}

func TestDelimDecoderRefusesALongRecordBeforeItsEnd(t *testing.T) {
	d := framing.NewDelimDecoder([]byte("\n"), 8)
	var got []string
	emit := func(b []byte) error { got = append(got, string(b)); return nil }
	require.NoError(t, d.Feed([]byte("12345678\nabc"), emit), "8 bytes is the limit, allowed")
	require.NoError(t, d.Feed([]byte("defgh"), emit), "8 bytes and no delimiter yet")
	err := d.Feed([]byte("i"), emit) // 9 without a delimiter: refused now
	var fe *framing.FrameError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, framing.FrameError{Offset: 9, Size: 9, Limit: 8, Err: framing.ErrFrameTooLarge}, *fe)
	assert.Equal(t, []string{"12345678"}, got)
	assert.Equal(t, err, d.End())
}

func TestDelimDecoderRecordOverTheLimitInOnePiece(t *testing.T) {
	got, err := decodeDelim("\n", 4, [][]byte{[]byte("ok\ntoo long\n")})
	assert.Equal(t, []string{"ok"}, strs(got))
	assert.ErrorIs(t, err, framing.ErrFrameTooLarge)
}

func TestDelimDecoderUnterminatedEnd(t *testing.T) {
	got, err := decodeDelim("\n", 0, [][]byte{[]byte("one\ntwo")})
	assert.Equal(t, []string{"one"}, strs(got))
	var fe *framing.FrameError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, framing.FrameError{Offset: 4, Size: 3, Err: framing.ErrTruncated}, *fe)
}

func TestDelimFramerAndDeFramer(t *testing.T) {
	lines := [][]byte{[]byte("first line"), {}, []byte("third")}
	res := axontest.Run[[]byte, []byte](t, framing.NewDelimFramer([]byte("\n")), lines...)
	require.NoError(t, res.Err)
	assert.Equal(t, "first line\n\nthird\n", string(bytes.Join(res.Outputs, nil)))
	back := axontest.Run[[]byte, []byte](t, framing.NewDelimDeFramer([]byte("\n")), splits(bytes.Join(res.Outputs, nil), 4)...)
	require.NoError(t, back.Err)
	assert.Equal(t, []any{axon.ProducerFinished{}}, back.Signals)
	assert.Equal(t, lines, back.Outputs)
}

func TestDelimFramerRefusesAPayloadWithTheDelimiter(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, framing.NewDelimFramer([]byte("\n")), []byte("fine"), []byte("two\nlines"))
	assert.Equal(t, []string{"fine\n"}, strs(res.Outputs))
	var fe *framing.FrameError
	require.ErrorAs(t, res.Err, &fe)
	assert.Equal(t, framing.FrameError{Offset: 1, Size: 9, Err: framing.ErrDelimiterInPayload}, *fe)
}

func TestDelimDeFramerFailsOnATruncatedStream(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, framing.NewDelimDeFramer([]byte("\n")), []byte("a\nb"))
	assert.Equal(t, []string{"a"}, strs(res.Outputs))
	assert.ErrorIs(t, res.Err, framing.ErrTruncated)
}

func TestEmptyDelimiterPanics(t *testing.T) {
	assert.Panics(t, func() { framing.NewDelimDecoder(nil, 0) })
	assert.Panics(t, func() { framing.NewDelimFramer(nil) })
}

func TestDelimFramerRefusesAPayloadRunningIntoTheDelimiter(t *testing.T) {
	// "x0" then "x0x" reads "x0x0x": the first delimiter would end "".
	res := axontest.Run[[]byte, []byte](t, framing.NewDelimFramer([]byte("x0x")), []byte("ab"), []byte("x0"))
	assert.Equal(t, []string{"abx0x"}, strs(res.Outputs))
	assert.ErrorIs(t, res.Err, framing.ErrDelimiterInPayload)
}
