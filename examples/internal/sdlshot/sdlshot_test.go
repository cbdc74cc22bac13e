//go:build cgo

package sdlshot

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/examples/internal/exampletest"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { exampletest.VerifyTestMain(m) }

// shoot runs a real Display (SDL's offscreen driver) of the background
// colour bg with a Screenshot writing to path, cues it with cue, and waits
// for both to end. A Screenshot that fails does not close the window (the
// Display ends on ProducerFinished or Shutdown), so the test closes it.
func shoot(t *testing.T, path string, bg color.RGBA, cue any) error {
	t.Helper()
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 64, Height: 48, Background: bg})
	shot := New(path)
	axon.MustLink(shot.Requests, display.In)
	axon.MustLink(shot.Signal(), display.Control())
	s.Activate(display)
	h := axontest.NewHandle(t, s, shot, "inbox")
	require.NoError(t, h.Put(ctx, "inbox", cue))
	err := h.Wait(ctx)
	if err != nil {
		s.ShutdownAll(axon.Shutdown{})
	}
	// The scheduler's Wait returns the failures it saw: the Screenshot's
	// own, which the Handle has already reported, and nothing else.
	if werr := s.Wait(ctx); err == nil {
		require.NoError(t, werr)
	} else {
		require.ErrorIs(t, werr, err)
	}
	return err
}

func TestScreenshotWritesTheWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "window.png")
	bg := color.RGBA{30, 120, 200, 255}
	require.NoError(t, shoot(t, path, bg, axon.ProducerFinished{}))
	img := exampletest.ReadPNG(t, path)
	require.Equal(t, image.Rect(0, 0, 64, 48), img.Bounds())
	r, g, b, _ := img.At(32, 24).RGBA()
	assert.Equal(t, []uint32{30, 120, 200}, []uint32{r >> 8, g >> 8, b >> 8})
}

func TestScreenshotOfAFailedVideoWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "window.png")
	require.NoError(t, shoot(t, path, color.RGBA{A: 255}, axon.Shutdown{}))
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestScreenshotToAnUnwritablePathFails(t *testing.T) {
	err := shoot(t, filepath.Join(t.TempDir(), "no", "window.png"), color.RGBA{A: 255}, axon.ProducerFinished{})
	assert.ErrorIs(t, err, os.ErrNotExist)
}
