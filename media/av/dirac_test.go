//go:build cgo

package av_test

import (
	"bytes"
	"crypto/sha256"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

func newDiracEncoder() *av.DiracEncoder {
	e := av.NewDiracEncoder()
	e.BitRate = 5_000_000
	return e
}

func TestDiracEncoderOutputDecodesInFFmpeg(t *testing.T) {
	const n, w, h = 12, 320, 240
	stream := encodeDirac(t, patterns(n, w, h))
	path := writeTemp(t, "pattern.drc", stream)
	out := runTool(t, "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", path)
	require.Equal(t, "dirac,320,240,"+strconv.Itoa(n), strings.TrimSpace(string(out)))
}

func TestDiracDecoderMatchesFFmpegOnChunkedInput(t *testing.T) {
	const n, w, h = 10, 320, 240
	ref := writeTemp(t, "testsrc.drc", nil)
	ffmpeg(t, "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-frames:v", strconv.Itoa(n),
		"-c:v", "vc2", "-b:v", "5M", "-pix_fmt", "yuv420p", "-f", "dirac", ref)
	stream := readFile(t, ref)
	raw := ffmpeg(t, "-i", ref, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
	size := w * h * 3 / 2
	require.Equal(t, n*size, len(raw), "bytes the CLI decoded")

	for seed := range uint64(3) {
		dec := av.NewDiracDecoder()
		res := collect[[]byte, *frame.Video](t, dec, chunks(stream, 4096, seed)...)
		require.NoError(t, res.Err)
		require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
		require.Len(t, res.Outputs, n)
		for i, v := range res.Outputs {
			require.Equal(t, frame.YUV420P, v.Format)
			require.Equal(t, [2]int{w, h}, [2]int{v.Width, v.Height})
			require.Equal(t, frame.Rational{Num: 25, Den: 1}, v.FrameRate)
			require.Equal(t, sha256.Sum256(raw[i*size:(i+1)*size]), sha256.Sum256(v.Tight()), "frame %d, seed %d", i, seed)
		}
		require.Equal(t, int64(n), dec.Stats().Frames)
	}
}

func TestDiracRoundTripKeepsThePicture(t *testing.T) {
	const n, w, h = 5, 320, 240
	src := patterns(n, w, h)
	stream := encodeDirac(t, src)
	res := collect[[]byte, *frame.Video](t, av.NewDiracDecoder(), chunks(stream, 1500, 7)...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, n)
	for i, v := range res.Outputs {
		require.Greater(t, psnr(src[i].Planes[0], v.Planes[0]), 30.0, "frame %d luma", i)
		// A bar in the middle of the top: a known colour, not grey.
		x := (w/16 + w*3/8) % w
		got := v.RGBAAt(x, 10)
		want := src[i].RGBAAt(x, 10)
		require.InDelta(t, int(want.R), int(got.R), 24, "frame %d red", i)
		require.InDelta(t, int(want.G), int(got.G), 24, "frame %d green", i)
		require.InDelta(t, int(want.B), int(got.B), 24, "frame %d blue", i)
	}
}

func psnr(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return 99
	}
	mse := se / float64(len(a))
	return 10 * log10(255*255/mse)
}

func TestDiracDecoderBadInput(t *testing.T) {
	stream := encodeDirac(t, patterns(4, 160, 120))
	cases := map[string][]byte{
		"truncated":      stream[:len(stream)-1000],
		"not dirac":      []byte("this is not a Dirac stream, it is text"),
		"flipped prefix": flip(stream, 1, 2),
		"flipped offset": flip(stream, 7, 0),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			res := collect[[]byte, *frame.Video](t, av.NewDiracDecoder(), chunks(in, 700, 1)...)
			require.Error(t, res.Err)
			require.Len(t, res.Signals, 1)
			f, ok := res.Signals[0].(*axon.Failure)
			require.True(t, ok, "signal %v", res.Signals[0])
			require.Contains(t, f.Error(), "dirac")
			t.Log(f)
		})
	}
	// Payload bits flipped all over: whatever FFmpeg makes of it, no crash,
	// and the outcome is a clean end or a failure.
	for seed := range uint64(8) {
		in := bytes.Clone(stream)
		r := rand.New(rand.NewPCG(seed, 2))
		for k := range 40 {
			in[r.IntN(len(in))] ^= 1 << (k % 8)
		}
		res := collect[[]byte, *frame.Video](t, av.NewDiracDecoder(), chunks(in, 3000, seed)...)
		require.Len(t, res.Signals, 1)
		t.Logf("seed %d: %d frames, signal %v", seed, len(res.Outputs), res.Signals[0])
	}
}

func TestDiracDecoderSkipsCorruptData(t *testing.T) {
	stream := encodeDirac(t, patterns(4, 160, 120))
	junk := []byte("garbage before the stream")
	in := append(append(bytes.Clone(junk), stream...), stream[:100]...)
	dec := av.NewDiracDecoder()
	dec.OnCorrupt = av.Skip
	res := collect[[]byte, *frame.Video](t, dec, chunks(in, 500, 3)...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	require.Len(t, res.Outputs, 4)
	st := dec.Stats()
	require.Equal(t, int64(4), st.Frames)
	require.GreaterOrEqual(t, st.SkippedBytes, int64(len(junk)+100))
	require.GreaterOrEqual(t, st.Corrupt, int64(2))
}

func TestDiracDecoderShutdownStopsAtOnce(t *testing.T) {
	stream := encodeDirac(t, patterns(3, 160, 120))
	res := runControl[[]byte, *frame.Video](t, av.NewDiracDecoder(), chunks(stream, 1000, 1), axon.Shutdown{})
	require.NoError(t, res.Err)
	require.Len(t, res.Signals, 1)
	require.IsType(t, axon.Shutdown{}, res.Signals[0])
}

func flip(b []byte, at int, bit uint) []byte {
	c := bytes.Clone(b)
	c[at] ^= 1 << bit
	return c
}

func TestDiracEncoderRejectsFramesVC2CannotTake(t *testing.T) {
	res := collect[*frame.Video, []byte](t, av.NewDiracEncoder(), frame.NewVideo(frame.RGBA, 16, 16))
	require.ErrorContains(t, res.Err, "VC-2 takes yuv420p")
	res = collect[*frame.Video, []byte](t, av.NewDiracEncoder(), &frame.Video{Format: frame.YUV420P, Width: 16, Height: 16})
	require.ErrorIs(t, res.Err, frame.ErrBadFrame)
}

func TestDiracEncoderStartsANewSequenceOnASizeChange(t *testing.T) {
	in := append(patterns(2, 160, 120), patterns(2, 320, 240)...)
	stream := encodeDirac(t, in)
	res := collect[[]byte, *frame.Video](t, av.NewDiracDecoder(), chunks(stream, 2048, 9)...)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 4)
	require.Equal(t, 160, res.Outputs[1].Width)
	require.Equal(t, 320, res.Outputs[2].Width)
}
