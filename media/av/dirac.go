//go:build cgo

package av

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/dirac"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Corruption is what a decoder does with input it cannot use.
type Corruption uint8

const (
	// Fail ends the decoder at the first corrupt byte: Main returns an
	// error saying where, which the runtime sends on signal as a
	// *axon.Failure. The default.
	Fail Corruption = iota
	// Skip drops the corrupt data, counts it (see Stats) and goes on from
	// the next unit or page that checks out: what a receiver joining a
	// broadcast midway, or on a lossy link, wants.
	Skip
)

// Stats counts what a decoder has done. Read it with the decoder's Stats
// method, at any time.
type Stats struct {
	Packets      int64 // packets given to FFmpeg
	Frames       int64 // frames (or audio buffers) sent
	SkippedBytes int64 // input dropped as corrupt (Skip)
	Corrupt      int64 // corrupt places met (Skip)
}

type stats struct{ packets, frames, skipped, corrupt atomic.Int64 }

func (s *stats) get() Stats {
	return Stats{Packets: s.packets.Load(), Frames: s.frames.Load(), SkippedBytes: s.skipped.Load(), Corrupt: s.corrupt.Load()}
}

// DiracDecoder decodes a Dirac (or VC-2) byte stream into video frames
// through FFmpeg's dirac decoder. It is Kamaelia's DiracDecoder.
//
// Boxes:
//
//	inbox   []byte        the stream, in chunks of any size (as read from a
//	                      socket or a file); the decoder copies what it keeps
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Video  decoded frames, in display order, YUV420P for 8-bit
//	                      4:2:0 streams (other formats as they decode, or
//	                      converted to YUV420P when frames carry no such format)
//	signal  any           the outcome
//
// Each frame's PTS counts frames at the stream's frame rate from the first
// frame decoded.
//
// Example:
//
//	dec := av.NewDiracDecoder()
//	axon.MustLink(reader.Outbox, dec.In)
//	axon.MustLink(dec.Out, overlay.In)
//
// Shutdown: ProducerFinished on control decodes what is buffered, flushes
// the decoder's delayed frames, sends them and returns nil; a stream that
// ends inside a data unit is an error wrapping dirac.ErrTruncated (in Skip
// mode, a counted skip). Shutdown returns at once with ctx's error. Corrupt
// input (no parse info prefix where one must be, offsets that disagree,
// pictures FFmpeg refuses) is an error naming the byte offset, or with
// Skip a counted skip. FFmpeg's resources are freed on every path.
type DiracDecoder struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[*frame.Video]

	// OnCorrupt says what to do with corrupt input; set before activation.
	OnCorrupt Corruption
	// MaxUnitSize bounds one Dirac data unit (0: dirac.DefaultMaxUnitSize).
	MaxUnitSize int

	st stats
}

// NewDiracDecoder returns a DiracDecoder that fails on corrupt input.
func NewDiracDecoder() *DiracDecoder {
	d := &DiracDecoder{}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[*frame.Video](d, "outbox")
	return d
}

// Stats returns what the decoder has done so far.
func (d *DiracDecoder) Stats() Stats { return d.st.get() }

