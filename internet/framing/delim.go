package framing

import (
	"bytes"
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
)

// DelimDecoder splits a stream into the records between delimiters,
// whatever chunks the stream arrives in. Make one with NewDelimDecoder.
type DelimDecoder struct {
	delim   []byte
	max     int
	buf     []byte // the start of a record not yet complete (the decoder's own)
	scanned int    // how much of buf holds no delimiter
	off     int64  // stream offset of buf[0]
	err     error
}

// NewDelimDecoder returns a decoder that splits on delim (not empty) and
// refuses records longer than max bytes (max <= 0: DefaultMaxFrameSize;
// math.MaxInt: no limit).
func NewDelimDecoder(delim []byte, max int) *DelimDecoder {
	if len(delim) == 0 {
		panic("framing: empty delimiter")
	}
	return &DelimDecoder{delim: bytes.Clone(delim), max: limit(max)}
}

// Feed takes the next chunk of the stream and calls emit with each record
// it completes (without its delimiter), in order. Records are the caller's
// as LengthDecoder's payloads are. Feed returns emit's first error, or a
// *FrameError (ErrFrameTooLarge) once a record grows past the limit without
// a delimiter; the stream cannot be resumed after that.
func (d *DelimDecoder) Feed(chunk []byte, emit func(record []byte) error) error {
	if d.err != nil {
		return d.err
	}
	data, owned, from := chunk, false, 0
	if len(d.buf) > 0 {
		d.buf = append(d.buf, chunk...)
		// A delimiter may straddle the old end of the buffer.
		data, owned, from = d.buf, true, max(0, d.scanned-len(d.delim)+1)
	}
	emitted := false
	var err error
	for {
		i := bytes.Index(data[from:], d.delim)
		if i < 0 {
			break
		}
		end := from + i
		if end > d.max {
			return d.fail()
		}
		rec := data[:end:end]
		data = data[end+len(d.delim):]
		d.off += int64(end + len(d.delim))
		from, emitted = 0, true
		if err = emit(rec); err != nil {
			break
		}
	}
	if err == nil && len(data) > d.max+len(d.delim)-1 {
		return d.fail()
	}
	switch {
	case len(data) == 0:
		d.buf = nil
	case !owned || emitted:
		d.buf = append([]byte(nil), data...)
	default:
		d.buf = data
	}
	d.scanned = len(d.buf)
	return err
}

// fail refuses the record at d.off. Its Size is the limit plus one: the
// record is refused as soon as it is known to be longer than the limit,
// which, depending on how the stream is cut, may be before its end.
func (d *DelimDecoder) fail() error {
	d.err = &FrameError{Offset: d.off, Size: int64(d.max) + 1, Limit: d.max, Err: ErrFrameTooLarge}
	d.buf = nil
	return d.err
}

// End says whether the stream may end here: nil after a delimiter, a
// *FrameError wrapping ErrTruncated inside a record (or the error that
// broke the stream).
func (d *DelimDecoder) End() error {
	if d.err != nil {
		return d.err
	}
	if len(d.buf) > 0 {
		return &FrameError{Offset: d.off, Size: int64(len(d.buf)), Err: ErrTruncated}
	}
	return nil
}

// DelimFramer follows each message with a delimiter.
//
// Boxes:
//
//	inbox   []byte   messages, in which the delimiter does not appear
//	control any      ProducerFinished: frame what is queued, end; Shutdown: end now
//	outbox  []byte   each message and its delimiter
//	signal  any      the outcome (below)
//
// Example: lines of text.
//
//	f := framing.NewDelimFramer([]byte("\r\n"))
//
// Shutdown: as Framer. A message over the limit, or one in which the
// delimiter appears (within it, or running from its end into the delimiter
// that follows: it could not be told apart again), ends it with a
// *FrameError on signal, wrapping ErrFrameTooLarge or ErrDelimiterInPayload.
type DelimFramer struct {
	axon.Core
	// In is the "inbox": messages.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": delimited messages.
	Out *axon.Outbox[[]byte]

	delim []byte
	cfg   config
}

// NewDelimFramer returns a DelimFramer for delim, which must not be empty.
func NewDelimFramer(delim []byte, opts ...Option) *DelimFramer {
	if len(delim) == 0 {
		panic("framing: empty delimiter")
	}
	f := &DelimFramer{delim: bytes.Clone(delim), cfg: newConfig(opts)}
	f.In = axon.NewInbox[[]byte](f, "inbox")
	f.Out = axon.NewOutbox[[]byte](f, "outbox")
	return f
}

// Main frames until told to stop; see DelimFramer.
func (f *DelimFramer) Main(ctx context.Context) error {
	var i int64
	for p := range f.In.Messages(ctx) {
		if len(p) > f.cfg.max {
			return &FrameError{Offset: i, Size: int64(len(p)), Limit: f.cfg.max, Err: ErrFrameTooLarge}
		}
		out := append(append(make([]byte, 0, len(p)+len(f.delim)), p...), f.delim...)
		// The first delimiter in the framed message must be its own: a
		// payload containing it, or ending in a part of it that runs into
		// it ("x0" before "x0x"), would be split elsewhere.
		if bytes.Index(out, f.delim) != len(p) {
			return &FrameError{Offset: i, Size: int64(len(p)), Err: ErrDelimiterInPayload}
		}
		if err := f.Out.Send(ctx, out); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}

// DelimDeFramer splits a stream on a delimiter and sends each record on,
// without its delimiter: the other end of a DelimFramer.
//
// Boxes:
//
//	inbox   []byte   the stream, in chunks of any size
//	control any      ProducerFinished: split what is queued, end; Shutdown: end now
//	outbox  []byte   one record per delimiter
//	signal  any      the outcome (below)
//
// Example: lines from a socket.
//
//	d := framing.NewDelimDeFramer([]byte("\n"), framing.WithMaxFrameSize(4096))
//	axon.MustLink(conn.Out, d.In)
//
// Shutdown: as DeFramer: ProducerFinished ends it cleanly after a
// delimiter, and with a *FrameError wrapping ErrTruncated if the stream
// stopped inside a record; a record growing past the limit without a
// delimiter fails it with ErrFrameTooLarge.
type DelimDeFramer struct {
	axon.Core
	// In is the "inbox": the stream.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": records.
	Out *axon.Outbox[[]byte]

	dec *DelimDecoder
}

// NewDelimDeFramer returns a DelimDeFramer for delim, which must not be
// empty.
func NewDelimDeFramer(delim []byte, opts ...Option) *DelimDeFramer {
	d := &DelimDeFramer{dec: NewDelimDecoder(delim, newConfig(opts).max)}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[[]byte](d, "outbox")
	return d
}

// Main splits until told to stop; see DelimDeFramer.
func (d *DelimDeFramer) Main(ctx context.Context) error {
	return decodeLoop(ctx, d.In, d.Out, d.dec.Feed, d.dec.End)
}
