//go:build cgo

package whiteboard

import (
	"context"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// drawing are the commands that change the picture, which FrameNotes
// keeps.
var drawing = map[string]bool{"CLEAR": true, "NEW": true, "LINE": true, "CIRCLE": true, "WRITE": true, "LOAD": true, "SETIMG": true}

// FrameNotes keys the drawing on a Video Whiteboard's canvas to the video's
// frames (new: Kamaelia's notes were pages, whatever the frame): a stroke
// made while frame 5 is shown is shown again whenever frame 5 is, and on
// no other frame. It sits in front of the canvas, keeps the drawing
// commands each frame was given, and when the frame changes clears the
// canvas and draws the new frame's again.
//
// Boxes:
//
//	inbox   wire.Batch  drawing messages for the canvas (the painter's and
//	                    the peers')
//	frame   int         the number of each frame shown (a FramePlayer's
//	                    "frame")
//	control any         ProducerFinished, Shutdown
//	outbox  wire.Batch  to the canvas: every message as it came, and on a
//	                    change of frame a CLEAR and that frame's drawing
//	signal  any         the outcome
//
// Drawing messages waiting are taken before frame changes waiting: they
// were drawn on the frame that was showing. A CLEAR or NEW forgets the
// frame's drawing before it. Commands that do not draw (GETIMG, SAVE)
// pass on and are not kept. With Bound false it passes everything on and
// keeps nothing: the canvas is a page, whatever the frame, as in Kamaelia.
//
// Shutdown: ProducerFinished passes on what is waiting and ends;
// Shutdown ends at once.
type FrameNotes struct {
	axon.Core
	In    *axon.Inbox[wire.Batch]
	Frame *axon.Inbox[int]
	Out   *axon.Outbox[wire.Batch]

	// Bound keys the drawing to frames.
	Bound bool

	notes map[int][]wire.Command
}

// NewFrameNotes returns FrameNotes keying drawing to frames.
func NewFrameNotes() *FrameNotes {
	n := &FrameNotes{Bound: true, notes: map[int][]wire.Command{}}
	n.In = axon.NewInbox[wire.Batch](n, "inbox")
	n.Frame = axon.NewInbox[int](n, "frame")
	n.Out = axon.NewOutbox[wire.Batch](n, "outbox")
	return n
}

// Main keeps notes until told to stop.
func (n *FrameNotes) Main(ctx context.Context) error {
	cur := 0
	for {
		st := n.TakeControl(nil)
		busy := false
		for {
			b, ok := n.In.TryRecv()
			if !ok {
				break
			}
			busy = true
			if n.Bound {
				n.keep(cur, b)
			}
			if err := n.Out.Send(ctx, b); err != nil {
				return err
			}
		}
		to, moved := cur, false
		for {
			f, ok := n.Frame.TryRecv()
			if !ok {
				break
			}
			busy, moved, to = true, true, f // only the last one shows
		}
		if moved && to != cur {
			if n.Bound && (len(n.notes[cur]) > 0 || len(n.notes[to]) > 0) {
				redraw := append(wire.Batch{{"CLEAR"}}, n.notes[to]...)
				if err := n.Out.Send(ctx, redraw); err != nil {
					return err
				}
			}
			cur = to
		}
		if busy {
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := n.Wait(ctx); err != nil {
			return err
		}
	}
}

// keep adds the drawing commands of b to frame f's notes.
func (n *FrameNotes) keep(f int, b wire.Batch) {
	for _, c := range b {
		name := strings.ToUpper(c.Name())
		if !drawing[name] {
			continue
		}
		if name == "CLEAR" || name == "NEW" {
			n.notes[f] = n.notes[f][:0]
			if name == "NEW" {
				c = wire.Command{"CLEAR"} // NEW would tell the peers again
			}
		}
		n.notes[f] = append(n.notes[f], c)
	}
}

// Stepper turns what is done in the Video Whiteboard's window into steps
// of its FramePlayer, as Kamaelia's Video Whiteboard took them: a click of
// the left button steps to the next frame, the middle button to the
// first, the right button to the previous; the wheel turned up steps
// back, down steps on; the keys n and p step on and back, q quits.
// (New: a left press that drags is a stroke, not a click, so drawing
// does not step; the space bar pauses and plays.)
//
// Boxes:
//
//	inbox   sdl.Event  mouse events on the canvas (a Window's "pointer")
//	keys    string     keys pressed (a Window's "keys")
//	control any        ProducerFinished, Shutdown
//	outbox  string     steps, for a FramePlayer
//	quit    string     "quit" when q is pressed
//	signal  any        the outcome
//
// Shutdown: ProducerFinished acts on what is waiting and ends; Shutdown
// ends at once.
type Stepper struct {
	axon.Core
	In   *axon.Inbox[sdl.Event]
	Keys *axon.Inbox[string]
	Out  *axon.Outbox[string]
	Quit *axon.Outbox[string]
}

// NewStepper returns a Stepper.
func NewStepper() *Stepper {
	s := &Stepper{}
	s.In = axon.NewInbox[sdl.Event](s, "inbox")
	s.Keys = axon.NewInbox[string](s, "keys")
	s.Out = axon.NewOutbox[string](s, "outbox")
	s.Quit = axon.NewOutbox[string](s, "quit")
	return s
}

// Main steps until told to stop.
func (s *Stepper) Main(ctx context.Context) error {
	pressed, dragged := false, false
	for {
		st := s.TakeControl(nil)
		busy := false
		for {
			ev, ok := s.In.TryRecv()
			if !ok {
				break
			}
			busy = true
			step := ""
			switch {
			case ev.Kind == sdl.MouseDown && ev.Button == 1:
				pressed, dragged = true, false
			case ev.Kind == sdl.MouseMove && pressed:
				dragged = true
			case ev.Kind == sdl.MouseUp && ev.Button == 1:
				if pressed && !dragged {
					step = StepNext
				}
				pressed = false
			case ev.Kind == sdl.MouseDown && ev.Button == 2:
				step = StepFirst
			case ev.Kind == sdl.MouseDown && ev.Button == 3:
				step = StepPrev
			case ev.Kind == sdl.MouseWheel && ev.Wheel > 0:
				step = StepPrev
			case ev.Kind == sdl.MouseWheel && ev.Wheel < 0:
				step = StepNext
			}
			if step != "" {
				if err := s.Out.Send(ctx, step); err != nil {
					return err
				}
			}
		}
		for {
			k, ok := s.Keys.TryRecv()
			if !ok {
				break
			}
			busy = true
			var err error
			switch strings.ToLower(k) {
			case "n":
				err = s.Out.Send(ctx, StepNext)
			case "p":
				err = s.Out.Send(ctx, StepPrev)
			case "space":
				err = s.Out.Send(ctx, StepToggle)
			case "q":
				err = s.Quit.Send(ctx, "quit")
			}
			if err != nil {
				return err
			}
		}
		if busy {
			continue
		}
		if st.Finishing {
			return nil
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
}
