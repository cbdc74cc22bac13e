//go:build cgo

package sdl

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/veandco/go-sdl2/img"
	"github.com/veandco/go-sdl2/sdl"
)

// client is the part of a widget that talks to the Display: an outbox
// linked to the Display's inbox, and an inbox for its errors. Their names
// start with "_": private wiring, which a Handle on the widget leaves alone.
type client struct {
	display *axon.Outbox[Request]
	errs    *axon.Inbox[error]
	ready   chan struct{}
}

func (c *client) init(comp axon.Component) {
	c.display = axon.NewOutbox[Request](comp, "_display")
	c.errs = axon.NewInbox[error](comp, "_displayErrors")
	c.ready = make(chan struct{})
}

// Ready is closed once the widget has asked the Display for its region:
// whatever anyone sends the Display after that is handled after the region
// exists (a click injected at it, a screenshot of it).
func (c *client) Ready() <-chan struct{} { return c.ready }

// connect links the widget to the Display found in the registry of the
// scheduler it runs on, unless its display outbox was linked already (to a
// Display wired by hand). The link is the widget's: it goes when the widget
// finishes.
func (c *client) connect(core *axon.Core) error {
	if c.display.Linked() {
		return nil
	}
	svc, err := core.Services().Lookup(ServiceName)
	if err != nil {
		return fmt.Errorf("no display to draw on (start one and Publish it first): %w", err)
	}
	_, err = core.Link(c.display, svc.Inbox)
	return err
}

// failure returns the first error the Display reported, if any.
func (c *client) failure() error {
	if err, ok := c.errs.TryRecv(); ok {
		return err
	}
	return nil
}

// close gives the region back, without waiting when ctx is done.
func (c *client) close(ctx context.Context, id RegionID) {
	if ctx.Err() != nil {
		_ = c.display.TrySend(CloseRegion{id})
		return
	}
	_ = c.display.Send(ctx, CloseRegion{id})
}

// VideoOverlay shows the video frames it is given in a region of the
// Display's window at Position, one region the size of the frames (made
// again when the frames change size or format). It is Kamaelia's
// VideoOverlay. YUV420P frames go straight to an SDL YUV texture.
//
// Boxes:
//
//	inbox          *frame.Video  frames to show, in the order given; the
//	                             overlay owns them once sent
//	control        any           ProducerFinished, Shutdown
//	_display       Request       to the Display (linked when it starts)
//	_displayErrors error         what the Display reports back
//	signal         any           the outcome
//
// It finds the Display under ServiceName in its scheduler's registry when it
// starts (unless its _display outbox is linked already); with none, it fails.
// So do Button and Image.
//
// Example:
//
//	dec := av.NewDiracDecoder()
//	ov := sdl.NewVideoOverlay(image.Pt(0, 0))
//	axon.MustLink(dec.Out, ov.In)
//	axon.MustLink(dec.Signal(), ov.Control())
//
// Shutdown: ProducerFinished shows the frames already queued, leaves the
// last one on screen, and returns nil. Shutdown closes the region and returns at
// once with ctx's error. An error the Display reports (a bad frame) ends it
// with that error.
type VideoOverlay struct {
	axon.Core
	In *axon.Inbox[*frame.Video]
	client
	// Position is where the frames' top left corner goes.
	Position image.Point
	// Size, when not zero, scales the frames to it.
	Size image.Point
}

// NewVideoOverlay returns a VideoOverlay at position.
func NewVideoOverlay(position image.Point) *VideoOverlay {
	o := &VideoOverlay{Position: position}
	o.In = axon.NewInbox[*frame.Video](o, "inbox")
	o.client.init(o)
	return o
}

// Main shows frames until told to stop.
func (o *VideoOverlay) Main(ctx context.Context) error {
	if err := o.connect(&o.Core); err != nil {
		return fmt.Errorf("video overlay: %w", err)
	}
	var id RegionID
	var w, h int
	var format frame.PixelFormat
	for v := range o.In.Messages(ctx) {
		if err := o.failure(); err != nil {
			return err
		}
		if err := v.Validate(); err != nil {
			return fmt.Errorf("video overlay: %w", err)
		}
		if id == 0 || v.Width != w || v.Height != h || v.Format != format {
			if id != 0 {
				o.close(ctx, id)
			}
			size := o.Size
			if size.X <= 0 || size.Y <= 0 {
				size = image.Pt(v.Width, v.Height)
			}
			id, w, h, format = NewRegionID(), v.Width, v.Height, v.Format
			err := o.display.Send(ctx, OpenRegion{ID: id, Rect: image.Rectangle{Min: o.Position, Max: o.Position.Add(size)}, Errors: o.errs})
			if err != nil {
				return err
			}
			select {
			case <-o.ready:
			default:
				close(o.ready)
			}
		}
		if err := o.display.Send(ctx, ShowFrame{ID: id, Frame: v}); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		if id != 0 {
			o.close(ctx, id)
		}
		return err
	}
	return o.failure()
}

// Button is a clickable button with a caption in the Display's window. It
// sends Message each time it is clicked with the left mouse button, or its
// Key is pressed. It is Kamaelia's Button; the type of its message is the
// type of its outbox, so a Button[string] drives a choose.Chooser.
//
// Boxes:
//
//	outbox         T             Message, once a click or key press
//	control        any           ProducerFinished, Shutdown
//	events         Event         from the Display
//	_display       Request       to the Display (linked when it starts)
//	_displayErrors error         what the Display reports back
//	signal         any           the outcome
//
// Example (the presentation tool's NEXT button):
//
//	next := sdl.NewButton("NEXT", image.Pt(10, 440), "NEXT", "Right")
//	axon.MustLink(next.Out, chooser.In)
//
// Shutdown: ProducerFinished or Shutdown closes the button's region and
// returns (nil, or ctx's error). An error the Display reports (no font)
// ends it with that error.
type Button[T any] struct {
	axon.Core
	Out    *axon.Outbox[T]
	Events *axon.Inbox[Event]
	client

	Caption  string
	Position image.Point
	// Size, when zero, fits the caption.
	Size    image.Point
	Message T
	// Key is the SDL name of a key that presses the button ("" for none),
	// compared without regard to case.
	Key string
}

