// Package ogg reads and writes Ogg streams (RFC 3533): pages with a checksum
// each, carrying the packets of a codec such as Vorbis. It needs no cgo.
//
// A Reader takes the stream in chunks of any size and returns the packets
// of its first logical stream; a Writer turns packets into pages. The Reader
// checks every page's capture pattern, version, checksum and sequence
// number, so truncated or damaged input is an error that says where, never
// a silently shortened stream.
package ogg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Page header flags.
const (
	FlagContinued = 0x01 // the page starts with the rest of a packet
	FlagBOS       = 0x02 // first page of a logical stream
	FlagEOS       = 0x04 // last page of a logical stream
)

const (
	headerSize  = 27
	maxPageSize = headerSize + 255 + 255*255
)

// DefaultMaxPacketSize bounds a packet a Reader assembles unless told
// otherwise.
const DefaultMaxPacketSize = 16 << 20

var capture = []byte("OggS")

// crcTable is the table of Ogg's CRC-32: polynomial 0x04c11db7, not
// reflected, initial value 0, no final xor.
var crcTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

func crc(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

// Page is one Ogg page.
type Page struct {
	Flags   byte
	Granule int64
	Serial  uint32
	Seq     uint32
	// Lacing is the segment table; Body the segments' bytes.
	Lacing []byte
	Body   []byte
	// Offset is where the page starts in the stream (set by Reader).
	Offset int64
}

// Packet is one packet of a logical stream.
type Packet struct {
	Data []byte
	// Granule is the granule position of the page the packet ends on when
	// it is the last packet to end there, else -1.
	Granule int64
	// BOS and EOS report whether the packet is the first or the last of
	// its logical stream.
	BOS, EOS bool
}

// ErrTruncated is wrapped when the stream ends inside a page or a packet.
var ErrTruncated = errors.New("ogg: stream ends inside a page")

// SyntaxError says where a stream stops being Ogg.
type SyntaxError struct {
	Offset int64
	Msg    string
}

// Error reports the offset and what is wrong there.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ogg: corrupt stream at byte %d: %s", e.Offset, e.Msg)
}

// Reader assembles the packets of the first logical stream of an Ogg stream
// (pages of other streams, such as a multiplexed video track, are skipped
// and counted). The zero Reader is ready to use. It is not safe for
// concurrent use.
type Reader struct {
	// MaxPacketSize bounds a packet; 0 means DefaultMaxPacketSize.
	MaxPacketSize int

	buf     []byte
	off     int64
	err     error
	serial  uint32
	started bool
	ended   bool
	seq     uint32
	partial []byte // a packet continued on the next page
	inPart  bool
	queue   []Packet
	skipped int
}

// Write appends a chunk of the stream. The Reader copies what it keeps.
func (r *Reader) Write(p []byte) { r.buf = append(r.buf, p...) }

// SkippedPages returns how many pages of other logical streams were skipped.
func (r *Reader) SkippedPages() int { return r.skipped }

func (r *Reader) fail(at int64, format string, args ...any) error {
	r.err = &SyntaxError{Offset: at, Msg: fmt.Sprintf(format, args...)}
	return r.err
}

// NextPage returns the next complete page, checked. ok is false when more
// input is needed. Errors are sticky.
func (r *Reader) NextPage() (p Page, ok bool, err error) {
	if r.err != nil {
		return Page{}, false, r.err
	}
	b := r.buf
	if len(b) < headerSize {
		if n := min(len(b), 4); !bytes.Equal(b[:n], capture[:n]) {
			return Page{}, false, r.fail(r.off, "no capture pattern (got % x)", b[:n])
		}
		return Page{}, false, nil
	}
	if !bytes.Equal(b[:4], capture) {
		return Page{}, false, r.fail(r.off, "no capture pattern (got % x)", b[:4])
	}
	if b[4] != 0 {
		return Page{}, false, r.fail(r.off, "page version %d, want 0", b[4])
	}
	nseg := int(b[26])
	if len(b) < headerSize+nseg {
		return Page{}, false, nil
	}
	size := headerSize + nseg
	for _, l := range b[headerSize : headerSize+nseg] {
		size += int(l)
	}
	if len(b) < size {
		return Page{}, false, nil
	}
	page := b[:size:size]
	want := binary.LittleEndian.Uint32(page[22:26])
	var tmp [maxPageSize]byte
	copy(tmp[:], page)
	clear(tmp[22:26])
	if got := crc(tmp[:size]); got != want {
		return Page{}, false, r.fail(r.off, "page checksum %08x, header says %08x", got, want)
	}
	p = Page{
		Flags:   page[5],
		Granule: int64(binary.LittleEndian.Uint64(page[6:14])),
		Serial:  binary.LittleEndian.Uint32(page[14:18]),
		Seq:     binary.LittleEndian.Uint32(page[18:22]),
		Lacing:  page[headerSize : headerSize+nseg],
		Body:    page[headerSize+nseg:],
		Offset:  r.off,
	}
	r.off += int64(size)
	r.buf = r.buf[size:]
	if len(r.buf) == 0 {
		r.buf = nil
	}
	return p, true, nil
}

