//go:build cgo

// Command diracplayer is the video player of Kamaelia's article:
//
//	TCPClient -> DiracDecoder -> MessageRateLimit -> VideoOverlay
//
// With -connect it reads a Dirac stream from a TCP server (any server that
// writes a .drc file down the socket, such as `nc -l 1600 < clip.drc`).
// Without it, it makes its own clip first, so it needs nothing from
// outside: a moving test card is encoded with DiracEncoder and played
// back through the same decoder, rate limit and overlay:
//
//	testCard -> DiracEncoder -> DiracDecoder -> MessageRateLimit -> VideoOverlay
//
// The window closes when the stream ends (the pipeline stops from its
// head) or when it is closed; Ctrl-C shuts everything down at once.
//
// Usage:
//
//	go run ./media/examples/diracplayer [-connect host:port] [-fps 25]
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/signal"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// testCard sends n frames of a moving test card.
type testCard struct {
	axon.Core
	Out  *axon.Outbox[*frame.Video]
	n    int
	w, h int
}

func newTestCard(n, w, h int) *testCard {
	c := &testCard{n: n, w: w, h: h}
	c.Out = axon.NewOutbox[*frame.Video](c, "outbox")
	return c
}

func (c *testCard) Main(ctx context.Context) error {
	bars := []color.RGBA{{235, 235, 235, 255}, {235, 235, 16, 255}, {16, 235, 235, 255}, {16, 235, 16, 255},
		{235, 16, 235, 255}, {235, 16, 16, 255}, {16, 16, 235, 255}, {16, 16, 16, 255}}
	for i := range c.n {
		img := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		for y := range c.h {
			for x := range c.w {
				img.SetRGBA(x, y, bars[((x+3*i)*len(bars)/c.w)%len(bars)])
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

func main() {
	connect := flag.String("connect", "", "host:port of a server sending a Dirac stream")
	fps := flag.Float64("fps", 25, "frames a second to show")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *connect, *fps); err != nil {
		fmt.Fprintln(os.Stderr, "diracplayer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, connect string, fps float64) error {
	s := axon.NewScheduler()
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 320, Height: 240, Title: "kamaelia: Dirac"})
	if err := display.Publish(s.Services()); err != nil {
		return err
	}
	// The head of the pipeline: bytes of a Dirac stream.
	var head []axon.Component
	var bytesOut *axon.Outbox[[]byte]
	var headSignal *axon.Outbox[any]
	if connect != "" {
		client := internet.NewTCPClient(connect)
		head, bytesOut, headSignal = []axon.Component{client}, client.Out, client.Signal()
	} else {
		card, enc := newTestCard(250, 320, 240), av.NewDiracEncoder()
		axon.MustLink(card.Out, enc.In)
		axon.MustLink(card.Signal(), enc.Control())
		head, bytesOut, headSignal = []axon.Component{card, enc}, enc.Out, enc.Signal()
	}
	dec := av.NewDiracDecoder()
	limit := timing.NewMessageRateLimit[*frame.Video](fps, 10)
	overlay := sdl.NewVideoOverlay(image.Pt(0, 0))
	axon.MustLink(bytesOut, dec.In)
	axon.MustLink(headSignal, dec.Control())
	axon.MustLink(dec.Out, limit.In)
	axon.MustLink(dec.Signal(), limit.Control())
	axon.MustLink(limit.Out, overlay.In)
	axon.MustLink(limit.Signal(), overlay.Control())
	// When the overlay has shown the last frame, the display closes too.
	axon.MustLink(overlay.Signal(), display.Control())
	return s.RunContext(ctx, append(head, dec, limit, overlay, display)...)
}
