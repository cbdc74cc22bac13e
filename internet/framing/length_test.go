package framing_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lengthStream(payloads ...[]byte) []byte {
	var s []byte
	for _, p := range payloads {
		s = framing.AppendFrame(s, p)
	}
	return s
}

// decodeAll feeds pieces to a LengthDecoder and returns the payloads and
// the first error (Feed's or End's).
func decodeLength(max int, pieces [][]byte) ([][]byte, error) {
	d := framing.NewLengthDecoder(max)
	var out [][]byte
	for _, p := range pieces {
		if err := d.Feed(p, func(b []byte) error { out = append(out, b); return nil }); err != nil {
			return out, err
		}
	}
	return out, d.End()
}

func TestLengthDecoderSplitsAnywhere(t *testing.T) {
	payloads := [][]byte{{}, []byte("a"), bytes.Repeat([]byte("b"), 255), bytes.Repeat([]byte("c"), 256), bytes.Repeat([]byte{0xff}, 70000), []byte("end")}
	stream := lengthStream(payloads...)
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 1000, 65536} {
		got, err := decodeLength(0, splits(stream, n))
		require.NoError(t, err, "pieces of %d", n)
		require.Len(t, got, len(payloads), "pieces of %d", n)
		for i := range payloads {
			assert.Equal(t, payloads[i], got[i], "pieces of %d, payload %d", n, i)
		}
	}
}

func TestLengthDecoderRefusesAnOversizedFrameAtItsHeader(t *testing.T) {
	d := framing.NewLengthDecoder(10)
	var got [][]byte
	emit := func(b []byte) error { got = append(got, b); return nil }
	require.NoError(t, d.Feed(lengthStream([]byte("0123456789")), emit))
	// Only the header of the next frame: 11 bytes announced.
	err := d.Feed(binary.BigEndian.AppendUint32(nil, 11), emit)
	var fe *framing.FrameError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, framing.ErrFrameTooLarge)
	assert.Equal(t, framing.FrameError{Offset: 14, Size: 11, Limit: 10, Err: framing.ErrFrameTooLarge}, *fe)
	assert.Equal(t, "framing: frame larger than the limit: at byte 14: 11 bytes, limit 10", err.Error())
	assert.Equal(t, [][]byte{[]byte("0123456789")}, got)
	// The stream is broken for good.
	assert.Equal(t, err, d.Feed(lengthStream([]byte("ok")), emit))
	assert.Equal(t, err, d.End())
	assert.Zero(t, d.Buffered())
}

func TestLengthDecoderHugeClaimBuffersNothing(t *testing.T) {
	d := framing.NewLengthDecoder(0)
	err := d.Feed([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3}, func([]byte) error { return nil })
	assert.ErrorIs(t, err, framing.ErrFrameTooLarge)
	assert.Zero(t, d.Buffered())
}

func TestLengthDecoderEndInsideAFrame(t *testing.T) {
	stream := lengthStream([]byte("whole"), []byte("cut short"))
	for _, cut := range []int{len(stream) - 1, 9 + 2} { // in the payload; in the header
		got, err := decodeLength(0, splits(stream[:cut], 3))
		assert.Equal(t, []string{"whole"}, strs(got))
		var fe *framing.FrameError
		require.ErrorAs(t, err, &fe)
		assert.ErrorIs(t, err, framing.ErrTruncated)
		assert.Equal(t, int64(9), fe.Offset, "the cut frame starts after the first")
	}
}

func TestLengthDecoderPayloadsDoNotShareMemory(t *testing.T) {
	got, err := decodeLength(0, [][]byte{lengthStream([]byte("aa"), []byte("bb"))})
	require.NoError(t, err)
	_ = append(got[0], 'X') // must not write over got[1]
	got[0][0] = 'Y'
	assert.Equal(t, "bb", string(got[1]))
}

func TestFramerAndDeFramer(t *testing.T) {
	msgs := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{0}, 5000)}
	res := axontest.Run[[]byte, []byte](t, framing.NewFramer(), msgs...)
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	assert.Equal(t, [][]byte{lengthStream(msgs[0]), lengthStream(msgs[1]), lengthStream(msgs[2])}, res.Outputs)

	// The frames, cut differently, through the DeFramer.
	back := axontest.Run[[]byte, []byte](t, framing.NewDeFramer(), splits(bytes.Join(res.Outputs, nil), 7)...)
	require.NoError(t, back.Err)
	assert.Equal(t, []any{axon.ProducerFinished{}}, back.Signals)
	assert.Equal(t, msgs, back.Outputs)
}

func TestDeFramerFailsOnAnOversizedFrame(t *testing.T) {
	stream := lengthStream([]byte("fine"), bytes.Repeat([]byte("x"), 100), []byte("never"))
	res := axontest.Run[[]byte, []byte](t, framing.NewDeFramer(framing.WithMaxFrameSize(50)), splits(stream, 5)...)
	assert.Equal(t, [][]byte{[]byte("fine")}, res.Outputs, "what came before is delivered")
	require.Len(t, res.Signals, 1)
	f, ok := res.Signals[0].(*axon.Failure)
	require.True(t, ok, "signal %T", res.Signals[0])
	var fe *framing.FrameError
	require.ErrorAs(t, f, &fe)
	assert.Equal(t, framing.FrameError{Offset: 8, Size: 100, Limit: 50, Err: framing.ErrFrameTooLarge}, *fe)
}

func TestDeFramerFailsOnATruncatedStream(t *testing.T) {
	stream := lengthStream([]byte("fine"), []byte("cut"))
	res := axontest.Run[[]byte, []byte](t, framing.NewDeFramer(), stream[:len(stream)-1])
	assert.Equal(t, [][]byte{[]byte("fine")}, res.Outputs)
	assert.ErrorIs(t, res.Err, framing.ErrTruncated)
}

func TestFramerRefusesAnOversizedMessage(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, framing.NewFramer(framing.WithMaxFrameSize(3)), []byte("abc"), []byte("abcd"))
	assert.Equal(t, [][]byte{lengthStream([]byte("abc"))}, res.Outputs)
	var fe *framing.FrameError
	require.ErrorAs(t, res.Err, &fe)
	assert.Equal(t, framing.FrameError{Offset: 1, Size: 4, Limit: 3, Err: framing.ErrFrameTooLarge}, *fe)
}

func TestDeFramerShutdownEndsAtOnce(t *testing.T) {
	res := axontest.RunControl[[]byte, []byte](t, framing.NewDeFramer(), nil, axon.Shutdown{})
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	assert.NoError(t, res.Err)
}
