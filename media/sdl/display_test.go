//go:build cgo

package sdl_test

import (
	"image"
	"image/color"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDisplayShowsFramesInRegions(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 320, Height: 240, Background: color.RGBA{0, 0, 64, 255}})
	// A YUV frame: left half red, right half green (full-range BT.601).
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 80 {
				c = color.RGBA{20, 220, 20, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	yuv, err := frame.FromImage(img, frame.YUV420P)
	require.NoError(t, err)
	a, b := sdl.NewRegionID(), sdl.NewRegionID()
	r.put(sdl.OpenRegion{ID: a, Rect: image.Rect(10, 10, 170, 130)})
	r.put(sdl.ShowFrame{ID: a, Frame: yuv})
	rgba := frame.NewVideo(frame.RGBA, 2, 2)
	for i := range 4 {
		copy(rgba.Planes[0][4*i:], []byte{250, 250, 0, 255})
	}
	r.put(sdl.OpenRegion{ID: b, Rect: image.Rect(200, 150, 300, 230)})
	r.put(sdl.ShowFrame{ID: b, Frame: rgba})
	shot := r.screenshot()
	savePNG(t, "regions.png", shot)
	near(t, color.RGBA{0, 0, 64, 255}, shot.RGBAAt(5, 5), "background")
	near(t, color.RGBA{220, 20, 20, 255}, shot.RGBAAt(40, 60), "red half")
	near(t, color.RGBA{20, 220, 20, 255}, shot.RGBAAt(140, 60), "green half")
	near(t, color.RGBA{250, 250, 0, 255}, shot.RGBAAt(250, 190), "yellow region, scaled up")
	r.put(sdl.CloseRegion{ID: a})
	shot = r.screenshot()
	near(t, color.RGBA{0, 0, 64, 255}, shot.RGBAAt(40, 60), "closed region")
}

func near(t *testing.T, want, got color.RGBA, what string) {
	t.Helper()
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	if d(want.R, got.R) > 12 || d(want.G, got.G) > 12 || d(want.B, got.B) > 12 {
		t.Errorf("%s: got %v, want about %v", what, got, want)
	}
}

func TestDisplayEndsOnProducerFinishedAndWithdrawsItsService(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 64, Height: 64})
	id := sdl.NewRegionID()
	r.put(sdl.OpenRegion{ID: id, Rect: image.Rect(0, 0, 10, 10)})
	require.NoError(t, r.h.Finish(t.Context()))
	sig, err := r.h.Get(t.Context(), "signal")
	require.NoError(t, err)
	require.Equal(t, axon.ProducerFinished{}, sig)
	_, err = r.s.Services().Lookup(sdl.ServiceName)
	require.ErrorIs(t, err, axon.ErrServiceUnknown)
	// SDL is free again: a second Display starts.
	r2 := newRig(t, sdl.DisplayConfig{Width: 32, Height: 32, Background: color.RGBA{255, 0, 0, 255}})
	near(t, color.RGBA{255, 0, 0, 255}, r2.screenshot().RGBAAt(16, 16), "second display")
}

func TestDisplayShutdownStopsAtOnce(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 64, Height: 64})
	require.NoError(t, r.h.Put(t.Context(), "control", axon.Shutdown{}))
	sig, err := r.h.Get(t.Context(), "signal")
	require.NoError(t, err)
	require.IsType(t, axon.Shutdown{}, sig)
}

func TestDisplayReportsABadFrameToItsRegion(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 64, Height: 64})
	errs := axontest.NewRelay[error](0)
	he, err := axon.NewHandle(r.s, errs)
	require.NoError(t, err)
	defer he.Close()
	id := sdl.NewRegionID()
	r.put(sdl.OpenRegion{ID: id, Rect: image.Rect(0, 0, 10, 10), Errors: errs.In})
	r.put(sdl.ShowFrame{ID: id, Frame: &frame.Video{Format: frame.YUV420P, Width: 4, Height: 4}})
	e, err := he.Get(t.Context(), "outbox")
	require.NoError(t, err)
	require.ErrorIs(t, e.(error), frame.ErrBadFrame)
}

func TestClosingTheWindowTellsEveryRegionAndEndsTheDisplay(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 64, Height: 64})
	events := axontest.NewRelay[sdl.Event](0)
	he, err := axon.NewHandle(r.s, events)
	require.NoError(t, err)
	defer he.Close()
	id := sdl.NewRegionID()
	r.put(sdl.OpenRegion{ID: id, Rect: image.Rect(0, 0, 10, 10), Events: events.In})
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.Quit}})
	ev, err := he.Get(t.Context(), "outbox")
	require.NoError(t, err)
	require.Equal(t, sdl.Event{Kind: sdl.Quit, Region: id}, ev)
	sig, err := r.h.Get(t.Context(), "signal")
	require.NoError(t, err)
	require.Equal(t, axon.ProducerFinished{}, sig)
}

// Drags reach the region under the mouse as MouseMove events, with the
// buttons held; moves with no button held are not sent. The wheel goes to
// the region under the mouse, with its notches.
func TestDisplaySendsDragsAndTheWheel(t *testing.T) {
	r := newRig(t, sdl.DisplayConfig{Width: 64, Height: 64})
	left, right := axontest.NewRelay[sdl.Event](0), axontest.NewRelay[sdl.Event](0)
	hl, err := axon.NewHandle(r.s, left)
	require.NoError(t, err)
	defer hl.Close()
	hr, err := axon.NewHandle(r.s, right)
	require.NoError(t, err)
	defer hr.Close()
	a, b := sdl.NewRegionID(), sdl.NewRegionID()
	r.put(sdl.OpenRegion{ID: a, Rect: image.Rect(0, 0, 32, 64), Events: left.In})
	r.put(sdl.OpenRegion{ID: b, Rect: image.Rect(32, 0, 64, 64), Events: right.In})
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseMove, X: 10, Y: 12}})
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseMove, X: 40, Y: 5, Buttons: 1 << 2}})
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseWheel, X: 50, Y: 50, Wheel: -2}})
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseWheel, X: 3, Y: 3, Wheel: 1}})
	get := func(h *axon.Handle) sdl.Event {
		t.Helper()
		v, err := h.Get(t.Context(), "outbox")
		require.NoError(t, err)
		return v.(sdl.Event)
	}
	assert.Equal(t, sdl.Event{Kind: sdl.MouseMove, Region: a, X: 10, Y: 12, Buttons: 1}, get(hl))
	assert.Equal(t, sdl.Event{Kind: sdl.MouseMove, Region: b, X: 8, Y: 5, Buttons: 1 << 2}, get(hr))
	assert.Equal(t, sdl.Event{Kind: sdl.MouseWheel, Region: b, X: 18, Y: 50, Wheel: -2}, get(hr))
	assert.Equal(t, sdl.Event{Kind: sdl.MouseWheel, Region: a, X: 3, Y: 3, Wheel: 1}, get(hl))
	assert.Equal(t, "mouse move", sdl.MouseMove.String())
	assert.Equal(t, "mouse wheel", sdl.MouseWheel.String())
	_, more := hl.TryGet("outbox")
	assert.False(t, more, "the plain move before the wheel is not sent")
}
