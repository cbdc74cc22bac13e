//go:build cgo

package av_test

import (
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVideoFilterScalesCropsAndChangesRate(t *testing.T) {
	src := timed(patterns(25, 320, 240))
	res := axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("crop=160:120:0:0,scale=80:60,fps=10"), src...)
	require.NoError(t, res.Err)
	// One second at 10 frames a second.
	require.Len(t, res.Outputs, 10)
	v := res.Outputs[0]
	assert.Equal(t, [3]any{80, 60, frame.YUV420P}, [3]any{v.Width, v.Height, v.Format})
	assert.Equal(t, frame.Rational{Num: 10, Den: 1}, v.FrameRate)
	for i, v := range res.Outputs {
		assert.Equal(t, time.Duration(i)*100*time.Millisecond, v.PTS, "frame %d", i)
	}
	// The crop kept the top left: the white bar, then yellow.
	c := v.RGBAAt(2, 2)
	assert.Greater(t, int(c.R)+int(c.G)+int(c.B), 3*220)

	// hflip mirrors each row: the first luma byte of a row is the last.
	res = axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("hflip"), src[:1]...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 1)
	assert.Equal(t, src[0].Row(0, 5)[0], res.Outputs[0].Row(0, 5)[319])
}

func TestVideoFilterRebuildsForANewSize(t *testing.T) {
	in := []*frame.Video{pattern(0, 160, 120), pattern(1, 160, 120), pattern(2, 64, 48)}
	for i, v := range in {
		v.PTS = time.Duration(i) * 40 * time.Millisecond
	}
	res := axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("scale=iw/2:ih/2"), in...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 3)
	assert.Equal(t, 80, res.Outputs[0].Width)
	assert.Equal(t, 32, res.Outputs[2].Width)
}

// Frames made without a PTS are timed at their rate, so that the fps
// filter, which goes by time, keeps them.
func TestVideoFilterTimesUntimedFrames(t *testing.T) {
	src := patterns(10, 64, 48) // 25 a second, all at PTS 0
	res := axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("fps=25"), src...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 10)
	for i, v := range res.Outputs {
		assert.Equal(t, time.Duration(i)*40*time.Millisecond, v.PTS, "frame %d", i)
	}
}

func TestAudioFilterResamples(t *testing.T) {
	f := av.NewAudioFilter("aresample=8000")
	res := axontest.Run[*frame.Audio, *frame.Audio](t, f, sine(1000, 44100, 2, 1)...)
	require.NoError(t, res.Err)
	require.NotEmpty(t, res.Outputs)
	assert.Equal(t, 8000, res.Outputs[0].Rate)
	assert.Equal(t, 2, res.Outputs[0].Channels)
	hz, n := tone(res.Outputs)
	assert.InDelta(t, 1000, hz, 5)
	assert.InDelta(t, 8000, n, 20)
	assert.Equal(t, int64(len(res.Outputs)), f.Stats().Frames)

	// Resampled for Opus, which takes 48 kHz and not 44.1.
	res = axontest.Run[*frame.Audio, *frame.Audio](t, av.NewAudioFilter("aresample=48000"), sine(1000, 44100, 1, 1)...)
	require.NoError(t, res.Err)
	ps := encodeAudio(t, av.NewEncoder("libopus"), res.Outputs)
	require.NotEmpty(t, ps)
	assert.Equal(t, 48000, ps[0].Params.SampleRate)
}

func TestFiltersRejectBadGraphs(t *testing.T) {
	res := axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("scale=abc:def:nonsense"), pattern(0, 64, 48))
	require.ErrorContains(t, res.Err, "video filter")
	res = axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("no_such_filter"), pattern(0, 64, 48))
	require.ErrorContains(t, res.Err, `"no_such_filter"`)
	ares := axontest.Run[*frame.Audio, *frame.Audio](t, av.NewAudioFilter("aresample=-5"), sine(440, 8000, 1, 0.1)...)
	require.ErrorContains(t, ares.Err, "audio filter")
	bad := &frame.Video{Format: frame.YUV420P, Width: 10, Height: 10}
	res = axontest.Run[*frame.Video, *frame.Video](t, av.NewVideoFilter("null"), bad)
	require.ErrorIs(t, res.Err, frame.ErrBadFrame)
}
