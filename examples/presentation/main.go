//go:build cgo

// Command presentation is the presentation tool of Kamaelia's article: a
// Graphline of four buttons, a Chooser of image files and an Image.
//
//	Graphline(
//	    NEXT    = Button("NEXT",  key Right)  --\
//	    PREV    = Button("PREV",  key Left)   ---+--> CHOOSER = Chooser(files) --> IMAGE = Image
//	    FIRST   = Button("FIRST", key Home)   ---|
//	    LAST    = Button("LAST",  key End)    --/
//	)
//
// The buttons answer to clicks and to their keys. It shows the images of a
// directory (PNG, JPEG, GIF, BMP, in name order); given none, it draws four
// slides of its own first. Each slide shown is named on standard output,
// and, with -shots DIR, the window is read back (sdl.Screenshot) into a PNG
// there, so a headless run shows what a person would have seen.
//
// Standard input is a remote control: each line is the SDL name of a key
// ("Right", "Left", "Home", "End") pressed in the window, through SDL's own
// event queue, so the buttons hear it as they would a person's; the line
// "quit" closes the window. Keys wait until the buttons are up.
//
// Closing the window (or "quit") ends the presentation: the Display ends,
// and everything else is shut down. Ctrl-C (SIGINT) or SIGTERM stops it at
// once.
//
// Usage:
//
//	go run ./examples/presentation [-dir DIR] [-shots DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/choose"
	"github.com/kamaelia-go/kamaelia/components/console"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// The window: the slide above a row of buttons.
const (
	windowW, windowH = 640, 480
	slideH           = 440
	buttonY          = 448
)

func main() { cli.Main("presentation", run) }

// run shows the presentation until its window is closed or ctx is done.
// stdin is the remote control; each slide shown is named on stdout.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("presentation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "the `directory` of images to show (default: four slides of its own)")
	shots := fs.String("shots", "", "write the window as a PNG into `directory` each time a slide is shown")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "slides-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		if err := drawSlides(d); err != nil {
			return err
		}
		*dir = d
	}
	files, err := images(*dir)
	if err != nil {
		return err
	}

	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler)) // failures are returned, and printed by main
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: windowW, Height: windowH, Title: "kamaelia: presentation"})
	if err := display.Publish(s.Services()); err != nil {
		return err
	}
	next := sdl.NewButton("NEXT", image.Pt(480, buttonY), choose.Next, "Right")
	prev := sdl.NewButton("PREV", image.Pt(90, buttonY), choose.Prev, "Left")
	first := sdl.NewButton("FIRST", image.Pt(10, buttonY), choose.First, "Home")
	last := sdl.NewButton("LAST", image.Pt(560, buttonY), choose.Last, "End")
	show, err := chassis.NewGraphline(chassis.Components{
		"NEXT":    next,
		"PREV":    prev,
		"FIRST":   first,
		"LAST":    last,
		"CHOOSER": choose.NewChooser(files),
		"IMAGE":   sdl.NewImage(image.Pt(0, 0), image.Pt(windowW, slideH)),
	}, chassis.Linkages{
		{Component: "NEXT", Box: "outbox"}:    {Component: "CHOOSER", Box: "inbox"},
		{Component: "PREV", Box: "outbox"}:    {Component: "CHOOSER", Box: "inbox"},
		{Component: "FIRST", Box: "outbox"}:   {Component: "CHOOSER", Box: "inbox"},
		{Component: "LAST", Box: "outbox"}:    {Component: "CHOOSER", Box: "inbox"},
		{Component: "CHOOSER", Box: "outbox"}: {Component: "IMAGE", Box: "inbox"},
		{Component: "IMAGE", Box: "outbox"}:   {Component: chassis.Self, Box: "outbox"},
	})
	if err != nil {
		return err
	}

	// What the Image has put up is named (and photographed).
	ready := []<-chan struct{}{next.Ready(), prev.Ready(), first.Ready(), last.Ready()}
	shown := newShown(stdout, *shots, ready...)
	out, _ := show.Outbox("outbox")
	if _, err := axon.Link(out, shown.In); err != nil {
		return err
	}
	axon.MustLink(shown.Requests, display.In)

	// The remote control: lines of stdin pressed as keys in the window.
	remote := console.NewReader(console.WithInput(stdin), console.WithPrompt(""))
	keys := newKeyPresser(ready...)
	axon.MustLink(remote.Out, keys.In)
	axon.MustLink(remote.Signal(), keys.Control())
	axon.MustLink(keys.Requests, display.In)

	// Closing the window ends the display; the rest is then shut down.
	go func() {
		select {
		case <-display.Done():
			s.ShutdownAll(axon.Shutdown{})
		case <-ctx.Done():
		}
	}()
	if err := s.RunContext(ctx, display, show, shown, remote, keys); err != nil {
		return err
	}
	if show.Err() != nil {
		return show.Err()
	}
	return display.Err()
}

// images returns the image files of dir, in name order.
func images(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg", ".gif", ".bmp":
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no images (PNG, JPEG, GIF, BMP) in %s", dir)
	}
	slices.Sort(files)
	return files, nil
}
