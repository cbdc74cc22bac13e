//go:build cgo

package sdl_test

import (
	"bytes"
	"context"
	"github.com/asticode/go-astiav"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain runs the tests on SDL's offscreen video driver and its dummy
// audio driver, so that they need no X server and no sound card: windows are
// real SDL windows, rendered by SDL's software renderer, and read back.
// (SDL_VIDEODRIVER=x11 under Xvfb works too; the tests read pixels back
// either way.) goleak checks for goroutines left behind once all have run.
func TestMain(m *testing.M) {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		os.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	if os.Getenv("SDL_AUDIODRIVER") == "" {
		os.Setenv("SDL_AUDIODRIVER", "dummy")
	}
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	goleak.VerifyTestMain(m)
}

// rig is a running Display with a Handle to it and a relay for screenshots.
type rig struct {
	t     *testing.T
	s     *axon.Scheduler
	d     *sdl.Display
	h     *axon.Handle
	shots *axontest.Relay[*image.RGBA]
	sh    *axon.Handle

	// failing is the component a test expects to fail: the rig's last Wait
	// returns its failure and nothing else.
	failing axon.Component
}

func newRig(t *testing.T, cfg sdl.DisplayConfig) *rig {
	t.Helper()
	s := axon.NewScheduler()
	d := sdl.NewDisplay(cfg)
	require.NoError(t, d.Publish(s.Services()))
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	shots := axontest.NewRelay[*image.RGBA](0)
	sh, err := axon.NewHandle(s, shots)
	require.NoError(t, err)
	r := &rig{t: t, s: s, d: d, h: h, shots: shots, sh: sh}
	t.Cleanup(func() {
		// Widgets run until told: stop everything on the scheduler.
		s.ShutdownAll(axon.Shutdown{})
		_ = sh.Close()
		_ = h.Close()
		err := s.Wait(context.Background())
		if r.failing != nil {
			var f *axon.Failure
			require.ErrorAs(t, err, &f)
			require.Equal(t, r.failing.(axon.CoreComponent).Name(), f.Component)
			return
		}
		require.NoError(t, err)
	})
	return r
}

func (r *rig) put(req sdl.Request) {
	r.t.Helper()
	require.NoError(r.t, r.h.Put(r.t.Context(), "inbox", req))
}

// screenshot asks the Display for its pixels and waits for them.
func (r *rig) screenshot() *image.RGBA {
	r.t.Helper()
	r.put(sdl.Screenshot{Reply: r.shots.In})
	v, err := r.sh.Get(r.t.Context(), "outbox")
	require.NoError(r.t, err)
	return v.(*image.RGBA)
}

// savePNG writes img into the test's temp dir and logs the path.
func savePNG(t *testing.T, name string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	dir := os.Getenv("KAMAELIA_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	t.Logf("screenshot: %s", p)
	return p
}
