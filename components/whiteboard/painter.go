package whiteboard

import (
	"context"
	"image/color"
	"strconv"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// MouseKind is what a MouseEvent reports.
type MouseKind int

// The kinds of mouse event a Painter takes.
const (
	MouseDown MouseKind = iota // a button was pressed
	MouseMove                  // the pointer moved
	MouseUp                    // a button was released
)

// MouseEvent is a mouse event on the canvas, in canvas coordinates (the
// window's, less the canvas's position). Button is 1 for the left button
// (which draws), 3 for the right; it is ignored for MouseMove.
type MouseEvent struct {
	Kind   MouseKind
	X, Y   int
	Button int
}

// Erase is sent on a Painter's "erase" inbox to select the eraser.
type Erase struct{}

// EraserRadius is the radius of the white disc the eraser paints.
const EraserRadius = 8

// Palette is the Whiteboard's ten colour swatches, left to right: black,
// red, orange, yellow, green, turquoise, blue, purple, dark grey, light
// grey.
var Palette = [10]color.RGBA{
	{0, 0, 0, 255}, {192, 0, 0, 255}, {192, 96, 0, 255}, {160, 160, 0, 255},
	{0, 192, 0, 255}, {0, 160, 160, 255}, {0, 0, 255, 255}, {192, 0, 192, 255},
	{96, 96, 96, 255}, {192, 192, 192, 255},
}

// Painter turns mouse events into drawing commands (Kamaelia's Painter):
// while the left button is down, each move draws a LINE from the last
// position to the new one in the current colour, or, with the eraser, a
// white CIRCLE of radius EraserRadius at the new position. The commands made
// from the events taken together go out as one batch.
//
// Boxes:
//
//	inbox   MouseEvent   mouse events on the canvas
//	colour  color.RGBA   select drawing in this colour (black at first)
//	erase   Erase        select the eraser
//	outbox  wire.Batch   drawing messages
//	control, signal as usual
//
// Shutdown: ProducerFinished on control makes it turn what is waiting into
// commands and end; Shutdown stops it at once.
type Painter struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[MouseEvent]
	// Colour is the inbox called "colour".
	Colour *axon.Inbox[color.RGBA]
	// Erase is the inbox called "erase".
	Erase *axon.Inbox[Erase]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[wire.Batch]
}

// NewPainter returns a Painter.
func NewPainter() *Painter {
	p := &Painter{}
	p.In = axon.NewInbox[MouseEvent](p, "inbox")
	p.Colour = axon.NewInbox[color.RGBA](p, "colour")
	p.Erase = axon.NewInbox[Erase](p, "erase")
	p.Out = axon.NewOutbox[wire.Batch](p, "outbox")
	return p
}

// Main paints until told to stop.
func (p *Painter) Main(ctx context.Context) error {
	col := color.RGBA{0, 0, 0, 255}
	erasing, dragging := false, false
	var lastX, lastY int
	var events []MouseEvent
	for {
		st := p.TakeControl(nil)
		for {
			c, ok := p.Colour.TryRecv()
			if !ok {
				break
			}
			col, erasing = c, false
		}
		for {
			if _, ok := p.Erase.TryRecv(); !ok {
				break
			}
			erasing = true
		}
		events = p.In.TryRecvBatch(events[:0], maxGroup)
		var batch wire.Batch
		for _, e := range events {
			switch {
			case e.Kind == MouseDown && e.Button == 1:
				lastX, lastY, dragging = e.X, e.Y, true
			case (e.Kind == MouseMove || e.Kind == MouseUp) && dragging:
				batch = append(batch, stroke(erasing, col, lastX, lastY, e.X, e.Y))
				lastX, lastY = e.X, e.Y
				dragging = e.Kind == MouseMove
			}
		}
		if len(batch) > 0 {
			if err := p.Out.Send(ctx, batch); err != nil {
				return err
			}
		}
		if p.In.Len() > 0 {
			continue
		}
		if st.Finishing && p.Colour.Len() == 0 && p.Erase.Len() == 0 {
			return nil
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
}

func stroke(erasing bool, c color.RGBA, x0, y0, x1, y1 int) wire.Command {
	it := strconv.Itoa
	if erasing {
		return wire.Command{"CIRCLE", "255", "255", "255", it(x1), it(y1), it(EraserRadius)}
	}
	return wire.Command{"LINE", it(int(c.R)), it(int(c.G)), it(int(c.B)), it(x0), it(y0), it(x1), it(y1)}
}
