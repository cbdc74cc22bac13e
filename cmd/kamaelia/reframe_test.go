//go:build cgo

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// ffmpegCLI runs the ffmpeg CLI and returns its stdout, skipping the test
// when ffmpeg is not installed.
func ffmpegCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(ff, append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	return out
}

// numberedClip makes a 4-second 320x240 clip, 25 fps, whose frame n has
// luma 16+2n all over, with a tone of 440 Hz in its first second, 660 in
// its second, 880 in its third and 1100 in its fourth; lossless.
func numberedClip(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "numbered.mkv")
	ffmpegCLI(t, "-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=4,format=yuv420p,geq=lum='16+2*N':cb=128:cr=128",
		"-f", "lavfi", "-i", "aevalsrc='sin(2*PI*(440+220*floor(t))*t)':s=48000:d=4",
		"-c:v", "ffv1", "-c:a", "pcm_s16le", path)
	return path
}

func writeEDL(t testing.TB, edits ...string) string {
	t.Helper()
	doc := `<?xml version="1.0" encoding="ISO-8859-1"?>` + "\n<EDL>\n    <FileID>clip</FileID>\n"
	for _, e := range edits {
		doc += "    <Edit>" + e + "</Edit>\n"
	}
	doc += "</EDL>\n"
	p := filepath.Join(t.TempDir(), "edl.xml")
	require.NoError(t, os.WriteFile(p, []byte(doc), 0o644))
	return p
}

func edit(start, end, x1, y1, x2, y2 int) string {
	return fmt.Sprintf(`<Start frame="%d" /><End frame="%d" /><Crop x1="%d" y1="%d" x2="%d" y2="%d" />`, start, end, x1, y1, x2, y2)
}

func reframeCmd(args ...string) (stdout, stderr string, code int) {
	var out, errs bytes.Buffer
	code = run(context.Background(), append([]string{"reframe"}, args...), &out, &errs)
	return out.String(), errs.String(), code
}

