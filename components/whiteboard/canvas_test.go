package whiteboard

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

var (
	_ axon.CoreComponent = (*CanvasComponent)(nil)
	_ axon.CoreComponent = (*Painter)(nil)
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	black = color.RGBA{0, 0, 0, 255}
)

func exec(t *testing.T, c *Canvas, cmd ...string) Result {
	t.Helper()
	r, err := c.Exec(wire.Command(cmd))
	require.NoError(t, err, "%v", cmd)
	return r
}

// count returns how many pixels of img have colour col.
func count(img *image.RGBA, col color.RGBA) int {
	n := 0
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			if img.RGBAAt(x, y) == col {
				n++
			}
		}
	}
	return n
}

func TestLineIsOnePixelWideWithBothEnds(t *testing.T) {
	c := NewCanvas(CanvasWidth, CanvasHeight)
	require.True(t, c.Clean())
	r := exec(t, c, "LINE", "255", "0", "0", "10", "20", "30", "20")
	assert.Equal(t, image.Rect(10, 20, 31, 21), r.Changed)
	for x := 10; x <= 30; x++ {
		assert.Equal(t, red, c.Image().RGBAAt(x, 20), "x=%d", x)
	}
	assert.Equal(t, White, c.Image().RGBAAt(9, 20))
	assert.Equal(t, White, c.Image().RGBAAt(31, 20))
	assert.Equal(t, White, c.Image().RGBAAt(20, 19))
	assert.Equal(t, 21, count(c.Image(), red))
	assert.False(t, c.Clean())

	// A diagonal: one pixel per column, no antialiasing (only two colours).
	c = NewCanvas(100, 100)
	exec(t, c, "line", "0", "0", "0", "0", "0", "49", "49")
	for i := 0; i < 50; i++ {
		assert.Equal(t, black, c.Image().RGBAAt(i, i))
	}
	assert.Equal(t, 50, count(c.Image(), black))
	assert.Equal(t, 100*100-50, count(c.Image(), White))

	// A shallow line: Bresenham steps once in y over 10 columns.
	c = NewCanvas(100, 100)
	exec(t, c, "LINE", "0", "0", "0", "0", "0", "10", "1")
	assert.Equal(t, 11, count(c.Image(), black))
	assert.Equal(t, black, c.Image().RGBAAt(0, 0))
	assert.Equal(t, black, c.Image().RGBAAt(10, 1))
}

func TestLineClippingAndBadArguments(t *testing.T) {
	c := NewCanvas(50, 50)
	exec(t, c, "LINE", "0", "0", "0", "-100", "25", "100", "25")
	assert.Equal(t, 50, count(c.Image(), black))
	// Above the canvas: nothing drawn, the page stays clean (Kamaelia's rule).
	c = NewCanvas(50, 50)
	exec(t, c, "LINE", "0", "0", "0", "0", "-5", "10", "-5")
	assert.True(t, c.Clean())
	for _, bad := range [][]string{
		{"LINE", "0", "0", "0", "1", "2", "3"},
		{"LINE", "0", "0", "0", "1", "2", "3", "x"},
		{"LINE", "0", "0", "0", "0", "0", "2000000000", "0"},
		{"CIRCLE", "0", "0", "0", "5", "5", "-1"},
		{"WRITE", "0", "0", "0", "0", "0", "0"},
		{"SETIMG", "xx", "2", "2", "RGB"},
		{"SETIMG", "xx", "2", "2", "YUV"},
	} {
		_, err := c.Exec(wire.Command(bad))
		assert.ErrorIs(t, err, ErrBadCommand, "%v", bad)
	}
	r, err := c.Exec(wire.Command{"NOSUCH", "1"})
	require.NoError(t, err)
	assert.True(t, r.Changed.Empty())
}

func TestCircleIsAFilledDisc(t *testing.T) {
	c := NewCanvas(100, 100)
	exec(t, c, "CIRCLE", "255", "0", "0", "50", "50", "8")
	img := c.Image()
	assert.Equal(t, red, img.RGBAAt(50, 50))
	assert.Equal(t, red, img.RGBAAt(58, 50))
	assert.Equal(t, red, img.RGBAAt(50, 42))
	assert.Equal(t, red, img.RGBAAt(54, 54)) // inside: 32 <= 64
	assert.Equal(t, White, img.RGBAAt(59, 50))
	assert.Equal(t, White, img.RGBAAt(57, 57)) // 98 > 64
	n := count(img, red)
	assert.InDelta(t, 3.14159*64, n, 25, "area of a disc of radius 8")
	// The eraser: a white disc over a stroke.
	exec(t, c, "CIRCLE", "255", "255", "255", "50", "50", "8")
	assert.Equal(t, 0, count(img, red))
}