// Next returns the next packet of the first logical stream. ok is false when
// more input is needed. Errors are sticky: a damaged page, a lost page (a gap
// in sequence numbers), a continued packet with no start.
func (r *Reader) Next() (pkt Packet, ok bool, err error) {
	for len(r.queue) == 0 {
		if r.err != nil {
			return Packet{}, false, r.err
		}
		p, ok, err := r.NextPage()
		if err != nil || !ok {
			return Packet{}, false, err
		}
		if err := r.page(p); err != nil {
			return Packet{}, false, err
		}
	}
	pkt = r.queue[0]
	r.queue = r.queue[1:]
	return pkt, true, nil
}

func (r *Reader) maxPacket() int {
	if r.MaxPacketSize > 0 {
		return r.MaxPacketSize
	}
	return DefaultMaxPacketSize
}

// page takes the packets of one page of the stream.
func (r *Reader) page(p Page) error {
	switch {
	case !r.started:
		if p.Flags&FlagBOS == 0 {
			return r.fail(p.Offset, "first page is not the beginning of a stream")
		}
		r.started, r.serial = true, p.Serial
	case p.Serial != r.serial:
		r.skipped++
		return nil
	case r.ended:
		return r.fail(p.Offset, "page of stream %08x after its last page", p.Serial)
	case p.Seq != r.seq+1:
		return r.fail(p.Offset, "page %d follows page %d: pages lost", p.Seq, r.seq)
	}
	r.seq = p.Seq
	if p.Flags&FlagContinued != 0 != r.inPart {
		if r.inPart {
			return r.fail(p.Offset, "packet cut off: the page does not continue it")
		}
		return r.fail(p.Offset, "page continues a packet that never started")
	}
	body := p.Body
	last := -1 // index in queue of the last packet ending on this page
	first := len(r.queue) == 0 && !r.inPart && p.Flags&FlagBOS != 0
	for _, l := range p.Lacing {
		r.partial = append(r.partial, body[:l]...)
		body = body[l:]
		if len(r.partial) > r.maxPacket() {
			return r.fail(p.Offset, "packet of more than %d bytes", r.maxPacket())
		}
		if l < 255 {
			r.queue = append(r.queue, Packet{Data: r.partial, Granule: -1, BOS: first})
			first = false
			last = len(r.queue) - 1
			r.partial = nil
		}
	}
	r.inPart = len(p.Lacing) > 0 && p.Lacing[len(p.Lacing)-1] == 255
	if last >= 0 {
		r.queue[last].Granule = p.Granule
		if p.Flags&FlagEOS != 0 && !r.inPart {
			r.queue[last].EOS = true
		}
	}
	if p.Flags&FlagEOS != 0 {
		r.ended = true
	}
	return nil
}

// Flush is called at the end of the stream: it returns an error wrapping
// ErrTruncated if bytes of an unfinished page or packet are left.
func (r *Reader) Flush() error {
	if r.err != nil {
		return r.err
	}
	if len(r.buf) > 0 {
		return fmt.Errorf("%w: %d bytes of a page at byte %d", ErrTruncated, len(r.buf), r.off)
	}
	if r.inPart {
		return fmt.Errorf("%w: the last packet is cut off", ErrTruncated)
	}
	return nil
}

// Writer turns the packets of one logical stream into pages. Set Serial
// before the first packet; the zero Writer uses serial 0.
type Writer struct {
	Serial uint32
	seq    uint32
	begun  bool
}

// Page returns the pages that carry data as one packet, on pages of their
// own, the last with granule position granule. eos marks the last packet of
// the stream. The first packet written gets the beginning-of-stream flag.
func (w *Writer) Page(data []byte, granule int64, eos bool) []byte {
	var out []byte
	// Lacing values: 255 for each full segment, then the rest (0 if the
	// packet is a multiple of 255 bytes, which marks its end).
	var lacing []byte
	for n := len(data); ; n -= 255 {
		if n < 255 {
			lacing = append(lacing, byte(n))
			break
		}
		lacing = append(lacing, 255)
	}
	cont := false
	for len(lacing) > 0 {
		k := min(len(lacing), 255)
		segs := lacing[:k]
		lacing = lacing[k:]
		size := 0
		for _, l := range segs {
			size += int(l)
		}
		var flags byte
		if cont {
			flags |= FlagContinued
		}
		if !w.begun {
			flags |= FlagBOS
			w.begun = true
		}
		g := int64(-1) // no packet ends on this page
		if len(lacing) == 0 {
			g = granule
			if eos {
				flags |= FlagEOS
			}
		}
		page := make([]byte, headerSize, headerSize+k+size)
		copy(page, capture)
		page[5] = flags
		binary.LittleEndian.PutUint64(page[6:], uint64(g))
		binary.LittleEndian.PutUint32(page[14:], w.Serial)
		binary.LittleEndian.PutUint32(page[18:], w.seq)
		page[26] = byte(k)
		page = append(page, segs...)
		page = append(page, data[:size]...)
		data = data[size:]
		binary.LittleEndian.PutUint32(page[22:], crc(page))
		w.seq++
		out = append(out, page...)
		cont = true
	}
	return out
}
