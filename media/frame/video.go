// Package frame holds the messages that media components send each other:
// Video, one picture, and Audio, a buffer of samples. It needs no cgo, so a
// component that only looks at pictures or sound can be written and tested
// without FFmpeg or SDL.
//
// # Ownership
//
// Messages keep their identity in axon: the *Video or *Audio received is the
// one that was sent, with the same backing arrays. So a component that sends
// a frame gives it up: it must not read or write it, or any slice of it,
// afterwards. A component that receives one owns it and may change it in
// place and send it on. A component that wants to keep a frame and also pass
// it on sends a Clone.
//
// # Layout
//
// Pixels are 8 bits a sample. Y'CbCr samples are ITU-R BT.601 "video range"
// (Y' from 16 to 235, Cb and Cr from 16 to 240), as FFmpeg's yuv420p and
// SDL's YUV textures take them; RGBAAt and FromImage convert with it.
// Planar formats (YUV420P, YUV422P, YUV444P) keep
// one plane a component, Y then Cb (U) then Cr (V); packed formats (RGBA,
// Gray8) one plane. Strides may be larger than a row; NewVideo makes tight
// planes (stride equal to the row's width in bytes).
//
// Samples are little-endian on every platform this project builds for;
// interleaved formats keep one plane with the channels of each sample next to
// each other, planar formats one plane a channel.
package frame

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync"
	"time"
)

// PixelFormat is how a Video's pixels are laid out.
type PixelFormat uint8

// The pixel formats frames carry. Decoders convert anything else to one of
// these.
const (
	PixelFormatUnknown PixelFormat = iota
	// YUV420P is planar Y'CbCr with Cb and Cr at half width and half height
	// (rounded up): what Dirac, VC-2 and most video codecs decode to.
	YUV420P
	// YUV422P is planar Y'CbCr with Cb and Cr at half width.
	YUV422P
	// YUV444P is planar Y'CbCr with all three planes at full size.
	YUV444P
	// RGBA is packed 8-bit red, green, blue, alpha, 4 bytes a pixel, alpha
	// not premultiplied.
	RGBA
	// Gray8 is one 8-bit luma plane.
	Gray8
)

// String returns the format's name, as FFmpeg spells it.
func (p PixelFormat) String() string {
	switch p {
	case YUV420P:
		return "yuv420p"
	case YUV422P:
		return "yuv422p"
	case YUV444P:
		return "yuv444p"
	case RGBA:
		return "rgba"
	case Gray8:
		return "gray"
	}
	return fmt.Sprintf("pixelformat(%d)", uint8(p))
}

// NumPlanes returns how many planes a frame of the format has (0 if the
// format is unknown).
func (p PixelFormat) NumPlanes() int {
	switch p {
	case YUV420P, YUV422P, YUV444P:
		return 3
	case RGBA, Gray8:
		return 1
	}
	return 0
}

// PlaneSize returns the width in bytes and the height in rows of plane i of a
// width x height frame of the format.
func (p PixelFormat) PlaneSize(i, width, height int) (rowBytes, rows int) {
	if i < 0 || i >= p.NumPlanes() {
		return 0, 0
	}
	switch p {
	case YUV420P:
		if i > 0 {
			return (width + 1) / 2, (height + 1) / 2
		}
	case YUV422P:
		if i > 0 {
			return (width + 1) / 2, height
		}
	case RGBA:
		return 4 * width, height
	}
	return width, height
}

// Rational is a fraction, such as a frame rate of 25/1 or 30000/1001.
type Rational struct {
	Num, Den int
}

