package framing

import (
	"context"
	"encoding/binary"
	"math"

	"github.com/kamaelia-go/kamaelia/axon"
)

// HeaderSize is the size of the length prefix of Framer's frames.
const HeaderSize = 4

// AppendFrame appends payload as one length-prefixed frame (a 4-byte
// big-endian length, then the payload) to dst and returns it.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

// LengthDecoder splits a stream of length-prefixed frames (see AppendFrame)
// into payloads, whatever chunks the stream arrives in. The zero value is
// not usable; make one with NewLengthDecoder.
type LengthDecoder struct {
	max int
	buf []byte // the start of a frame not yet complete (the decoder's own)
	off int64  // stream offset of buf[0]
	err error  // once malformed, always
}

// NewLengthDecoder returns a decoder that refuses payloads longer than max
// bytes (max <= 0: DefaultMaxFrameSize; math.MaxInt: no limit but the
// prefix's 4 GiB - 1).
func NewLengthDecoder(max int) *LengthDecoder {
	return &LengthDecoder{max: limit(max)}
}

// Feed takes the next chunk of the stream and calls emit with the payload
// of each frame it completes, in order. A payload may share memory with
// chunk but with no other payload, and never with the decoder: appending to
// it or writing it is safe. Feed returns emit's first error, or a
// *FrameError (ErrFrameTooLarge) once a length prefix announces more than
// the limit; after a *FrameError the stream cannot be resumed and every
// later Feed returns it.
func (d *LengthDecoder) Feed(chunk []byte, emit func(payload []byte) error) error {
	if d.err != nil {
		return d.err
	}
	data, owned := chunk, false
	if len(d.buf) > 0 {
		d.buf = append(d.buf, chunk...)
		data, owned = d.buf, true
	}
	emitted := false
	var err error
	for len(data) >= HeaderSize {
		n := uint64(binary.BigEndian.Uint32(data))
		if n > uint64(d.max) {
			d.err = &FrameError{Offset: d.off, Size: int64(n), Limit: d.max, Err: ErrFrameTooLarge}
			d.buf = nil
			return d.err
		}
		if uint64(len(data)-HeaderSize) < n {
			break
		}
		end := HeaderSize + int(n)
		p := data[HeaderSize:end:end]
		data = data[end:]
		d.off += int64(end)
		emitted = true
		if err = emit(p); err != nil {
			break
		}
	}
	d.keep(data, owned, emitted)
	return err
}

// keep holds the incomplete rest of the stream. It is copied when it is the
// caller's (chunk) or shares an array with payloads handed out.
func (d *LengthDecoder) keep(rest []byte, owned, emitted bool) {
	switch {
	case len(rest) == 0:
		d.buf = nil
	case !owned || emitted:
		d.buf = append([]byte(nil), rest...)
	default:
		d.buf = rest
	}
}

// Buffered returns how many bytes of an incomplete frame the decoder holds.
func (d *LengthDecoder) Buffered() int { return len(d.buf) }

// End says whether the stream may end here: nil between frames, a
// *FrameError wrapping ErrTruncated inside one (or the error that broke the
// stream).
func (d *LengthDecoder) End() error {
	if d.err != nil {
		return d.err
	}
	if len(d.buf) > 0 {
		size := int64(len(d.buf))
		if len(d.buf) >= HeaderSize {
			size = int64(binary.BigEndian.Uint32(d.buf))
		}
		return &FrameError{Offset: d.off, Size: size, Err: ErrTruncated}
	}
	return nil
}

// Framer puts each message behind its length: a 4-byte big-endian count,
// then the message (see AppendFrame).
//
// Boxes:
//
//	inbox   []byte   messages
//	control any      ProducerFinished: frame what is queued, end; Shutdown: end now
//	outbox  []byte   one frame per message
//	signal  any      the outcome (below)
//
// Example: a framed protocol's sending side.
//
//	f := framing.NewFramer()
//	axon.MustLink(proto.Out, f.In)
//	axon.MustLink(f.Out, conn.In)
//
// Shutdown: as any stage of a pipeline: ProducerFinished on control frames
// what waits, then ends (signal: ProducerFinished{}); Shutdown ends at once.
// A message over the limit (WithMaxFrameSize) ends it with a *FrameError
// wrapping ErrFrameTooLarge on signal, whose Offset is the message's index.
type Framer struct {
	axon.Core
	// In is the "inbox": messages.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": frames.
	Out *axon.Outbox[[]byte]

	cfg config
}

// NewFramer returns a Framer.
func NewFramer(opts ...Option) *Framer {
	f := &Framer{cfg: newConfig(opts)}
	f.In = axon.NewInbox[[]byte](f, "inbox")
	f.Out = axon.NewOutbox[[]byte](f, "outbox")
	return f
}

// Main frames until told to stop; see Framer.
func (f *Framer) Main(ctx context.Context) error {
	var i int64
	// A 4-byte prefix counts no more than math.MaxUint32 bytes.
	most := f.cfg.max
	if int64(most) > math.MaxUint32 {
		most = int(math.MaxUint32)
	}
	for p := range f.In.Messages(ctx) {
		if len(p) > most {
			return &FrameError{Offset: i, Size: int64(len(p)), Limit: most, Err: ErrFrameTooLarge}
		}
		if err := f.Out.Send(ctx, AppendFrame(make([]byte, 0, HeaderSize+len(p)), p)); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}

// DeFramer takes a stream of length-prefixed frames, in chunks of any size,
// and sends each message on: the other end of a Framer.
//
// Boxes:
//
//	inbox   []byte   the stream, in chunks of any size
//	control any      ProducerFinished: decode what is queued, end; Shutdown: end now
//	outbox  []byte   one message per frame
//	signal  any      the outcome (below)
//
// Example: a framed protocol's receiving side.
//
//	d := framing.NewDeFramer(framing.WithMaxFrameSize(64 << 10))
//	axon.MustLink(conn.Out, d.In)
//	axon.MustLink(d.Out, proto.In)
//
// Shutdown: ProducerFinished on control decodes what waits, then ends
// (signal: ProducerFinished{}), or, if the stream stopped inside a frame,
// fails with a *FrameError wrapping ErrTruncated. Shutdown ends at once. A
// length prefix over the limit fails it at once with a *FrameError wrapping
// ErrFrameTooLarge: nothing larger than the limit is ever buffered.
type DeFramer struct {
	axon.Core
	// In is the "inbox": the stream.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": messages.
	Out *axon.Outbox[[]byte]

	dec *LengthDecoder
}

// NewDeFramer returns a DeFramer.
func NewDeFramer(opts ...Option) *DeFramer {
	d := &DeFramer{dec: NewLengthDecoder(newConfig(opts).max)}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[[]byte](d, "outbox")
	return d
}

// Main decodes until told to stop; see DeFramer.
func (d *DeFramer) Main(ctx context.Context) error {
	return decodeLoop(ctx, d.In, d.Out, d.dec.Feed, d.dec.End)
}

// decodeLoop feeds every chunk of in to feed, sending what it emits on out,
// and checks end once in is drained after ProducerFinished.
func decodeLoop(ctx context.Context, in *axon.Inbox[[]byte], out *axon.Outbox[[]byte],
	feed func([]byte, func([]byte) error) error, end func() error) error {
	send := func(p []byte) error { return out.Send(ctx, p) }
	for chunk := range in.Messages(ctx) {
		if err := feed(chunk, send); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return end()
}
