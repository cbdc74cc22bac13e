//go:build cgo

package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/shotchange"
	"github.com/stretchr/testify/require"
)

// hdClip makes a 10-second 1080p H.264 clip of two shots (a moving test
// card, then colour bars), cut after frame 124, with the ffmpeg CLI.
func hdClip(b *testing.B) string {
	b.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Skip("ffmpeg is not installed (make setup installs it)")
	}
	path := filepath.Join(b.TempDir(), "hd.mp4")
	graph := "testsrc=size=1920x1080:rate=25:duration=5[a];" +
		"smptebars=size=1920x1080:rate=25:duration=5[b];" +
		"[a][b]concat=n=2:v=1:a=0,format=yuv420p"
	out, err := exec.Command(ff, "-hide_banner", "-loglevel", "error", "-nostdin",
		"-f", "lavfi", "-i", graph, "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", path).CombinedOutput()
	require.NoError(b, err, string(out))
	return path
}

// BenchmarkShotChangesFile1080p times the command's work on a 10-second
// 1080p file: decoding with media/av and detecting, one op a file. The
// x_realtime metric is 10 s over the time taken.
func BenchmarkShotChangesFile1080p(b *testing.B) {
	clip := hdClip(b)
	for b.Loop() {
		var cuts []shotchange.Cut
		require.NoError(b, detectCuts(context.Background(), clip, shotchange.DefaultThreshold, func(c shotchange.Cut) error {
			cuts = append(cuts, c)
			return nil
		}))
		require.Len(b, cuts, 1)
		require.Equal(b, 124, cuts[0].Frame)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
}

// BenchmarkFFmpegScdet1080p times FFmpeg's own scene change filter over the
// same file, decoding included, as the ffmpeg CLI runs it.
func BenchmarkFFmpegScdet1080p(b *testing.B) {
	clip := hdClip(b)
	for b.Loop() {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
			"-i", clip, "-vf", "scdet=threshold=10", "-f", "null", "-").CombinedOutput()
		require.NoError(b, err, string(out))
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
}