// Float returns the fraction's value, 0 when Den is 0.
func (r Rational) Float() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String returns "Num/Den".
func (r Rational) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// Video is one picture: a decoded frame, or one to encode or show.
type Video struct {
	Format PixelFormat
	Width  int
	Height int
	// Planes holds the pixels, one slice a plane (see PixelFormat).
	Planes [][]byte
	// Strides is the distance in bytes from the start of one row of each
	// plane to the next.
	Strides []int
	// PTS is when the frame is shown, from the start of the stream.
	PTS time.Duration
	// FrameRate is the stream's rate of frames a second, if known.
	FrameRate Rational
	// Interlaced says the frame holds two fields; TopFieldFirst which is
	// shown first.
	Interlaced    bool
	TopFieldFirst bool

	pooled *[]byte // the backing of the planes, when it came from Alloc
}

// pool holds the backings of released frames, for Alloc to use again. A
// decoder at 25 frames a second of 1080p allocates 75 MB a second; handing
// the memory round keeps the garbage collector out of the way.
var pool sync.Pool

// Alloc returns a frame of the format and size with tight planes, like
// NewVideo, but its planes hold whatever they held before: the memory may
// be that of a frame given back with Release. It is for code that is about
// to write every pixel, such as a decoder.
func Alloc(format PixelFormat, width, height int) *Video {
	if format.NumPlanes() == 0 || width <= 0 || height <= 0 {
		panic(fmt.Sprintf("frame: bad video %v %dx%d", format, width, height))
	}
	size := TightSize(format, width, height)
	var b *[]byte
	if x, ok := pool.Get().(*[]byte); ok && cap(*x) >= size && cap(*x) <= 2*size {
		b = x
	} else {
		buf := make([]byte, size)
		b = &buf
	}
	*b = (*b)[:size]
	v := &Video{Format: format, Width: width, Height: height, pooled: b}
	rest := *b
	for i := range format.NumPlanes() {
		w, h := format.PlaneSize(i, width, height)
		v.Planes = append(v.Planes, rest[:w*h:w*h])
		v.Strides = append(v.Strides, w)
		rest = rest[w*h:]
	}
	return v
}

// TightSize returns the bytes a frame of the format and size takes with
// tight planes: the size of Tight's result.
func TightSize(format PixelFormat, width, height int) int {
	n := 0
	for i := range format.NumPlanes() {
		w, h := format.PlaneSize(i, width, height)
		n += w * h
	}
	return n
}

// Pixels returns the frame's tight planes as one slice, when it was made by
// Alloc (a decoder's frames are), so that a copy can go straight into it;
// nil otherwise.
func (v *Video) Pixels() []byte {
	if v.pooled == nil {
		return nil
	}
	return *v.pooled
}

// Release gives the frame's memory back for Alloc to use again. Call it
// when done with a frame you own, such as a sink that has shown or stored
// the pixels; the frame and its planes must not be used afterwards. It is
// optional: a frame not released is collected as garbage. It does nothing
// for frames not made by Alloc.
func (v *Video) Release() {
	if v.pooled == nil {
		return
	}
	b := v.pooled
	v.pooled, v.Planes, v.Strides = nil, nil, nil
	pool.Put(b)
}

// NewVideo returns a frame of the format and size with tight, zeroed planes.
// It panics if the format is unknown or the size is not positive.
func NewVideo(format PixelFormat, width, height int) *Video {
	if format.NumPlanes() == 0 || width <= 0 || height <= 0 {
		panic(fmt.Sprintf("frame: bad video %v %dx%d", format, width, height))
	}
	v := &Video{Format: format, Width: width, Height: height}
	for i := range format.NumPlanes() {
		w, h := format.PlaneSize(i, width, height)
		v.Planes = append(v.Planes, make([]byte, w*h))
		v.Strides = append(v.Strides, w)
	}
	return v
}

// ErrBadFrame is wrapped by Validate's errors.
var ErrBadFrame = errors.New("frame: bad frame")