func TestClearNewAndWrite(t *testing.T) {
	c := NewCanvas(200, 100)
	r := exec(t, c, "CLEAR", "0", "0", "255")
	assert.True(t, r.Cleared)
	assert.Empty(t, r.Send)
	assert.Equal(t, 200*100, count(c.Image(), color.RGBA{0, 0, 255, 255}))
	r = exec(t, c, "NEW")
	assert.Equal(t, []wire.Batch{{{"CLEAR"}}}, r.Send)
	assert.Equal(t, 200*100, count(c.Image(), White))

	r = exec(t, c, "WRITE", "10", "10", "24", "255", "0", "0", "Hello")
	n := count(c.Image(), red)
	assert.Greater(t, n, 50, "text paints pixels")
	assert.Equal(t, 200*100, n+count(c.Image(), White), "no antialiasing: only two colours")
	assert.True(t, r.Changed.In(image.Rect(10, 10, 120, 40)), "text below and right of (10,10): %v", r.Changed)
	big := NewCanvas(400, 200)
	exec(t, big, "WRITE", "10", "10", "48", "255", "0", "0", "Hello")
	assert.Greater(t, count(big.Image(), red), 2*n, "size scales the text")
}

func TestGetImgSetImg(t *testing.T) {
	a := NewCanvas(CanvasWidth, CanvasHeight)
	exec(t, a, "LINE", "192", "0", "0", "0", "0", "831", "718")
	exec(t, a, "CIRCLE", "0", "0", "255", "400", "300", "40")
	r := exec(t, a, "GETIMG")
	require.Len(t, r.Send, 1)
	set := r.Send[0]
	require.Len(t, set, 1)
	assert.Equal(t, []string{"SETIMG", set[0][1], "832", "719", "RGB"}, []string(set[0]))
	zr, err := zlib.NewReader(bytes.NewReader([]byte(set[0][1])))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Len(t, raw, 832*719*3)
	assert.Equal(t, a.RGB(), raw)

	// Through the wire and onto another canvas: the same bytes.
	line := set.Line()
	l, err := wire.Unmarshal(line)
	require.NoError(t, err)
	back, err := wire.BatchOf(l)
	require.NoError(t, err)
	b := NewCanvas(CanvasWidth, CanvasHeight)
	_, err = b.Exec(back[0])
	require.NoError(t, err)
	assert.Equal(t, a.Image().Pix, b.Image().Pix)

	// A picture of the wrong size is refused whole.
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	_, _ = zw.Write(make([]byte, 11))
	require.NoError(t, zw.Close())
	_, err = b.Exec(wire.Command{"SETIMG", buf.String(), "2", "2", "RGB"})
	assert.ErrorIs(t, err, ErrBadCommand)
	assert.Equal(t, a.Image().Pix, b.Image().Pix)
}

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	a := NewCanvas(64, 48)
	exec(t, a, "CIRCLE", "0", "192", "0", "30", "20", "5")
	for _, name := range []string{"p.png", "p.bmp"} {
		file := filepath.Join(dir, name)
		exec(t, a, "SAVE", file)
		assert.True(t, a.Clean())
		b := NewCanvas(64, 48)
		r := exec(t, b, "LOAD", file)
		assert.Equal(t, a.Image().Pix, b.Image().Pix, name)
		require.Len(t, r.Send, 1, "LOAD sends the picture on")
		assert.Equal(t, "SETIMG", r.Send[0][0][0])
		r = exec(t, b, "LOAD", file, "nopropogate")
		assert.Empty(t, r.Send)
	}
	b := NewCanvas(64, 48)
	r, err := b.Exec(wire.Command{"LOAD", filepath.Join(dir, "none.png"), "nopropogate"})
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.True(t, r.Changed.Empty())
	_, err = b.Exec(wire.Command{"SAVE", filepath.Join(dir, "no", "such", "dir.png")})
	assert.Error(t, err)
}

