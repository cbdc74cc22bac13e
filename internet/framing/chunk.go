package framing

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"

	"github.com/kamaelia-go/kamaelia/axon"
)

// The bytes of the chunk framing (HDLC's): a chunk is Flag, the stuffed
// payload and its CRC, Flag. Stuffing replaces Flag and Escape in the data
// by Escape followed by the byte XOR 0x20, so Flag appears only between
// chunks.
const (
	Flag   = 0x7E
	Escape = 0x7D
)

const crcSize = 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// AppendChunk appends payload as one chunk to dst and returns it: Flag, the
// payload and its big-endian CRC-32C, stuffed, then Flag.
func AppendChunk(dst, payload []byte) []byte {
	var sum [crcSize]byte
	binary.BigEndian.PutUint32(sum[:], crc32.Checksum(payload, castagnoli))
	dst = append(dst, Flag)
	dst = stuff(dst, payload)
	dst = stuff(dst, sum[:])
	return append(dst, Flag)
}

func stuff(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "\x7e\x7d")
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, Escape, b[i]^0x20)
		b = b[i+1:]
	}
	return dst
}

// ChunkDecoder finds the chunks of a stream (see AppendChunk), whatever
// pieces the stream arrives in, and recovers after anything that is not a
// good chunk: it skips to the next Flag and reports what it skipped. Make
// one with NewChunkDecoder.
type ChunkDecoder struct {
	max     int
	off     int64 // stream offset of the next byte
	hunting bool  // no Flag seen yet
	garbage int64 // bytes skipped while hunting
	gstart  int64
	start   int64  // stream offset of the current chunk's first byte
	buf     []byte // the current chunk, unstuffed
	esc     bool   // the last byte was Escape
	bad     error  // the current chunk is bad: skip to the next Flag
}

// NewChunkDecoder returns a decoder that refuses payloads longer than max
// bytes (max <= 0: DefaultMaxFrameSize; math.MaxInt: no limit).
func NewChunkDecoder(max int) *ChunkDecoder {
	return &ChunkDecoder{max: limit(max), hunting: true}
}

// Feed takes the next piece of the stream. It calls emit with the payload of
// each good chunk, in order, and report with a *FrameError for each run of
// bytes it skipped: before the first Flag (ErrGarbage), a chunk whose CRC
// does not match or that is too short to hold one (ErrBadChecksum), one
// with a bad escape (ErrBadEscape), or one over the limit
// (ErrFrameTooLarge), which it stops buffering at once. Payloads are newly
// allocated. Feed returns emit's first error, and nil otherwise: nothing
// in the stream stops it.
func (d *ChunkDecoder) Feed(piece []byte, emit func(payload []byte) error, report func(*FrameError)) error {
	for i := 0; i < len(piece); {
		pos := d.off + int64(i)
		b := piece[i]
		switch {
		case d.hunting:
			j := bytes.IndexByte(piece[i:], Flag)
			if j < 0 {
				if d.garbage == 0 {
					d.gstart = pos
				}
				d.garbage += int64(len(piece) - i)
				i = len(piece)
				continue
			}
			if j > 0 && d.garbage == 0 {
				d.gstart = pos
			}
			d.garbage += int64(j)
			if d.garbage > 0 {
				report(&FrameError{Offset: d.gstart, Size: d.garbage, Err: ErrGarbage})
			}
			d.hunting, d.garbage = false, 0
			i += j + 1
			d.begin(d.off + int64(i))
		case b == Flag:
			i++
			err := d.close(pos, emit, report)
			d.begin(d.off + int64(i))
			if err != nil {
				d.off += int64(i)
				return err
			}
		case d.bad != nil:
			j := bytes.IndexByte(piece[i:], Flag)
			if j < 0 {
				j = len(piece) - i
			}
			i += j
		case d.esc:
			d.esc = false
			i++
			if b != Flag^0x20 && b != Escape^0x20 {
				d.bad = ErrBadEscape
				continue
			}
			d.add([]byte{b ^ 0x20})
		case b == Escape:
			d.esc = true
			i++
		default:
			j := bytes.IndexAny(piece[i:], "\x7e\x7d")
			if j < 0 {
				j = len(piece) - i
			}
			d.add(piece[i : i+j])
			i += j
		}
	}
	d.off += int64(len(piece))
	return nil
}

// begin starts a chunk at stream offset at.
func (d *ChunkDecoder) begin(at int64) {
	d.start, d.buf, d.esc, d.bad = at, nil, false, nil
}

// add appends unstuffed bytes to the chunk, turning it bad past the limit.
func (d *ChunkDecoder) add(b []byte) {
	if len(d.buf)+len(b) > d.max+crcSize {
		d.bad, d.buf = ErrFrameTooLarge, nil
		return
	}
	d.buf = append(d.buf, b...)
}

