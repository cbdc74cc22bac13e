//go:build cgo

package topoview_test

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/topoview"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rig is a Display, a Window on it and handles to both.
type rig struct {
	t     *testing.T
	dh    *axon.Handle
	wh    *axon.Handle
	w     *topoview.Window
	shots *axontest.Relay[*image.RGBA]
	sh    *axon.Handle
}

func newRig(t *testing.T, g *topology.Graph) *rig {
	t.Helper()
	return newRigSized(t, g, image.Pt(400, 300), nil)
}

// newRigSized is newRig with a window of size, and set to change the
// Window before it starts.
func newRigSized(t *testing.T, g *topology.Graph, size image.Point, set func(*topoview.Window)) *rig {
	t.Helper()
	s := axon.NewScheduler()
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: size.X, Height: size.Y})
	require.NoError(t, d.Publish(s.Services()))
	dh, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	shots := axontest.NewRelay[*image.RGBA](0)
	sh, err := axon.NewHandle(s, shots)
	require.NoError(t, err)
	w := topoview.NewWindow(g, size)
	if set != nil {
		set(w)
	}
	wh, err := axon.NewHandle(s, w)
	require.NoError(t, err)
	t.Cleanup(func() {
		s.ShutdownAll(axon.Shutdown{})
		_ = wh.Close()
		_ = sh.Close()
		_ = dh.Close()
		require.NoError(t, s.Wait(context.Background()))
	})
	select {
	case <-w.Ready():
	case <-axontest.Context(t).Done():
		t.Fatal("the window never drew")
	}
	return &rig{t: t, dh: dh, wh: wh, w: w, shots: shots, sh: sh}
}

func (r *rig) put(req sdl.Request) {
	r.t.Helper()
	require.NoError(r.t, r.dh.Put(r.t.Context(), "inbox", req))
}

// screenshot waits until the window has sent a picture after the frames
// count since, then reads the Display's pixels back.
func (r *rig) screenshot(since int64) *image.RGBA {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return r.w.Frames() > since }, axontest.Safety, time.Millisecond)
	r.put(sdl.Screenshot{Reply: r.shots.In})
	v, err := r.sh.Get(r.t.Context(), "outbox")
	require.NoError(r.t, err)
	return v.(*image.RGBA)
}

var (
	blob       = color.RGBA{255, 128, 128, 255}
	background = color.RGBA{255, 255, 255, 255}
)

// The graph is drawn in the SDL window; a click on a node selects it (the
// window sends SELECT) and rings it; pressing on it and releasing
// elsewhere drags it there; an arrow key pans; a click on empty space
// clears the selection.
func TestWindowDrawsSelectsDragsAndPans(t *testing.T) {
	g := topology.NewGraph(topology.SimpleLaws(100), 400, 300, 1)
	for _, l := range []string{"ADD NODE a A 100,100 -", "ADD NODE b B 300,200 -", "ADD LINK a b"} {
		require.Empty(t, g.ApplyLine(l))
	}
	r := newRig(t, g)
	shot := r.screenshot(0)
	assert.Equal(t, blob, shot.RGBAAt(100, 88), "node a, above its label")
	assert.Equal(t, blob, shot.RGBAAt(300, 188), "node b")
	assert.Equal(t, background, shot.RGBAAt(210, 40), "background (the grid lines are every 200)")

	n := r.w.Frames()
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: 300, Y: 200, Button: 1}})
	v, err := r.wh.Get(t.Context(), "outbox")
	require.NoError(t, err)
	assert.Equal(t, topology.Reply{Kind: "SELECT", ID: "b"}, v)
	shot = r.screenshot(n) // the selection changes the picture
	assert.Equal(t, color.RGBA{255, 0, 0, 255}, shot.RGBAAt(300+17, 200), "ringed as selected")

	n = r.w.Frames()
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseUp, X: 200, Y: 60, Button: 1}})
	shot = r.screenshot(n)
	node, _ := g.Node("b")
	assert.Equal(t, [2]float64{200, 60}, [2]float64{node.X, node.Y}, "dragged")
	assert.Equal(t, blob, shot.RGBAAt(200, 48), "drawn where it was dropped")
	assert.Equal(t, color.RGBA{255, 0, 0, 255}, shot.RGBAAt(200+17, 60), "ringed as selected")

	n = r.w.Frames()
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.KeyDown, Key: "Right"}})
	shot = r.screenshot(n)
	assert.Equal(t, blob, shot.RGBAAt(100-topology.PanStep, 88), "panned a step")

	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.MouseDown, X: 390, Y: 290, Button: 1}})
	v, err = r.wh.Get(t.Context(), "outbox")
	require.NoError(t, err)
	assert.Equal(t, topology.Reply{Kind: "SELECT", None: true}, v)

	// q closes the window.
	r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.KeyDown, Key: "Q"}})
	require.NoError(t, r.wh.Wait(t.Context()))
}

