package whiteboard

import (
	"context"
	"image"
	"image/draw"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// Update is a change of the canvas for a display: the rectangle that
// changed and a copy of its pixels (Pixels.Rect is Rect). The display
// owns the copy.
type Update struct {
	Rect   image.Rectangle
	Pixels *image.RGBA
}

// Reply is the answer to a GETIMG that named who asked: the SETIMG, for
// that one alone.
type Reply struct {
	To    string
	Batch wire.Batch
}

// Dirty is what CanvasComponent sends on "surfacechanged" when the page
// changed since it was last loaded or saved (Kamaelia's "dirty").
const Dirty = "dirty"

// Saved is what CanvasComponent sends on "surfacechanged" after each SAVE
// it carried out or tried to (so that whoever asked knows the file is
// written, or has failed).
const Saved = "saved"

// maxGroup bounds how many waiting batches the canvas takes before it
// reports what changed, so a display is refreshed during a flood too.
const maxGroup = 64

// CanvasComponent is the Whiteboard's canvas as a component (Kamaelia's
// Canvas, without its window): it carries out the drawing messages it is
// sent on a Canvas and reports what they did.
//
// Boxes:
//
//	inbox          wire.Batch   drawing messages: from peers, the painter,
//	                            the page history, the console
//	outbox         wire.Batch   messages for the peers: the SETIMG that
//	                            answers GETIMG or follows LOAD, the CLEAR
//	                            that follows NEW
//	replies        Reply        the answer to a GETIMG that named who
//	                            asked ([["GETIMG", who]]), for that one
//	surfacechanged string       Dirty, once each time the page becomes
//	                            changed since its last LOAD or SAVE, and at
//	                            each CLEAR or NEW (the page history saves a
//	                            dirty page before it turns it); Saved
//	                            after each SAVE
//	updates        Update       what changed, once per group of messages
//	                            taken together: the hook for a display
//	errors         error        each command that failed, with why
//	control, signal as usual
//
// Snapshot returns a copy of the picture at any time, from any goroutine.
//
// Shutdown: ProducerFinished on control makes it carry out what is waiting
// and end; Shutdown stops it at once.
type CanvasComponent struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[wire.Batch]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[wire.Batch]
	// Replies is the outbox called "replies".
	Replies *axon.Outbox[Reply]
	// Changed is the outbox called "surfacechanged".
	Changed *axon.Outbox[string]
	// Updates is the outbox called "updates".
	Updates *axon.Outbox[Update]
	// Errs is the outbox called "errors".
	Errs *axon.Outbox[error]

	mu        sync.Mutex // guards canvas against Snapshot
	canvas    *Canvas
	dirtySent bool
	pictures  atomic.Uint64
}

// Pictures returns how many pictures (SETIMG) the canvas has taken: a
// joining peer has its picture once this has grown.
func (cc *CanvasComponent) Pictures() uint64 { return cc.pictures.Load() }

// NewCanvasComponent returns a canvas component drawing on c (a white
// CanvasWidth×CanvasHeight canvas if c is nil).
func NewCanvasComponent(c *Canvas) *CanvasComponent {
	if c == nil {
		c = NewCanvas(CanvasWidth, CanvasHeight)
	}
	cc := &CanvasComponent{canvas: c}
	cc.In = axon.NewInbox[wire.Batch](cc, "inbox")
	cc.Out = axon.NewOutbox[wire.Batch](cc, "outbox")
	cc.Replies = axon.NewOutbox[Reply](cc, "replies")
	cc.Changed = axon.NewOutbox[string](cc, "surfacechanged")
	cc.Updates = axon.NewOutbox[Update](cc, "updates")
	cc.Errs = axon.NewOutbox[error](cc, "errors")
	return cc
}

// Snapshot returns a copy of the canvas's picture as it is between two
// messages.
func (cc *CanvasComponent) Snapshot() *image.RGBA {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return Copy(cc.canvas.img, cc.canvas.img.Rect)
}

// Copy returns a copy of the part r of img (its Rect is r ∩ img.Rect).
func Copy(img *image.RGBA, r image.Rectangle) *image.RGBA {
	r = r.Intersect(img.Rect)
	out := image.NewRGBA(r)
	draw.Draw(out, r, img, r.Min, draw.Src)
	return out
}

// Main draws until told to stop.
func (cc *CanvasComponent) Main(ctx context.Context) error {
	var group []wire.Batch
	for {
		first, err := cc.In.Recv(ctx)
		if err != nil {
			return endErr(ctx, err)
		}
		group = cc.In.TryRecvBatch(append(group[:0], first), maxGroup)
		if err := cc.run(ctx, group); err != nil {
			return err
		}
	}
}

// endErr turns the end of a component's input (axon.ErrFinished after
// ProducerFinished) into a clean end.
func endErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if isFinished(err) {
		return nil
	}
	return err
}

// run carries out a group of messages, then says what changed.
func (cc *CanvasComponent) run(ctx context.Context, group []wire.Batch) error {
	var changed image.Rectangle
	var sends []wire.Batch
	var replies []Reply
	var errs []error
	var dirty []string
	cc.mu.Lock()
	for _, b := range group {
		for _, cmd := range b {
			res, err := cc.canvas.Exec(cmd)
			if err != nil {
				errs = append(errs, err)
			} else if cmd.Name() == "SETIMG" {
				cc.pictures.Add(1)
			}
			changed = changed.Union(res.Changed)
			if res.ReplyTo != "" {
				for _, b := range res.Send {
					replies = append(replies, Reply{To: res.ReplyTo, Batch: b})
				}
			} else {
				sends = append(sends, res.Send...)
			}
			if res.Cleared {
				dirty = append(dirty, Dirty)
			}
			if cmd.Name() == "SAVE" {
				dirty = append(dirty, Saved)
			}
			switch cmd.Name() {
			case "CLEAR", "NEW", "LOAD", "SAVE":
				// The page is as saved (or blank): the next change
				// makes it dirty again.
				cc.dirtySent = false
			}
		}
	}
	if !changed.Empty() && !cc.canvas.clean && !cc.dirtySent {
		dirty = append(dirty, Dirty)
		cc.dirtySent = true
	}
	var up Update
	if !changed.Empty() {
		up = Update{Rect: changed, Pixels: Copy(cc.canvas.img, changed)}
	}
	cc.mu.Unlock()

	for _, err := range errs {
		if err := cc.Errs.Send(ctx, err); err != nil {
			return err
		}
	}
	for _, b := range sends {
		if err := cc.Out.Send(ctx, b); err != nil {
			return err
		}
	}
	for _, r := range replies {
		if err := cc.Replies.Send(ctx, r); err != nil {
			return err
		}
	}
	for _, d := range dirty {
		if err := cc.Changed.Send(ctx, d); err != nil {
			return err
		}
	}
	if up.Pixels != nil {
		return cc.Updates.Send(ctx, up)
	}
	return nil
}