func TestCanvasComponent(t *testing.T) {
	cc := NewCanvasComponent(nil)
	h, err := axon.NewHandle(axon.NewScheduler(), cc)
	require.NoError(t, err)
	ctx := t.Context()
	get := func(box string) any {
		v, err := h.Get(ctx, box)
		require.NoError(t, err)
		return v
	}
	require.NoError(t, h.Put(ctx, "inbox", wire.Batch{{"LINE", "255", "0", "0", "1", "1", "5", "1"}}))
	up := get("updates").(Update)
	assert.Equal(t, image.Rect(1, 1, 6, 2), up.Rect)
	assert.Equal(t, red, up.Pixels.RGBAAt(3, 1))
	assert.Equal(t, Dirty, get("surfacechanged"))

	require.NoError(t, h.Put(ctx, "inbox", wire.Batch{{"GETIMG"}, {"LINE", "bad"}}))
	set := get("outbox").(wire.Batch)
	assert.Equal(t, "SETIMG", set[0][0])
	assert.ErrorIs(t, get("errors").(error), ErrBadCommand)

	snap := cc.Snapshot()
	assert.Equal(t, red, snap.RGBAAt(5, 1))
	assert.Equal(t, image.Rect(0, 0, CanvasWidth, CanvasHeight), snap.Rect)

	// NEW: clears, tells the peers CLEAR, reports the page changed.
	require.NoError(t, h.Put(ctx, "inbox", wire.Batch{{"NEW"}}))
	assert.Equal(t, wire.Batch{{"CLEAR"}}, get("outbox"))
	assert.Equal(t, Dirty, get("surfacechanged"))
	get("updates")
	require.NoError(t, h.Put(ctx, "inbox", wire.Batch{{"CIRCLE", "0", "0", "0", "9", "9", "2"}}))
	assert.Equal(t, Dirty, get("surfacechanged"), "drawing after a clear makes the page dirty again")
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
}

func TestPainter(t *testing.T) {
	p := NewPainter()
	h, err := axon.NewHandle(axon.NewScheduler(), p)
	require.NoError(t, err)
	ctx := t.Context()
	// Moves without the button draw nothing; the right button draws nothing.
	for _, e := range []MouseEvent{{MouseMove, 1, 1, 0}, {MouseDown, 2, 2, 3}, {MouseMove, 3, 3, 0}} {
		require.NoError(t, h.Put(ctx, "inbox", e))
	}
	require.NoError(t, h.Put(ctx, "colour", Palette[1]))
	require.NoError(t, h.Put(ctx, "inbox", MouseEvent{MouseDown, 10, 10, 1}))
	require.NoError(t, h.Put(ctx, "inbox", MouseEvent{MouseMove, 12, 11, 0}))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, wire.Batch{{"LINE", "192", "0", "0", "10", "10", "12", "11"}}, v)
	require.NoError(t, h.Put(ctx, "erase", Erase{}))
	require.NoError(t, h.Put(ctx, "inbox", MouseEvent{MouseUp, 20, 21, 1}))
	v, err = h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, wire.Batch{{"CIRCLE", "255", "255", "255", "20", "21", "8"}}, v)
	require.NoError(t, h.Put(ctx, "inbox", MouseEvent{MouseMove, 30, 30, 0}))
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
	_, more := h.TryGet("outbox")
	assert.False(t, more, "after the button is up, moves draw nothing")
}

func TestConsole(t *testing.T) {
	c := NewConsole()
	h, err := axon.NewHandle(axon.NewScheduler(), c)
	require.NoError(t, err)
	ctx := t.Context()
	for _, l := range []string{
		`load "my page.png"`, "LINE 0 0 0 1 2 3 4", "next", "savedeck d.zip", "clear",
		"remote prev", "", `save "x`, "undo now", "quit",
	} {
		require.NoError(t, h.Put(ctx, "inbox", l))
	}
	get := func(box string) any {
		v, err := h.Get(ctx, box)
		require.NoError(t, err)
		return v
	}
	assert.Equal(t, wire.Batch{{"LOAD", "my page.png"}}, get("local"))
	assert.Equal(t, wire.Batch{{"LINE", "0", "0", "0", "1", "2", "3", "4"}}, get("draw"))
	assert.Equal(t, PageCommand{Op: OpNext}, get("pages"))
	assert.Equal(t, PageCommand{Op: OpSaveDeck, Arg: "d.zip"}, get("pages"))
	assert.Equal(t, wire.Batch{{"CLEAR"}}, get("draw"))
	assert.Equal(t, wire.Batch{{"prev"}}, get("draw"))
	assert.Equal(t, PageCommand{Op: OpPrev}, get("pages"))
	assert.Error(t, get("errors").(error))
	assert.ErrorIs(t, get("errors").(error), errUsage)
	assert.Equal(t, Quit{}, get("quit"))
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
}
