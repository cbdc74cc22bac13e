//go:build cgo

package sdl_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/choose"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/stretchr/testify/require"
)

// testCard returns a 320x240 picture: four colour quadrants.
func testCard(i int) *frame.Video {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	quad := []color.RGBA{{230, 30, 30, 255}, {30, 200, 30, 255}, {30, 30, 230, 255}, {240, 240, 240, 255}}
	for y := range 240 {
		for x := range 320 {
			q := (x/160 + 2*(y/120) + i) % 4
			img.SetRGBA(x, y, quad[q])
		}
	}
	v, err := frame.FromImage(img, frame.YUV420P)
	if err != nil {
		panic(err)
	}
	return v
}

// TestVideoOverlayShowsDecodedDirac is the article's pipeline without the
// network: Dirac bytes -> DiracDecoder -> VideoOverlay, on a real SDL
// window, read back and checked.
func TestVideoOverlayShowsDecodedDirac(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 400, Height: 300})
	enc := av.NewDiracEncoder()
	enc.BitRate = 5_000_000
	res := axontest.Run[*frame.Video, []byte](t, enc, testCard(0), testCard(1), testCard(2))
	require.NoError(t, res.Err)
	stream := bytes.Join(res.Outputs, nil)

	dec := av.NewDiracDecoder()
	ov := sdl.NewVideoOverlay(image.Pt(40, 30))
	axon.MustLink(dec.Out, ov.In)
	axon.MustLink(dec.Signal(), ov.Control())
	r.s.Activate(ov)
	hd, err := axon.NewHandle(r.s, dec)
	require.NoError(t, err)
	ctx := t.Context()
	for i := 0; i < len(stream); i += 1000 {
		require.NoError(t, hd.Put(ctx, "inbox", stream[i:min(i+1000, len(stream))]))
	}
	require.NoError(t, hd.Finish(ctx))
	<-ov.Done() // the overlay has sent its last frame
	require.NoError(t, ov.Err())

	shot := r.screenshot()
	savePNG(t, "overlay.png", shot)
	// The last frame is card 2: quadrants blue, white / red, green, at
	// (40, 30) in the window.
	near(t, color.RGBA{0, 0, 0, 255}, shot.RGBAAt(20, 20), "outside the overlay")
	near(t, color.RGBA{30, 30, 230, 255}, shot.RGBAAt(40+80, 30+60), "top left quadrant")
	near(t, color.RGBA{240, 240, 240, 255}, shot.RGBAAt(40+240, 30+60), "top right quadrant")
	near(t, color.RGBA{230, 30, 30, 255}, shot.RGBAAt(40+80, 30+180), "bottom left quadrant")
	near(t, color.RGBA{30, 200, 30, 255}, shot.RGBAAt(40+240, 30+180), "bottom right quadrant")
	require.NoError(t, hd.Close())
}

func TestVideoOverlayWithoutADisplayFails(t *testing.T) {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	ov := sdl.NewVideoOverlay(image.Pt(0, 0))
	s.Activate(ov)
	<-ov.Done()
	require.ErrorIs(t, ov.Err(), axon.ErrServiceUnknown)
}

// slides writes n PNGs of solid colours and returns their paths and colours.
func slides(t *testing.T, n int) ([]string, []color.RGBA) {
	dir := t.TempDir()
	var paths []string
	var cols []color.RGBA
	for i := range n {
		c := color.RGBA{uint8(60 * i), uint8(255 - 60*i), uint8(100 + 40*i), 255}
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for p := 0; p < len(img.Pix); p += 4 {
			copy(img.Pix[p:], []byte{c.R, c.G, c.B, 255})
		}
		var b bytes.Buffer
		require.NoError(t, png.Encode(&b, img))
		p := filepath.Join(dir, "slide"+string(rune('a'+i))+".png")
		require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
		paths, cols = append(paths, p), append(cols, c)
	}
	return paths, cols
}

