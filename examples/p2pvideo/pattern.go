//go:build cgo

package main

import (
	"context"
	"image"
	"image/color"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// patternColours are the four colours of the test pattern's quadrants.
var patternColours = [4]color.RGBA{{220, 40, 40, 255}, {40, 190, 40, 255}, {40, 40, 220, 255}, {235, 235, 235, 255}}

// quadrantColour is the colour of quadrant q (0 top left, 1 top right,
// 2 bottom left, 3 bottom right) in frame i: the quadrants turn once a
// second, so a frame's place in the stream can be read off its picture.
func quadrantColour(q, i, fps int) color.RGBA {
	return patternColours[(q+i/fps)%4]
}

// testPattern sends n frames of a generated test pattern: four coloured
// quadrants that turn once a second and a white bar that sweeps along the
// bottom edge, one step a frame.
//
//	outbox   *frame.Video  YUV420P frames, w x h, fps frames a second
//	control  any           Shutdown: stop at once
//	signal   any           ProducerFinished once all n are sent
type testPattern struct {
	axon.Core
	Out     *axon.Outbox[*frame.Video]
	n, fps  int
	w, h    int
	barSize int
}

func newTestPattern(n, fps, w, h int) *testPattern {
	p := &testPattern{n: n, fps: fps, w: w, h: h, barSize: max(h/16, 2)}
	p.Out = axon.NewOutbox[*frame.Video](p, "outbox")
	return p
}

// Main draws and sends the frames.
func (p *testPattern) Main(ctx context.Context) error {
	white := color.RGBA{250, 250, 250, 255}
	for i := range p.n {
		img := image.NewRGBA(image.Rect(0, 0, p.w, p.h))
		barX := (i * 4) % p.w
		for y := range p.h {
			for x := range p.w {
				c := quadrantColour(2*(2*y/p.h)+2*x/p.w, i, p.fps)
				if y >= p.h-p.barSize && x >= barX && x < barX+p.barSize {
					c = white
				}
				img.SetRGBA(x, y, c)
			}
		}
		v, err := frame.FromImage(img, frame.YUV420P)
		if err != nil {
			return err
		}
		v.FrameRate = frame.Rational{Num: p.fps, Den: 1}
		if err := p.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return nil
}
