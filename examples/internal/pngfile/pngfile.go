// Package pngfile writes pictures as PNG files, for the examples that leave
// what they showed on disk (slides, whiteboard pages, decoded frames, a
// window's last picture).
package pngfile

import (
	"image"
	"image/png"
	"os"
)

// Write writes img to path as a PNG, replacing what was there. An error
// closing the file is returned too: a PNG that was not all written is a
// failure, not a truncated file passed over in silence.
func Write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = png.Encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
