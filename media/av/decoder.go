//go:build cgo

package av

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Decoder demultiplexes and decodes any container and codec FFmpeg knows:
// the first video stream to video frames, the first audio stream to audio
// buffers. It reads a file (NewFileDecoder) or a byte stream on its inbox
// (NewDecoder), which it hands to FFmpeg's demuxer through a custom I/O
// context: FFmpeg's reads take the next chunk from the inbox.
//
// Boxes:
//
//	inbox   []byte        the stream in chunks (NewDecoder only; copied)
//	control any           ProducerFinished, Shutdown
//	video   *frame.Video  decoded pictures, with their stream timestamps
//	audio   *frame.Audio  decoded sound, in the decoder's sample format
//	                      (converted to F32P when frames carry no such format)
//	signal  any           the outcome
//
// Example:
//
//	dec := av.NewFileDecoder("clip.mkv")
//	axon.MustLink(dec.Video, overlay.In)
//	axon.MustLink(dec.Audio, player.In)
//
// Shutdown: a file decoder ends by itself at the end of the file, after
// flushing both decoders, and returns nil; ProducerFinished on control makes
// a stream decoder see the end of its input, and it does the same. Shutdown
// returns at once with ctx's error. Input FFmpeg cannot read is an error
// carrying FFmpeg's message; the decoders' delayed frames are sent at the
// end. FFmpeg's resources are freed on every path.
type Decoder struct {
	axon.Core
	In    *axon.Inbox[[]byte]
	Video *axon.Outbox[*frame.Video]
	Audio *axon.Outbox[*frame.Audio]

	path   string
	format string
	st     stats
}

// NewDecoder returns a Decoder of a byte stream. format names FFmpeg's
// demuxer ("ogg", "matroska", "dirac", ...); "" lets FFmpeg probe.
func NewDecoder(format string) *Decoder {
	d := &Decoder{format: format}
	d.init()
	return d
}

// NewFileDecoder returns a Decoder that reads the file at path.
func NewFileDecoder(path string) *Decoder {
	d := &Decoder{path: path}
	d.init()
	return d
}

func (d *Decoder) init() {
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Video = axon.NewOutbox[*frame.Video](d, "video")
	d.Audio = axon.NewOutbox[*frame.Audio](d, "audio")
}

// Stats returns what the decoder has done so far (Frames counts video
// frames and audio buffers together).
func (d *Decoder) Stats() Stats { return d.st.get() }

// Main demultiplexes and decodes until the input ends or the decoder is
// told to stop.
func (d *Decoder) Main(ctx context.Context) error {
	in, err := openInput(ctx, d.path, d.format, d.In)
	defer in.close()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("decoder: %w", err)
	}
	fc, name := in.fc, in.name
	var vs, as *stream
	for _, s := range fc.Streams() {
		mt := s.CodecParameters().MediaType()
		switch {
		case mt == astiav.MediaTypeVideo && vs == nil:
			vs = &stream{s: s}
		case mt == astiav.MediaTypeAudio && as == nil:
			as = &stream{s: s}
		default:
			continue
		}
	}
	if vs == nil && as == nil {
		return fmt.Errorf("decoder: %s has no audio or video stream", name)
	}
	for _, st := range []*stream{vs, as} {
		if st == nil {
			continue
		}
		cp := st.s.CodecParameters()
		k, err := openDecoder(cp.CodecID(), func(cc *astiav.CodecContext) error {
			if err := cp.ToCodecContext(cc); err != nil {
				return err
			}
			cc.SetThreadCount(threadCount)
			return nil
		})
		if err != nil {
			return fmt.Errorf("decoder: stream %d: %w", st.s.Index(), err)
		}
		defer k.free()
		st.k = k
	}
	handle := func(st *stream, data []byte, pts int64) error {
		tb := st.s.TimeBase()
		rate := st.s.AvgFrameRate()
		return st.k.decode(data, pts, func(f *astiav.Frame) error {
			t := time.Duration(0)
			if p := f.Pts(); p != astiav.NoPtsValue && tb.Den() != 0 {
				t = time.Duration(float64(p) * tb.Float64() * float64(time.Second))
			}
			d.st.frames.Add(1)
			if st == vs {
				v, err := videoFromAV(f, &st.k.conv)
				if err != nil {
					return err
				}
				v.PTS = t
				v.FrameRate = frame.Rational{Num: rate.Num(), Den: rate.Den()}
				return d.Video.Send(ctx, v)
			}
			a, err := audioFromAV(f, t)
			if err != nil {
				return err
			}
			return d.Audio.Send(ctx, a)
		})
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("decoder: reading %s: %w", name, err)
		}
		var st *stream
		switch {
		case vs != nil && pkt.StreamIndex() == vs.s.Index():
			st = vs
		case as != nil && pkt.StreamIndex() == as.s.Index():
			st = as
		}
		if st != nil {
			d.st.packets.Add(1)
			err = handle(st, pkt.Data(), pkt.Pts())
		}
		pkt.Unref()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("decoder: %s stream %d: %w", name, st.s.Index(), err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, st := range []*stream{vs, as} {
		if st != nil {
			if err := handle(st, nil, 0); err != nil {
				return fmt.Errorf("decoder: flushing stream %d: %w", st.s.Index(), err)
			}
		}
	}
	return nil
}

