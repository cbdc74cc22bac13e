//go:build cgo

package av_test

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
)

// BenchmarkTranscode720p transcodes a 1280x720 MPEG-4 clip of 5 seconds
// to H.264 (libx264, preset veryfast, crf 23) in MP4 through Transcode and,
// in the same run, with the ffmpeg CLI and the same encoder options, and
// reports both rates and their ratio (the goal is at least 0.9).
func BenchmarkTranscode720p(b *testing.B) {
	cli, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Skip("the ffmpeg CLI makes the clip and is the yardstick; it is not installed")
	}
	const n = 125
	dir := b.TempDir()
	in := filepath.Join(dir, "in.mkv")
	out, err := exec.Command(cli, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
		"-i", "testsrc=size=1280x720:rate=25", "-frames:v", strconv.Itoa(n),
		"-c:v", "mpeg4", "-q:v", "4", in).CombinedOutput()
	if err != nil {
		b.Fatalf("ffmpeg: %v: %s", err, out)
	}
	opts := map[string]string{"preset": "veryfast", "crf": "23"}
	fastest := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		tc, err := av.NewTranscode(av.TranscodeSpec{Input: in, Output: filepath.Join(dir, "out.mp4"),
			Video: &av.StreamSpec{Codec: "libx264", Options: opts}})
		if err != nil {
			b.Fatal(err)
		}
		if err := axon.NewScheduler().Run(tc); err != nil {
			b.Fatal(err)
		}
		fastest = min(fastest, time.Since(t0))
	}
	b.StopTimer()
	ours := n / fastest.Seconds()
	b.ReportMetric(ours, "best-frames/s")
	// The CLI's own -benchmark figure (the real time of its loop), the
	// best of two.
	best := math.Inf(1)
	rtime := regexp.MustCompile(`rtime=([0-9.]+)s`)
	for range 2 {
		res, err := exec.Command(cli, "-hide_banner", "-nostdin", "-benchmark", "-y", "-i", in,
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", filepath.Join(dir, "cli.mp4")).CombinedOutput()
		if err != nil {
			b.Fatalf("ffmpeg: %v: %s", err, res)
		}
		m := rtime.FindSubmatch(res)
		if m == nil {
			b.Fatalf("no rtime in ffmpeg's output: %s", res)
		}
		sec, _ := strconv.ParseFloat(string(m[1]), 64)
		best = min(best, sec)
	}
	theirs := n / best
	b.ReportMetric(theirs, "cli-best-frames/s")
	b.ReportMetric(ours/theirs, "ratio")
	_ = os.Remove(filepath.Join(dir, "cli.mp4"))
}
