//go:build cgo

package whiteboard_test

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// videoBoard is a running Video Whiteboard on the offscreen Display.
type videoBoard struct {
	*screen
	h *axon.Handle
}

func newVideoBoard(t *testing.T, o whiteboard.VideoOptions) *videoBoard {
	t.Helper()
	sc := newScreen(t)
	g, err := whiteboard.NewVideoWhiteboard(reel(10, 16, 12), o)
	require.NoError(t, err)
	h, err := axon.NewHandle(sc.s, g, "inbox", "outbox", "quit", "frame", "screenshot")
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	return &videoBoard{sc, h}
}

// frame takes the number of the next frame shown.
func (v *videoBoard) frame() int { v.t.Helper(); return get[int](v.t, v.h, "frame") }

// at reads the window's pixel at canvas point p.
func (v *videoBoard) at(p image.Point) color.RGBA {
	v.t.Helper()
	return rgb(v.shot(v.h), p.X, wb.CanvasY+p.Y)
}

// until takes screenshots until the pixel at canvas point p is c (the
// canvas draws on its own time), and fails if it is not within Safety.
func (v *videoBoard) until(p image.Point, c color.RGBA) {
	v.t.Helper()
	deadline := time.Now().Add(axontest.Safety)
	for got := v.at(p); got != c; got = v.at(p) {
		require.True(v.t, time.Now().Before(deadline), "the pixel at %v never became %v (it is %v)", p, c, got)
	}
}

// drag draws with the left button from a to b on the canvas.
func (v *videoBoard) drag(a, b image.Point) {
	y := wb.CanvasY
	v.inject(sdl.Event{Kind: sdl.MouseDown, X: a.X, Y: a.Y + y, Button: 1})
	v.inject(sdl.Event{Kind: sdl.MouseMove, X: b.X, Y: b.Y + y})
	v.inject(sdl.Event{Kind: sdl.MouseUp, X: b.X, Y: b.Y + y, Button: 1})
}

// strokes takes what a drag sent the peers: the painter's two LINEs (the
// move, and the release where it ended), in one batch or two.
func (v *videoBoard) strokes() []wire.Command {
	v.t.Helper()
	var got []wire.Command
	for len(got) < 2 {
		got = append(got, get[wire.Batch](v.t, v.h, "outbox")...)
	}
	return got
}

// The video plays beneath the canvas and steps as Kamaelia's did: n and
// p, a click of the left button (on), the middle one (first), the right
// one (back), the wheel; before the first comes the last. What the
// window shows is the frame, read back from its pixels.
func TestVideoWhiteboardSteps(t *testing.T) {
	v := newVideoBoard(t, whiteboard.VideoOptions{Period: -1})
	far := image.Pt(600, 600)
	require.Equal(t, 1, v.frame())
	assert.Equal(t, shade(1), v.at(far), "frame 1 through the canvas")
	y := wb.CanvasY + 300
	for _, c := range []struct {
		do   func()
		want int
	}{
		{func() { v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "N"}) }, 2},
		{func() { v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "P"}) }, 1},
		{func() { v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "P"}) }, 10},
		{func() { v.click(300, y) }, 1},
		{func() { v.click(300, y) }, 2},
		{func() { v.inject(sdl.Event{Kind: sdl.MouseDown, X: 300, Y: y, Button: 2}) }, 1},
		{func() { v.inject(sdl.Event{Kind: sdl.MouseDown, X: 300, Y: y, Button: 3}) }, 10},
		{func() { v.inject(sdl.Event{Kind: sdl.MouseWheel, X: 300, Y: y, Wheel: -1}) }, 1},
		{func() { v.inject(sdl.Event{Kind: sdl.MouseWheel, X: 300, Y: y, Wheel: 1}) }, 10},
		{func() { v.click(whiteboard.ToolX+64*2+30, 15) }, 1},  // >>
		{func() { v.click(whiteboard.ToolX+64*1+30, 15) }, 10}, // <<
	} {
		c.do()
		require.Equal(t, c.want, v.frame())
		assert.Equal(t, shade(c.want), v.at(far), "frame %d shown", c.want)
	}
	v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "Q"})
	assert.Equal(t, "quit", get[string](t, v.h, "quit"))
}

