//go:build cgo

package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// VideoTools returns the Video Whiteboard's buttons: << and >> (a frame
// back and on; with Pages, a page), Checkpoint (save the frame's notes;
// with Pages, keep the page and go on to a new one), Clear, New Page
// (clear here and on the peers; with Pages, a new page after the last),
// ~~<<~~ and ~~>>~~ (as << and >>, here and on the peers: remote page
// turns) and Quit.
func VideoTools() Tools {
	return Tools{
		{"<<", "prev"}, {">>", "next"}, {"Checkpoint", "checkpoint"}, {"Clear", "clear"},
		{"New Page", "new"}, {"~~<<~~", "remoteprev"}, {"~~>>~~", "remotenext"}, {}, {}, {"Quit", "quit"},
	}
}

// VideoOptions are the settings of a Video Whiteboard.
type VideoOptions struct {
	// Period is how long each frame is shown (FramePlayer.Period): 0 for
	// DefaultFramePeriod, negative to step only when told.
	Period time.Duration
	// Pages makes the notes pages, as in Kamaelia (one drawing whatever
	// the frame, in a page history of its own), instead of keyed to
	// frames.
	Pages bool
	// Scribbles is the folder the notes are saved in: Checkpoint writes
	// the frame's as frame.N.png ("" saves nothing); with Pages it holds
	// the page history, slide.N.png as Kamaelia's Scribbles folder did,
	// and must be given (a folder of its own: a Whiteboard peer's pages
	// are named alike).
	Scribbles string
}

// NewVideoWhiteboard returns the Video Whiteboard: the frames play in a
// loop beneath a see-through canvas in a Window, stepped by the mouse and
// the keys as Stepper says, and what is drawn on the canvas is kept for
// the frame it was drawn on (FrameNotes) unless o.Pages.
//
// With o.Pages the notes are Kamaelia's pages instead: a wb.History in
// o.Scribbles, which << and >> move through, Checkpoint and New Page add
// to, and remote page turns (~~<< and >>~~, and the peers' [["prev"]] and
// [["next"]]) turn on every peer, each loading its own page; the mouse and
// keys still step the video.
//
// Boxes:
//
//	inbox   wire.Batch  drawing messages from the peers; a remote page
//	                    turn ([["prev"]] or [["next"]]) steps the video
//	                    (with Pages, turns the page), from the frame a
//	                    wire.FrameTurn before it names
//	outbox  wire.Batch  to the peers: the strokes drawn here, the canvas's
//	                    answers (SETIMG for GETIMG), and the remote page
//	                    turns of ~~<<~~ and ~~>>~~, each after the
//	                    wire.FrameTurn of the frame shown here
//	quit    string      "quit": the Quit button, q, or the window closed
//	frame   int         the number of each frame shown, from 1
//	errors  error       what the canvas and the page history could not do
//	                    (a bad command from a peer, a page file)
//	control, signal     as a Graphline's
//
// It needs a Display published in its scheduler's registry.
func NewVideoWhiteboard(frames []*frame.Video, o VideoOptions) (*chassis.Graph, error) {
	win := NewWindow(VideoTools())
	win.ShowBackdrop, win.Transparent = true, true
	player := NewFramePlayer(frames)
	player.Period = o.Period
	notes := NewFrameNotes()
	notes.Bound = !o.Pages
	desk := newVideoDesk(o)
	comps := chassis.Components{
		"WINDOW": win, "PAINTER": wb.NewPainter(), "CANVAS": wb.NewCanvasComponent(nil),
		"PLAYER": player, "NOTES": notes, "STEPPER": NewStepper(), "DESK": desk,
		"FRAMES": newFanOut(),
	}
	links := chassis.Linkages{
		{Component: "WINDOW", Box: "outbox"}:         {Component: "PAINTER", Box: "inbox"},
		{Component: "WINDOW", Box: "colour"}:         {Component: "PAINTER", Box: "colour"},
		{Component: "WINDOW", Box: "erase"}:          {Component: "PAINTER", Box: "erase"},
		{Component: "WINDOW", Box: "pointer"}:        {Component: "STEPPER", Box: "inbox"},
		{Component: "WINDOW", Box: "keys"}:           {Component: "STEPPER", Box: "keys"},
		{Component: "WINDOW", Box: "buttons"}:        {Component: "DESK", Box: "buttons"},
		{Component: "PAINTER", Box: "outbox"}:        {Component: "DESK", Box: "strokes"},
		{Component: "STEPPER", Box: "outbox"}:        {Component: "PLAYER", Box: "inbox"},
		{Component: "STEPPER", Box: "quit"}:          {Component: "DESK", Box: "buttons"},
		{Component: "DESK", Box: "steps"}:            {Component: "PLAYER", Box: "inbox"},
		{Component: "DESK", Box: "tocanvas"}:         {Component: "NOTES", Box: "inbox"},
		{Component: "NOTES", Box: "outbox"}:          {Component: "CANVAS", Box: "inbox"},
		{Component: "CANVAS", Box: "outbox"}:         {Component: "DESK", Box: "fromcanvas"},
		{Component: "CANVAS", Box: "updates"}:        {Component: "WINDOW", Box: "inbox"},
		{Component: "PLAYER", Box: "outbox"}:         {Component: "WINDOW", Box: "backdrop"},
		{Component: "PLAYER", Box: "frame"}:          {Component: "FRAMES", Box: "inbox"},
		{Component: "FRAMES", Box: "outbox"}:         {Component: "NOTES", Box: "frame"},
		{Component: "FRAMES", Box: "desk"}:           {Component: "DESK", Box: "frame"},
		{Component: "FRAMES", Box: "out"}:            {Component: chassis.Self, Box: "frame"},
		{Component: chassis.Self, Box: "inbox"}:      {Component: "DESK", Box: "inbox"},
		{Component: "DESK", Box: "outbox"}:           {Component: chassis.Self, Box: "outbox"},
		{Component: "DESK", Box: "quit"}:             {Component: chassis.Self, Box: "quit"},
		{Component: chassis.Self, Box: "screenshot"}: {Component: "WINDOW", Box: "screenshot"},
		{Component: "CANVAS", Box: "errors"}:         {Component: chassis.Self, Box: "errors"},
	}
	if o.Pages {
		if o.Scribbles == "" {
			return nil, errors.New("video whiteboard: Pages keeps its pages in Scribbles: give it a folder")
		}
		hist, err := wb.NewHistory(o.Scribbles)
		if err != nil {
			return nil, fmt.Errorf("video whiteboard: %w", err)
		}
		comps["HISTORY"] = hist
		links[chassis.Port{Component: "DESK", Box: "pages"}] = chassis.Port{Component: "HISTORY", Box: "inbox"}
		links[chassis.Port{Component: "HISTORY", Box: "outbox"}] = chassis.Port{Component: "CANVAS", Box: "inbox"}
		links[chassis.Port{Component: "CANVAS", Box: "surfacechanged"}] = chassis.Port{Component: "HISTORY", Box: "dirty"}
		links[chassis.Port{Component: "HISTORY", Box: "ticker"}] = chassis.Port{Component: "DESK", Box: "pagedone"}
		links[chassis.Port{Component: "DESK", Box: "ticker"}] = chassis.Port{Component: "WINDOW", Box: "ticker"}
		links[chassis.Port{Component: "HISTORY", Box: "errors"}] = chassis.Port{Component: chassis.Self, Box: "errors"}
	}
	return chassis.NewGraphline(comps, links)
}

