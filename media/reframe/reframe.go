// Package reframe applies an edit decision list to a video for small
// screens (Kamaelia's MobileReframer): each edit is a range of source
// frames and a crop rectangle, and the cropped region is stretched to the
// size asked for, so that a mobile viewer sees the part of the picture
// that matters (the speaker's face, say) instead of a whole wide shot.
// Edits come out in the list's order, which need not be the source's;
// frames in no edit are dropped. The package is pure Go: it parses the
// list and crops and scales frames; cmd/kamaelia's reframe subcommand
// decodes and encodes around it.
//
// The list is XML:
//
//	<EDL>
//	    <FileID>interview.mp4</FileID>
//	    <Edit>
//	        <Start frame="0" />
//	        <End frame="24" />
//	        <Crop x1="0" y1="0" x2="400" y2="100" />
//	    </Edit>
//	    ...
//	</EDL>
//
// Frames count from 0 and both ends of a range are in it; (x1, y1) is the
// crop's top left pixel and (x2, y2) its right and bottom bounds, so the
// crop is x2-x1 pixels wide.
package reframe

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/kamaelia-go/kamaelia/components/xmlparse"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Edit is one entry of an edit decision list: source frames Start to End,
// both included, cropped to the rectangle from (Left, Top) to (Right,
// Bottom), Right and Bottom excluded. It is the edit components/xmlparse
// reads, so a list read by its EDLReader component drives a Reframer too.
type Edit = xmlparse.Edit

// ErrBadEDL is wrapped by every error of ParseEDL.
var ErrBadEDL = errors.New("reframe: bad edit decision list")

// ParseEDL reads an edit decision list (with xmlparse.ReadEDL; UTF-8,
// ISO-8859-1 or ASCII). A list that is not XML, has no FileID or no edits,
// or an edit with an element or attribute missing, a number that is not a
// whole number from 0, an End before its Start or an empty crop is an
// error wrapping ErrBadEDL that names the edit (counting from 1).
func ParseEDL(r io.Reader) ([]Edit, error) {
	edits, err := xmlparse.ReadEDL(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEDL, err)
	}
	return edits, nil
}

