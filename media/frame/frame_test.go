package frame_test

import (
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

func TestPlaneSizes(t *testing.T) {
	v := frame.NewVideo(frame.YUV420P, 5, 3)
	require.Equal(t, []int{5, 3, 3}, v.Strides)
	require.Len(t, v.Planes[0], 15)
	require.Len(t, v.Planes[1], 6)
	require.NoError(t, v.Validate())
	require.Len(t, v.Tight(), 15+6+6)
	r := frame.NewVideo(frame.RGBA, 2, 2)
	require.Equal(t, []int{8}, r.Strides)
	w, h := frame.YUV422P.PlaneSize(2, 5, 3)
	require.Equal(t, [2]int{3, 3}, [2]int{w, h})
}

func TestValidateNamesWhatIsWrong(t *testing.T) {
	v := frame.NewVideo(frame.YUV420P, 4, 4)
	v.Planes[2] = v.Planes[2][:3]
	require.ErrorIs(t, v.Validate(), frame.ErrBadFrame)
	require.ErrorContains(t, v.Validate(), "plane 2 has 3 bytes, needs 4")
	require.ErrorContains(t, (&frame.Video{Format: frame.RGBA}).Validate(), "size 0x0")
	a := &frame.Audio{Format: frame.S16, Channels: 2, Rate: 8000, Samples: 4, Data: [][]byte{make([]byte, 15)}}
	require.ErrorContains(t, a.Validate(), "needs 16")
}

func TestFromImageRoundTripsColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	cols := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {128, 128, 128, 255}}
	for y := range 8 {
		for x := range 8 {
			img.SetRGBA(x, y, cols[(x/4)+2*(y/4)])
		}
	}
	for _, f := range []frame.PixelFormat{frame.YUV420P, frame.YUV422P, frame.YUV444P, frame.RGBA} {
		v, err := frame.FromImage(img, f)
		require.NoError(t, err)
		for i, c := range cols {
			got := v.RGBAAt(1+4*(i%2), 1+4*(i/2))
			require.InDelta(t, int(c.R), int(got.R), 3, "%v %v", f, c)
			require.InDelta(t, int(c.G), int(got.G), 3, "%v %v", f, c)
			require.InDelta(t, int(c.B), int(got.B), 3, "%v %v", f, c)
		}
	}
	y, cb, cr := frame.RGBToYCbCr(0, 0, 0)
	require.Equal(t, [3]uint8{16, 128, 128}, [3]uint8{y, cb, cr})
	y, _, _ = frame.RGBToYCbCr(255, 255, 255)
	require.Equal(t, uint8(235), y)
}

func TestCloneIsDeep(t *testing.T) {
	v := frame.NewVideo(frame.Gray8, 3, 2)
	v.Planes[0][0] = 7
	c := v.Clone()
	c.Planes[0][0] = 9
	require.Equal(t, byte(7), v.Planes[0][0])
}

func TestAudioConvert(t *testing.T) {
	a := frame.NewS16(2, 8000, []int16{0, 16384, -32768, 32767})
	require.Equal(t, 2, a.Samples)
	require.Equal(t, 250*time.Microsecond, a.Duration())
	p, err := a.Convert(frame.F32P)
	require.NoError(t, err)
	require.Len(t, p.Data, 2)
	require.Equal(t, []float32{0, 0.5, -1, 32767.0 / 32768}, p.Float32s())
	back, err := p.Convert(frame.S16)
	require.NoError(t, err)
	require.Equal(t, []int16{0, 16384, -32768, 32767}, back.Int16s())
	f := frame.NewF32(1, 8000, []float32{2, -2})
	require.Equal(t, []int16{32767, -32768}, f.Int16s(), "floats clip")
	_, err = a.Convert(frame.SampleFormatUnknown)
	require.ErrorIs(t, err, frame.ErrBadFrame)
}
