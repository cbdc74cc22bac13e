package shotchange_test

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/shotchange"
	"github.com/stretchr/testify/require"
)

// threeShots is the ffmpeg filter graph of the golden clip: three shots of
// 50 frames, 160x120 at 25 fps, from three unrelated sources.
const threeShots = "testsrc=size=160x120:rate=25:duration=2[a];" +
	"smptebars=size=160x120:rate=25:duration=2[b];" +
	"mandelbrot=size=160x120:rate=25[c0];[c0]trim=end_frame=50[c];" +
	"[a][b][c]concat=n=3:v=1:a=0,format=yuv420p"

// pan is 300 frames of one shot that moves: a slow pan and zoom over a
// test card, with no cut in it.
const pan = "testsrc2=size=320x240:rate=25:duration=12,scale=480:360," +
	"crop=160:120:x='t*20':y='t*10',format=yuv420p"

// rawFrames runs ffmpeg over a lavfi graph and returns its yuv420p frames,
// skipping the test when ffmpeg is not installed.
func rawFrames(t testing.TB, graph string, w, h int) []*frame.Video {
	t.Helper()
	path, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(path, "-hide_banner", "-loglevel", "error", "-nostdin",
		"-f", "lavfi", "-i", graph, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	size := w*h + 2*((w+1)/2)*((h+1)/2)
	require.Zero(t, len(out)%size, "ffmpeg gave a part of a frame")
	var vs []*frame.Video
	for off := 0; off < len(out); off += size {
		v := frame.NewVideo(frame.YUV420P, w, h)
		b := out[off : off+size]
		for i := range v.Planes {
			n := copy(v.Planes[i], b)
			b = b[n:]
		}
		vs = append(vs, v)
	}
	return vs
}

func detect(t testing.TB, vs []*frame.Video, first int, threshold float64) []shotchange.Cut {
	t.Helper()
	tr, err := shotchange.NewTracker(threshold)
	require.NoError(t, err)
	var cuts []shotchange.Cut
	for i, v := range vs {
		c, ok, err := shotchange.PushVideo(tr, shotchange.Frame{Number: first + i, Video: v})
		require.NoError(t, err)
		if ok {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

func TestGoldenThreeShotClip(t *testing.T) {
	vs := rawFrames(t, threeShots, 160, 120)
	require.Len(t, vs, 150)
	cuts := detect(t, vs, 0, shotchange.DefaultThreshold)
	require.Len(t, cuts, 2)
	require.Equal(t, 49, cuts[0].Frame)
	require.InDelta(t, 1.0191, cuts[0].Confidence, 0.0001)
	require.Equal(t, 99, cuts[1].Frame)
	require.InDelta(t, 0.9650, cuts[1].Confidence, 0.0001)
}

// The cut is reported fifteen frames late, yet with the number its frame
// came with.
func TestFrameNumbersSurviveLatency(t *testing.T) {
	cuts := detect(t, rawFrames(t, threeShots, 160, 120), 1000, shotchange.DefaultThreshold)
	require.Equal(t, []int{1049, 1099}, []int{cuts[0].Frame, cuts[1].Frame})
	require.Len(t, cuts, 2)
}

func TestThresholdDropsWeakerCut(t *testing.T) {
	cuts := detect(t, rawFrames(t, threeShots, 160, 120), 0, 0.95)
	require.Len(t, cuts, 2, "0.9650 is above 0.95")
	cuts = detect(t, rawFrames(t, threeShots, 160, 120), 0, 0.97)
	require.Len(t, cuts, 1)
	require.Equal(t, 49, cuts[0].Frame)
}

func TestPanWithoutCutReportsNothing(t *testing.T) {
	vs := rawFrames(t, pan, 160, 120)
	require.Len(t, vs, 300)
	require.Empty(t, detect(t, vs, 0, shotchange.DefaultThreshold))
	// The pan does move: a low enough threshold hears its motion, so the
	// silence above is the threshold's doing, not a detector that is deaf.
	tr, err := shotchange.NewTracker(1e-9)
	require.NoError(t, err)
	var mads int
	for i, v := range vs {
		_, ok, err := shotchange.PushVideo(tr, shotchange.Frame{Number: i, Video: v})
		require.NoError(t, err)
		if ok {
			mads++
		}
	}
	require.Positive(t, mads, "the pan's motion gives spikes below the threshold")
}
