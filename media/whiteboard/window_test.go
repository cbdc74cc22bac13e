//go:build cgo

package whiteboard_test

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screen is a running Display with handles to inject events and take
// screenshots through a Window.
type screen struct {
	t     *testing.T
	s     *axon.Scheduler
	hd    *axon.Handle
	shots *axontest.Relay[*image.RGBA]
	hs    *axon.Handle
}

func newScreen(t *testing.T) *screen {
	t.Helper()
	s := axon.NewScheduler()
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: wb.WindowWidth, Height: wb.WindowHeight, FontSize: 10})
	require.NoError(t, d.Publish(s.Services()))
	hd, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	shots := axontest.NewRelay[*image.RGBA](0)
	hs, err := axon.NewHandle(s, shots)
	require.NoError(t, err)
	sc := &screen{t: t, s: s, hd: hd, shots: shots, hs: hs}
	t.Cleanup(func() {
		s.ShutdownAll(axon.Shutdown{})
		_ = hs.Close()
		_ = hd.Close()
		_ = s.Wait(context.Background())
	})
	return sc
}

// inject makes the Display hear ev as if the user had done it.
func (sc *screen) inject(ev sdl.Event) {
	sc.t.Helper()
	require.NoError(sc.t, sc.hd.Put(sc.t.Context(), "inbox", sdl.Request(sdl.Inject{Event: ev})))
}

// click presses and releases the left button at (x, y) of the window.
func (sc *screen) click(x, y int) {
	sc.inject(sdl.Event{Kind: sdl.MouseDown, X: x, Y: y, Button: 1})
	sc.inject(sdl.Event{Kind: sdl.MouseUp, X: x, Y: y, Button: 1})
}

// shot asks the Window h drives for a screenshot, taken once it has drawn
// everything it was given before.
func (sc *screen) shot(h *axon.Handle) *image.RGBA {
	sc.t.Helper()
	require.NoError(sc.t, h.Put(sc.t.Context(), "screenshot", sdl.Screenshot{Reply: sc.shots.In}))
	v, err := sc.hs.Get(sc.t.Context(), "outbox")
	require.NoError(sc.t, err)
	return v.(*image.RGBA)
}

// shotUntil takes screenshots until cond holds of one. The first shot
// shows everything sent to the window before it (the stroke and eraser
// checks hold that); the ticker's text once took a second shot in a loaded
// run of the whole suite, for a cause not found, so a few more are allowed
// and each one beyond the first is logged.
func (sc *screen) shotUntil(h *axon.Handle, what string, cond func(*image.RGBA) bool) {
	sc.t.Helper()
	for i := range 20 {
		if cond(sc.shot(h)) {
			if i > 0 {
				sc.t.Logf("%s: shown in shot %d, not the first", what, i+1)
			}
			return
		}
	}
	sc.t.Fatalf("%s: not shown in 20 screenshots", what)
}

// get takes the next message of h's box.
func get[T any](t *testing.T, h *axon.Handle, box string) T {
	t.Helper()
	v, err := h.Get(t.Context(), box)
	require.NoError(t, err)
	return v.(T)
}

// rgb is the pixel at (x, y), opaque.
func rgb(img *image.RGBA, x, y int) color.RGBA {
	c := img.RGBAAt(x, y)
	c.A = 255
	return c
}

