//go:build cgo

// Command presentation is the presentation tool of Kamaelia's article: four
// buttons drive a Chooser of image files, which drives an Image.
//
//	Button NEXT  --\
//	Button PREV  ---+--> Chooser --> Image
//	Button FIRST ---|
//	Button LAST  --/
//
// The buttons answer to clicks and to the keys Right, Left, Home and End.
// Given no directory, it draws four slides of its own first.
//
// Usage:
//
//	go run ./media/examples/presentation [-dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/choose"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

func main() {
	dir := flag.String("dir", "", "directory of images (PNG, JPEG, GIF, BMP)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "presentation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "slides")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		if err := drawSlides(d); err != nil {
			return err
		}
		dir = d
	}
	files, err := images(dir)
	if err != nil {
		return err
	}
	s := axon.NewScheduler()
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 640, Height: 480, Title: "kamaelia: presentation"})
	if err := display.Publish(s.Services()); err != nil {
		return err
	}
	chooser := choose.NewChooser(files)
	pic := sdl.NewImage(image.Pt(0, 0), image.Pt(640, 440))
	buttons := []*sdl.Button[string]{
		sdl.NewButton("FIRST", image.Pt(10, 448), choose.First, "Home"),
		sdl.NewButton("PREV", image.Pt(90, 448), choose.Prev, "Left"),
		sdl.NewButton("NEXT", image.Pt(480, 448), choose.Next, "Right"),
		sdl.NewButton("LAST", image.Pt(560, 448), choose.Last, "End"),
	}
	comps := []axon.Component{display, chooser, pic}
	for _, b := range buttons {
		axon.MustLink(b.Out, chooser.In)
		comps = append(comps, b)
	}
	axon.MustLink(chooser.Out, pic.In)
	// Closing the window ends the display; Ctrl-C ends everything.
	go func() {
		<-display.Done()
		s.ShutdownAll(axon.Shutdown{})
	}()
	return s.RunContext(ctx, comps...)
}

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
		return nil, fmt.Errorf("no images in %s", dir)
	}
	slices.Sort(files)
	return files, nil
}

// drawSlides writes four slides, each a colour with a white band whose
// place shows its number.
func drawSlides(dir string) error {
	cols := []color.RGBA{{200, 40, 40, 255}, {40, 160, 40, 255}, {40, 40, 200, 255}, {200, 160, 40, 255}}
	for i, c := range cols {
		img := image.NewRGBA(image.Rect(0, 0, 640, 440))
		for y := range 440 {
			for x := range 640 {
				p := c
				if x/80 == i+2 {
					p = color.RGBA{250, 250, 250, 255}
				}
				img.SetRGBA(x, y, p)
			}
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("slide%d.png", i+1)))
		if err != nil {
			return err
		}
		err = png.Encode(f, img)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