// The canvas is see-through: a red stroke is red on the video, and
// everywhere else the video's pixels show. Drawn on frame 5, the stroke
// shows whenever frame 5 does and on no other frame (new); a drag is a
// stroke, not a step. The stroke goes to the peers; a peer's stroke and
// a peer's page turn come in.
func TestVideoWhiteboardNotesKeyedToFrames(t *testing.T) {
	v := newVideoBoard(t, whiteboard.VideoOptions{Period: -1})
	require.Equal(t, 1, v.frame())
	for range 4 {
		v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "N"})
		v.frame()
	}
	red := wb.Palette[1]
	v.click(whiteboard.SwatchX+32+10, 10)
	// A barrier: once the window has passed these keys on, it has passed
	// the colour to the painter.
	v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "P"})
	v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "N"})
	require.Equal(t, []int{4, 5}, []int{v.frame(), v.frame()})
	v.drag(image.Pt(100, 200), image.Pt(300, 200))
	assert.Equal(t, []wire.Command{{"LINE", "192", "0", "0", "100", "200", "300", "200"}, {"LINE", "192", "0", "0", "300", "200", "300", "200"}},
		v.strokes(), "the stroke goes to the peers")
	on, off := image.Pt(200, 200), image.Pt(200, 203)
	v.until(on, red)
	assert.Equal(t, shade(5), v.at(off), "beside the stroke, the video")
	_, stepped := v.h.TryGet("frame")
	assert.False(t, stepped, "a drag does not step")

	v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "N"})
	require.Equal(t, 6, v.frame())
	v.until(on, shade(6))
	assert.Equal(t, shade(6), v.at(off))

	// A peer draws on frame 6; a peer's page turn steps back to 5.
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.Batch{{"LINE", "0", "0", "255", "100", "400", "300", "400"}}))
	v.until(image.Pt(200, 400), color.RGBA{0, 0, 255, 255})
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.Batch{{"prev"}}))
	require.Equal(t, 5, v.frame())
	v.until(on, red)
	v.until(image.Pt(200, 400), shade(5))

	// Any way of reaching frame 5 again shows its stroke. A remote turn
	// goes to the peers as the frame it turns from, then the turn.
	for i := range 9 {
		v.click(whiteboard.ToolX+64*7+30, 15) // ~~>>~~: on, and the peers too
		require.Equal(t, wire.FrameTurn((5+i-1)%10+1), get[wire.Batch](t, v.h, "outbox"))
		require.Equal(t, wire.Batch{{"next"}}, get[wire.Batch](t, v.h, "outbox"))
		v.frame()
	}
	v.click(whiteboard.ToolX+64*7+30, 15)
	require.Equal(t, wire.FrameTurn(4), get[wire.Batch](t, v.h, "outbox"))
	get[wire.Batch](t, v.h, "outbox")
	require.Equal(t, 5, v.frame(), "ten steps on: round to frame 5")
	v.until(on, red)
	assert.Equal(t, shade(5), v.at(off))
	v.click(whiteboard.ToolX+64*6+30, 15) // ~~<<~~
	require.Equal(t, wire.FrameTurn(5), get[wire.Batch](t, v.h, "outbox"))
	require.Equal(t, wire.Batch{{"prev"}}, get[wire.Batch](t, v.h, "outbox"))
	require.Equal(t, 4, v.frame())
	v.until(on, shade(4))

	// A peer's turn from its frame 8 shows frame 8 here, then turns on to
	// 9, wherever this one was; its stroke there is not lost on the way.
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.FrameTurn(8)))
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.Batch{{"next"}}))
	require.Equal(t, []int{8, 9}, []int{v.frame(), v.frame()})
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.FrameTurn(5)))
	require.Equal(t, 5, v.frame())
	v.until(on, red)
}

