//go:build cgo

package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/timing"
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
	parts  []part
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
	p.parts = []part{display, pipe}
	if cfg.Screenshot == "" {
		axon.MustLink(pipe.Signal(), display.Control())
		return p, nil
	}
	shot := newScreenshot(cfg.Screenshot)
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

// screenshot waits for the outcome of the pipeline that shows the video,
// on its inbox; when that is ProducerFinished (the last frame is up) it asks
// the Display for its pixels (sdl.Screenshot) and writes them to a PNG
// file. The cue comes on inbox, not control, because a component told to
// finish on control takes no more messages, and the Display's reply is one.
//
//	inbox      any          the pipeline's outcome (link its signal here)
//	control    any          Shutdown: end at once
//	_display   sdl.Request  to the Display's inbox (link it)
//	_shots     *image.RGBA  the Display's reply
//	signal     any          ProducerFinished once written; a file that cannot
//	                        be written is a failure
type screenshot struct {
	axon.Core
	In       *axon.Inbox[any]
	Requests *axon.Outbox[sdl.Request]
	shots    *axon.Inbox[*image.RGBA]
	path     string
}

func newScreenshot(path string) *screenshot {
	s := &screenshot{path: path}
	s.In = axon.NewInbox[any](s, "inbox")
	s.Requests = axon.NewOutbox[sdl.Request](s, "_display")
	s.shots = axon.NewInbox[*image.RGBA](s, "_shots")
	return s
}

// Main waits for its cue, then takes and writes the screenshot.
func (s *screenshot) Main(ctx context.Context) error {
	cue, err := s.In.Recv(ctx)
	if err != nil {
		return err
	}
	if _, ok := cue.(axon.ProducerFinished); !ok {
		return nil // the video did not end well: its failure is reported where it happened
	}
	if err := s.Requests.Send(ctx, sdl.Screenshot{Reply: s.shots}); err != nil {
		return err
	}
	img, err := s.shots.Recv(ctx)
	if err != nil {
		return err
	}
	f, err := os.Create(s.path)
	if err != nil {
		return err
	}
	err = png.Encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