// close ends the chunk whose closing Flag is at stream offset at.
func (d *ChunkDecoder) close(at int64, emit func([]byte) error, report func(*FrameError)) error {
	size := at - d.start
	if d.esc {
		d.bad = ErrBadEscape // Escape, Flag: HDLC's abort
	}
	switch {
	case d.bad != nil:
		fe := &FrameError{Offset: d.start, Size: size, Err: d.bad}
		if d.bad == ErrFrameTooLarge {
			fe.Limit = d.max
		}
		report(fe)
	case size == 0:
		// Flag, Flag: between chunks.
	case len(d.buf) < crcSize:
		report(&FrameError{Offset: d.start, Size: size, Err: ErrBadChecksum})
	default:
		n := len(d.buf) - crcSize
		if crc32.Checksum(d.buf[:n], castagnoli) != binary.BigEndian.Uint32(d.buf[n:]) {
			report(&FrameError{Offset: d.start, Size: size, Err: ErrBadChecksum})
			return nil
		}
		return emit(d.buf[:n:n])
	}
	return nil
}

// End says what the stream ending here leaves behind: nil between chunks, a
// *FrameError wrapping ErrTruncated when a chunk was begun and not closed,
// or ErrGarbage when no Flag was ever seen but bytes were.
func (d *ChunkDecoder) End() *FrameError {
	if d.hunting {
		if d.garbage > 0 {
			return &FrameError{Offset: d.gstart, Size: d.garbage, Err: ErrGarbage}
		}
		return nil
	}
	if size := d.off - d.start; size > 0 {
		return &FrameError{Offset: d.start, Size: size, Err: ErrTruncated}
	}
	return nil
}

// DataChunker frames each message as a chunk between flag bytes, with a
// CRC (see AppendChunk): Kamaelia's DataChunker, with HDLC's framing.
//
// Boxes:
//
//	inbox   []byte   messages
//	control any      ProducerFinished: chunk what is queued, end; Shutdown: end now
//	outbox  []byte   one chunk per message
//	signal  any      the outcome (below)
//
// Example: a stream that must survive corruption, such as a serial line.
//
//	c := framing.NewDataChunker()
//	axon.MustLink(producer.Out, c.In)
//
// Shutdown: as Framer; a message over the limit ends it with a *FrameError
// wrapping ErrFrameTooLarge on signal.
type DataChunker struct {
	axon.Core
	// In is the "inbox": messages.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": chunks.
	Out *axon.Outbox[[]byte]

	cfg config
}

// NewDataChunker returns a DataChunker.
func NewDataChunker(opts ...Option) *DataChunker {
	c := &DataChunker{cfg: newConfig(opts)}
	c.In = axon.NewInbox[[]byte](c, "inbox")
	c.Out = axon.NewOutbox[[]byte](c, "outbox")
	return c
}

// Main chunks until told to stop; see DataChunker.
func (c *DataChunker) Main(ctx context.Context) error {
	var i int64
	for p := range c.In.Messages(ctx) {
		if len(p) > c.cfg.max {
			return &FrameError{Offset: i, Size: int64(len(p)), Limit: c.cfg.max, Err: ErrFrameTooLarge}
		}
		if err := c.Out.Send(ctx, AppendChunk(nil, p)); err != nil {
			return err
		}
		i++
	}
	return ctx.Err()
}

// DataDeChunker finds the chunks in a stream, in pieces of any size, and
// sends each good one's message on: the other end of a DataChunker. It
// survives garbage: a bad chunk or stray bytes are skipped, reported on the
// "errors" outbox, and the next good chunk is found.
//
// Boxes:
//
//	inbox   []byte   the stream, in pieces of any size
//	control any      ProducerFinished: decode what is queued, end; Shutdown: end now
//	outbox  []byte   one message per good chunk
//	errors  error    a *FrameError for each run of bytes skipped
//	signal  any      the outcome (below)
//
// Example:
//
//	d := framing.NewDataDeChunker()
//	axon.MustLink(serial.Out, d.In)
//	axon.MustLink(d.Errors, logger.In) // what was lost, and where
//
// Shutdown: ProducerFinished on control decodes what waits and ends
// (signal: ProducerFinished{}); a chunk begun and not closed is reported on
// errors (ErrTruncated) first. Shutdown ends at once. Reports are sent with
// back-pressure like messages; if errors is linked to nothing, they are
// dropped and counted by the runtime, as any unlinked send is.
type DataDeChunker struct {
	axon.Core
	// In is the "inbox": the stream.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": messages.
	Out *axon.Outbox[[]byte]
	// Errors is the "errors" outbox: what was skipped.
	Errors *axon.Outbox[error]

	dec *ChunkDecoder
}

// NewDataDeChunker returns a DataDeChunker.
func NewDataDeChunker(opts ...Option) *DataDeChunker {
	d := &DataDeChunker{dec: NewChunkDecoder(newConfig(opts).max)}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[[]byte](d, "outbox")
	d.Errors = axon.NewOutbox[error](d, "errors")
	return d
}

// Main decodes until told to stop; see DataDeChunker.
func (d *DataDeChunker) Main(ctx context.Context) error {
	var reports []*FrameError
	report := func(fe *FrameError) { reports = append(reports, fe) }
	flush := func() error {
		for _, fe := range reports {
			if err := d.Errors.Send(ctx, fe); err != nil {
				return err
			}
		}
		reports = reports[:0]
		return nil
	}
	send := func(p []byte) error {
		if err := flush(); err != nil { // reports keep their place in the stream
			return err
		}
		return d.Out.Send(ctx, p)
	}
	for piece := range d.In.Messages(ctx) {
		if err := d.dec.Feed(piece, send, report); err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if fe := d.dec.End(); fe != nil {
		if err := d.Errors.Send(ctx, fe); err != nil {
			return err
		}
	}
	return nil
}
