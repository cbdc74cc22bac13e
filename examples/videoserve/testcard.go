//go:build cgo

package main

import (
	"context"
	"image"
	"image/color"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// bars are the colours of the test card, left to right.
var bars = []color.RGBA{{235, 235, 235, 255}, {235, 235, 16, 255}, {16, 235, 235, 255}, {16, 235, 16, 255},
	{235, 16, 235, 255}, {235, 16, 16, 255}, {16, 16, 235, 255}, {16, 16, 16, 255}}

// barAt is the colour at column x of frame i of a test card w wide: the
// bars move 3 pixels left a frame.
func barAt(x, i, w int) color.RGBA { return bars[((x+3*i)*len(bars)/w)%len(bars)] }

// testCard sends n frames of a moving test card of colour bars.
//
//	outbox   *frame.Video  YUV420P frames, w x h, 25 a second
//	control  any           Shutdown: stop at once
//	signal   any           ProducerFinished once all n are sent
type testCard struct {
	axon.Core
	Out     *axon.Outbox[*frame.Video]
	n, w, h int
}

func newTestCard(n, w, h int) *testCard {
	c := &testCard{n: n, w: w, h: h}
	c.Out = axon.NewOutbox[*frame.Video](c, "outbox")
	return c
}

// Main draws and sends the frames.
func (c *testCard) Main(ctx context.Context) error {
	for i := range c.n {
		img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		for y := range c.h {
			for x := range c.w {
				img.SetRGBA(x, y, barAt(x, i, c.w))
			}
		}
		v, err := frame.FromImage(img, frame.YUV420P)
		if err != nil {
			return err
		}
		v.FrameRate = frame.Rational{Num: 25, Den: 1}
		if err := c.Out.Send(ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// makeClip writes n frames of the test card, w x h, as a Dirac file:
//
//	testCard --> DiracEncoder --> SimpleFileWriter(path)
func makeClip(ctx context.Context, path string, n, w, h int) error {
	p, err := chassis.NewPipeline(
		newTestCard(n, w, h),
		av.NewDiracEncoder(),
		file.NewSimpleFileWriter[[]byte](path, file.Truncate),
	)
	if err != nil {
		return err
	}
	return axon.NewScheduler().RunContext(ctx, p)
}
