//go:build cgo

package main

import (
	"fmt"
	"image"
	"image/color"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
)

// slideColours are the backgrounds of the slides drawSlides makes.
var slideColours = []color.RGBA{{200, 40, 40, 255}, {40, 160, 40, 255}, {40, 40, 200, 255}, {200, 160, 40, 255}}

// drawSlides writes four slides into dir (slide1.png ...), each a colour
// with a white band whose place shows its number.
func drawSlides(dir string) error {
	for i, c := range slideColours {
		img := image.NewRGBA(image.Rect(0, 0, windowW, slideH))
		for y := range slideH {
			for x := range windowW {
				p := c
				if x/80 == i+2 {
					p = color.RGBA{250, 250, 250, 255}
				}
				img.SetRGBA(x, y, p)
			}
		}
		if err := pngfile.Write(filepath.Join(dir, fmt.Sprintf("slide%d.png", i+1)), img); err != nil {
			return err
		}
	}
	return nil
}
