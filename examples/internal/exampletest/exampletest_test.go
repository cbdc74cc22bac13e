//go:build cgo

package exampletest

import (
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { VerifyTestMain(m) }

func TestVerifyTestMainChoseOffscreen(t *testing.T) {
	assert.NotEmpty(t, os.Getenv("SDL_VIDEODRIVER"))
}

func TestReadPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.png")
	require.NoError(t, pngfile.Write(path, image.NewGray(image.Rect(0, 0, 5, 7))))
	assert.Equal(t, image.Rect(0, 0, 5, 7), ReadPNG(t, path).Bounds())
}

// fakeT records a failure instead of ending the test, to see ReadPNG fail.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) FailNow()              { f.failed = true; panic(f) }

func TestReadPNGOfANonPNGFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.png")
	require.NoError(t, os.WriteFile(path, []byte("not a png"), 0o644))
	ft := &fakeT{TB: t}
	func() {
		defer func() {
			if r := recover(); r != ft {
				panic(r)
			}
		}()
		ReadPNG(ft, path)
	}()
	assert.True(t, ft.failed)
}
