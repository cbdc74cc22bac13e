package shotchange_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/media/shotchange"
)

// hdShots is 100 decoded 1080p frames in two shots.
const hdShots = "testsrc2=size=1920x1080:rate=25:duration=2[a];" +
	"mandelbrot=size=1920x1080:rate=25[b0];[b0]trim=end_frame=50[b];" +
	"[a][b]concat=n=2:v=1:a=0,format=yuv420p"

// BenchmarkDetector1080p times the detector alone on decoded 1080p frames,
// one frame an op, and reports how many times faster than real time at 25
// frames a second that is.
func BenchmarkDetector1080p(b *testing.B) {
	vs := rawFrames(b, hdShots, 1920, 1080)
	tr, err := shotchange.NewTracker(shotchange.DefaultThreshold)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1920 * 1080)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, _, err := shotchange.PushVideo(tr, shotchange.Frame{Number: n, Video: vs[n%len(vs)]}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	perFrame := b.Elapsed().Seconds() / float64(n)
	b.ReportMetric(1/perFrame/25, "x_realtime_25fps")
}
