//go:build cgo

package main

import (
	"context"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// quitLine is the remote control's line that closes the window.
const quitLine = "quit"

// keyPresser turns lines of text into key presses in the Display's window:
// each line is the SDL name of a key, injected as a KeyDown and a KeyUp on
// SDL's own event queue (sdl.Inject), so the widgets hear it as they would
// a person's key; "quit" injects the window being closed. It waits until
// the widgets it is given are up, so no key is pressed before they listen.
//
//	inbox     string       lines (a console.Reader's, each ending in "\n")
//	control   any          ProducerFinished: press what waits and end; Shutdown: end at once
//	_display  sdl.Request  to the Display's inbox (link it)
//	signal    any          its outcome
type keyPresser struct {
	axon.Core
	In       *axon.Inbox[string]
	Requests *axon.Outbox[sdl.Request]
	ready    []<-chan struct{}
}

func newKeyPresser(ready ...<-chan struct{}) *keyPresser {
	k := &keyPresser{ready: ready}
	k.In = axon.NewInbox[string](k, "inbox")
	k.Requests = axon.NewOutbox[sdl.Request](k, "_display")
	return k
}

// Main presses the keys.
func (k *keyPresser) Main(ctx context.Context) error {
	for _, r := range k.ready {
		select {
		case <-r:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for line := range k.In.Messages(ctx) {
		key := strings.TrimSpace(line)
		var events []sdl.Event
		switch {
		case key == "":
			continue
		case strings.EqualFold(key, quitLine):
			events = []sdl.Event{{Kind: sdl.Quit}}
		default:
			events = []sdl.Event{{Kind: sdl.KeyDown, Key: key}, {Kind: sdl.KeyUp, Key: key}}
		}
		for _, e := range events {
			if err := k.Requests.Send(ctx, sdl.Inject{Event: e}); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// shown names each slide the Image has put up, on w, and with a directory
// for shots, reads the window back (sdl.Screenshot) into a PNG there, named
// by its order and the slide's file (001-slide1.png, 002-slide2.png ...).
// It takes no shot before the widgets it is given are up, so every shot
// shows them.
//
//	inbox     string       the paths the Image has handed to the Display
//	control   any          ProducerFinished: deal with what waits and end; Shutdown: end at once
//	_display  sdl.Request  to the Display's inbox (link it)
//	_shots    *image.RGBA  the Display's replies
//	signal    any          its outcome: a shot that cannot be written is a failure
type shown struct {
	axon.Core
	In       *axon.Inbox[string]
	Requests *axon.Outbox[sdl.Request]
	shots    *axon.Inbox[*image.RGBA]
	w        io.Writer
	dir      string
	ready    []<-chan struct{}
}

func newShown(w io.Writer, dir string, ready ...<-chan struct{}) *shown {
	s := &shown{w: w, dir: dir, ready: ready}
	s.In = axon.NewInbox[string](s, "inbox")
	s.Requests = axon.NewOutbox[sdl.Request](s, "_display")
	s.shots = axon.NewInbox[*image.RGBA](s, "_shots")
	return s
}

// Main names and photographs the slides.
func (s *shown) Main(ctx context.Context) error {
	for _, r := range s.ready {
		select {
		case <-r:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	n := 0
	for path := range s.In.Messages(ctx) {
		n++
		if s.dir != "" {
			// The Image sent the picture to the Display before it sent
			// its path here, so the Display draws it before this.
			if err := s.Requests.Send(ctx, sdl.Screenshot{Reply: s.shots}); err != nil {
				return err
			}
			img, err := s.shots.Recv(ctx)
			if err != nil {
				return err
			}
			base := filepath.Base(path)
			shot := filepath.Join(s.dir, fmt.Sprintf("%03d-%s.png", n, strings.TrimSuffix(base, filepath.Ext(base))))
			if err := pngfile.Write(shot, img); err != nil {
				return err
			}
			fmt.Fprintf(s.w, "showing %s (window in %s)\n", path, shot)
			continue
		}
		fmt.Fprintf(s.w, "showing %s\n", path)
	}
	return ctx.Err()
}
