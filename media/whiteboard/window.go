//go:build cgo

package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/kamaelia-go/kamaelia/axon"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// The Whiteboard window's geometry, as Kamaelia laid it out (the canvas's
// place and size are components/whiteboard's CanvasX, CanvasY,
// CanvasWidth and CanvasHeight).
const (
	// ToolbarY is the top of the toolbar row; its buttons are ToolHeight
	// high.
	ToolbarY   = 1
	ToolHeight = 32
	// EraserWidth is the eraser button's width, at x = 0.
	EraserWidth = 64
	// SwatchX is where the ten colour swatches start; each is SwatchSize
	// square.
	SwatchX    = 64
	SwatchSize = 32
	// ToolWidth is a button's width; button k (1 to 10) is at x =
	// ToolX + 64·k.
	ToolWidth = 63
	ToolX     = 321
	// TickerY and TickerHeight place the status line at the bottom, the
	// window's width wide.
	TickerY      = 753
	TickerHeight = 15
	// TickerClear is the ticker message that clears it.
	TickerClear = "\x00CLRTKR"
)

// Tool is a button of the toolbar: its caption and the message it sends
// on the Window's "buttons" outbox when clicked.
type Tool struct {
	Label, Message string
}

// Tools are the ten button places of the toolbar, left to right; a Tool
// with no Label leaves its place empty.
type Tools [10]Tool

// WhiteboardTools returns the Whiteboard's buttons: <<, >>, Checkpoint,
// New Page, Clear, Delete, Load Deck, Save Deck, Close Deck and Quit,
// sending "prev", "next", "checkpoint", "new", "clear", "delete",
// "loaddeck", "savedeck", "closedeck" and "quit". A client (a peer that
// connected to another) has only Quit, as in Kamaelia, so that peers'
// pages stay in step.
func WhiteboardTools(client bool) Tools {
	t := Tools{
		{"<<", "prev"}, {">>", "next"}, {"Checkpoint", "checkpoint"}, {"New Page", "new"},
		{"Clear", "clear"}, {"Delete", "delete"}, {"Load Deck", "loaddeck"}, {"Save Deck", "savedeck"},
		{"Close Deck", "closedeck"}, {"Quit", "quit"},
	}
	if client {
		for i := range 9 {
			t[i] = Tool{}
		}
	}
	return t
}

// Window is the Whiteboard's window, drawn by the SDL Display: the
// toolbar (an eraser, ten colour swatches, the Tools), the canvas, which
// shows what a CanvasComponent reports on its "updates" outbox, and the
// ticker, a status line. It is the window half of Kamaelia's Canvas, with
// its Palette and buttons.
//
// Boxes:
//
//	inbox     wb.Update      changes of the canvas (a CanvasComponent's
//	                         "updates"), drawn on the window's copy
//	backdrop  *frame.Video   pictures shown beneath the canvas, scaled to
//	                         it (the Video Whiteboard's video); the
//	                         Window owns them once sent, and of those
//	                         waiting shows the newest only
//	ticker    string         status text, appended to the ticker line;
//	                         TickerClear clears it
//	events    sdl.Event      from the Display (the Window links it)
//	screenshot sdl.Screenshot passed to the Display once everything the
//	                         Window took before it is drawn: how a test
//	                         sees what a person would
//	control   any            ProducerFinished, Shutdown
//	outbox    wb.MouseEvent  mouse presses, drags and releases on the
//	                         canvas, in canvas pixels: a Painter's input
//	colour    color.RGBA     the swatch clicked: a Painter's "colour"
//	erase     wb.Erase       the eraser clicked: a Painter's "erase"
//	buttons   string         the Message of each Tool clicked, and "quit"
//	                         when the window is closed
//	pointer   sdl.Event      every mouse event on the canvas, as the
//	                         Display reported it (the Video Whiteboard
//	                         steps on clicks and the wheel)
//	keys      string         SDL's name of each key pressed
//	signal    any            the outcome
//
// It finds the Display under sdl.ServiceName in its scheduler's registry
// when it starts, and opens its regions in this order: backdrop (when
// Backdrop is set), canvas, toolbar, ticker; the Display draws them in
// that order, so the canvas lies over the backdrop. With Transparent set,
// the canvas's white is see-through, so strokes lie on the backdrop. The
// changes of the canvas waiting are drawn together and shown once.
//
// Shutdown: ProducerFinished draws what is queued and returns nil, leaving
// the window as it is; Shutdown returns at once with ctx's error. The
// window being closed sends "quit" on buttons and ends the Window with
// nil. An error the Display reports about a region ends it with that
// error.
type Window struct {
	axon.Core
	In       *axon.Inbox[wb.Update]
	Backdrop *axon.Inbox[*frame.Video]
	Ticker   *axon.Inbox[string]
	Events   *axon.Inbox[sdl.Event]
	Shots    *axon.Inbox[sdl.Screenshot]
	Mouse    *axon.Outbox[wb.MouseEvent]
	Colour   *axon.Outbox[color.RGBA]
	Erase    *axon.Outbox[wb.Erase]
	Buttons  *axon.Outbox[string]
	Pointer  *axon.Outbox[sdl.Event]
	Keys     *axon.Outbox[string]

	// Tools are the toolbar's buttons.
	Tools Tools
	// ShowBackdrop opens the backdrop region beneath the canvas.
	ShowBackdrop bool
	// Transparent makes the canvas's white see-through.
	Transparent bool
	// CanvasRect is where the canvas lies in the window (the Whiteboard's
	// place and size unless set).
	CanvasRect image.Rectangle
	// TickerRect is where the ticker lies (the Whiteboard's unless set).
	TickerRect image.Rectangle

	display *axon.Outbox[sdl.Request]
	errs    *axon.Inbox[error]
	ready   chan struct{}
}