// With Pages, the notes are Kamaelia's pages, whatever the frame: a page
// history in the Scribbles folder (slide.N.png), which << and >> move
// through (the picture going to the peers), Checkpoint adds to, and
// remote turns turn on every peer, each loading its own page; the video
// steps on its own.
func TestVideoWhiteboardPages(t *testing.T) {
	_, err := whiteboard.NewVideoWhiteboard(reel(2, 16, 12), whiteboard.VideoOptions{Pages: true})
	require.ErrorContains(t, err, "Scribbles")

	dir := t.TempDir()
	v := newVideoBoard(t, whiteboard.VideoOptions{Period: -1, Pages: true, Scribbles: dir})
	require.Equal(t, 1, v.frame())
	v.drag(image.Pt(100, 200), image.Pt(300, 200))
	v.strokes()
	on, black := image.Pt(200, 200), color.RGBA{0, 0, 0, 255}
	v.until(on, black)
	v.inject(sdl.Event{Kind: sdl.KeyDown, Key: "N"})
	require.Equal(t, 2, v.frame())
	v.until(image.Pt(600, 600), shade(2))
	assert.Equal(t, black, v.at(on), "the page stays")

	v.click(whiteboard.ToolX+64*3+30, 15) // Checkpoint: page 1 kept, on to page 2
	v.click(whiteboard.ToolX+64*4+30, 15) // Clear
	v.until(on, shade(2))
	_, err = os.Stat(filepath.Join(dir, "slide.1.png"))
	require.NoError(t, err, "checkpoint kept page 1")

	v.click(whiteboard.ToolX+64+30, 15) // <<: page 1, its picture to the peers
	v.until(on, black)
	assert.Equal(t, "SETIMG", get[wire.Batch](t, v.h, "outbox")[0].Name())
	_, err = os.Stat(filepath.Join(dir, "slide.2.png"))
	require.NoError(t, err, "the cleared page 2 was saved on the way")

	v.click(whiteboard.ToolX+64*7+30, 15) // ~~>>~~: page 2 here and on the peers
	assert.Equal(t, wire.FrameTurn(2), get[wire.Batch](t, v.h, "outbox"))
	assert.Equal(t, wire.Batch{{"next"}}, get[wire.Batch](t, v.h, "outbox"))
	v.until(on, shade(2))
	require.NoError(t, v.h.Put(t.Context(), "inbox", wire.Batch{{"prev"}})) // a peer's turn
	v.until(on, black)
	// Neither turn sent a picture (each peer loads its own page) nor
	// stepped the video: the next message out is the next stroke.
	_, stepped := v.h.TryGet("frame")
	assert.False(t, stepped, "a page turn does not step the video")
	v.drag(image.Pt(100, 300), image.Pt(300, 300))
	assert.Equal(t, "LINE", v.strokes()[0].Name())
}

// FrameNotes alone: a frame's drawing comes back when the frame does; a
// CLEAR forgets it; a frame with no drawing after one without costs
// nothing.
func TestFrameNotes(t *testing.T) {
	n := whiteboard.NewFrameNotes()
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, n)
	require.NoError(t, err)
	ctx := t.Context()
	line := wire.Batch{{"LINE", "0", "0", "0", "1", "1", "5", "5"}}
	line2 := wire.Batch{{"CIRCLE", "0", "0", "0", "9", "9", "2"}}
	put := func(box string, v any) { t.Helper(); require.NoError(t, h.Put(ctx, box, v)) }
	next := func() wire.Batch { t.Helper(); return get[wire.Batch](t, h, "outbox") }
	// Drawing before any frame is kept for "frame 0"; leaving it clears.
	put("inbox", line)
	assert.Equal(t, line, next())
	put("frame", 2)
	assert.Equal(t, wire.Batch{{"CLEAR"}}, next())
	put("inbox", line2)
	assert.Equal(t, line2, next())
	put("inbox", wire.Batch{{"GETIMG"}})
	assert.Equal(t, wire.Batch{{"GETIMG"}}, next(), "passed on, not kept")
	put("frame", 3)
	assert.Equal(t, wire.Batch{{"CLEAR"}}, next())
	put("frame", 2)
	assert.Equal(t, append(wire.Batch{{"CLEAR"}}, line2...), next())
	put("inbox", wire.Batch{{"NEW"}})
	assert.Equal(t, wire.Batch{{"NEW"}}, next())
	put("frame", 0)
	assert.Equal(t, append(wire.Batch{{"CLEAR"}}, line...), next())
	put("frame", 2)
	assert.Equal(t, wire.Batch{{"CLEAR"}, {"CLEAR"}}, next(), "NEW forgot frame 2's drawing")
	// From a frame with drawing to frames with none: one CLEAR, then
	// nothing.
	put("frame", 4)
	put("frame", 5)
	assert.Equal(t, wire.Batch{{"CLEAR"}}, next())
	require.NoError(t, h.Finish(ctx))
	rest, err := axontest.Collect[wire.Batch](ctx, h, "outbox")
	require.NoError(t, err)
	assert.Empty(t, rest)
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
	require.NoError(t, s.Wait(ctx))
}

