//go:build cgo

package sdl_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// FuzzLoadImage gives SDL2_image any file: LoadImage returns a frame or an
// error, never crashes.
func FuzzLoadImage(f *testing.F) {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 3, 2)))
	f.Add(b.Bytes())
	f.Add([]byte("GIF89a"))
	f.Add([]byte("BM"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		p := filepath.Join(dir, "in")
		if err := os.WriteFile(p, in, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := sdl.LoadImage(p)
		if err == nil {
			if verr := v.Validate(); verr != nil {
				t.Fatalf("LoadImage gave a bad frame: %v", verr)
			}
		}
	})
}