// NewWindow returns the Whiteboard's window with tools.
func NewWindow(tools Tools) *Window {
	w := &Window{Tools: tools, ready: make(chan struct{}),
		CanvasRect: image.Rect(wb.CanvasX, wb.CanvasY, wb.CanvasX+wb.CanvasWidth, wb.CanvasY+wb.CanvasHeight),
		TickerRect: image.Rect(0, TickerY, wb.WindowWidth, TickerY+TickerHeight)}
	w.In = axon.NewInbox[wb.Update](w, "inbox")
	w.Backdrop = axon.NewInbox[*frame.Video](w, "backdrop")
	w.Ticker = axon.NewInbox[string](w, "ticker")
	w.Events = axon.NewInbox[sdl.Event](w, "events")
	w.Shots = axon.NewInbox[sdl.Screenshot](w, "screenshot")
	w.Mouse = axon.NewOutbox[wb.MouseEvent](w, "outbox")
	w.Colour = axon.NewOutbox[color.RGBA](w, "colour")
	w.Erase = axon.NewOutbox[wb.Erase](w, "erase")
	w.Buttons = axon.NewOutbox[string](w, "buttons")
	w.Pointer = axon.NewOutbox[sdl.Event](w, "pointer")
	w.Keys = axon.NewOutbox[string](w, "keys")
	w.display = axon.NewOutbox[sdl.Request](w, "_display")
	w.errs = axon.NewInbox[error](w, "_displayErrors")
	return w
}

// Ready is closed once the Window has asked the Display for all its
// regions: what anyone sends the Display after that (an injected click, a
// screenshot) is handled after they exist.
func (w *Window) Ready() <-chan struct{} { return w.ready }

// windowRegions are the ids of a Window's regions.
type windowRegions struct {
	backdrop, canvas, eraser, ticker sdl.RegionID
	swatches                         [10]sdl.RegionID
	tools                            [10]sdl.RegionID
}

// solid returns a frame of size filled with c.
func solid(size image.Point, c color.RGBA) *frame.Video {
	v := frame.Alloc(frame.RGBA, size.X, size.Y)
	p := v.Planes[0]
	for i := 0; i < len(p); i += 4 {
		p[i], p[i+1], p[i+2], p[i+3] = c.R, c.G, c.B, c.A
	}
	return v
}

