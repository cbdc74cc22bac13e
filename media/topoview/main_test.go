//go:build cgo

package topoview_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the tests on SDL's offscreen video driver: real SDL
// windows, rendered by SDL's software renderer and read back, with no X
// server.
func TestMain(m *testing.M) {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		os.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	goleak.VerifyTestMain(m)
}