// CropScale returns the edit's crop of v stretched to width x height, in
// YUV420P, with v's timing. The crop must lie inside the picture; v must
// be YUV420P, YUV422P or YUV444P, and width and height even.
func CropScale(v *frame.Video, e Edit, width, height int) (*frame.Video, error) {
	if width <= 0 || height <= 0 || width%2 != 0 || height%2 != 0 {
		return nil, fmt.Errorf("reframe: size %dx%d is not even and positive", width, height)
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	var cw, ch float64 // chroma's scale to luma
	switch v.Format {
	case frame.YUV420P:
		cw, ch = 0.5, 0.5
	case frame.YUV422P:
		cw, ch = 0.5, 1
	case frame.YUV444P:
		cw, ch = 1, 1
	default:
		return nil, fmt.Errorf("reframe: cannot crop %v pictures", v.Format)
	}
	if e.Right > v.Width || e.Bottom > v.Height || e.Right <= e.Left || e.Bottom <= e.Top {
		return nil, fmt.Errorf("reframe: %v is outside the %dx%d picture", e, v.Width, v.Height)
	}
	out := frame.NewVideo(frame.YUV420P, width, height)
	out.PTS, out.FrameRate = v.PTS, v.FrameRate
	out.Interlaced, out.TopFieldFirst = v.Interlaced, v.TopFieldFirst
	for i := range 3 {
		sx, sy := 1.0, 1.0
		if i > 0 {
			sx, sy = cw, ch
		}
		sw, sh := v.Format.PlaneSize(i, v.Width, v.Height)
		dw, dh := frame.YUV420P.PlaneSize(i, width, height)
		scalePlane(v.Planes[i], v.Strides[i], sw, sh,
			float64(e.Left)*sx, float64(e.Top)*sy, float64(e.Right-e.Left)*sx, float64(e.Bottom-e.Top)*sy,
			out.Planes[i], out.Strides[i], dw, dh)
	}
	return out, nil
}

// scalePlane fills the dw x dh plane dst with the rectangle (x0, y0, w, h)
// of the sw x sh plane src, bilinearly, sampling at pixel centres.
func scalePlane(src []byte, sstride, sw, sh int, x0, y0, w, h float64, dst []byte, dstride, dw, dh int) {
	// Each output column's two source columns and weight, worked out once.
	xi := make([]int, dw)
	xf := make([]float64, dw)
	for x := range dw {
		fx := x0 + (float64(x)+0.5)*w/float64(dw) - 0.5
		fx = min(max(fx, 0), float64(sw-1))
		xi[x] = int(fx)
		xf[x] = fx - float64(xi[x])
	}
	for y := range dh {
		fy := y0 + (float64(y)+0.5)*h/float64(dh) - 0.5
		fy = min(max(fy, 0), float64(sh-1))
		y1 := int(fy)
		wy := fy - float64(y1)
		y2 := min(y1+1, sh-1)
		r1, r2 := src[y1*sstride:], src[y2*sstride:]
		row := dst[y*dstride : y*dstride+dw]
		for x := range row {
			a, b := xi[x], min(xi[x]+1, sw-1)
			wx := xf[x]
			top := float64(r1[a])*(1-wx) + float64(r1[b])*wx
			bot := float64(r2[a])*(1-wx) + float64(r2[b])*wx
			row[x] = byte(top*(1-wy) + bot*wy + 0.5)
		}
	}
}

// Reframer applies a list of edits to a clip's frames as they are decoded:
// Add each frame with its number, from 0, and Frames returns the output in
// the list's order. It keeps only the cropped and scaled pictures, so its
// memory is that of the output, not of the source.
type Reframer struct {
	edits         []Edit
	width, height int
	out           [][]*frame.Video // by edit, by frame from the edit's Start
	seen          int              // frames added
}

// New returns a Reframer of the edits to width x height pictures; the size
// must be even and positive, and there must be an edit.
func New(edits []Edit, width, height int) (*Reframer, error) {
	if width <= 0 || height <= 0 || width%2 != 0 || height%2 != 0 {
		return nil, fmt.Errorf("reframe: size %dx%d is not even and positive", width, height)
	}
	if len(edits) == 0 {
		return nil, errors.New("reframe: no edits")
	}
	r := &Reframer{edits: edits, width: width, height: height, out: make([][]*frame.Video, len(edits))}
	for i, e := range edits {
		r.out[i] = make([]*frame.Video, e.Frames())
	}
	return r, nil
}

// Last returns the highest frame number any edit uses: frames after it
// need not be decoded.
func (r *Reframer) Last() int {
	last := 0
	for _, e := range r.edits {
		last = max(last, e.End)
	}
	return last
}

// Add takes source frame n (frames must come in order from 0) and keeps
// its crop for every edit it is in. A crop outside the picture is an error
// naming the edit.
func (r *Reframer) Add(n int, v *frame.Video) error {
	if n != r.seen {
		return fmt.Errorf("reframe: frame %d added after %d frames", n, r.seen)
	}
	r.seen++
	for i, e := range r.edits {
		if !e.Contains(n) {
			continue
		}
		c, err := CropScale(v, e, r.width, r.height)
		if err != nil {
			return fmt.Errorf("edit %d: %w", i+1, err)
		}
		r.out[i][n-e.Start] = c
	}
	return nil
}

// Frames returns the output pictures in the list's order, each timed at
// its place in the output (rate frames a second), and the source frame
// number of each. An edit that reaches past the frames added is an error
// naming the frame.
func (r *Reframer) Frames(rate frame.Rational) ([]*frame.Video, []int, error) {
	var vs []*frame.Video
	var src []int
	for i, e := range r.edits {
		if e.End >= r.seen {
			return nil, nil, fmt.Errorf("reframe: edit %d (%v): frame %d is past the end of the clip (%d frames)", i+1, e, max(e.Start, r.seen), r.seen)
		}
		for j, v := range r.out[i] {
			v.PTS = frameTime(len(vs), rate)
			v.FrameRate = rate
			vs = append(vs, v)
			src = append(src, e.Start+j)
		}
	}
	return vs, src, nil
}

// frameTime returns when frame n of a stream at rate starts.
func frameTime(n int, rate frame.Rational) time.Duration {
	if rate.Num <= 0 || rate.Den <= 0 {
		rate = frame.Rational{Num: 25, Den: 1}
	}
	return time.Duration(int64(n) * int64(time.Second) * int64(rate.Den) / int64(rate.Num))
}

// CutAudio returns the sound of the given source frames, one after the
// other: for frame n, the samples from n's start to n+1's at rate frames a
// second, cut on sample boundaries so that the pieces of consecutive
// frames meet exactly. samples are interleaved, channels to a sample,
// sampleRate a second, the first played at start. Sound missing at either
// end of the source is silence, so the result is always as long as the
// frames.
func CutAudio(samples []float32, channels, sampleRate int, start time.Duration, rate frame.Rational, frames []int) []float32 {
	if rate.Num <= 0 || rate.Den <= 0 {
		rate = frame.Rational{Num: 25, Den: 1}
	}
	// at is the index of the sample playing when frame n starts.
	at := func(n int) int64 {
		t := time.Duration(int64(n)*int64(time.Second)*int64(rate.Den)/int64(rate.Num)) - start
		return int64(math.Round(t.Seconds() * float64(sampleRate)))
	}
	have := int64(len(samples) / channels)
	var out []float32
	for _, n := range frames {
		a, b := at(n), at(n+1)
		for s := a; s < b; s++ {
			if s < 0 || s >= have {
				out = append(out, make([]float32, channels)...)
				continue
			}
			out = append(out, samples[s*int64(channels):(s+1)*int64(channels)]...)
		}
	}
	return out
}
