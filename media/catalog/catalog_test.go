//go:build cgo

package catalog_test

import (
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newCatalog is the standard catalogue and the media one, over e.
func newCatalog(e catalog.Env) *launch.Registry {
	r := catalog.New(e)
	mediacatalog.Register(r, e)
	return r
}

// testEnv is an Env with no input and no output.
func testEnv() (catalog.Env, struct{}, struct{}) {
	return catalog.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}, struct{}{}, struct{}{}
}

// runLaunched builds src with the catalogue and runs it to its end.
func runLaunched(t *testing.T, e catalog.Env, src string) {
	t.Helper()
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(src, launch.OnScheduler(s))
	require.NoError(t, err)
	require.NoError(t, s.RunContext(axontest.Context(t), l.Component()))
}

// TestMediaCatalogTellsTheTruth builds every media entry with the least it
// needs: Build checks each component's boxes against what its entry
// declares, which is what --help lists. Names lists exactly them.
// Transcode reads its input's header when built: a tenth of a second of
// silence in WAV, written here.
func TestMediaCatalogTellsTheTruth(t *testing.T) {
	dir := t.TempDir()
	never := filepath.Join(dir, "never-written")
	wav := filepath.Join(dir, "silence.wav")
	require.NoError(t, os.WriteFile(wav, silenceWAV(800, 8000), 0o644))
	minimal := map[string]string{
		"Encoder":     "codec=mpeg4",
		"FileMuxer":   "filename=" + never + ".mkv",
		"Muxer":       "format=matroska",
		"FileDemuxer": "filename=x.mkv",
		"FileDecoder": "filename=x.mkv",
		"VideoFilter": "graph=null",
		"AudioFilter": "graph=anull",
		"Transcode":   "input=" + wav + " output=" + never + ".wav acodec=pcm_s16le",
	}
	e, _, _ := testEnv()
	r := launch.NewRegistry()
	mediacatalog.Register(r, e)
	assert.Equal(t, mediacatalog.Names, r.Names())
	for _, name := range r.Names() {
		t.Run(name, func(t *testing.T) {
			l, err := r.BuildString(name+" "+minimal[name], launch.OnScheduler(axontest.NewScheduler(t)))
			require.NoError(t, err)
			require.NoError(t, l.Close())
		})
	}
}

// silenceWAV returns a WAV file of n samples of 16-bit mono silence.
func silenceWAV(n, rate int) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00")
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(2*rate))
	b = append(b, 2, 0, 16, 0)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(2*n))
	b = append(b, make([]byte, 2*n)...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// TestLaunchDiracRoundTrip makes a clip with the ffmpeg command, encodes
// it to Dirac with a launched Graphline, and decodes that with a launched
// Pipeline: the frames come back, as many and as large.
func TestLaunchDiracRoundTrip(t *testing.T) {
	ctx := axontest.Context(t)
	dir := t.TempDir()
	clip, drc := filepath.Join(dir, "clip.mkv"), filepath.Join(dir, "clip.drc")
	ffmpeg := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
		"-frames:v", "5", "-pix_fmt", "yuv420p", "-c:v", "ffv1", clip)
	out, err := ffmpeg.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)

	e, _, _ := testEnv()
	runLaunched(t, e, `FileDecoder name=d filename=`+clip+`  d.video ! enc.  d.signal ! enc.control
		DiracEncoder name=enc ! SimpleFileWriter filename=`+drc)

	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`ReadFileAdaptor filename=`+drc+` mode=block ! DiracDecoder ! FrameRateLimit rate=1000`, launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	frames, err := axontest.Collect[*frame.Video](ctx, h, "outbox")
	require.NoError(t, err)
	require.Len(t, frames, 5)
	for _, f := range frames {
		assert.Equal(t, [2]int{64, 48}, [2]int{f.Width, f.Height})
	}
	require.NoError(t, h.Wait(ctx))
}

// TestLaunchTranscodeDiracToH264InMP4 transcodes a Dirac file to H.264 in
// MP4 with one launched line: the ffprobe CLI finds every frame, at the
// clip's size.
func TestLaunchTranscodeDiracToH264InMP4(t *testing.T) {
	ctx := axontest.Context(t)
	dir := t.TempDir()
	drc, mp4 := filepath.Join(dir, "clip.drc"), filepath.Join(dir, "clip.mp4")
	ffmpeg := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
		"-frames:v", "5", "-pix_fmt", "yuv420p", "-c:v", "vc2", "-b:v", "2M", "-f", "dirac", drc)
	out, err := ffmpeg.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)

	e, _, _ := testEnv()
	runLaunched(t, e, `FileDecoder name=d filename=`+drc+`  d.video ! enc.video  d.signal ! enc.control
		Encoder name=enc codec=libx264 gop=5 options={"preset=ultrafast", "crf=30"} ! FileMuxer filename=`+mp4)

	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", mp4).Output()
	require.NoError(t, err)
	assert.Equal(t, "h264,64,48,5\n", string(probe))

	// A bad option is a clear error when the description is built.
	_, err = newCatalog(e).BuildString(`Encoder codec=mpeg4 options={nokey}`)
	require.ErrorContains(t, err, "not key=value")
}

// TestLaunchTranscodeElement transcodes a clip with the Transcode element
// in one line.
func TestLaunchTranscodeElement(t *testing.T) {
	ctx := axontest.Context(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.mkv"), filepath.Join(dir, "out.mkv")
	ffmpeg := exec.CommandContext(ctx, "ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10",
		"-f", "lavfi", "-i", "sine", "-t", "1", "-pix_fmt", "yuv420p", "-c:v", "ffv1", "-c:a", "pcm_s16le", in)
	outp, err := ffmpeg.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", outp)

	e, _, _ := testEnv()
	runLaunched(t, e, `Transcode input=`+in+` output=`+out+` vcodec=mpeg4 vfilter="scale=32:24" acodec=libvorbis`)
	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-count_frames", "-show_entries",
		"stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", out).Output()
	require.NoError(t, err)
	assert.Contains(t, string(probe), "mpeg4,32,24,10\n")
	assert.Contains(t, string(probe), "vorbis,")
}
