package shotchange_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/media/shotchange"
	"github.com/stretchr/testify/require"
)

// FuzzTracker feeds arbitrary bytes as a run of small frames of an
// arbitrary size and stride: the tracker never panics, refuses planes that
// are too small with an error, and reports only frames it was given, with
// a confidence at least the threshold.
func FuzzTracker(f *testing.F) {
	f.Add(uint8(4), uint8(3), uint8(0), []byte("0123456789abcdef0123456789abcdef"))
	f.Add(uint8(1), uint8(1), uint8(2), make([]byte, 200))
	f.Add(uint8(0), uint8(5), uint8(0), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, w, h, pad uint8, data []byte) {
		width, height := int(w%16), int(h%16)
		stride := width + int(pad%8)
		tr, err := shotchange.NewTracker(0.01)
		require.NoError(t, err)
		size := (height-1)*stride + width
		if width == 0 || height == 0 || size <= 0 {
			_, _, err := tr.Push(0, data, width, height, stride)
			require.Error(t, err)
			return
		}
		// Repeat the data so that there are enough frames to judge.
		var frames [][]byte
		for len(frames) < 40 && len(data) > 0 {
			for off := 0; off+size <= len(data) && len(frames) < 40; off += size {
				frames = append(frames, data[off:off+size])
			}
			if size > len(data) {
				break
			}
		}
		if len(frames) == 0 {
			_, _, err := tr.Push(0, data, width, height, stride)
			require.Error(t, err)
			return
		}
		for i, p := range frames {
			c, ok, err := tr.Push(100+i, p, width, height, stride)
			require.NoError(t, err)
			if ok {
				require.GreaterOrEqual(t, c.Confidence, 0.01)
				require.True(t, c.Frame >= 100 && c.Frame <= 100+i, "frame %d", c.Frame)
			}
		}
	})
}
