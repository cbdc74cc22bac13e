package whiteboard

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif"  // LOAD reads GIF pages too
	_ "image/jpeg" // and JPEG
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"golang.org/x/image/bmp"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The geometry of Kamaelia's Whiteboard window (1024×768): a toolbar row at
// the top, the canvas below it, a ticker line at the bottom and a column
// on the right for webcam pictures.
const (
	// CanvasWidth and CanvasHeight are the size of the drawing canvas.
	CanvasWidth  = 832
	CanvasHeight = 719
	// CanvasX and CanvasY are where the canvas sits in the window.
	CanvasX = 0
	CanvasY = 34
	// WindowWidth and WindowHeight are the size of the window.
	WindowWidth  = 1024
	WindowHeight = 768
)

// White is the canvas's background, and the eraser's colour.
var White = color.RGBA{255, 255, 255, 255}

// MaxCoordinate bounds the coordinates and sizes a drawing command may
// carry: further out is an error, so that a hostile line cannot make the
// canvas walk a line of a billion pixels.
const MaxCoordinate = 1 << 20

// MaxImageSide bounds the width and height of a SETIMG picture.
const MaxImageSide = 16384

// ErrBadCommand is wrapped by the errors of Canvas.Exec for a command whose
// arguments are missing or malformed.
var ErrBadCommand = errors.New("whiteboard: bad drawing command")

// Canvas is the Whiteboard's drawing engine: an RGB raster (an image.RGBA,
// always opaque) that carries out the drawing commands of the protocol,
// drawing as pygame does (1-pixel lines without antialiasing, filled
// discs, text without antialiasing). It needs no window: a display shows
// its Image.
//
// A Canvas is not safe for concurrent use; the Canvas component owns one.
type Canvas struct {
	img   *image.RGBA
	bg    color.RGBA
	clean bool // unchanged since the last LOAD, SAVE or CLEAR
}

// NewCanvas returns a white canvas of the given size (CanvasWidth by
// CanvasHeight in the Whiteboard).
func NewCanvas(width, height int) *Canvas {
	c := &Canvas{img: image.NewRGBA(image.Rect(0, 0, width, height)), bg: White, clean: true}
	draw.Draw(c.img, c.img.Rect, image.NewUniform(c.bg), image.Point{}, draw.Src)
	return c
}

// Image returns the canvas's raster. It is the canvas's own: read it
// between commands, do not keep it across them.
func (c *Canvas) Image() *image.RGBA { return c.img }

// Bounds returns the canvas's rectangle (origin at 0,0).
func (c *Canvas) Bounds() image.Rectangle { return c.img.Rect }

// Clean reports whether the canvas is unchanged since the last LOAD, SAVE
// or CLEAR (Kamaelia's clean flag: a page that need not be saved).
func (c *Canvas) Clean() bool { return c.clean }

// Result is what one command did besides drawing.
type Result struct {
	// Changed is the part of the canvas the command drew on (empty if none).
	Changed image.Rectangle
	// Send holds the messages the command makes for the peers: the SETIMG
	// that answers GETIMG (and follows a LOAD), the CLEAR that follows NEW.
	Send []wire.Batch
	// Cleared is set by CLEAR and NEW, which Kamaelia's canvas reports as a
	// change of the page even though they leave it clean.
	Cleared bool
	// ReplyTo is the argument of a GETIMG that named who asked (see
	// Canvas.Exec): Send is the answer for that one alone.
	ReplyTo string
}

// Exec carries out one command. Names are matched without regard to case;
// a GETIMG with an argument (which Kamaelia's never has) names who asked,
// for Result.ReplyTo;
// unknown commands (and "prev"/"next", which belong to the page history)
// do nothing, as in Kamaelia. A malformed command is an error wrapping
// ErrBadCommand and changes nothing; a LOAD or SAVE that fails on its file
// returns the file's error (a failed LOAD still sends the picture on, as
// Kamaelia's did).
func (c *Canvas) Exec(cmd wire.Command) (Result, error) {
	args := cmd.Args()
	switch cmd.Name() {
	case "CLEAR":
		return c.clear(args, false)
	case "NEW":
		return c.clear(args, true)
	case "LINE":
		return c.line(args)
	case "CIRCLE":
		return c.circle(args)
	case "WRITE":
		return c.write(args)
	case "LOAD":
		return c.load(args)
	case "SAVE":
		return c.save(args)
	case "GETIMG":
		r := Result{Send: []wire.Batch{c.GetImg()}}
		if len(args) > 0 {
			r.ReplyTo = args[0]
		}
		return r, nil
	case "SETIMG":
		return c.setImg(args)
	}
	return Result{}, nil
}

