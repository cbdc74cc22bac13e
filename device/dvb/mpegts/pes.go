package mpegts

import (
	"errors"
	"fmt"
)

// ErrPES is wrapped when a PES packet header is malformed.
var ErrPES = errors.New("mpegts: bad PES header")

func isErr(err, target error) bool { return errors.Is(err, target) }

// PESHeader is the header of a PES packet (ISO/IEC 13818-1 2.4.3.6), as it
// starts the payload of a packet with PayloadUnitStart set.
type PESHeader struct {
	// StreamID is the stream_id: 0xE0-0xEF video, 0xC0-0xDF audio, 0xBD
	// private stream 1, and so on.
	StreamID uint8
	// PacketLength is PES_packet_length: the bytes after this field, or 0
	// for an unbounded video PES packet.
	PacketLength uint16
	// HasPTS and HasDTS report whether PTS and DTS are set.
	HasPTS, HasDTS bool
	// PTS and DTS are the presentation and decoding time stamps, in
	// 90 kHz ticks.
	PTS, DTS uint64
	// DataOffset is where the packet's data starts in the bytes parsed.
	DataOffset int
}

// hasOptionalHeader reports whether a stream_id has the optional PES header
// (all but padding, private stream 2, ECM, EMM, DSM-CC, H.222.1 type E and
// the program stream directory and map).
func hasOptionalHeader(id uint8) bool {
	switch id {
	case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xF2, 0xF8, 0xFF:
		return false
	}
	return true
}

// ParsePESHeader parses the PES header at the start of b (the payload of a
// packet that starts a PES packet).
func ParsePESHeader(b []byte) (PESHeader, error) {
	if len(b) < 6 {
		return PESHeader{}, fmt.Errorf("%w: %d bytes", ErrPES, len(b))
	}
	if b[0] != 0 || b[1] != 0 || b[2] != 1 {
		return PESHeader{}, fmt.Errorf("%w: start code % x, want 00 00 01", ErrPES, b[:3])
	}
	h := PESHeader{StreamID: b[3], PacketLength: u16(b[4:]), DataOffset: 6}
	if !hasOptionalHeader(h.StreamID) {
		return h, nil
	}
	if len(b) < 9 {
		return PESHeader{}, fmt.Errorf("%w: optional header cut short", ErrPES)
	}
	if b[6]>>6 != 2 {
		return PESHeader{}, fmt.Errorf("%w: marker bits 0x%x, want 2", ErrPES, b[6]>>6)
	}
	hlen := int(b[8])
	if len(b) < 9+hlen {
		return PESHeader{}, fmt.Errorf("%w: header data of %d bytes, only %d", ErrPES, hlen, len(b)-9)
	}
	opt := b[9 : 9+hlen]
	switch b[7] >> 6 {
	case 2:
		if len(opt) < 5 {
			return PESHeader{}, fmt.Errorf("%w: PTS cut short", ErrPES)
		}
		h.HasPTS, h.PTS = true, decodeTimestamp(opt)
	case 3:
		if len(opt) < 10 {
			return PESHeader{}, fmt.Errorf("%w: PTS and DTS cut short", ErrPES)
		}
		h.HasPTS, h.PTS = true, decodeTimestamp(opt)
		h.HasDTS, h.DTS = true, decodeTimestamp(opt[5:])
	case 1:
		return PESHeader{}, fmt.Errorf("%w: PTS_DTS_flags 01 is forbidden", ErrPES)
	}
	h.DataOffset = 9 + hlen
	return h, nil
}

func decodeTimestamp(b []byte) uint64 {
	return uint64(b[0]>>1&0x07)<<30 | uint64(b[1])<<22 | uint64(b[2]>>1)<<15 | uint64(b[3])<<7 | uint64(b[4]>>1)
}

// EncodeTimestamp encodes a 33-bit PTS or DTS with the 4-bit prefix of its
// field (0x2 for a PTS alone, 0x3 for a PTS followed by a DTS, 0x1 for that
// DTS) and its marker bits.
func EncodeTimestamp(prefix uint8, ts uint64) [5]byte {
	ts &= 1<<33 - 1
	return [5]byte{
		prefix<<4 | byte(ts>>29)&0x0E | 1,
		byte(ts >> 22),
		byte(ts>>14) | 1,
		byte(ts >> 7),
		byte(ts<<1) | 1,
	}
}
