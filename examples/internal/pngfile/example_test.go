package pngfile_test

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
)

func Example() {
	dir, err := os.MkdirTemp("", "pngfile-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "frame.png")
	if err := pngfile.Write(path, image.NewRGBA(image.Rect(0, 0, 320, 240))); err != nil {
		fmt.Println(err)
		return
	}
	f, _ := os.Open(path)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	fmt.Println(cfg.Width, cfg.Height, err)
	// Output:
	// 320 240 <nil>
}