// Main shows the window and reports what is done in it until told to
// stop.
func (w *Window) Main(ctx context.Context) error {
	if !w.display.Linked() {
		svc, err := w.Services().Lookup(sdl.ServiceName)
		if err != nil {
			return fmt.Errorf("whiteboard window: no display to draw on (start one and Publish it first): %w", err)
		}
		if _, err := w.Link(w.display, svc.Inbox); err != nil {
			return err
		}
	}
	cr, tr := w.CanvasRect, w.TickerRect
	if cr.Empty() || tr.Empty() {
		return errors.New("whiteboard window: the canvas and the ticker need a place")
	}
	var ids windowRegions
	open := func(id *sdl.RegionID, r image.Rectangle, label string, events bool) error {
		*id = sdl.NewRegionID()
		o := sdl.OpenRegion{ID: *id, Rect: r, Label: label, Errors: w.errs}
		if events {
			o.Events = w.Events
		}
		return w.display.Send(ctx, o)
	}
	show := func(id sdl.RegionID, v *frame.Video) error {
		return w.display.Send(ctx, sdl.ShowFrame{ID: id, Frame: v})
	}
	if w.ShowBackdrop {
		if err := open(&ids.backdrop, cr, "", false); err != nil {
			return err
		}
	}
	if err := open(&ids.canvas, cr, "", true); err != nil {
		return err
	}
	if err := open(&ids.eraser, image.Rect(0, ToolbarY, EraserWidth, ToolbarY+ToolHeight), "Eraser", true); err != nil {
		return err
	}
	for i, c := range wb.Palette {
		r := image.Rect(SwatchX+SwatchSize*i, ToolbarY, SwatchX+SwatchSize*(i+1), ToolbarY+ToolHeight)
		if err := open(&ids.swatches[i], r, "", true); err != nil {
			return err
		}
		if err := show(ids.swatches[i], solid(r.Size(), c)); err != nil {
			return err
		}
	}
	for i, t := range w.Tools {
		if t.Label == "" {
			continue
		}
		x := ToolX + 64*(i+1)
		if err := open(&ids.tools[i], image.Rect(x, ToolbarY, x+ToolWidth, ToolbarY+ToolHeight), t.Label, true); err != nil {
			return err
		}
	}
	if err := open(&ids.ticker, tr, "", false); err != nil {
		return err
	}
	// The window's copy of the canvas, white until told otherwise.
	pic := image.NewRGBA(image.Rect(0, 0, cr.Dx(), cr.Dy()))
	draw.Draw(pic, pic.Rect, image.NewUniform(wb.White), image.Point{}, draw.Src)
	tick := newTicker(tr.Size())
	if err := show(ids.canvas, w.canvasFrame(pic)); err != nil {
		return err
	}
	if err := show(ids.ticker, tick.frame()); err != nil {
		return err
	}
	close(w.ready)

	for {
		st := w.TakeControl(nil)
		if err, ok := w.errs.TryRecv(); ok {
			return err
		}
		busy := false
		// Every change waiting is drawn, then the canvas shown once.
		changed := false
		for {
			u, ok := w.In.TryRecv()
			if !ok {
				break
			}
			if u.Pixels != nil {
				draw.Draw(pic, u.Rect, u.Pixels, u.Rect.Min, draw.Src)
				changed = true
			}
		}
		if changed {
			busy = true
			if err := show(ids.canvas, w.canvasFrame(pic)); err != nil {
				return err
			}
		}
		var back *frame.Video
		for {
			v, ok := w.Backdrop.TryRecv()
			if !ok {
				break
			}
			if back != nil {
				back.Release() // a newer one came: this one is never shown
			}
			back = v
		}
		if back != nil {
			busy = true
			if !w.ShowBackdrop {
				return errors.New("whiteboard window: a backdrop picture, but no backdrop region (set ShowBackdrop)")
			}
			if err := show(ids.backdrop, back); err != nil {
				return err
			}
		}
		text := false
		for {
			s, ok := w.Ticker.TryRecv()
			if !ok {
				break
			}
			tick.add(s)
			text = true
		}
		if text {
			busy = true
			if err := show(ids.ticker, tick.frame()); err != nil {
				return err
			}
		}
		for {
			// A shot shows everything sent before it: what came while
			// this pass drew is drawn first, in the next pass.
			if w.In.Len() > 0 || w.Backdrop.Len() > 0 || w.Ticker.Len() > 0 {
				busy = true
				break
			}
			r, ok := w.Shots.TryRecv()
			if !ok {
				break
			}
			busy = true
			if err := w.display.Send(ctx, r); err != nil {
				return err
			}
		}
		for {
			ev, ok := w.Events.TryRecv()
			if !ok {
				break
			}
			busy = true
			quit, err := w.event(ctx, &ids, ev)
			if err != nil {
				return err
			}
			if quit {
				return nil
			}
		}
		if busy {
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := w.Wait(ctx); err != nil {
			return err
		}
	}
}

// canvasFrame returns a frame of pic for the Display, its white made
// see-through when the Window is Transparent.
func (w *Window) canvasFrame(pic *image.RGBA) *frame.Video {
	v := frame.Alloc(frame.RGBA, pic.Rect.Dx(), pic.Rect.Dy())
	copy(v.Planes[0], pic.Pix)
	if w.Transparent {
		p := v.Planes[0]
		for i := 0; i < len(p); i += 4 {
			if p[i] == 255 && p[i+1] == 255 && p[i+2] == 255 {
				p[i+3] = 0
			}
		}
	}
	return v
}

// event acts on one event from the Display; it reports whether the window
// was closed.
func (w *Window) event(ctx context.Context, ids *windowRegions, ev sdl.Event) (bool, error) {
	if ev.Kind == sdl.Quit {
		// Every region hears it: act once.
		if ev.Region != ids.canvas {
			return false, nil
		}
		return true, w.Buttons.Send(ctx, "quit")
	}
	if ev.Kind == sdl.KeyDown || ev.Kind == sdl.KeyUp {
		// Every region hears the keys: take the canvas's copy only.
		if ev.Region == ids.canvas && ev.Kind == sdl.KeyDown {
			return false, w.Keys.Send(ctx, ev.Key)
		}
		return false, nil
	}
	switch ev.Region {
	case ids.canvas:
		if err := w.Pointer.Send(ctx, ev); err != nil {
			return false, err
		}
		var kind wb.MouseKind
		switch ev.Kind {
		case sdl.MouseDown:
			kind = wb.MouseDown
		case sdl.MouseUp:
			kind = wb.MouseUp
		case sdl.MouseMove:
			kind = wb.MouseMove
		default:
			return false, nil
		}
		return false, w.Mouse.Send(ctx, wb.MouseEvent{Kind: kind, X: ev.X, Y: ev.Y, Button: ev.Button})
	case ids.eraser:
		if ev.Kind == sdl.MouseDown && ev.Button == 1 {
			return false, w.Erase.Send(ctx, wb.Erase{})
		}
		return false, nil
	}
	if ev.Kind != sdl.MouseDown || ev.Button != 1 {
		return false, nil
	}
	for i, id := range ids.swatches {
		if ev.Region == id {
			return false, w.Colour.Send(ctx, wb.Palette[i])
		}
	}
	for i, id := range ids.tools {
		if id != 0 && ev.Region == id {
			return false, w.Buttons.Send(ctx, w.Tools[i].Message)
		}
	}
	return false, nil
}

// ticker is the status line: the text told so far, of which the end that
// fits is shown, black on light grey.
type ticker struct {
	size image.Point
	text string
}

func newTicker(size image.Point) *ticker { return &ticker{size: size} }

// add appends s (with a space between), or clears the line for
// TickerClear.
func (t *ticker) add(s string) {
	if s == TickerClear {
		t.text = ""
		return
	}
	if t.text != "" {
		t.text += " "
	}
	t.text += s
	// Keep it bounded: what can never be shown goes.
	if r := []rune(t.text); len(r) > 4096 {
		t.text = string(r[len(r)-4096:])
	}
}

// tickerBackground and tickerInk are the ticker's colours.
var (
	tickerBackground = color.RGBA{224, 224, 224, 255}
	tickerInk        = color.RGBA{0, 0, 0, 255}
)

// frame draws the line: the end of the text that fits, from the left.
func (t *ticker) frame() *frame.Video {
	img := image.NewRGBA(image.Rectangle{Max: t.size})
	draw.Draw(img, img.Rect, image.NewUniform(tickerBackground), image.Point{}, draw.Src)
	size := max(t.size.Y-3, 6)
	text := []rune(t.text)
	// No glyph is narrower than a few pixels: more than this never fits.
	if most := t.size.X / 2; len(text) > most {
		text = text[len(text)-most:]
	}
	for len(text) > 0 {
		w := textWidth(string(text), size, t.size.Y)
		if w <= t.size.X-4 {
			break
		}
		// Drop what overflows, in proportion, and measure again.
		drop := max(1, len(text)*(w-t.size.X+4)/w)
		text = text[drop:]
	}
	if len(text) > 0 {
		_, _ = wb.DrawText(img, 2, 1, size, tickerInk, string(text))
	}
	v := frame.Alloc(frame.RGBA, t.size.X, t.size.Y)
	copy(v.Planes[0], img.Pix)
	return v
}

// textWidth returns how far text at size pixels reaches, drawn from x = 0
// on a line height high.
func textWidth(text string, size, height int) int {
	scratch := image.NewRGBA(image.Rect(0, 0, len(text)*size+8, height+size))
	box, err := wb.DrawText(scratch, 0, 0, size, tickerInk, text)
	if err != nil {
		return 0
	}
	return box.Max.X
}
