//go:build cgo

// Package sdlshot writes what an SDL window shows as a PNG file once a
// video has ended, so that a headless run (SDL's offscreen driver, a test)
// leaves what a person would have seen. videoserve and p2pvideo use it.
package sdlshot

import (
	"context"
	"image"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// Screenshot waits for the outcome of the pipeline that shows the video, on
// its inbox; when that is ProducerFinished (the last frame is up) it asks
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
//
// Link its signal to the Display's control, so that the window closes once
// its picture is on disk:
//
//	shot := sdlshot.New("window.png")
//	axon.MustLink(shot.Requests, display.In)
//	axon.MustLink(pipe.Signal(), shot.In)
//	axon.MustLink(shot.Signal(), display.Control())
//
// A cue other than ProducerFinished (the video failed, or was stopped)
// ends it at once with no file: the failure is reported where it happened.
type Screenshot struct {
	axon.Core
	// In takes the cue: the video pipeline's outcome.
	In *axon.Inbox[any]
	// Requests goes to the Display's inbox.
	Requests *axon.Outbox[sdl.Request]

	shots *axon.Inbox[*image.RGBA]
	path  string
}

// New returns a Screenshot that writes to path.
func New(path string) *Screenshot {
	s := &Screenshot{path: path}
	s.In = axon.NewInbox[any](s, "inbox")
	s.Requests = axon.NewOutbox[sdl.Request](s, "_display")
	s.shots = axon.NewInbox[*image.RGBA](s, "_shots")
	return s
}

// Main waits for its cue, then takes and writes the screenshot.
func (s *Screenshot) Main(ctx context.Context) error {
	cue, err := s.In.Recv(ctx)
	if err != nil {
		return err
	}
	if _, ok := cue.(axon.ProducerFinished); !ok {
		return nil
	}
	if err := s.Requests.Send(ctx, sdl.Screenshot{Reply: s.shots}); err != nil {
		return err
	}
	img, err := s.shots.Recv(ctx)
	if err != nil {
		return err
	}
	return pngfile.Write(s.path, img)
}