// Validate reports whether the frame's planes and strides hold a whole
// picture of its format and size: an error wrapping ErrBadFrame if not.
// Components that take frames from outside check them before they use them.
func (v *Video) Validate() error {
	n := v.Format.NumPlanes()
	switch {
	case n == 0:
		return fmt.Errorf("%w: unknown pixel format %v", ErrBadFrame, v.Format)
	case v.Width <= 0 || v.Height <= 0:
		return fmt.Errorf("%w: size %dx%d", ErrBadFrame, v.Width, v.Height)
	case len(v.Planes) != n || len(v.Strides) != n:
		return fmt.Errorf("%w: %v has %d planes, got %d planes and %d strides", ErrBadFrame, v.Format, n, len(v.Planes), len(v.Strides))
	}
	for i := range n {
		w, h := v.Format.PlaneSize(i, v.Width, v.Height)
		if v.Strides[i] < w {
			return fmt.Errorf("%w: plane %d stride %d shorter than its row of %d bytes", ErrBadFrame, i, v.Strides[i], w)
		}
		if need := v.Strides[i]*(h-1) + w; len(v.Planes[i]) < need {
			return fmt.Errorf("%w: plane %d has %d bytes, needs %d", ErrBadFrame, i, len(v.Planes[i]), need)
		}
	}
	return nil
}

// Row returns row y of plane i, without its padding.
func (v *Video) Row(i, y int) []byte {
	w, _ := v.Format.PlaneSize(i, v.Width, v.Height)
	off := y * v.Strides[i]
	return v.Planes[i][off : off+w]
}

// Tight returns the frame's pixels with no padding: each plane's rows one
// after another, the planes one after another. This is FFmpeg's rawvideo
// layout, what `ffmpeg -f rawvideo` writes.
func (v *Video) Tight() []byte {
	var out []byte
	for i := range v.Format.NumPlanes() {
		_, h := v.Format.PlaneSize(i, v.Width, v.Height)
		for y := range h {
			out = append(out, v.Row(i, y)...)
		}
	}
	return out
}

// Clone returns a deep copy with tight planes.
func (v *Video) Clone() *Video {
	c := *v
	c.Planes, c.Strides, c.pooled = nil, nil, nil
	for i := range v.Format.NumPlanes() {
		w, h := v.Format.PlaneSize(i, v.Width, v.Height)
		p := make([]byte, 0, w*h)
		for y := range h {
			p = append(p, v.Row(i, y)...)
		}
		c.Planes = append(c.Planes, p)
		c.Strides = append(c.Strides, w)
	}
	return &c
}

// Image returns the frame as an image.Image that shares its pixels: an
// *image.YCbCr for the YUV formats, *image.NRGBA for RGBA, *image.Gray for
// Gray8. It returns nil for an unknown format. The standard library reads
// Y'CbCr as full range (JPEG's), so colours through it are a little washed
// out; RGBAAt and ToRGBA convert as video range.
func (v *Video) Image() image.Image {
	r := image.Rect(0, 0, v.Width, v.Height)
	switch v.Format {
	case YUV420P, YUV422P, YUV444P:
		ratio := map[PixelFormat]image.YCbCrSubsampleRatio{
			YUV420P: image.YCbCrSubsampleRatio420,
			YUV422P: image.YCbCrSubsampleRatio422,
			YUV444P: image.YCbCrSubsampleRatio444,
		}[v.Format]
		return &image.YCbCr{Y: v.Planes[0], Cb: v.Planes[1], Cr: v.Planes[2],
			YStride: v.Strides[0], CStride: v.Strides[1], SubsampleRatio: ratio, Rect: r}
	case RGBA:
		return &image.NRGBA{Pix: v.Planes[0], Stride: v.Strides[0], Rect: r}
	case Gray8:
		return &image.Gray{Pix: v.Planes[0], Stride: v.Strides[0], Rect: r}
	}
	return nil
}

