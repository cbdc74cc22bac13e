//go:build cgo

package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// reframeBench makes the benchmarks' source, a 60-second 720p H.264 clip
// with AAC sound, and an EDL of three 20-second edits out of order, each
// with its own crop, to 320x240.
func reframeBench(b *testing.B) (clip, edl string) {
	b.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Skip("ffmpeg is not installed (make setup installs it)")
	}
	dir := b.TempDir()
	clip = filepath.Join(dir, "source.mp4")
	out, err := exec.Command(ff, "-hide_banner", "-loglevel", "error", "-nostdin",
		"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=60",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
		"-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", clip).CombinedOutput()
	require.NoError(b, err, string(out))
	edl = writeEDL(b, edit(1000, 1499, 640, 0, 1280, 480), edit(0, 499, 0, 0, 640, 480), edit(500, 999, 320, 120, 960, 600))
	return clip, edl
}

// BenchmarkReframe720p times kamaelia reframe over the clip: decoding,
// cropping and scaling, and encoding with libx264 and aac at their
// defaults into an MP4.
func BenchmarkReframe720p(b *testing.B) {
	clip, edl := reframeBench(b)
	out := filepath.Join(b.TempDir(), "out.mp4")
	for b.Loop() {
		_, errs, code := reframeCmd(clip, edl, out, "320", "240")
		require.Equal(b, 0, code, errs)
	}
}

// BenchmarkFFmpegReframe720p times the ffmpeg CLI doing the same: the
// same three ranges, crops and stretches, concatenated in the same order,
// with the sound cut alike, encoded with libx264 and aac at their
// defaults.
func BenchmarkFFmpegReframe720p(b *testing.B) {
	clip, _ := reframeBench(b)
	out := filepath.Join(b.TempDir(), "out.mp4")
	graph := "[0:v]split=3[v1][v2][v3];[0:a]asplit=3[a1][a2][a3];" +
		"[v1]trim=start_frame=1000:end_frame=1500,setpts=PTS-STARTPTS,crop=640:480:640:0,scale=320:240[o1];" +
		"[v2]trim=start_frame=0:end_frame=500,setpts=PTS-STARTPTS,crop=640:480:0:0,scale=320:240[o2];" +
		"[v3]trim=start_frame=500:end_frame=1000,setpts=PTS-STARTPTS,crop=640:480:320:120,scale=320:240[o3];" +
		"[a1]atrim=40:60,asetpts=PTS-STARTPTS[b1];[a2]atrim=0:20,asetpts=PTS-STARTPTS[b2];[a3]atrim=20:40,asetpts=PTS-STARTPTS[b3];" +
		"[o1][b1][o2][b2][o3][b3]concat=n=3:v=1:a=1[v][a]"
	for b.Loop() {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", clip,
			"-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-c:a", "aac", out).CombinedOutput()
		require.NoError(b, err, string(out))
	}
}
