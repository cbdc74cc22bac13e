package shotchange_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/shotchange"
	"github.com/stretchr/testify/require"
)

func numbered(vs []*frame.Video, first int) []shotchange.Frame {
	fs := make([]shotchange.Frame, len(vs))
	for i, v := range vs {
		fs[i] = shotchange.Frame{Number: first + i, Video: v}
	}
	return fs
}

func TestDetectorSendsCutsAndEndsOnProducerFinished(t *testing.T) {
	res := axontest.Run[shotchange.Frame, shotchange.Cut](t, shotchange.NewDetector(), numbered(rawFrames(t, threeShots, 160, 120), 0)...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	require.Len(t, res.Outputs, 2)
	require.Equal(t, 49, res.Outputs[0].Frame)
	require.Equal(t, 99, res.Outputs[1].Frame)
}

func TestDetectorThresholdField(t *testing.T) {
	d := shotchange.NewDetector()
	d.Threshold = 1.0
	res := axontest.Run[shotchange.Frame, shotchange.Cut](t, d, numbered(rawFrames(t, threeShots, 160, 120), 0)...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 1)
	require.Equal(t, 49, res.Outputs[0].Frame)
}

func TestDetectorShutdownEndsAtOnce(t *testing.T) {
	res := axontest.RunControl[shotchange.Frame, shotchange.Cut](t, shotchange.NewDetector(),
		numbered(rawFrames(t, threeShots, 160, 120)[:20], 0), axon.Shutdown{})
	require.NoError(t, res.Err)
	require.Empty(t, res.Outputs)
	require.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestDetectorRefusesBadFrames(t *testing.T) {
	grey := func(w, h int) *frame.Video { return frame.NewVideo(frame.YUV420P, w, h) }
	for name, tc := range map[string]struct {
		frames []shotchange.Frame
		want   string
	}{
		"size change": {[]shotchange.Frame{{1, grey(16, 16)}, {2, grey(32, 16)}}, "frame 2 is 32x16, the frames before it 16x16"},
		"no picture":  {[]shotchange.Frame{{7, nil}}, "frame 7: no picture"},
		"rgba":        {[]shotchange.Frame{{3, frame.NewVideo(frame.RGBA, 8, 8)}}, "frame 3 is rgba: shotchange: the frame has no luma plane"},
		"invalid":     {[]shotchange.Frame{{4, &frame.Video{Format: frame.YUV420P, Width: 8, Height: 8}}}, "frame 4"},
	} {
		t.Run(name, func(t *testing.T) {
			res := axontest.Run[shotchange.Frame, shotchange.Cut](t, shotchange.NewDetector(), tc.frames...)
			require.Error(t, res.Err)
			require.Contains(t, res.Err.Error(), tc.want)
		})
	}
}

func TestDetectorRefusesBadThreshold(t *testing.T) {
	for _, th := range []float64{0, -1} {
		d := shotchange.NewDetector()
		d.Threshold = th
		res := axontest.Run[shotchange.Frame, shotchange.Cut](t, d)
		require.ErrorContains(t, res.Err, "not a positive number")
	}
}

func TestTrackerPushChecksPlane(t *testing.T) {
	tr, err := shotchange.NewTracker(0.9)
	require.NoError(t, err)
	_, _, err = tr.Push(5, make([]byte, 10), 4, 4, 4)
	require.ErrorContains(t, err, "frame 5: a 4x4 luma plane of stride 4 cannot be 10 bytes")
	require.Equal(t, 0.9, tr.Threshold())
}

// Strided rows give the same differences as tight ones: padding is not
// picture.
func TestTrackerIgnoresStridePadding(t *testing.T) {
	vs := rawFrames(t, threeShots, 160, 120)
	tight := detect(t, vs, 0, 0.5)
	tr, err := shotchange.NewTracker(0.5)
	require.NoError(t, err)
	var padded []shotchange.Cut
	for i, v := range vs {
		p := make([]byte, 200*120)
		for y := range 120 {
			copy(p[y*200:], v.Planes[0][y*160:(y+1)*160])
			for x := 160; x < 200; x++ {
				p[y*200+x] = byte(i * 37) // junk that changes every frame
			}
		}
		c, ok, err := tr.Push(i, p, 160, 120, 200)
		require.NoError(t, err)
		if ok {
			padded = append(padded, c)
		}
	}
	require.Equal(t, tight, padded)
	require.NotEmpty(t, tight)
}

func TestCutString(t *testing.T) {
	require.Equal(t, "frame 49 (confidence 1.0191)", shotchange.Cut{Frame: 49, Confidence: 1.01912}.String())
}