// Playing, the window shows a frame about every 20 ms, and after frame 10
// comes frame 1.
func TestVideoWhiteboardPlaysAtItsPace(t *testing.T) {
	v := newVideoBoard(t, whiteboard.VideoOptions{})
	first := v.frame()
	start := time.Now()
	seq := []int{first}
	for len(seq) < 31 {
		seq = append(seq, v.frame())
	}
	each := time.Since(start) / 30
	for i := 1; i < len(seq); i++ {
		require.Equal(t, seq[i-1]%10+1, seq[i], "frame %d after frame %d", seq[i], seq[i-1])
	}
	assert.InDelta(t, 20, each.Seconds()*1000, 8, "ms a frame")
	t.Logf("a frame every %v", each)
}

// A Video Whiteboard in a peer's mesh, over TCP, as Kamaelia's was: a
// peer that joins gets the picture; a stroke drawn here reaches it as a
// LINE batch; a remote page turn reaches it as the frame turned from and
// the turn; its own turn and strokes come back here, and a Kamaelia 1.x
// peer's bare turn steps from wherever this one is.
func TestVideoWhiteboardSharesOverTCP(t *testing.T) {
	sc := newScreen(t)
	p, err := wb.NewPeer(wb.Config{Dir: t.TempDir(), Scheduler: sc.s})
	require.NoError(t, err)
	srv, err := p.Serve("127.0.0.1:0")
	require.NoError(t, err)
	g, err := whiteboard.NewVideoWhiteboard(reel(10, 16, 12), whiteboard.VideoOptions{Period: -1})
	require.NoError(t, err)
	member, err := whiteboard.VideoMember(p, g)
	require.NoError(t, err)
	h, err := axon.NewHandle(sc.s, g, "quit", "frame", "screenshot")
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	sc.s.Activate(p)
	sc.s.Activate(member...)
	v := &videoBoard{sc, h}
	require.Equal(t, 1, v.frame())

	raw := dialPeer(t, srv.Addr().String())
	_, err = raw.c.Write(wb.PictureRequest.Line()) // join: the picture first
	require.NoError(t, err)
	require.Equal(t, "SETIMG", raw.next()[0][0])

	// Joined once a stroke from the raw peer shows here.
	blue := color.RGBA{0, 0, 255, 255}
	_, err = raw.c.Write(wire.Batch{{"LINE", "0", "0", "255", "100", "400", "300", "400"}}.Line())
	require.NoError(t, err)
	v.until(image.Pt(200, 400), blue)

	v.drag(image.Pt(100, 200), image.Pt(300, 200))
	var got []wire.Command
	for len(got) < 2 {
		got = append(got, raw.next()...)
	}
	assert.Equal(t, []wire.Command{{"LINE", "0", "0", "0", "100", "200", "300", "200"}, {"LINE", "0", "0", "0", "300", "200", "300", "200"}},
		got, "the stroke reaches the peer over TCP")

	v.click(whiteboard.ToolX+64*7+30, 15) // ~~>>~~
	assert.Equal(t, wire.FrameTurn(1), raw.next())
	assert.Equal(t, wire.Batch{{"next"}}, raw.next())
	require.Equal(t, 2, v.frame())

	_, err = raw.c.Write(append(wire.FrameTurn(6).Line(), wire.Batch{{"next"}}.Line()...))
	require.NoError(t, err)
	require.Equal(t, []int{6, 7}, []int{v.frame(), v.frame()}, "the peer's turn from its frame 6")
	_, err = raw.c.Write(wire.Batch{{"prev"}}.Line()) // a 1.x peer's turn: no frame
	require.NoError(t, err)
	require.Equal(t, 6, v.frame())
}
