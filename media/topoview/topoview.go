//go:build cgo

// Package topoview draws a topology viewer's graph (components/topology)
// in an SDL window, through media/sdl's Display: Kamaelia's TopologyViewer
// and AxonVisualiser window. The picture is topology.Draw's, the same
// model the viewer's web page draws; clicking a node selects it (and the
// window sends the SELECT reply), pressing on a node and releasing
// elsewhere drags it there, arrow keys pan, and Esc or q closes the window.
//
// The window draws; it does not move the graph. Whoever owns the graph
// steps its physics (topology.Animate), and the window redraws whenever
// the graph changes.
package topoview

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// DefaultRate is how many times a second the window looks for a change of
// the graph to draw.
const DefaultRate = 30

// Window shows a topology.Graph in a region of the Display's window.
//
// Boxes:
//
//	events         sdl.Event        mouse and keys, from the Display
//	control        any              ProducerFinished, Shutdown
//	outbox         topology.Reply   SELECT when a click changes the selection
//	_display       sdl.Request      to the Display (linked when it starts)
//	_displayErrors error            what the Display reports back
//	signal         any              the outcome
//
// It finds the Display under sdl.ServiceName in its scheduler's registry
// when it starts, as media/sdl's widgets do; with none, it fails.
//
// Example:
//
//	g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
//	go topology.Animate(ctx, g, 30)
//	s.Activate(topoview.NewWindow(g, image.Pt(800, 600)))
//
// Shutdown: ProducerFinished, Shutdown, the window closed, Esc or q end
// it; it closes its region (nil, or ctx's error for Shutdown). An error
// the Display reports ends it with that error.
type Window struct {
	axon.Core
	Events *axon.Inbox[sdl.Event]
	Out    *axon.Outbox[topology.Reply]

	display *axon.Outbox[sdl.Request]
	errs    *axon.Inbox[error]
	ready   chan struct{}

	graph  *topology.Graph
	size   image.Point
	frames atomic.Int64
	viewMu sync.Mutex // View, once Main runs
	// Rate is how often, a second, it looks for a change to draw
	// (DefaultRate when 0). Set it before the Window starts.
	Rate int
	// View is the part of the plane shown at the start; arrow keys move
	// it. Set it before the Window starts; Viewing reads it after.
	View topology.View
}

// NewWindow returns a Window drawing g in a region of size at the top
// left of the Display's window.
func NewWindow(g *topology.Graph, size image.Point) *Window {
	w := &Window{graph: g, size: size, ready: make(chan struct{})}
	w.Events = axon.NewInbox[sdl.Event](w, "events")
	w.Out = axon.NewOutbox[topology.Reply](w, "outbox")
	w.display = axon.NewOutbox[sdl.Request](w, "_display")
	w.errs = axon.NewInbox[error](w, "_displayErrors")
	w.SetName("TopologyViewer")
	return w
}

// Ready is closed once the window has its region and has drawn the graph
// once: what is sent to the Display after that (an injected click, a
// screenshot) is handled after it.
func (w *Window) Ready() <-chan struct{} { return w.ready }

// Viewing returns the part of the plane the window shows now.
func (w *Window) Viewing() topology.View {
	w.viewMu.Lock()
	defer w.viewMu.Unlock()
	return w.View
}

// Frames returns how many pictures the window has sent the Display: what
// a request sent to the Display after it grows is handled after the
// picture.
func (w *Window) Frames() int64 { return w.frames.Load() }

// Main draws the graph and handles the user until told to stop.
func (w *Window) Main(ctx context.Context) error {
	if w.size.X <= 0 || w.size.Y <= 0 {
		return errors.New("topoview: the window needs a size")
	}
	if !w.display.Linked() {
		svc, err := w.Services().Lookup(sdl.ServiceName)
		if err != nil {
			return fmt.Errorf("topoview: no display to draw on (start one and Publish it first): %w", err)
		}
		if _, err := w.Link(w.display, svc.Inbox); err != nil {
			return err
		}
	}
	id := sdl.NewRegionID()
	if err := w.display.Send(ctx, sdl.OpenRegion{ID: id, Rect: image.Rectangle{Max: w.size}, Events: w.Events, Errors: w.errs}); err != nil {
		return err
	}
	defer func() {
		if ctx.Err() != nil {
			_ = w.display.TrySend(sdl.CloseRegion{ID: id})
			return
		}
		_ = w.display.Send(ctx, sdl.CloseRegion{ID: id})
	}()
	rate := w.Rate
	if rate <= 0 {
		rate = DefaultRate
	}
	period := time.Second / time.Duration(rate)
	var drawn uint64
	first := true
	redraw := true
	for {
		if redraw || w.graph.Version() != drawn {
			drawn = w.graph.Version()
			if err := w.draw(ctx, id); err != nil {
				return err
			}
			redraw = false
			if first {
				first = false
				close(w.ready)
			}
		}
		tick, cancel := context.WithTimeout(ctx, period)
		err := w.Wait(tick)
		cancel()
		if err := ctx.Err(); err != nil {
			return err
		}
		if err == nil {
			for {
				if _, ok := w.Control().TryRecv(); !ok {
					break
				}
			}
		}
		if err, ok := w.errs.TryRecv(); ok {
			return err
		}
		for {
			ev, ok := w.Events.TryRecv()
			if !ok {
				break
			}
			quit, changed, err := w.handle(ctx, ev)
			if err != nil {
				return err
			}
			if quit {
				return nil
			}
			redraw = redraw || changed
		}
		if w.Finishing() {
			return nil
		}
	}
}

// handle carries out one event: whether to quit, whether the view changed.
func (w *Window) handle(ctx context.Context, ev sdl.Event) (quit, changed bool, err error) {
	switch ev.Kind {
	case sdl.Quit:
		return true, false, nil
	case sdl.MouseDown:
		if ev.Button != 1 {
			return false, false, nil
		}
		x, y := w.Viewing().ToPlane(ev.X, ev.Y)
		for _, r := range w.graph.Press(x, y) {
			if err := w.Out.Send(ctx, r); err != nil {
				return false, false, err
			}
		}
	case sdl.MouseUp:
		if ev.Button != 1 {
			return false, false, nil
		}
		x, y := w.Viewing().ToPlane(ev.X, ev.Y)
		w.graph.Release(x, y)
	case sdl.KeyDown:
		if ev.Key == "Escape" || strings.EqualFold(ev.Key, "q") {
			return true, false, nil
		}
		w.viewMu.Lock()
		before := w.View
		panned := w.View.Pan(ev.Key)
		after := w.View
		w.viewMu.Unlock()
		if !panned {
			return false, false, nil
		}
		// New nodes placed at random land in view, as in Kamaelia.
		w.graph.Scroll(after.Left-before.Left, after.Top-before.Top)
		return false, true, nil
	}
	return false, false, nil
}

// draw paints the graph into a new frame and sends it to the Display.
func (w *Window) draw(ctx context.Context, id sdl.RegionID) error {
	v := frame.Alloc(frame.RGBA, w.size.X, w.size.Y)
	// Every pixel drawn is opaque, so RGBA and the frame's NRGBA agree.
	img := &image.RGBA{Pix: v.Planes[0], Stride: v.Strides[0], Rect: image.Rect(0, 0, w.size.X, w.size.Y)}
	topology.Draw(img, w.graph.Snapshot(), w.Viewing(), w.graph.Laws().MaxRepelRadius)
	if err := w.display.Send(ctx, sdl.ShowFrame{ID: id, Frame: v}); err != nil {
		return err
	}
	w.frames.Add(1)
	return nil
}