// FromImage returns a new frame of the format holding img (BT.601 video
// range for the Y'CbCr formats). Chroma is averaged over each subsampled
// block.
func FromImage(img image.Image, format PixelFormat) (*Video, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("%w: empty image", ErrBadFrame)
	}
	if format.NumPlanes() == 0 {
		return nil, fmt.Errorf("%w: unknown pixel format %v", ErrBadFrame, format)
	}
	v := NewVideo(format, b.Dx(), b.Dy())
	switch format {
	case RGBA:
		for y := range v.Height {
			row := v.Row(0, y)
			for x := range v.Width {
				c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
			}
		}
		return v, nil
	case Gray8:
		for y := range v.Height {
			row := v.Row(0, y)
			for x := range v.Width {
				row[x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
			}
		}
		return v, nil
	}
	// Y'CbCr: full-size planes first, then subsample.
	w, h := v.Width, v.Height
	cb := make([]int, w*h)
	cr := make([]int, w*h)
	for y := range h {
		row := v.Row(0, y)
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			yy, u, vv := RGBToYCbCr(c.R, c.G, c.B)
			row[x] = yy
			cb[y*w+x], cr[y*w+x] = int(u), int(vv)
		}
	}
	cw, ch := format.PlaneSize(1, w, h)
	sx, sy := (w+cw-1)/cw, (h+ch-1)/ch // 1 or 2
	for cy := range ch {
		rb, rr := v.Row(1, cy), v.Row(2, cy)
		for cx := range cw {
			sumB, sumR, n := 0, 0, 0
			for dy := range sy {
				for dx := range sx {
					x, y := cx*sx+dx, cy*sy+dy
					if x < w && y < h {
						sumB += cb[y*w+x]
						sumR += cr[y*w+x]
						n++
					}
				}
			}
			rb[cx], rr[cx] = uint8((sumB+n/2)/n), uint8((sumR+n/2)/n)
		}
	}
	return v, nil
}

// RGBAAt returns the colour of the pixel at (x, y), converted to RGB.
func (v *Video) RGBAAt(x, y int) color.NRGBA {
	switch v.Format {
	case YUV420P, YUV422P, YUV444P:
		cw, _ := v.Format.PlaneSize(1, v.Width, v.Height)
		ch := 1
		if v.Format == YUV420P {
			ch = 2
		}
		cx, cy := x*cw/v.Width, y/ch
		r, g, b := YCbCrToRGB(v.Row(0, y)[x], v.Row(1, cy)[cx], v.Row(2, cy)[cx])
		return color.NRGBA{r, g, b, 255}
	}
	return color.NRGBAModel.Convert(v.Image().At(x, y)).(color.NRGBA)
}

// RGBToYCbCr converts a colour to BT.601 video-range Y'CbCr.
func RGBToYCbCr(r, g, b uint8) (y, cb, cr uint8) {
	R, G, B := float64(r), float64(g), float64(b)
	return clamp8(16 + (65.481*R+128.553*G+24.966*B)/255),
		clamp8(128 + (-37.797*R-74.203*G+112*B)/255),
		clamp8(128 + (112*R-93.786*G-18.214*B)/255)
}

// YCbCrToRGB converts BT.601 video-range Y'CbCr to a colour.
func YCbCrToRGB(y, cb, cr uint8) (r, g, b uint8) {
	Y, U, V := 1.164383*(float64(y)-16), float64(cb)-128, float64(cr)-128
	return clamp8(Y + 1.596027*V), clamp8(Y - 0.391762*U - 0.812968*V), clamp8(Y + 2.017232*U)
}

func clamp8(f float64) uint8 {
	return uint8(max(0, min(255, f+0.5)))
}

// String describes the frame: format, size and time.
func (v *Video) String() string {
	return fmt.Sprintf("video %v %dx%d @%v", v.Format, v.Width, v.Height, v.PTS)
}

// ToRGBA returns the frame converted to a new RGBA image.
func (v *Video) ToRGBA() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, v.Width, v.Height))
	for y := range v.Height {
		for x := range v.Width {
			c := v.RGBAAt(x, y)
			img.Set(x, y, c)
		}
	}
	return img
}