// grayFrames decodes a file's pictures with the ffmpeg CLI and returns
// their luma planes (yuv420p's, video range: "gray" would be rescaled to
// full range).
func grayFrames(t *testing.T, path string, w, h int) [][]byte {
	t.Helper()
	raw := ffmpegCLI(t, "-i", path, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
	size := w*h + 2*(w/2)*(h/2)
	require.Zero(t, len(raw)%size)
	var fs [][]byte
	for off := 0; off < len(raw); off += size {
		fs = append(fs, raw[off:off+w*h])
	}
	return fs
}

// monoSamples decodes a file's sound as mono floats at 48 kHz.
func monoSamples(t *testing.T, path string) []float32 {
	t.Helper()
	raw := ffmpegCLI(t, "-i", path, "-f", "f32le", "-ac", "1", "-ar", "48000", "-")
	s := make([]float32, len(raw)/4)
	for i := range s {
		s[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return s
}

// tone estimates the frequency of a stretch of sound from its zero
// crossings.
func tone(s []float32) float64 {
	crossings := 0
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(s)) / 48000)
}

// The EDL {30..39, 0..4} gives 15 frames showing 30..39 then 0..4, each
// with the sound of its own source frame.
func TestReframeOrderCountAndSound(t *testing.T) {
	clip := numberedClip(t)
	edl := writeEDL(t, edit(30, 39, 0, 0, 320, 240), edit(0, 4, 40, 40, 200, 140))
	out := filepath.Join(t.TempDir(), "out.mkv")
	_, errs, code := reframeCmd("--vcodec", "ffv1", "--acodec", "pcm_s16le", clip, edl, out, "240", "160")
	require.Equal(t, 0, code, errs)
	fs := grayFrames(t, out, 240, 160)
	require.Len(t, fs, 15)
	for i, want := range []int{30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 0, 1, 2, 3, 4} {
		require.InDelta(t, 16+2*want, int(fs[i][120*240+160]), 1, "output frame %d", i)
	}
	s := monoSamples(t, out)
	// 15 frames at 25 fps are 0.6 s: within one frame (1,920 samples).
	require.InDelta(t, 28800, len(s), 1920)
	require.InDelta(t, 660, tone(s[:19200]), 15, "frames 30..39 are in the second second")
	require.InDelta(t, 440, tone(s[19200:]), 15, "frames 0..4 are in the first")
}

// The tone follows the edits across seconds, in the list's order, through
// the default encoders (H.264 and AAC) in an MP4.
func TestReframeDefaultCodecsToneSegments(t *testing.T) {
	clip := numberedClip(t)
	edl := writeEDL(t, edit(75, 99, 0, 0, 320, 240), edit(25, 49, 0, 0, 320, 240), edit(50, 74, 0, 0, 320, 240))
	out := filepath.Join(t.TempDir(), "out.mp4")
	_, errs, code := reframeCmd(clip, edl, out, "160", "120")
	require.Equal(t, 0, code, errs)
	require.Len(t, grayFrames(t, out, 160, 120), 75)
	s := monoSamples(t, out)
	require.InDelta(t, 3*48000, len(s), 1920+2048, "AAC may add a frame of priming")
	// The middles of the three seconds, away from AAC's edges.
	for i, want := range []float64{1100, 660, 880} {
		mid := i*48000 + 12000
		require.InDelta(t, want, tone(s[mid:mid+24000]), 20, "second %d", i)
	}
}

// A marker inside the crop box lands at its scaled place in the 240x160
// output: crop (100,50)-(260,130) stretched 1.5x wide and 2x tall puts the
// 8x8 marker at (180,90) at (120,80), 12x16.
func TestReframeMarkerLandsAtScaledPosition(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "card.mkv")
	ffmpegCLI(t, "-f", "lavfi", "-i", "color=0x202020:s=320x240:r=25:d=1,drawbox=x=180:y=90:w=8:h=8:color=white:t=fill,format=yuv420p",
		"-c:v", "ffv1", clip)
	edl := writeEDL(t, edit(0, 9, 100, 50, 260, 130))
	out := filepath.Join(t.TempDir(), "out.mp4")
	_, errs, code := reframeCmd(clip, edl, out, "240", "160")
	require.Equal(t, 0, code, errs)
	fs := grayFrames(t, out, 240, 160)
	require.Len(t, fs, 10)
	at := func(x, y int) int { return int(fs[5][y*240+x]) }
	require.Greater(t, at(126, 88), 200, "the marker's middle")
	for _, p := range [][2]int{{108, 88}, {144, 88}, {126, 70}, {126, 104}} {
		require.Less(t, at(p[0], p[1]), 60, "outside the marker at %v", p)
	}
}

func TestReframeErrors(t *testing.T) {
	clip := numberedClip(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mkv")
	good := writeEDL(t, edit(0, 4, 0, 0, 320, 240))

	_, errs, code := reframeCmd(clip, good, out, "240")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "usage: kamaelia reframe")
	_, errs, code = reframeCmd(clip, good, out, "241", "160")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "must be even")
	require.Contains(t, errs, "usage: kamaelia reframe")

	_, errs, code = reframeCmd(clip, writeEDL(t, edit(0, 4, 0, 0, 320, 240), edit(90, 120, 0, 0, 320, 240)), out, "240", "160")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "edit 2 (clip: frames 90..120, crop 0,0-320,240): frame 100 is past the end of the clip (100 frames)")

	_, errs, code = reframeCmd(clip, writeEDL(t, edit(9, 3, 0, 0, 320, 240)), out, "240", "160")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "edit 1: End frame 3 is before Start frame 9")

	_, errs, code = reframeCmd(clip, writeEDL(t, edit(0, 3, 0, 0, 400, 240)), out, "240", "160")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "edit 1: reframe: clip: frames 0..3, crop 0,0-400,240 is outside the 320x240 picture")

	_, errs, code = reframeCmd(clip, good, filepath.Join(dir, "out.nosuchformat"), "240", "160")
	require.Equal(t, 1, code, errs)

	// Nothing is left behind: no output, no temporary file.
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestReframeUnknownEncoderSaysSo(t *testing.T) {
	clip := numberedClip(t)
	dir := t.TempDir()
	_, errs, code := reframeCmd("--vcodec", "nosuchcodec", clip, writeEDL(t, edit(0, 4, 0, 0, 320, 240)), filepath.Join(dir, "out.mkv"), "240", "160")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "nosuchcodec")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}
