//go:build cgo

package sdlshot_test

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/examples/internal/sdlshot"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// A window, and its picture on disk once the (here empty) video has ended;
// then the window closes.
func Example() {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		os.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	dir, _ := os.MkdirTemp("", "sdlshot-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "window.png")

	s := axon.NewScheduler()
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 160, Height: 120})
	shot := sdlshot.New(path)
	axon.MustLink(shot.Requests, display.In)
	axon.MustLink(shot.Signal(), display.Control())
	h, err := axon.NewHandle(s, shot, "inbox")
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Activate(display)
	ctx := context.Background()
	_ = h.Put(ctx, "inbox", axon.ProducerFinished{}) // the video's outcome
	if err := s.Wait(ctx); err != nil {
		fmt.Println(err)
		return
	}
	f, _ := os.Open(path)
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	fmt.Println(cfg.Width, cfg.Height, err)
	// Output:
	// 160 120 <nil>
}
