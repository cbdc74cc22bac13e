//go:build cgo

package av_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bare returns the bytes of each packet, as a SOUND line carries them.
func bare(ps []*av.Packet) [][]byte {
	out := make([][]byte, len(ps))
	for i, p := range ps {
		out[i] = p.Data
	}
	return out
}

// Bare narrowband packets of quality 3, one 20 ms frame each (what the
// Whiteboard sends), decode to 160 samples each of the tone that went in,
// at its level, timed by their samples.
func TestSpeexDecoderDecodesBarePackets(t *testing.T) {
	for _, rate := range []int{av.SpeexNarrowband, av.SpeexWideband} {
		ps := encodeAudio(t, speex(t, av.SpeexOptions{Quality: 3}), sine(1000, rate, 1, 1))
		require.NotEmpty(t, ps)
		if rate == av.SpeexNarrowband {
			assert.Len(t, ps[0].Data, 20, "8 kbit/s: 20 bytes a 20 ms frame")
		}
		r := axontest.Run[[]byte, *frame.Audio](t, av.NewSpeexDecoder(rate), bare(ps)...)
		require.NoError(t, r.Err)
		require.Len(t, r.Outputs, len(ps))
		for i, a := range r.Outputs {
			require.Equal(t, frame.S16, a.Format)
			require.Equal(t, rate, a.Rate)
			require.Equal(t, 1, a.Channels)
			require.Equal(t, rate/50, a.Samples, "packet %d", i)
		}
		assert.Equal(t, r.Outputs[0].Duration()*10, r.Outputs[10].PTS)
		hz, n := tone(r.Outputs)
		assert.InDelta(t, 1000, hz, 10)
		assert.Equal(t, len(ps)*rate/50, n)
		assert.InDelta(t, 0.354, rms(r.Outputs[5:]), 0.05)
	}
}

// A packet FFmpeg refuses fails the decoder, or with Skip is counted and
// passed over; a rate that is not a band is refused.
func TestSpeexDecoderCorruptPacketsAndBadSettings(t *testing.T) {
	ps := bare(encodeAudio(t, speex(t, av.SpeexOptions{Quality: 3}), sine(1000, 8000, 1, 0.2)))
	in := append([][]byte{ps[0], {}}, ps[1:]...)
	r := axontest.Run[[]byte, *frame.Audio](t, av.NewSpeexDecoder(8000), in...)
	require.ErrorContains(t, r.Err, "speex decoder: packet 2 (0 bytes)")

	dec := av.NewSpeexDecoder(8000)
	dec.OnCorrupt = av.Skip
	r = axontest.Run[[]byte, *frame.Audio](t, dec, in...)
	require.NoError(t, r.Err)
	assert.Len(t, r.Outputs, len(ps))
	assert.Equal(t, int64(1), dec.Stats().Corrupt)

	r = axontest.Run[[]byte, *frame.Audio](t, av.NewSpeexDecoder(44100), ps...)
	require.ErrorContains(t, r.Err, "44100 Hz is not a Speex band")
	dec = av.NewSpeexDecoder(8000)
	dec.FramesPerPacket = 9
	r = axontest.Run[[]byte, *frame.Audio](t, dec, ps...)
	require.ErrorContains(t, r.Err, "9 frames a packet")
}
