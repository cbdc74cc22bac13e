//go:build cgo

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

// threeShotClip makes the golden clip with the ffmpeg CLI: three 50-frame
// shots (testsrc, smptebars, mandelbrot), 160x120 at 25 fps, coded
// losslessly so that the luma is FFmpeg's own.
func threeShotClip(t *testing.T) string {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (make setup installs it)")
	}
	path := filepath.Join(t.TempDir(), "three shots.mkv")
	graph := "testsrc=size=160x120:rate=25:duration=2[a];" +
		"smptebars=size=160x120:rate=25:duration=2[b];" +
		"mandelbrot=size=160x120:rate=25[c0];[c0]trim=end_frame=50[c];" +
		"[a][b][c]concat=n=3:v=1:a=0,format=yuv420p"
	out, err := exec.Command(ff, "-hide_banner", "-loglevel", "error", "-nostdin",
		"-f", "lavfi", "-i", graph, "-c:v", "ffv1", path).CombinedOutput()
	require.NoError(t, err, string(out))
	return path
}

func shotChanges(args ...string) (stdout, stderr string, code int) {
	var out, errs bytes.Buffer
	code = run(context.Background(), append([]string{"shotchanges"}, args...), &out, &errs)
	return out.String(), errs.String(), code
}

const goldenCuts = `<?xml version="1.0" encoding="ISO-8859-1"?>

<detected_cuts xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="DetectedShotChanges.xsd">
    <cut frame="49" confidence="1.0191" />
    <cut frame="99" confidence="0.9650" />
</detected_cuts>

`

func TestShotChangesGoldenDocument(t *testing.T) {
	clip := threeShotClip(t)
	out, errs, code := shotChanges(clip)
	require.Equal(t, 0, code, errs)
	require.Equal(t, goldenCuts, out)
	require.Empty(t, errs)
}

func TestShotChangesThreshold(t *testing.T) {
	clip := threeShotClip(t)
	out, errs, code := shotChanges("0.97", clip)
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `<cut frame="49" confidence="1.0191" />`)
	require.NotContains(t, out, `frame="99"`)
	for _, bad := range []string{"0", "abc", "-1", "NaN"} {
		out, errs, code := shotChanges(bad, clip)
		require.Equal(t, 1, code, bad)
		require.Empty(t, out, bad)
		require.Contains(t, errs, "usage: kamaelia shotchanges", bad)
		require.Contains(t, errs, "is not a positive number", bad)
	}
}

func TestShotChangesBadCommandLine(t *testing.T) {
	_, errs, code := shotChanges()
	require.Equal(t, 2, code)
	require.Contains(t, errs, "usage: kamaelia shotchanges")
	_, errs, code = shotChanges(filepath.Join(t.TempDir(), "missing.mkv"))
	require.Equal(t, 1, code)
	require.Contains(t, errs, "no such file")
	out, _, code := shotChanges("--help")
	require.Equal(t, 0, code)
	require.Contains(t, out, "--split DIR")
}

func TestShotChangesNotAVideo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "junk.mkv")
	require.NoError(t, os.WriteFile(p, []byte("this is not a video"), 0o644))
	_, errs, code := shotChanges(p)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "kamaelia shotchanges: ")
}

func TestShotChangesSplit(t *testing.T) {
	clip := threeShotClip(t)
	dir := filepath.Join(t.TempDir(), "shots")
	out, errs, code := shotChanges("--split", dir, clip)
	require.Equal(t, 0, code, errs)
	require.Equal(t, goldenCuts, out)
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Equal(t, []string{
		filepath.Join(dir, "shot-0001.mkv"), filepath.Join(dir, "shot-0002.mkv"), filepath.Join(dir, "shot-0003.mkv"),
	}, names)
	// Each file holds its 50 frames, the first one the first of its shot
	// (compared with the whole clip's frame 0, 50 and 100).
	var whole []*frame.Video
	require.NoError(t, decodeVideo(context.Background(), clip, func(_ int, v *frame.Video) error {
		whole = append(whole, v)
		return nil
	}))
	for i, name := range names {
		var got []*frame.Video
		require.NoError(t, decodeVideo(context.Background(), name, func(_ int, v *frame.Video) error {
			got = append(got, v)
			return nil
		}))
		require.Len(t, got, 50, name)
		require.Equal(t, whole[50*i].Planes[0], got[0].Planes[0], name)
		require.Equal(t, whole[50*i+49].Planes[0], got[49].Planes[0], name)
		require.Zero(t, got[0].PTS, name)
	}
}
