//go:build cgo

package av_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// Corrupt-input tests make FFmpeg complain on stderr; the components
	// report what matters on signal.
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	axontest.VerifyTestMain(m)
}

// pattern returns frame i of a moving test card: eight colour bars that
// shift by 4 pixels a frame over a grey ramp, with a white box whose place
// depends on i.
func pattern(i, w, h int) *frame.Video {
	bars := []color.RGBA{
		{255, 255, 255, 255}, {255, 255, 0, 255}, {0, 255, 255, 255}, {0, 255, 0, 255},
		{255, 0, 255, 255}, {255, 0, 0, 255}, {0, 0, 255, 255}, {0, 0, 0, 255},
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var c color.RGBA
			if y < h*2/3 {
				c = bars[((x+4*i)*len(bars)/w)%len(bars)]
			} else {
				g := uint8(x * 255 / w)
				c = color.RGBA{g, g, g, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	bx := (i * 7) % (w - 16)
	for y := h - 24; y < h-8; y++ {
		for x := bx; x < bx+16; x++ {
			img.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
		}
	}
	v, err := frame.FromImage(img, frame.YUV420P)
	if err != nil {
		panic(err)
	}
	v.FrameRate = frame.Rational{Num: 25, Den: 1}
	return v
}

func patterns(n, w, h int) []*frame.Video {
	var vs []*frame.Video
	for i := range n {
		vs = append(vs, pattern(i, w, h))
	}
	return vs
}

// encodeDirac runs DiracEncoder over frames and returns the stream.
func encodeDirac(t testing.TB, frames []*frame.Video) []byte {
	t.Helper()
	res := axontest.Run[*frame.Video, []byte](t, newDiracEncoder(), frames...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	return bytes.Join(res.Outputs, nil)
}

// chunks cuts b into pieces of random sizes from 1 to max bytes.
func chunks(b []byte, max int, seed uint64) [][]byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var out [][]byte
	for len(b) > 0 {
		n := min(len(b), 1+r.IntN(max))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// ffmpeg runs the ffmpeg CLI, skipping the test when it is not installed.
func ffmpeg(t testing.TB, args ...string) []byte {
	t.Helper()
	return runTool(t, "ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, args...)...)
}

func runTool(t testing.TB, tool string, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s is not installed (make setup installs it)", tool)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v: %s", tool, args, stderr.String())
	return out
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// collect runs comp over inputs and returns its outputs, its signals and
// its failure.
func collect[In, Out any](t testing.TB, comp axon.Component, inputs ...In) axontest.Result[Out] {
	t.Helper()
	return axontest.Run[In, Out](t, comp, inputs...)
}

var _ = context.Background
