//go:build cgo

// Package exampletest is the set-up the tests of the examples that show
// video share: SDL on its offscreen driver (real windows, drawn by SDL's
// software renderer and read back), FFmpeg quiet, and a check that no
// goroutine outlives the tests.
//
//	func TestMain(m *testing.M) { exampletest.VerifyTestMain(m) }
package exampletest

import (
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/require"
)

// VerifyTestMain runs the tests of m with SDL's video driver "offscreen"
// (unless SDL_VIDEODRIVER says otherwise, to watch a test on a screen) and
// FFmpeg's log off, then fails if any goroutine is left (goleak).
func VerifyTestMain(m *testing.M) {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		os.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	axontest.VerifyTestMain(m)
}

// ReadPNG reads the PNG file at path, failing the test if it cannot.
func ReadPNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err, path)
	return img
}