// The window draws what the user does with the mouse: a swatch picks the
// colour, a drag on the canvas draws through the Painter and the
// CanvasComponent, and the stroke is read back from the window's pixels
// where the canvas lies; the eraser rubs it out; the buttons send their
// messages; the ticker shows status; closing the window says "quit".
func TestWindowDrawsWithTheMouse(t *testing.T) {
	sc := newScreen(t)
	w := whiteboard.NewWindow(whiteboard.WhiteboardTools(false))
	painter := wb.NewPainter()
	canvas := wb.NewCanvasComponent(nil)
	axon.MustLink(w.Mouse, painter.In)
	axon.MustLink(w.Colour, painter.Colour)
	axon.MustLink(w.Erase, painter.Erase)
	axon.MustLink(painter.Out, canvas.In)
	hw, err := axon.NewHandle(sc.s, w, "inbox", "ticker", "screenshot", "buttons", "keys")
	require.NoError(t, err)
	defer hw.Close()
	sc.s.Activate(painter)
	hc, err := axon.NewHandle(sc.s, canvas, "updates")
	require.NoError(t, err)
	defer hc.Close()
	<-w.Ready()
	ctx := t.Context()
	cy := wb.CanvasY

	// The window of Kamaelia's geometry: swatches, eraser, buttons,
	// a white canvas and the ticker.
	img := sc.shot(hw)
	for i, c := range wb.Palette {
		assert.Equal(t, c, rgb(img, whiteboard.SwatchX+32*i+16, 17), "swatch %d", i)
	}
	assert.Equal(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, rgb(img, 3, 3), "the eraser is a button")
	assert.Equal(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, rgb(img, whiteboard.ToolX+64*10+3, 3), "Quit is a button")
	assert.Equal(t, wb.White, rgb(img, 400, cy+300), "a white canvas")
	assert.Equal(t, color.RGBA{224, 224, 224, 255}, rgb(img, 1000, whiteboard.TickerY+7), "the ticker")

	// Red, then a stroke right and down. A key press is the barrier that
	// says the window has passed the colour on.
	sc.click(whiteboard.SwatchX+32*1+10, 10)
	sc.inject(sdl.Event{Kind: sdl.KeyDown, Key: "K"})
	assert.Equal(t, "K", get[string](t, hw, "keys"))
	sc.inject(sdl.Event{Kind: sdl.MouseDown, X: 100, Y: cy + 100, Button: 1})
	sc.inject(sdl.Event{Kind: sdl.MouseMove, X: 200, Y: cy + 100})
	sc.inject(sdl.Event{Kind: sdl.MouseMove, X: 200, Y: cy + 150})
	sc.inject(sdl.Event{Kind: sdl.MouseUp, X: 200, Y: cy + 150, Button: 1})
	// The canvas reports each change: pass them to the window until the
	// whole stroke is drawn.
	var drawn image.Rectangle
	for !image.Pt(100, 100).In(drawn) || !image.Pt(200, 150).In(drawn) {
		u := get[wb.Update](t, hc, "updates")
		drawn = drawn.Union(u.Rect)
		require.NoError(t, hw.Put(ctx, "inbox", u))
	}
	img = sc.shot(hw)
	red := wb.Palette[1]
	for _, p := range []image.Point{{100, 100}, {150, 100}, {200, 100}, {200, 125}, {200, 150}} {
		assert.Equal(t, red, rgb(img, p.X, cy+p.Y), "stroke at %v", p)
	}
	assert.Equal(t, wb.White, rgb(img, 150, cy+101), "beside the stroke")
	assert.Equal(t, wb.White, rgb(img, 150, cy+120), "inside the corner")

	// The eraser rubs out part of the stroke with white discs.
	sc.click(5, 10)
	sc.inject(sdl.Event{Kind: sdl.KeyDown, Key: "E"})
	assert.Equal(t, "E", get[string](t, hw, "keys"))
	sc.inject(sdl.Event{Kind: sdl.MouseDown, X: 150, Y: cy + 100, Button: 1})
	sc.inject(sdl.Event{Kind: sdl.MouseMove, X: 151, Y: cy + 100})
	sc.inject(sdl.Event{Kind: sdl.MouseUp, X: 151, Y: cy + 100, Button: 1})
	// The stroke's last changes may still be waiting (its end point):
	// they go to the window too, until the eraser's disc comes.
	for {
		u := get[wb.Update](t, hc, "updates")
		require.NoError(t, hw.Put(ctx, "inbox", u))
		if image.Pt(151, 100).In(u.Rect) {
			break
		}
		require.True(t, u.Rect.In(image.Rect(100, 100, 201, 151)), "a change %v that is neither the stroke's nor the eraser's", u.Rect)
	}
	img = sc.shot(hw)
	assert.Equal(t, wb.White, rgb(img, 151, cy+100), "rubbed out")
	assert.Equal(t, red, rgb(img, 100, cy+100), "the rest stays")

	// The buttons send their messages, the ticker shows status.
	sc.click(whiteboard.ToolX+64*3+30, 15)
	assert.Equal(t, "checkpoint", get[string](t, hw, "buttons"))
	sc.click(whiteboard.ToolX+64*1+30, 15)
	assert.Equal(t, "prev", get[string](t, hw, "buttons"))
	require.NoError(t, hw.Put(ctx, "ticker", "Fetching sketch from server..."))
	ink := func(img *image.RGBA) int {
		n := 0
		for x := range 300 {
			for y := whiteboard.TickerY; y < whiteboard.TickerY+whiteboard.TickerHeight; y++ {
				if rgb(img, x, y) == (color.RGBA{0, 0, 0, 255}) {
					n++
				}
			}
		}
		return n
	}
	sc.shotUntil(hw, "text on the ticker", func(img *image.RGBA) bool { return ink(img) > 100 })
	require.NoError(t, hw.Put(ctx, "ticker", whiteboard.TickerClear))
	sc.shotUntil(hw, "the ticker cleared", func(img *image.RGBA) bool {
		return ink(img) == 0 && rgb(img, 10, whiteboard.TickerY+7) == color.RGBA{224, 224, 224, 255}
	})

	// Closing the window: "quit", and the window ends.
	sc.inject(sdl.Event{Kind: sdl.Quit})
	assert.Equal(t, "quit", get[string](t, hw, "buttons"))
	require.NoError(t, hw.Wait(ctx))
}

// A client's window has only Quit: no paging, clear, deck or delete
// buttons, so that peers' pages stay in step.
func TestClientWindowHasOnlyQuit(t *testing.T) {
	sc := newScreen(t)
	w := whiteboard.NewWindow(whiteboard.WhiteboardTools(true))
	hw, err := axon.NewHandle(sc.s, w, "screenshot", "buttons")
	require.NoError(t, err)
	defer hw.Close()
	<-w.Ready()
	img := sc.shot(hw)
	for k := 1; k <= 9; k++ {
		assert.Equal(t, color.RGBA{0, 0, 0, 255}, rgb(img, whiteboard.ToolX+64*k+3, 3), "no button %d", k)
	}
	assert.Equal(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, rgb(img, whiteboard.ToolX+64*10+3, 3), "Quit")
	sc.click(whiteboard.ToolX+64*2+30, 15) // where ">>" would be
	sc.click(whiteboard.ToolX+64*10+30, 15)
	assert.Equal(t, "quit", get[string](t, hw, "buttons"))
}
