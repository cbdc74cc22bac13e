// Package dirac splits a Dirac byte stream into the packets a decoder takes.
// It needs no cgo.
//
// A Dirac stream (and a VC-2 one, the intra profile standardised as SMPTE
// ST 2042) is a run of data units, each starting with a 13-byte parse info
// header: the prefix "BBCD", a parse code saying what the unit is (sequence
// header, picture, auxiliary data, padding, end of sequence) and the offsets
// to the next and the previous unit. A Splitter takes the stream in chunks of
// any size, as they come off a socket or a file, and returns a Packet for
// each picture: the picture's unit with the non-picture units before it, the
// way FFmpeg's decoder wants them.
//
// The Splitter checks what it can: the prefix at every unit, offsets that
// fit in a header and agree with each other, a unit no larger than
// MaxUnitSize. A stream that breaks these is corrupt; Next says where with a
// *SyntaxError, and Resync skips to the next prefix for a caller that
// prefers to go on. Bits flipped inside a picture's payload cannot be seen
// here; the decoder meets them.
package dirac

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderSize is the size of a parse info header.
const HeaderSize = 13

// Prefix starts every parse info header.
var Prefix = []byte("BBCD")

// DefaultMaxUnitSize is the largest data unit a Splitter accepts unless told
// otherwise: a 4K picture at a high bit rate fits many times over, and a
// corrupt offset does not make it buffer without bound.
const DefaultMaxUnitSize = 64 << 20

// ParseCode says what a data unit is.
type ParseCode byte

// The parse codes that are not pictures. Pictures have bit 0x08 set.
const (
	SequenceHeader ParseCode = 0x00
	EndOfSequence  ParseCode = 0x10
	AuxiliaryData  ParseCode = 0x20
	Padding        ParseCode = 0x30
)

// IsPicture reports whether the unit is a picture (of any profile).
func (c ParseCode) IsPicture() bool { return c&0x08 != 0 }

// String names the unit kind.
func (c ParseCode) String() string {
	switch {
	case c == SequenceHeader:
		return "sequence header"
	case c == EndOfSequence:
		return "end of sequence"
	case c&0xF8 == AuxiliaryData:
		return "auxiliary data"
	case c == Padding:
		return "padding"
	case c.IsPicture():
		return fmt.Sprintf("picture (parse code %#02x)", byte(c))
	}
	return fmt.Sprintf("parse code %#02x", byte(c))
}

// Header is a parse info header.
type Header struct {
	Code ParseCode
	// Next is the offset from this header to the next one (0: unknown, or
	// the end of the sequence).
	Next uint32
	// Prev is the offset back to the previous header (0: none).
	Prev uint32
}

// ParseHeader reads the parse info header at the start of b.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("dirac: %d bytes, a header needs %d", len(b), HeaderSize)
	}
	if !bytes.Equal(b[:4], Prefix) {
		return Header{}, fmt.Errorf("dirac: no parse info prefix (got % x)", b[:4])
	}
	return Header{
		Code: ParseCode(b[4]),
		Next: binary.BigEndian.Uint32(b[5:9]),
		Prev: binary.BigEndian.Uint32(b[9:13]),
	}, nil
}

// ErrTruncated is wrapped when the stream ends inside a data unit.
var ErrTruncated = errors.New("dirac: stream ends inside a data unit")

// SyntaxError says where a stream stops being Dirac.
type SyntaxError struct {
	Offset int64 // from the start of the stream
	Msg    string
}

// Error reports the offset and what is wrong there.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("dirac: corrupt stream at byte %d: %s", e.Offset, e.Msg)
}

// PacketPadding is how many zero bytes follow every Packet's Data within
// its capacity (Data[:len(Data)+PacketPadding] is valid and the extra bytes are 0):
// FFmpeg's decoders may read that far past the end of their input, and
// with the padding there the packet goes to them without another copy.
const PacketPadding = 64

