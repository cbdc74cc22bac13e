//go:build cgo

package av_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

// A peer's SOUND line may carry any bytes: with Skip, the decoder never
// fails or crashes on them, and every buffer it sends is a valid 20 ms of
// narrowband sound.
func FuzzSpeexDecoder(f *testing.F) {
	for _, p := range bare(encodeAudio(f, speex(f, av.SpeexOptions{Quality: 3}), sine(1000, 8000, 1, 0.06))) {
		f.Add(p)
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		dec := av.NewSpeexDecoder(av.SpeexNarrowband)
		dec.OnCorrupt = av.Skip
		r := axontest.Run[[]byte, *frame.Audio](t, dec, p, p)
		require.NoError(t, r.Err)
		for _, a := range r.Outputs {
			require.NoError(t, a.Validate())
			require.Equal(t, 160, a.Samples)
		}
	})
}