// Main decodes until the stream ends or the decoder is told to stop.
func (d *DiracDecoder) Main(ctx context.Context) error {
	open := func() (*codec, error) {
		return openDecoder(astiav.CodecIDDirac, func(cc *astiav.CodecContext) error {
			cc.SetThreadCount(threadCount)
			cc.SetThreadType(astiav.ThreadTypeSlice)
			return nil
		})
	}
	dec, err := open()
	if err != nil {
		return err
	}
	defer func() { dec.free() }()
	var seq []byte // the sequence header the decoder has
	sp := dirac.Splitter{MaxUnitSize: d.MaxUnitSize}
	var n int64 // frames out
	send := func(f *astiav.Frame) error {
		v, err := videoFromAV(f, &dec.conv)
		if err != nil {
			return err
		}
		fr := dec.cc.Framerate()
		v.FrameRate = frame.Rational{Num: fr.Num(), Den: fr.Den()}
		v.PTS = ptsOf(n, v.FrameRate)
		n++
		if err := d.Out.Send(ctx, v); err != nil {
			return err
		}
		d.st.frames.Add(1)
		return nil
	}
	decode := func(p dirac.Packet) error {
		if p.Sequence {
			// FFmpeg's decoder keeps the first sequence header it sees: a
			// new picture format (a new sequence) needs a new decoder.
			if seq != nil && !bytes.Equal(seq, p.SequenceHeader) {
				if err := dec.decode(nil, 0, send); err != nil {
					return fmt.Errorf("dirac: flushing the decoder: %w", err)
				}
				dec.free()
				if dec, err = open(); err != nil {
					return err
				}
			}
			seq = bytes.Clone(p.SequenceHeader)
		}
		d.st.packets.Add(1)
		err := dec.decode(p.Data, d.st.packets.Load(), send)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if d.OnCorrupt == Skip {
			d.st.corrupt.Add(1)
			d.st.skipped.Add(int64(len(p.Data)))
			return nil
		}
		return fmt.Errorf("dirac: %v at byte %d: %w", p.Code, p.Offset, err)
	}
	for {
		chunk, err := d.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		sp.Write(chunk)
		for {
			p, ok, err := sp.Next()
			if err != nil {
				if d.OnCorrupt == Fail {
					return err
				}
				d.st.corrupt.Add(1)
				d.st.skipped.Add(int64(sp.Resync()))
				continue
			}
			if !ok {
				break
			}
			if err := decode(p); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	// The end of the stream: the last unit, then the delayed frames.
	for {
		p, ok, err := sp.Flush()
		if err != nil {
			if d.OnCorrupt == Fail {
				return err
			}
			d.st.corrupt.Add(1)
			d.st.skipped.Add(int64(sp.Buffered()))
			break
		}
		if !ok {
			break
		}
		if err := decode(p); err != nil {
			return err
		}
	}
	if err := dec.decode(nil, 0, send); err != nil {
		return fmt.Errorf("dirac: flushing the decoder: %w", err)
	}
	return nil
}

// DiracEncoder encodes video frames into a VC-2 stream (the intra-only
// profile of Dirac, SMPTE ST 2042) through FFmpeg's vc2 encoder, so that a
// program can make its own Dirac clips. Any Dirac decoder, DiracDecoder
// included, decodes its output.
//
// Boxes:
//
//	inbox   *frame.Video  frames: YUV420P, YUV422P or YUV444P, all the same
//	                      size (a frame of another size or format ends the
//	                      sequence and starts a new one)
//	control any           ProducerFinished, Shutdown
//	outbox  []byte        the stream, one encoded picture (with its sequence
//	                      header) a message
//	signal  any           the outcome
//
// Example:
//
//	enc := av.NewDiracEncoder()
//	enc.BitRate = 5_000_000
//	axon.MustLink(source.Out, enc.In)
//	axon.MustLink(enc.Out, writer.In)
//
// Shutdown: ProducerFinished encodes what is queued, flushes the encoder and
// returns nil. Shutdown returns at once with ctx's error. A frame that is
// not valid (frame.Video.Validate) or of a format VC-2 cannot take is an
// error. FFmpeg's resources are freed on every path.
type DiracEncoder struct {
	axon.Core
	In  *axon.Inbox[*frame.Video]
	Out *axon.Outbox[[]byte]

	// BitRate in bits a second; 0 means 3 bits a pixel at the frame rate,
	// about 5.8 Mbit/s for 320x240 at 25 frames a second (VC-2 needs some
	// 5 Mbit/s there to keep the picture).
	BitRate int64
	// FrameRate of the stream when the frames do not say; 0 means 25/1.
	FrameRate frame.Rational
}

// NewDiracEncoder returns a DiracEncoder with the default bit rate.
func NewDiracEncoder() *DiracEncoder {
	e := &DiracEncoder{}
	e.In = axon.NewInbox[*frame.Video](e, "inbox")
	e.Out = axon.NewOutbox[[]byte](e, "outbox")
	return e
}

// Main encodes until the frames end or the encoder is told to stop.
func (e *DiracEncoder) Main(ctx context.Context) error {
	var enc *codec
	var w, h int
	var format frame.PixelFormat
	defer func() { enc.free() }()
	var n int64
	out := func(p *astiav.Packet) error { return e.Out.Send(ctx, p.Data()) }
	flush := func() error {
		if enc == nil {
			return nil
		}
		err := enc.encode(nil, out)
		enc.free()
		enc = nil
		return err
	}
	f := astiav.AllocFrame()
	defer f.Free()
	for v := range e.In.Messages(ctx) {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("dirac encoder: frame %d: %w", n, err)
		}
		switch v.Format {
		case frame.YUV420P, frame.YUV422P, frame.YUV444P:
		default:
			return fmt.Errorf("dirac encoder: frame %d is %v; VC-2 takes yuv420p, yuv422p or yuv444p", n, v.Format)
		}
		if enc == nil || v.Width != w || v.Height != h || v.Format != format {
			if err := flush(); err != nil {
				return err
			}
			var err error
			if enc, err = e.open(v); err != nil {
				return err
			}
			w, h, format, n = v.Width, v.Height, v.Format, 0
		}
		if err := videoToAV(v, f); err != nil {
			return err
		}
		f.SetPts(n)
		n++
		if err := enc.encode(f, out); err != nil {
			return fmt.Errorf("dirac encoder: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return flush()
}

func (e *DiracEncoder) open(v *frame.Video) (*codec, error) {
	c := astiav.FindEncoderByName("vc2")
	if c == nil {
		return nil, errors.New("dirac encoder: this FFmpeg has no vc2 encoder")
	}
	if err := vc2Size(c, v.Width, v.Height, pixelFormats[v.Format]); err != nil {
		return nil, fmt.Errorf("dirac encoder: %w", err)
	}
	rate := v.FrameRate
	if rate.Num <= 0 || rate.Den <= 0 {
		rate = e.FrameRate
	}
	if rate.Num <= 0 || rate.Den <= 0 {
		rate = frame.Rational{Num: 25, Den: 1}
	}
	br := e.BitRate
	if br <= 0 {
		br = int64(3 * float64(v.Width*v.Height) * rate.Float())
	}
	k, err := openCodec(c, func(cc *astiav.CodecContext) error {
		cc.SetWidth(v.Width)
		cc.SetHeight(v.Height)
		cc.SetPixelFormat(pixelFormats[v.Format])
		cc.SetTimeBase(astiav.NewRational(rate.Den, rate.Num))
		cc.SetFramerate(astiav.NewRational(rate.Num, rate.Den))
		cc.SetBitRate(br)
		tagBT601(cc)
		cc.SetThreadCount(threadCount)
		cc.SetThreadType(astiav.ThreadTypeSlice)
		return nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("dirac encoder: %dx%d %v: %w", v.Width, v.Height, v.Format, err)
	}
	return k, nil
}