// NewButton returns a button showing caption at position that sends msg
// when clicked or when key is pressed.
func NewButton[T any](caption string, position image.Point, msg T, key string) *Button[T] {
	b := &Button[T]{Caption: caption, Position: position, Message: msg, Key: key}
	b.Out = axon.NewOutbox[T](b, "outbox")
	b.Events = axon.NewInbox[Event](b, "events")
	b.client.init(b)
	return b
}

// Main shows the button and sends its message on each press until told to
// stop.
func (b *Button[T]) Main(ctx context.Context) error {
	if err := b.connect(&b.Core); err != nil {
		return fmt.Errorf("button %q: %w", b.Caption, err)
	}
	id := NewRegionID()
	defer b.close(ctx, id)
	err := b.display.Send(ctx, OpenRegion{ID: id, Rect: image.Rectangle{Min: b.Position, Max: b.Position.Add(b.Size)},
		Label: b.Caption, Events: b.Events, Errors: b.errs})
	if err != nil {
		return err
	}
	close(b.ready)
	ctl := b.Control()
	for {
		if err := b.Wait(ctx); err != nil {
			return err
		}
		for {
			if _, ok := ctl.TryRecv(); !ok { // the runtime has acted on it
				break
			}
		}
		if err := b.failure(); err != nil {
			return err
		}
		for {
			ev, ok := b.Events.TryRecv()
			if !ok {
				break
			}
			press := (ev.Kind == MouseDown && ev.Button == int(sdl.BUTTON_LEFT)) ||
				(ev.Kind == KeyDown && b.Key != "" && strings.EqualFold(ev.Key, b.Key))
			if press {
				if err := b.Out.Send(ctx, b.Message); err != nil {
					return err
				}
			}
		}
		if b.Finishing() {
			return nil
		}
	}
}

// Image shows the image file named on its inbox (any format SDL2_image
// reads: PNG, JPEG, GIF, BMP, ...) in a region of the Display's window,
// scaled to the region. It is Kamaelia's Image, the picture half of the
// presentation tool.
//
// Boxes:
//
//	inbox          string        the path of the image to show next
//	control        any           ProducerFinished, Shutdown
//	outbox         string        each path, once its picture is with the Display
//	_display       Request       to the Display (linked when it starts)
//	_displayErrors error         what the Display reports back
//	signal         any           the outcome
//
// Example:
//
//	pic := sdl.NewImage(image.Pt(0, 0), image.Pt(640, 430))
//	axon.MustLink(chooser.Out, pic.In)
//
// Shutdown: ProducerFinished shows the images already queued and returns
// nil, leaving the last on screen; Shutdown closes the region and returns ctx's error. A file that
// cannot be read as an image ends it with an error naming the file and
// SDL_image's reason.
type Image struct {
	axon.Core
	In  *axon.Inbox[string]
	Out *axon.Outbox[string]
	client

	Position, Size image.Point
}

// NewImage returns an Image showing its pictures at position, scaled to
// size.
func NewImage(position, size image.Point) *Image {
	m := &Image{Position: position, Size: size}
	m.In = axon.NewInbox[string](m, "inbox")
	m.Out = axon.NewOutbox[string](m, "outbox")
	m.client.init(m)
	return m
}

// Main shows the images it is given until told to stop.
func (m *Image) Main(ctx context.Context) error {
	if m.Size.X <= 0 || m.Size.Y <= 0 {
		return errors.New("image: the region needs a size")
	}
	if err := m.connect(&m.Core); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	id := NewRegionID()
	err := m.display.Send(ctx, OpenRegion{ID: id, Rect: image.Rectangle{Min: m.Position, Max: m.Position.Add(m.Size)}, Errors: m.errs})
	if err != nil {
		return err
	}
	close(m.ready)
	for path := range m.In.Messages(ctx) {
		if err := m.failure(); err != nil {
			return err
		}
		v, err := LoadImage(path)
		if err != nil {
			return err
		}
		if err := m.display.Send(ctx, ShowFrame{ID: id, Frame: v}); err != nil {
			return err
		}
		if err := m.Out.Send(ctx, path); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		m.close(ctx, id)
		return err
	}
	return m.failure()
}

// LoadImage reads an image file with SDL2_image into an RGBA frame. It is
// safe to call from any goroutine: it touches no window.
func LoadImage(path string) (*frame.Video, error) {
	s, err := img.Load(path)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer s.Free()
	c, err := s.ConvertFormat(sdl.PIXELFORMAT_ABGR8888, 0)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer c.Free()
	if c.W <= 0 || c.H <= 0 {
		return nil, fmt.Errorf("image %s: empty picture", path)
	}
	if err := c.Lock(); err != nil {
		return nil, fmt.Errorf("image %s: %w", path, err)
	}
	defer c.Unlock()
	v := frame.NewVideo(frame.RGBA, int(c.W), int(c.H))
	pix, pitch := c.Pixels(), int(c.Pitch)
	for y := range v.Height {
		copy(v.Row(0, y), pix[y*pitch:y*pitch+4*v.Width])
	}
	return v, nil
}