// ints parses the first n arguments as integers within ±MaxCoordinate.
func ints(name string, args []string, n int) ([]int, error) {
	if len(args) < n {
		return nil, fmt.Errorf("%w: %s needs %d arguments, has %d", ErrBadCommand, name, n, len(args))
	}
	out := make([]int, n)
	for i := range n {
		v, err := strconv.Atoi(args[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s argument %d %q is not an integer", ErrBadCommand, name, i+1, args[i])
		}
		if v > MaxCoordinate || v < -MaxCoordinate {
			return nil, fmt.Errorf("%w: %s argument %d %d is out of range", ErrBadCommand, name, i+1, v)
		}
		out[i] = v
	}
	return out, nil
}

// rgb makes an opaque colour of three integers, clamped to 0..255 (pygame
// refuses values outside; clamping keeps a sloppy peer's stroke visible).
func rgb(r, g, b int) color.RGBA {
	cl := func(v int) uint8 { return uint8(min(max(v, 0), 255)) }
	return color.RGBA{cl(r), cl(g), cl(b), 255}
}

func (c *Canvas) clear(args []string, isNew bool) (Result, error) {
	col := c.bg
	if len(args) == 3 {
		v, err := ints("CLEAR", args, 3)
		if err != nil {
			return Result{}, err
		}
		col = rgb(v[0], v[1], v[2])
	}
	draw.Draw(c.img, c.img.Rect, image.NewUniform(col), image.Point{}, draw.Src)
	c.clean = true
	r := Result{Changed: c.img.Rect, Cleared: true}
	if isNew {
		r.Send = []wire.Batch{{{"CLEAR"}}}
	}
	return r, nil
}

func (c *Canvas) line(args []string) (Result, error) {
	v, err := ints("LINE", args, 7)
	if err != nil {
		return Result{}, err
	}
	col := rgb(v[0], v[1], v[2])
	x0, y0, x1, y1 := v[3], v[4], v[5], v[6]
	DrawLine(c.img, x0, y0, x1, y1, col)
	// A line above the canvas leaves the page clean: Kamaelia's trick for
	// drawing that is not part of the page.
	if y0 >= 0 && y1 >= 0 {
		c.clean = false
	}
	box := image.Rect(min(x0, x1), min(y0, y1), max(x0, x1)+1, max(y0, y1)+1)
	return Result{Changed: box.Intersect(c.img.Rect)}, nil
}

// DrawLine draws a 1-pixel line from (x0,y0) to (x1,y1), both ends
// included, without antialiasing (Bresenham's algorithm, as pygame's
// draw.line of width 1), clipped to img.
func DrawLine(img *image.RGBA, x0, y0, x1, y1 int, col color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	r := img.Rect
	for {
		if image.Pt(x0, y0).In(r) {
			i := img.PixOffset(x0, y0)
			p := img.Pix[i : i+4 : i+4]
			p[0], p[1], p[2], p[3] = col.R, col.G, col.B, col.A
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func (c *Canvas) circle(args []string) (Result, error) {
	v, err := ints("CIRCLE", args, 6)
	if err != nil {
		return Result{}, err
	}
	if v[5] < 0 {
		return Result{}, fmt.Errorf("%w: CIRCLE radius %d is negative", ErrBadCommand, v[5])
	}
	box := DrawDisc(c.img, v[3], v[4], v[5], rgb(v[0], v[1], v[2]))
	c.clean = false
	return Result{Changed: box}, nil
}

// DrawDisc fills the disc of radius r about (cx,cy): every pixel whose
// distance from the centre is at most r (radius 0 is the centre pixel, as
// pygame draws it). It returns the part of img it painted over.
func DrawDisc(img *image.RGBA, cx, cy, r int, col color.RGBA) image.Rectangle {
	box := image.Rect(cx-r, cy-r, cx+r+1, cy+r+1).Intersect(img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		dy := y - cy
		for x := box.Min.X; x < box.Max.X; x++ {
			dx := x - cx
			if dx*dx+dy*dy <= r*r {
				i := img.PixOffset(x, y)
				p := img.Pix[i : i+4 : i+4]
				p[0], p[1], p[2], p[3] = col.R, col.G, col.B, col.A
			}
		}
	}
	return box
}

func (c *Canvas) write(args []string) (Result, error) {
	v, err := ints("WRITE", args, 6)
	if err != nil {
		return Result{}, err
	}
	if len(args) < 7 {
		return Result{}, fmt.Errorf("%w: WRITE needs its text", ErrBadCommand)
	}
	if v[2] <= 0 || v[2] > 1000 {
		return Result{}, fmt.Errorf("%w: WRITE size %d is not within 1..1000", ErrBadCommand, v[2])
	}
	box, err := DrawText(c.img, v[0], v[1], v[2], rgb(v[3], v[4], v[5]), args[6])
	if err != nil {
		return Result{}, err
	}
	c.clean = false
	return Result{Changed: box}, nil
}

var (
	fontOnce sync.Once
	goFont   *opentype.Font
	fontErr  error
	facesMu  sync.Mutex
	faces    = map[int]font.Face{}
)

// face returns the default font (Go Regular) at size pixels.
func face(size int) (font.Face, error) {
	fontOnce.Do(func() { goFont, fontErr = opentype.Parse(goregular.TTF) })
	if fontErr != nil {
		return nil, fontErr
	}
	facesMu.Lock()
	defer facesMu.Unlock()
	if f, ok := faces[size]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(goFont, &opentype.FaceOptions{Size: float64(size), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	faces[size] = f
	return f, nil
}

// DrawText writes text with its top-left corner at (x,y) in the default
// font (Go Regular) at size pixels, without antialiasing (a glyph's pixel
// is painted when it is at least half covered), as Kamaelia's canvas wrote
// with pygame's default font. It returns the part of img it painted over.
func DrawText(img *image.RGBA, x, y, size int, col color.RGBA, text string) (image.Rectangle, error) {
	f, err := face(size)
	if err != nil {
		return image.Rectangle{}, err
	}
	facesMu.Lock()
	defer facesMu.Unlock() // a Face is not safe for concurrent use
	m := f.Metrics()
	dot := fixed.P(x, y+m.Ascent.Ceil())
	bounds, _ := font.BoundString(f, text)
	bounds = bounds.Add(dot)
	box := image.Rect(bounds.Min.X.Floor(), bounds.Min.Y.Floor(), bounds.Max.X.Ceil(), bounds.Max.Y.Ceil())
	if box.Empty() {
		return image.Rectangle{}, nil
	}
	mask := image.NewAlpha(box)
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: f, Dot: dot}
	d.DrawString(text)
	painted := image.Rectangle{}
	for py := box.Min.Y; py < box.Max.Y; py++ {
		for px := box.Min.X; px < box.Max.X; px++ {
			if mask.AlphaAt(px, py).A >= 128 && image.Pt(px, py).In(img.Rect) {
				i := img.PixOffset(px, py)
				p := img.Pix[i : i+4 : i+4]
				p[0], p[1], p[2], p[3] = col.R, col.G, col.B, col.A
				painted = painted.Union(image.Rect(px, py, px+1, py+1))
			}
		}
	}
	return painted, nil
}

func (c *Canvas) load(args []string) (Result, error) {
	if len(args) < 1 {
		return Result{}, fmt.Errorf("%w: LOAD needs a file name", ErrBadCommand)
	}
	r := Result{}
	err := c.loadFile(args[0])
	if err == nil {
		r.Changed = c.img.Rect
	}
	if len(args) < 2 || args[1] != "nopropogate" {
		r.Send = []wire.Batch{c.GetImg()}
	}
	c.clean = true
	return r, err
}

func (c *Canvas) loadFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("whiteboard: LOAD: %w", err)
	}
	defer f.Close()
	var src image.Image
	if strings.EqualFold(filepath.Ext(name), ".bmp") {
		src, err = bmp.Decode(f)
	} else {
		src, _, err = image.Decode(f)
	}
	if err != nil {
		return fmt.Errorf("whiteboard: LOAD %s: %w", name, err)
	}
	draw.Draw(c.img, c.img.Rect, src, src.Bounds().Min, draw.Over)
	return nil
}

func (c *Canvas) save(args []string) (Result, error) {
	if len(args) < 1 {
		return Result{}, fmt.Errorf("%w: SAVE needs a file name", ErrBadCommand)
	}
	if err := c.SaveFile(args[0]); err != nil {
		return Result{}, err
	}
	c.clean = true
	return Result{}, nil
}

// SaveFile writes the canvas to name: as BMP when the name ends in ".bmp",
// else as PNG. It writes a temporary file and renames it, so a reader
// never sees half a page.
func (c *Canvas) SaveFile(name string) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".save-*")
	if err != nil {
		return fmt.Errorf("whiteboard: SAVE: %w", err)
	}
	if strings.EqualFold(filepath.Ext(name), ".bmp") {
		err = bmp.Encode(tmp, c.img)
	} else {
		err = png.Encode(tmp, c.img)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("whiteboard: SAVE %s: %w", name, err)
	}
	return nil
}

// RGB returns the canvas as raw RGB rows, 3 bytes a pixel (pygame's
// tostring "RGB").
func (c *Canvas) RGB() []byte { return RGBOf(c.img) }

// RGBOf returns img as raw RGB rows, 3 bytes a pixel.
func RGBOf(img *image.RGBA) []byte {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]byte, 0, w*h*3)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		row := img.Pix[img.PixOffset(img.Rect.Min.X, y):]
		for x := range w {
			out = append(out, row[4*x], row[4*x+1], row[4*x+2])
		}
	}
	return out
}