// Packet is a picture and the units before it, ready for a decoder.
type Packet struct {
	// Data is the units, headers included, in stream order, followed by
	// PacketPadding zero bytes beyond its length.
	Data []byte
	// Offset is where Data starts in the stream.
	Offset int64
	// Code is the picture's parse code.
	Code ParseCode
	// Sequence reports whether Data holds a sequence header.
	Sequence bool
	// SequenceHeader is the last sequence header unit in Data (a slice of
	// it), nil when Sequence is false. A decoder compares it with the one
	// before to see the picture format change.
	SequenceHeader []byte
}

// Splitter cuts a Dirac stream into packets. The zero Splitter is ready to
// use with DefaultMaxUnitSize. It is not safe for concurrent use.
type Splitter struct {
	// MaxUnitSize bounds a data unit; 0 means DefaultMaxUnitSize.
	MaxUnitSize int

	buf      []byte // unconsumed input; buf[0] is at stream offset off
	off      int64
	pkt      []byte // units waiting for their picture
	pktOff   int64
	pktSeq   bool
	seqAt    [2]int // where the last sequence header is in pkt
	prevSize uint32 // size of the last unit, 0 at the start or after Resync
	err      error  // sticky until Resync
}

// Write appends a chunk of the stream. The Splitter keeps what it needs; the
// caller may reuse p.
func (s *Splitter) Write(p []byte) {
	s.buf = append(s.buf, p...)
}

// Buffered returns how many bytes are waiting for the rest of their unit.
func (s *Splitter) Buffered() int { return len(s.buf) + len(s.pkt) }

func (s *Splitter) maxUnit() int {
	if s.MaxUnitSize > 0 {
		return s.MaxUnitSize
	}
	return DefaultMaxUnitSize
}

func (s *Splitter) fail(at int64, format string, args ...any) error {
	s.err = &SyntaxError{Offset: at, Msg: fmt.Sprintf(format, args...)}
	return s.err
}

// Next returns the next complete packet. ok is false when more input is
// needed. After a *SyntaxError, Next keeps returning it until Resync.
// End-of-sequence units end nothing and are dropped: a decoder needs no
// packet for them.
func (s *Splitter) Next() (p Packet, ok bool, err error) {
	if s.err != nil {
		return Packet{}, false, s.err
	}
	for {
		size, code, ok, err := s.unit(false)
		if err != nil || !ok {
			return Packet{}, false, err
		}
		unit := s.buf[:size]
		if len(s.pkt) == 0 {
			s.pktOff = s.off
		}
		s.consume(size)
		switch {
		case code == EndOfSequence:
			continue
		case code.IsPicture():
			p = s.packet(unit, code)
			return p, true, nil
		default:
			if code == SequenceHeader {
				s.pktSeq = true
				s.seqAt = [2]int{len(s.pkt), len(s.pkt) + len(unit)}
			}
			s.pkt = append(s.pkt, unit...)
		}
	}
}

// packet makes the packet of the units waiting and the picture unit.
func (s *Splitter) packet(unit []byte, code ParseCode) Packet {
	n := len(s.pkt) + len(unit)
	data := make([]byte, n, n+PacketPadding)
	copy(data[copy(data, s.pkt):], unit)
	p := Packet{Data: data, Offset: s.pktOff, Code: code, Sequence: s.pktSeq}
	if s.pktSeq {
		p.SequenceHeader = p.Data[s.seqAt[0]:s.seqAt[1]:s.seqAt[1]]
	}
	s.pkt, s.pktSeq = nil, false
	return p
}

// consume drops the first n bytes of buf.
func (s *Splitter) consume(n int) {
	s.prevSize = uint32(n)
	s.off += int64(n)
	s.buf = s.buf[n:]
	if len(s.buf) == 0 {
		s.buf = nil // let a big buffer go
	}
}

