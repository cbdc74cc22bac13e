//go:build cgo

package main

import (
	"fmt"
	"image"
	"io"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/examples/internal/sdlshot"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// player is the client of the article:
//
//	TCPClient --> DiracDecoder --> MessageRateLimit --> VideoOverlay
//
// with the Display it shows in. When the stream ends the pipeline drains,
// and its end closes the window (after a screenshot, if asked for).
type player struct {
	client *internet.TCPClient
	dec    *av.DiracDecoder
	parts  []axon.CoreComponent
}

// newPlayer builds a player of the server at addr on s.
func newPlayer(s *axon.Scheduler, addr string, cfg config) (*player, error) {
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: cfg.Size.X, Height: cfg.Size.Y, Title: "kamaelia: videoserve"})
	if err := display.Publish(s.Services()); err != nil {
		return nil, err
	}
	p := &player{client: internet.NewTCPClient(addr), dec: av.NewDiracDecoder()}
	// A client that connects while the file is being sent starts at the
	// next picture (VC-2 repeats its sequence header before each).
	p.dec.OnCorrupt = av.Skip
	pipe, err := chassis.NewPipeline(
		p.client,
		p.dec,
		timing.NewMessageRateLimit[*frame.Video](cfg.FPS, cfg.Preroll),
		sdl.NewVideoOverlay(image.Pt(0, 0)),
	)
	if err != nil {
		return nil, err
	}
	p.parts = []axon.CoreComponent{display, pipe}
	if cfg.Screenshot == "" {
		axon.MustLink(pipe.Signal(), display.Control())
		return p, nil
	}
	shot := sdlshot.New(cfg.Screenshot)
	axon.MustLink(shot.Requests, display.In)
	axon.MustLink(pipe.Signal(), shot.In)
	axon.MustLink(shot.Signal(), display.Control())
	p.parts = append(p.parts, shot)
	return p, nil
}

// report says what the player received.
func (p *player) report(w io.Writer, cfg config) {
	st := p.dec.Stats()
	fmt.Fprintf(w, "videoserve: played %d frames (%d bytes received", st.Frames, p.client.Stats().BytesRead)
	if st.SkippedBytes > 0 {
		fmt.Fprintf(w, ", %d skipped before the first whole picture", st.SkippedBytes)
	}
	fmt.Fprintln(w, ")")
	if cfg.Screenshot != "" {
		fmt.Fprintf(w, "videoserve: the window's last picture is in %s\n", cfg.Screenshot)
	}
}
