package framing_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func chunkStream(payloads ...[]byte) []byte {
	var s []byte
	for _, p := range payloads {
		s = framing.AppendChunk(s, p)
	}
	return s
}

// decodeChunks feeds pieces to a ChunkDecoder and returns the payloads and
// the reports, End's last.
func decodeChunks(max int, pieces [][]byte) ([][]byte, []framing.FrameError) {
	d := framing.NewChunkDecoder(max)
	var out [][]byte
	var reports []framing.FrameError
	for _, p := range pieces {
		_ = d.Feed(p, func(b []byte) error { out = append(out, b); return nil },
			func(fe *framing.FrameError) { reports = append(reports, *fe) })
	}
	if fe := d.End(); fe != nil {
		reports = append(reports, *fe)
	}
	return out, reports
}

// awkward holds every byte the framing treats specially.
var awkward = []byte{framing.Flag, framing.Escape, framing.Flag, 0x5e, 0x5d, framing.Escape, framing.Escape}

func TestChunksSurviveAnySplit(t *testing.T) {
	payloads := [][]byte{awkward, []byte("plain"), {}, bytes.Repeat(awkward, 1000)}
	stream := chunkStream(payloads...)
	for _, n := range []int{0, 1, 2, 3, 13, 4096} {
		got, reports := decodeChunks(0, splits(stream, n))
		assert.Empty(t, reports, "pieces of %d", n)
		require.Len(t, got, len(payloads), "pieces of %d", n)
		for i := range payloads {
			assert.Equal(t, payloads[i], got[i], "pieces of %d, payload %d", n, i)
		}
	}
}

func TestChunksResyncAfterGarbage(t *testing.T) {
	one, two, three := chunkStream([]byte("one")), chunkStream([]byte("two")), chunkStream([]byte("three"))
	corrupt := bytes.Clone(two)
	corrupt[2] ^= 0x01 // a flipped bit in "two"
	var stream []byte
	stream = append(stream, "noise before"...) // 12 bytes before any flag
	stream = append(stream, one...)
	stream = append(stream, "junk"...) // between chunks
	stream = append(stream, corrupt...)
	stream = append(stream, three...)
	stream = append(stream, framing.Flag, 'x', 'y') // begun, never closed

	for _, n := range []int{0, 1, 5} {
		got, reports := decodeChunks(0, splits(stream, n))
		assert.Equal(t, []string{"one", "three"}, strs(got), "pieces of %d", n)
		oneEnd := int64(12 + len(one))
		assert.Equal(t, []framing.FrameError{
			{Offset: 0, Size: 12, Err: framing.ErrGarbage},
			// "junk" runs from the end of one to the first Flag of two.
			{Offset: oneEnd, Size: 4, Err: framing.ErrBadChecksum},
			{Offset: oneEnd + 5, Size: int64(len(corrupt) - 2), Err: framing.ErrBadChecksum},
			{Offset: int64(len(stream) - 2), Size: 2, Err: framing.ErrTruncated},
		}, reports, "pieces of %d", n)
	}
}

func TestChunkBadEscapeAndAbort(t *testing.T) {
	stream := []byte{framing.Flag, 'a', framing.Escape, 'z', 'b', framing.Flag} // Escape 'z' is no escape
	stream = append(stream, framing.Flag, 'c', framing.Escape, framing.Flag)    // Escape, Flag: abort
	stream = append(stream, chunkStream([]byte("ok"))...)
	got, reports := decodeChunks(0, [][]byte{stream})
	assert.Equal(t, []string{"ok"}, strs(got))
	require.Len(t, reports, 2)
	assert.ErrorIs(t, &reports[0], framing.ErrBadEscape)
	assert.ErrorIs(t, &reports[1], framing.ErrBadEscape)
}

func TestChunkOverTheLimitStopsBuffering(t *testing.T) {
	stream := chunkStream(bytes.Repeat([]byte("x"), 100), []byte("small"))
	got, reports := decodeChunks(10, splits(stream, 9))
	assert.Equal(t, []string{"small"}, strs(got))
	require.Len(t, reports, 1)
	assert.Equal(t, framing.FrameError{Offset: 1, Size: int64(len(framing.AppendChunk(nil, bytes.Repeat([]byte("x"), 100))) - 2), Limit: 10, Err: framing.ErrFrameTooLarge}, reports[0])
}

func TestChunkTooShortForItsChecksum(t *testing.T) {
	got, reports := decodeChunks(0, [][]byte{{framing.Flag, 1, 2, framing.Flag}})
	assert.Empty(t, got)
	assert.Equal(t, []framing.FrameError{{Offset: 1, Size: 2, Err: framing.ErrBadChecksum}}, reports)
}

func TestDataChunkerAndDeChunker(t *testing.T) {
	msgs := [][]byte{[]byte("alpha"), awkward, {}}
	res := axontest.Run[[]byte, []byte](t, framing.NewDataChunker(), msgs...)
	require.NoError(t, res.Err)
	stream := append([]byte("garbage"), bytes.Join(res.Outputs, nil)...)

	d := framing.NewDataDeChunker()
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	ctx := t.Context()
	for _, p := range splits(stream, 3) {
		require.NoError(t, h.Put(ctx, "inbox", p))
	}
	require.NoError(t, h.Finish(ctx))
	outs, err := axontest.Collect[[]byte](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, msgs, outs)
	errs, err := axontest.Collect[error](ctx, h, "errors")
	require.NoError(t, err)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], framing.ErrGarbage)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
}

func TestDataChunkerRefusesAnOversizedMessage(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, framing.NewDataChunker(framing.WithMaxFrameSize(2)), []byte("abc"))
	assert.ErrorIs(t, res.Err, framing.ErrFrameTooLarge)
}