// unit finds the size and code of the data unit at the start of buf. ok is
// false when more bytes are needed; at the end of the stream (final) a unit
// whose next offset is unknown runs to the end.
func (s *Splitter) unit(final bool) (size int, code ParseCode, ok bool, err error) {
	if len(s.buf) < HeaderSize {
		if len(s.buf) > 0 && !bytes.HasPrefix(Prefix, s.buf[:min(len(s.buf), 4)]) {
			return 0, 0, false, s.fail(s.off, "no parse info prefix (got % x)", s.buf[:min(len(s.buf), 4)])
		}
		return 0, 0, false, nil
	}
	if !bytes.Equal(s.buf[:4], Prefix) {
		return 0, 0, false, s.fail(s.off, "no parse info prefix (got % x)", s.buf[:4])
	}
	h, _ := ParseHeader(s.buf)
	if h.Prev != 0 && s.prevSize != 0 && h.Prev != s.prevSize {
		return 0, 0, false, s.fail(s.off, "%v says the previous unit was %d bytes, it was %d", h.Code, h.Prev, s.prevSize)
	}
	switch {
	case h.Code == EndOfSequence:
		return HeaderSize, h.Code, true, nil
	case h.Next != 0 && h.Next < HeaderSize:
		return 0, 0, false, s.fail(s.off, "%v with next parse offset %d, shorter than its header", h.Code, h.Next)
	case int64(h.Next) > int64(s.maxUnit()):
		return 0, 0, false, s.fail(s.off, "%v of %d bytes, more than the limit of %d", h.Code, h.Next, s.maxUnit())
	case h.Next != 0:
		if len(s.buf) < int(h.Next) {
			return 0, 0, false, nil
		}
		return int(h.Next), h.Code, true, nil
	}
	// Next offset unknown: the unit runs to the next prefix.
	if i := bytes.Index(s.buf[HeaderSize:], Prefix); i >= 0 {
		return HeaderSize + i, h.Code, true, nil
	}
	if len(s.buf) > s.maxUnit() {
		return 0, 0, false, s.fail(s.off, "%v runs past the limit of %d bytes", h.Code, s.maxUnit())
	}
	if final {
		return len(s.buf), h.Code, true, nil
	}
	return 0, 0, false, nil
}

// Flush is called at the end of the stream. It returns the last packet if
// the stream ends with a picture whose length was left unknown, and an error
// wrapping ErrTruncated if the stream ends inside a unit or with units that
// no picture follows (other than end of sequence, padding and auxiliary
// data, which may close a stream).
func (s *Splitter) Flush() (p Packet, ok bool, err error) {
	if s.err != nil {
		return Packet{}, false, s.err
	}
	if len(s.buf) > 0 {
		size, code, uok, err := s.unit(true)
		switch {
		case err != nil:
			return Packet{}, false, err
		case !uok || size != len(s.buf):
			return Packet{}, false, fmt.Errorf("%w: %d bytes of a unit at byte %d", ErrTruncated, len(s.buf), s.off)
		case code.IsPicture():
			if len(s.pkt) == 0 {
				s.pktOff = s.off
			}
			p = s.packet(s.buf, code)
			s.consume(size)
			return p, true, nil
		}
		s.pkt = append(s.pkt, s.buf...)
		s.consume(size)
	}
	if s.pktSeq {
		return Packet{}, false, fmt.Errorf("%w: sequence header at byte %d with no picture after it", ErrTruncated, s.pktOff)
	}
	s.pkt = nil
	return Packet{}, false, nil
}

// Resync drops the input up to the next parse info prefix after the point
// of the last error (or after the start of the buffer), so that Next can go
// on past corrupt data. It returns how many bytes it dropped, including the
// units that were waiting for a picture. It keeps the last three bytes when
// no prefix is found, since a prefix may straddle two chunks.
func (s *Splitter) Resync() int {
	s.err = nil
	s.prevSize = 0
	dropped := len(s.pkt)
	s.pkt, s.pktSeq = nil, false
	skip := len(s.buf)
	if len(s.buf) > 0 {
		if i := bytes.Index(s.buf[1:], Prefix); i >= 0 {
			skip = i + 1
		} else {
			skip = max(len(s.buf)-3, 1)
			if len(s.buf) <= 3 {
				skip = len(s.buf)
			}
		}
	}
	s.off += int64(skip)
	s.buf = s.buf[skip:]
	return dropped + skip
}

// Offset returns the stream offset of the next byte the Splitter has not
// consumed.
func (s *Splitter) Offset() int64 { return s.off }
