//go:build cgo

package topoview_test

import (
	"context"
	"fmt"
	"image"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/topoview"
)

// A graph in an SDL window: a click on a node selects it, and the window
// says so on its outbox.
func ExampleWindow() {
	ctx := context.Background()
	g := topology.NewGraph(topology.SimpleLaws(100), 320, 240, 1)
	g.ApplyLine(`ADD NODE 1 "1st node" 100,100 -`)

	s := axon.NewScheduler()
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: 320, Height: 240})
	_ = d.Publish(s.Services())
	dh, _ := axon.NewHandle(s, d)
	w := topoview.NewWindow(g, image.Pt(320, 240))
	wh, _ := axon.NewHandle(s, w)
	<-w.Ready()

	_ = dh.Put(ctx, "inbox", sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: 100, Y: 100, Button: 1}})
	sel, _ := wh.Get(ctx, "outbox")
	fmt.Println(sel.(topology.Reply).Lines()[0])

	_ = wh.Close()
	_ = dh.Close()
	_ = s.Wait(ctx)
	// Output:
	// SELECT NODE "1"
}