// TestPresentationTool is the article's slideshow: NEXT and PREV buttons
// drive a Chooser of file names, which drives an Image. Clicks and a key
// press go through SDL's own event queue to the buttons.
func TestPresentationTool(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 320, Height: 240, Background: color.RGBA{20, 20, 20, 255}})
	paths, cols := slides(t, 3)
	chooser := choose.NewChooser(paths)
	pic := sdl.NewImage(image.Pt(0, 0), image.Pt(320, 200))
	next := sdl.NewButton("NEXT", image.Pt(200, 205), choose.Next, "Right")
	prev := sdl.NewButton("PREV", image.Pt(10, 205), choose.Prev, "Left")
	axon.MustLink(chooser.Out, pic.In)
	axon.MustLink(next.Out, chooser.In)
	axon.MustLink(prev.Out, chooser.In)
	seen := axontest.NewRelay[string](0) // what the Image has handed to the Display
	axon.MustLink(pic.Out, seen.In)
	hp, err := axon.NewHandle(r.s, seen)
	require.NoError(t, err)
	r.s.Activate(pic, next, prev)
	<-next.Ready()
	<-prev.Ready()
	r.s.Activate(chooser)
	ctx := t.Context()
	shown := func(want int) {
		t.Helper()
		p, err := hp.Get(ctx, "outbox")
		require.NoError(t, err, "image: %v", pic.Err())
		require.Equal(t, paths[want], p)
		shot := r.screenshot()
		near(t, cols[want], shot.RGBAAt(160, 100), "slide")
		near(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, shot.RGBAAt(203, 208), "NEXT button face")
		savePNG(t, "slide"+string(rune('a'+want))+".png", shot)
	}
	shown(0) // the chooser sends the first item as it starts
	click := func(x, y int) {
		r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: x, Y: y, Button: 1}})
		r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseUp, X: x, Y: y, Button: 1}})
	}
	click(215, 215) // NEXT
	shown(1)
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.KeyDown, Key: "Right"}})
	shown(2)
	click(20, 215) // PREV
	shown(1)

	// The buttons and the chooser run until told: Shutdown them.
	r.s.ShutdownAll(axon.Shutdown{})
}

func TestImageRejectsAFileThatIsNotAnImage(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 100, Height: 100})
	r.s.SetLogger(slog.New(slog.DiscardHandler))
	bad := filepath.Join(t.TempDir(), "notes.png")
	require.NoError(t, os.WriteFile(bad, []byte("these are notes, not a picture"), 0o644))
	pic := sdl.NewImage(image.Pt(0, 0), image.Pt(50, 50))
	r.failing = pic
	h, err := axon.NewHandle(r.s, pic)
	require.NoError(t, err)
	require.NoError(t, h.Put(t.Context(), "inbox", bad))
	sig, err := h.Get(t.Context(), "signal")
	require.NoError(t, err)
	require.IsType(t, &axon.Failure{}, sig)
	require.Contains(t, pic.Err().Error(), bad)
	t.Log(pic.Err())
}

func TestAudioPlayerPlaysEverySample(t *testing.T) {
	out := filepath.Join(t.TempDir(), "played.raw")
	t.Setenv("SDL_AUDIODRIVER", "disk")
	t.Setenv("SDL_DISKAUDIOFILE", out)
	const rate = 22050
	var bufs []*frame.Audio
	var want []byte
	for b := range 6 { // 0.3 s of a 1 kHz tone, as floats
		s := make([]float32, 1102)
		for i := range s {
			s[i] = float32(0.25 * math.Sin(2*math.Pi*1000*float64(b*len(s)+i)/rate))
		}
		a := frame.NewF32(1, rate, s)
		bufs = append(bufs, a)
		c, err := a.Convert(frame.S16)
		require.NoError(t, err)
		want = append(want, c.Data[0]...)
	}
	p := sdl.NewAudioPlayer()
	p.Buffer = 512
	res := axontest.Run[*frame.Audio, any](t, p, bufs...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	require.Equal(t, int64(len(want)), p.Played())
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, bytes.Contains(got, want), "the device got every sample, in order (%d bytes written)", len(got))
}

// A Handle drives a widget like any component: its wiring to the Display
// is private ("_display") and left alone.
func TestButtonDrivenThroughAHandle(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 200, Height: 100})
	b := sdl.NewButton("GO", image.Pt(20, 20), 42, "g")
	hb, err := axon.NewHandle(r.s, b)
	require.NoError(t, err)
	<-b.Ready()
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.KeyDown, Key: "G"}})
	v, err := hb.Get(t.Context(), "outbox")
	require.NoError(t, err)
	require.Equal(t, 42, v)
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: 25, Y: 25, Button: 3}}) // right button: not a press
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: 25, Y: 25, Button: 1}})
	v, err = hb.Get(t.Context(), "outbox")
	require.NoError(t, err)
	require.Equal(t, 42, v)
	shot := r.screenshot()
	savePNG(t, "button.png", shot)
	near(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, shot.RGBAAt(23, 23), "button face")
	require.NoError(t, hb.Finish(t.Context()))
	sig, err := hb.Get(t.Context(), "signal")
	require.NoError(t, err)
	require.Equal(t, axon.ProducerFinished{}, sig)
	_, ok := hb.TryGet("outbox")
	require.False(t, ok, "one message a press")
}