type stream struct {
	s *astiav.Stream
	k *codec
}

// Scaler converts video frames to a size and pixel format with FFmpeg's
// swscale (bicubic), for a display or an encoder that needs them so.
//
// Boxes:
//
//	inbox   *frame.Video  frames of any size and format frames carry
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Video  the frames at Width x Height in Format, with the
//	                      input's time, rate and interlacing
//	signal  any           the outcome
//
// Example:
//
//	sc := av.NewScaler(640, 480, frame.RGBA)
//	axon.MustLink(dec.Out, sc.In)
//
// Shutdown: ProducerFinished converts what is queued and returns nil;
// Shutdown returns at once with ctx's error. A frame that is not valid is an
// error. The swscale context is freed on every path.
type Scaler struct {
	axon.Core
	In  *axon.Inbox[*frame.Video]
	Out *axon.Outbox[*frame.Video]

	// Width and Height of the output; 0 keeps the input's.
	Width, Height int
	// Format of the output; PixelFormatUnknown keeps the input's.
	Format frame.PixelFormat
}

// NewScaler returns a Scaler to width x height in format (0 and
// PixelFormatUnknown keep the input's).
func NewScaler(width, height int, format frame.PixelFormat) *Scaler {
	s := &Scaler{Width: width, Height: height, Format: format}
	s.In = axon.NewInbox[*frame.Video](s, "inbox")
	s.Out = axon.NewOutbox[*frame.Video](s, "outbox")
	return s
}

// Main converts frames until told to stop.
func (s *Scaler) Main(ctx context.Context) error {
	var conv converter
	defer conv.free()
	src := astiav.AllocFrame()
	defer src.Free()
	for v := range s.In.Messages(ctx) {
		out, err := scale(&conv, src, v, s.Width, s.Height, s.Format)
		if err != nil {
			return fmt.Errorf("scaler: %w", err)
		}
		if err := s.Out.Send(ctx, out); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// scale is the Scaler's work on one frame; conv and scratch are kept
// between calls.
func scale(conv *converter, scratch *astiav.Frame, v *frame.Video, w, h int, format frame.PixelFormat) (*frame.Video, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	if w <= 0 {
		w = v.Width
	}
	if h <= 0 {
		h = v.Height
	}
	if format == frame.PixelFormatUnknown {
		format = v.Format
	}
	if err := videoToAV(v, scratch); err != nil {
		return nil, err
	}
	f, err := conv.convert(scratch, w, h, pixelFormats[format])
	if err != nil {
		return nil, err
	}
	var none *converter
	out, err := videoFromAV(f, &none)
	if err != nil {
		return nil, err
	}
	out.PTS, out.FrameRate, out.Interlaced, out.TopFieldFirst = v.PTS, v.FrameRate, v.Interlaced, v.TopFieldFirst
	return out, nil
}