// fanOut sends each frame number to the notes, the desk and out.
type fanOut struct {
	axon.Core
	In              *axon.Inbox[int]
	Notes, Desk, To *axon.Outbox[int]
}

func newFanOut() *fanOut {
	f := &fanOut{}
	f.In = axon.NewInbox[int](f, "inbox")
	f.Notes = axon.NewOutbox[int](f, "outbox")
	f.Desk = axon.NewOutbox[int](f, "desk")
	f.To = axon.NewOutbox[int](f, "out")
	return f
}

// Main passes frame numbers on until told to stop.
func (f *fanOut) Main(ctx context.Context) error {
	for n := range f.In.Messages(ctx) {
		for _, o := range []*axon.Outbox[int]{f.Notes, f.Desk, f.To} {
			if err := o.Send(ctx, n); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// videoDesk is the Video Whiteboard's switchboard: it sends the strokes
// drawn here to the canvas and the peers, the peers' drawing to the
// canvas and their page turns to the player, and acts on the buttons.
type videoDesk struct {
	axon.Core
	In         *axon.Inbox[wire.Batch] // from the peers
	Strokes    *axon.Inbox[wire.Batch] // from the painter
	FromCanvas *axon.Inbox[wire.Batch] // the canvas's answers, for the peers
	Buttons    *axon.Inbox[string]
	Frame      *axon.Inbox[int]
	Out        *axon.Outbox[wire.Batch] // to the peers
	ToCanvas   *axon.Outbox[wire.Batch]
	Steps      *axon.Outbox[string]
	Quit       *axon.Outbox[string]
	Pages      *axon.Outbox[wb.PageCommand] // to the page history, with Pages
	PageDone   *axon.Inbox[string]          // the history's report of each command done
	Ticker     *axon.Outbox[string]         // those reports, for the window

	// paging is set while a page command is with the history: the desk
	// sends nothing to the canvas until it is done, since the history's
	// SAVE and LOAD reach the canvas by another way and must come before
	// what the user did next (Checkpoint, then Clear, saves the page
	// first).
	paging bool

	o VideoOptions
}

func newVideoDesk(o VideoOptions) *videoDesk {
	d := &videoDesk{o: o}
	d.In = axon.NewInbox[wire.Batch](d, "inbox")
	d.Strokes = axon.NewInbox[wire.Batch](d, "strokes")
	d.FromCanvas = axon.NewInbox[wire.Batch](d, "fromcanvas")
	d.Buttons = axon.NewInbox[string](d, "buttons")
	d.Frame = axon.NewInbox[int](d, "frame")
	d.Out = axon.NewOutbox[wire.Batch](d, "outbox")
	d.ToCanvas = axon.NewOutbox[wire.Batch](d, "tocanvas")
	d.Steps = axon.NewOutbox[string](d, "steps")
	d.Quit = axon.NewOutbox[string](d, "quit")
	d.Pages = axon.NewOutbox[wb.PageCommand](d, "pages")
	d.PageDone = axon.NewInbox[string](d, "pagedone")
	d.Ticker = axon.NewOutbox[string](d, "ticker")
	return d
}

// Main switches until told to stop.
func (d *videoDesk) Main(ctx context.Context) error {
	frameNo := 1
	for {
		st := d.TakeControl(nil)
		busy := false
		for {
			s, ok := d.PageDone.TryRecv()
			if !ok {
				break
			}
			d.paging, busy = false, true
			if err := d.Ticker.Send(ctx, s); err != nil {
				return err
			}
		}
		for {
			n, ok := d.Frame.TryRecv()
			if !ok {
				break
			}
			frameNo, busy = n, true
		}
		for {
			b, ok := d.FromCanvas.TryRecv()
			if !ok {
				break
			}
			busy = true
			if err := d.Out.Send(ctx, b); err != nil {
				return err
			}
		}
		if d.paging {
			// Nothing goes to the canvas until the history's report: the
			// canvas's answers and the frame numbers are still taken, so
			// that the canvas never waits on the desk meanwhile.
			if busy {
				continue
			}
			if err := d.WaitFor(ctx, d.PageDone, d.FromCanvas, d.Frame, d.Control()); err != nil {
				return err
			}
			continue
		}
		for !d.paging {
			b, ok := d.Strokes.TryRecv()
			if !ok {
				break
			}
			busy = true
			if err := d.both(ctx, b); err != nil {
				return err
			}
		}
		for !d.paging {
			b, ok := d.In.TryRecv()
			if !ok {
				break
			}
			busy = true
			var err error
			if turn, ok := b.IsPageTurn(); ok {
				err = d.turn(ctx, turn, true)
			} else if n, ok := b.IsFrameTurn(); ok {
				err = d.Steps.Send(ctx, StepShow(n)) // the frame the turn after it starts from
			} else {
				err = d.ToCanvas.Send(ctx, b)
			}
			if err != nil {
				return err
			}
		}
		for !d.paging {
			s, ok := d.Buttons.TryRecv()
			if !ok {
				break
			}
			busy = true
			if err := d.button(ctx, s, frameNo); err != nil {
				return err
			}
		}
		if busy {
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := d.Wait(ctx); err != nil {
			return err
		}
	}
}

// both sends b to the canvas and to the peers.
func (d *videoDesk) both(ctx context.Context, b wire.Batch) error {
	if err := d.ToCanvas.Send(ctx, b); err != nil {
		return err
	}
	return d.Out.Send(ctx, b)
}

// turn turns to the previous or next frame, or with Pages the previous
// or next page; remote says a peer turns its own page too, so the page is
// loaded here without sending its picture on.
func (d *videoDesk) turn(ctx context.Context, dir string, remote bool) error {
	if d.o.Pages {
		return d.page(ctx, wb.PageCommand{Op: wb.PageOp(dir), Local: remote})
	}
	return d.Steps.Send(ctx, map[string]string{"prev": StepPrev, "next": StepNext}[dir])
}

// page sends cmd to the page history; the desk then waits for its report.
func (d *videoDesk) page(ctx context.Context, cmd wb.PageCommand) error {
	if err := d.Pages.Send(ctx, cmd); err != nil {
		return err
	}
	d.paging = true
	return nil
}

// button acts on a button of VideoTools (or "quit" from the keys).
func (d *videoDesk) button(ctx context.Context, s string, frameNo int) error {
	switch s {
	case "prev", "next":
		return d.turn(ctx, s, false)
	case "remoteprev", "remotenext":
		// The frame first, for peers of this project, then the turn every
		// peer understands: a peer playing at its own pace turns from
		// this frame, not its own, and ends on the same one.
		turn := s[len("remote"):]
		if err := d.Out.Send(ctx, wire.FrameTurn(frameNo)); err != nil {
			return err
		}
		if err := d.Out.Send(ctx, wire.Batch{{turn}}); err != nil {
			return err
		}
		return d.turn(ctx, turn, true)
	case "clear":
		return d.ToCanvas.Send(ctx, wire.Batch{{"CLEAR"}})
	case "new":
		if d.o.Pages {
			return d.page(ctx, wb.PageCommand{Op: wb.OpNew})
		}
		// NEW clears here, and the canvas tells the peers to clear.
		return d.ToCanvas.Send(ctx, wire.Batch{{"NEW"}})
	case "checkpoint":
		if d.o.Pages {
			return d.page(ctx, wb.PageCommand{Op: wb.OpCheckpoint})
		}
		if d.o.Scribbles == "" {
			return nil
		}
		name := "frame." + strconv.Itoa(frameNo) + ".png"
		return d.ToCanvas.Send(ctx, wire.Batch{{"SAVE", filepath.Join(d.o.Scribbles, name)}})
	case "quit":
		return d.Quit.Send(ctx, "quit")
	}
	return fmt.Errorf("video whiteboard: no button %q", s)
}