// GetImg returns the SETIMG message carrying the canvas: its raw RGB rows
// compressed with zlib, its width and height, and "RGB" (the reply to
// GETIMG).
func (c *Canvas) GetImg() wire.Batch {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	// Writing to a bytes.Buffer cannot fail.
	_, _ = zw.Write(c.RGB())
	_ = zw.Close()
	w, h := c.img.Rect.Dx(), c.img.Rect.Dy()
	return wire.Batch{{"SETIMG", buf.String(), strconv.Itoa(w), strconv.Itoa(h), "RGB"}}
}

// pixelFormats are the raw formats SETIMG takes (pygame's frombuffer),
// with their bytes per pixel.
var pixelFormats = map[string]int{"RGB": 3, "RGBA": 4, "RGBX": 4}

func (c *Canvas) setImg(args []string) (Result, error) {
	if len(args) < 4 {
		return Result{}, fmt.Errorf("%w: SETIMG needs data, width, height and format", ErrBadCommand)
	}
	v, err := ints("SETIMG", args[1:], 2)
	if err != nil {
		return Result{}, err
	}
	w, h := v[0], v[1]
	if w <= 0 || h <= 0 || w > MaxImageSide || h > MaxImageSide {
		return Result{}, fmt.Errorf("%w: SETIMG size %dx%d", ErrBadCommand, w, h)
	}
	bpp, ok := pixelFormats[args[3]]
	if !ok {
		return Result{}, fmt.Errorf("%w: SETIMG format %q (want RGB, RGBA or RGBX)", ErrBadCommand, args[3])
	}
	want := w * h * bpp
	zr, err := zlib.NewReader(strings.NewReader(args[0]))
	if err != nil {
		return Result{}, fmt.Errorf("%w: SETIMG data: %v", ErrBadCommand, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, int64(want)+1))
	if err != nil {
		return Result{}, fmt.Errorf("%w: SETIMG data: %v", ErrBadCommand, err)
	}
	if len(raw) != want {
		return Result{}, fmt.Errorf("%w: SETIMG data inflates to %d bytes, %dx%d %s needs %d", ErrBadCommand, len(raw), w, h, args[3], want)
	}
	box := image.Rect(0, 0, w, h).Intersect(c.img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			s := raw[(y*w+x)*bpp:]
			i := c.img.PixOffset(x, y)
			p := c.img.Pix[i : i+4 : i+4]
			p[0], p[1], p[2], p[3] = s[0], s[1], s[2], 255
		}
	}
	c.clean = false
	return Result{Changed: box}, nil
}
