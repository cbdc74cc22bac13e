package whiteboard_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// The canvas engine needs no window: draw a stroke and read the pixels.
func ExampleCanvas() {
	c := whiteboard.NewCanvas(whiteboard.CanvasWidth, whiteboard.CanvasHeight)
	_, _ = c.Exec(wire.Command{"LINE", "192", "0", "0", "10", "10", "20", "10"})
	_, _ = c.Exec(wire.Command{"CIRCLE", "0", "0", "255", "100", "100", "8"})
	fmt.Println(c.Image().RGBAAt(15, 10), c.Image().RGBAAt(100, 108), c.Image().RGBAAt(100, 109))
	// Output:
	// {192 0 0 255} {0 0 255 255} {255 255 255 255}
}
