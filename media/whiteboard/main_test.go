//go:build cgo

package whiteboard_test

import (
	"os"
	"testing"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// TestMain runs the tests on SDL's offscreen video driver and its dummy
// audio driver (tests that need a microphone switch to the disk driver),
// so that they need no X server and no sound card. goleak checks for
// goroutines left behind once all have run.
func TestMain(m *testing.M) {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		os.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	if os.Getenv("SDL_AUDIODRIVER") == "" {
		os.Setenv("SDL_AUDIODRIVER", "dummy")
	}
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	axontest.VerifyTestMain(m)
}
