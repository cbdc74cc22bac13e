//go:build cgo

package av_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clip makes a Matroska clip of seconds of a test card (FFV1) and a tone
// (PCM) with the ffmpeg CLI.
func clip(t testing.TB, seconds string) string {
	t.Helper()
	path := writeTemp(t, "in.mkv", nil)
	ffmpeg(t, "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi",
		"-i", "sine=frequency=1000:sample_rate=44100", "-t", seconds, "-c:v", "ffv1",
		"-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", path)
	return path
}

// runTranscode runs a Transcode and returns its progress reports and its
// outcome.
func runTranscode(t testing.TB, spec av.TranscodeSpec) ([]av.Progress, error) {
	t.Helper()
	tc, err := av.NewTranscode(spec)
	require.NoError(t, err)
	h, err := axon.NewHandle(axon.NewScheduler(), tc)
	require.NoError(t, err)
	ctx := t.Context()
	prog, err := axontest.Collect[av.Progress](ctx, h, "progress")
	require.NoError(t, err)
	return prog, h.Close()
}

func TestTranscodeFFV1AndPCMToH264AndAACInMP4(t *testing.T) {
	in := clip(t, "3")
	out := filepath.Join(t.TempDir(), "out.mp4")
	prog, err := runTranscode(t, av.TranscodeSpec{
		Input: in, Output: out,
		Video: &av.StreamSpec{Codec: "libx264", Filter: "scale=160:120", Options: map[string]string{"preset": "ultrafast"}},
		Audio: &av.StreamSpec{Codec: "aac", BitRate: 64_000, Filter: "aresample=48000"},
	})
	require.NoError(t, err)
	st := ffprobe(t, out)
	require.Len(t, st, 2)
	assert.Equal(t, [4]any{"h264", 160, 120, 75}, [4]any{st[0].CodecName, st[0].Width, st[0].Height, st[0].frames()})
	assert.Equal(t, [3]any{"aac", 48000, 1}, [3]any{st[1].CodecName, st[1].rate(), st[1].Channels})
	decodeWithCLI(t, out)

	// A report a second of media, then the last, complete one.
	require.GreaterOrEqual(t, len(prog), 3)
	for i := 1; i < len(prog); i++ {
		assert.GreaterOrEqual(t, prog[i].Time, prog[i-1].Time)
		assert.Greater(t, prog[i].Packets, prog[i-1].Packets)
	}
	last := prog[len(prog)-1]
	assert.True(t, last.Done)
	assert.InDelta(t, 3, last.Duration.Seconds(), 0.05)
	assert.InDelta(t, 3, last.Time.Seconds(), 0.1)
	assert.Equal(t, 1.0, last.Fraction())
	assert.Contains(t, last.String(), "of 3.0s (100%)")
	t.Log(prog[0], "...", last)
}

func TestTranscodeOfOneStreamAndBadSpecs(t *testing.T) {
	in := clip(t, "1")
	dir := t.TempDir()
	out := filepath.Join(dir, "out.ogg")
	_, err := runTranscode(t, av.TranscodeSpec{Input: in, Output: out, Audio: &av.StreamSpec{Codec: "libvorbis"}})
	require.NoError(t, err)
	st := ffprobe(t, out)
	require.Len(t, st, 1)
	assert.Equal(t, "vorbis", st[0].CodecName)

	_, err = av.NewTranscode(av.TranscodeSpec{Input: "/nonexistent.mkv", Output: out, Video: &av.StreamSpec{Codec: "mpeg4"}})
	require.ErrorContains(t, err, "No such file")
	_, err = av.NewTranscode(av.TranscodeSpec{Input: in, Output: out})
	require.ErrorContains(t, err, "nothing to write")
	wav := writeTemp(t, "tone.wav", nil)
	ffmpeg(t, "-y", "-f", "lavfi", "-i", "sine", "-t", "0.2", wav)
	_, err = av.NewTranscode(av.TranscodeSpec{Input: wav, Output: out, Video: &av.StreamSpec{Codec: "mpeg4"}})
	require.ErrorContains(t, err, "has no video stream")

	// A child's failure fails the transcode and leaves no file.
	bad := filepath.Join(dir, "bad.mp4")
	_, err = runTranscode(t, av.TranscodeSpec{Input: in, Output: bad,
		Video: &av.StreamSpec{Codec: "libx264", Options: map[string]string{"no_such_option": "1"}}})
	require.ErrorContains(t, err, `no option "no_such_option"`)
	_, err = os.Stat(bad)
	require.True(t, os.IsNotExist(err))
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, left, 1) // out.ogg only
}