// An Axon system as the AxonVisualiser shows it: the introspector's lines
// for a live Pipeline of three, laid out by the physics with AxonLaws and
// drawn in the window, each component's grey blob where the model has it.
// With KAMAELIA_SCREENSHOT_DIR set, the picture is saved there
// (docs/images/topology-window.png is one).
func TestWindowDrawsAnAxonSystem(t *testing.T) {
	s := axon.NewScheduler()
	pipe := chassis.Pipeline(flow.NewPassThrough[int](), flow.NewPassThrough[int](), flow.NewNullSink())
	s.Activate(pipe)
	snap := s.Snapshot()
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(t.Context()))

	g := topology.NewGraph(topology.SimpleLaws(100), 640, 480, 3)
	topology.AxonLaws(g)
	for _, l := range axon.IntrospectorDiff(nil, snap) {
		require.Empty(t, g.ApplyLine(l), l)
	}
	g.Step(400)
	r := newRigSized(t, g, image.Pt(640, 480), func(w *topoview.Window) {
		// Centre the view on the graph.
		var cx, cy float64
		nodes := g.Snapshot().Nodes
		for _, n := range nodes {
			cx += n.X / float64(len(nodes))
			cy += n.Y / float64(len(nodes))
		}
		w.View = topology.View{Left: cx - 320, Top: cy - 240}
	})
	shot := r.screenshot(0)
	comps := 0
	for _, n := range g.Snapshot().Nodes {
		if n.Type != topology.TypeComponent {
			continue
		}
		comps++
		x, y := r.w.Viewing().ToWindow(n.X, n.Y)
		if x < 20 || y < 20 || x > 620 || y > 460 {
			t.Errorf("component %s drawn off the window at (%.0f,%.0f)", n.Name, x, y)
			continue
		}
		assert.Equal(t, color.RGBA{192, 192, 192, 255}, shot.RGBAAt(int(x), int(y)-16), "component %s", n.Name)
	}
	assert.Equal(t, len(snap.Components), comps)
	if dir := os.Getenv("KAMAELIA_SCREENSHOT_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "topology-window.png"))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, shot))
		require.NoError(t, f.Close())
	}
}

// Panning moves where new nodes placed at random appear, so that they
// land in view.
func TestPanScrollsNewNodesIntoView(t *testing.T) {
	g := topology.NewGraph(topology.SimpleLaws(100), 400, 300, 1)
	r := newRig(t, g)
	n := r.w.Frames()
	for range 10 {
		r.put(sdl.Inject{Event: sdl.Event{Kind: sdl.KeyDown, Key: "Down"}})
	}
	require.Eventually(t, func() bool { return r.w.Viewing().Top >= 10*topology.PanStep && r.w.Frames() > n }, axontest.Safety, time.Millisecond)
	require.Empty(t, g.ApplyLine("ADD NODE x X randompos -"))
	node, _ := g.Node("x")
	assert.GreaterOrEqual(t, node.Y, 10*float64(topology.PanStep), "placed below where the view was panned to")
}
