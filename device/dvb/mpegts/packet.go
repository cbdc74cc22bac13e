package mpegts

import (
	"errors"
	"fmt"
	"iter"

	"github.com/ziutek/dvb/ts"
)

// Sizes and special values of the transport stream.
const (
	// PacketSize is the size of a transport stream packet in bytes.
	PacketSize = 188
	// SyncByte starts every packet.
	SyncByte = 0x47
	// MaxPID is the largest packet identifier.
	MaxPID = 0x1FFF
	// NullPID carries stuffing packets.
	NullPID = 0x1FFF
	// AllPIDs is not a PID: in a PID filter it asks for the whole
	// transport stream, as the Linux DVB demux does.
	AllPIDs = 0x2000
)

// Well-known PIDs of DVB service information (EN 300 468, 5.1.3).
const (
	PIDPAT = 0x0000 // program association table
	PIDCAT = 0x0001 // conditional access table
	PIDNIT = 0x0010 // network information table
	PIDSDT = 0x0011 // service description table (and BAT)
	PIDEIT = 0x0012 // event information table
	PIDTDT = 0x0014 // time and date table, time offset table
)

// Errors of packet parsing. Errors returned by this package wrap them: test
// with errors.Is.
var (
	// ErrPacketSize is wrapped when a packet is not PacketSize bytes, or a
	// run of packets is not a multiple of it.
	ErrPacketSize = errors.New("mpegts: packet is not 188 bytes")
	// ErrSync is wrapped when a packet does not start with SyncByte.
	ErrSync = errors.New("mpegts: packet does not start with the sync byte 0x47")
	// ErrAdaptationField is wrapped when an adaptation field's length or
	// contents do not fit its packet.
	ErrAdaptationField = errors.New("mpegts: bad adaptation field")
)

// Packet is one 188-byte transport stream packet. Its methods read the
// header fields; they expect a Packet of PacketSize bytes, which ParsePacket
// and Packets.At guarantee (on a shorter one they panic, as an index out of
// range would).
type Packet []byte

// ParsePacket checks that b is one whole packet (PacketSize bytes starting
// with SyncByte) and returns it as a Packet sharing b's memory.
func ParsePacket(b []byte) (Packet, error) {
	if len(b) != PacketSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrPacketSize, len(b))
	}
	if b[0] != SyncByte {
		return nil, fmt.Errorf("%w: first byte 0x%02x", ErrSync, b[0])
	}
	return Packet(b), nil
}

// PID returns the packet identifier (13 bits).
func (p Packet) PID() uint16 { return uint16(p[1]&0x1F)<<8 | uint16(p[2]) }

// TransportError reports the transport_error_indicator: the demodulator
// could not correct the packet, and its contents cannot be trusted.
func (p Packet) TransportError() bool { return p[1]&0x80 != 0 }

// PayloadUnitStart reports the payload_unit_start_indicator: a PES packet
// or (after a pointer field) a section starts in this packet.
func (p Packet) PayloadUnitStart() bool { return p[1]&0x40 != 0 }

// Priority reports the transport_priority bit.
func (p Packet) Priority() bool { return p[1]&0x20 != 0 }

// Scrambling returns transport_scrambling_control: 0 when the payload is
// in the clear, 2 or 3 (even or odd key) when it is scrambled.
func (p Packet) Scrambling() uint8 { return p[3] >> 6 }

// HasAdaptationField reports whether an adaptation field follows the header.
func (p Packet) HasAdaptationField() bool { return p[3]&0x20 != 0 }

// HasPayload reports whether the packet carries a payload.
func (p Packet) HasPayload() bool { return p[3]&0x10 != 0 }

// ContinuityCounter returns the 4-bit continuity_counter, which counts the
// packets with a payload of each PID.
func (p Packet) ContinuityCounter() uint8 { return p[3] & 0x0F }

// Pkt returns the packet as a ziutek/dvb ts.SlicePkt, sharing its memory.
func (p Packet) Pkt() ts.SlicePkt { return ts.SlicePkt(p) }

// adaptationBytes returns the adaptation field (after its length byte) and
// the offset of the payload.
func (p Packet) adaptationBytes() (af []byte, payload int, err error) {
	if len(p) != PacketSize {
		return nil, 0, fmt.Errorf("%w: %d bytes", ErrPacketSize, len(p))
	}
	if !p.HasAdaptationField() {
		return nil, 4, nil
	}
	n := int(p[4])
	switch {
	case p.HasPayload() && n > 182:
		return nil, 0, fmt.Errorf("%w: length %d leaves no room for the payload (PID 0x%04x)", ErrAdaptationField, n, p.PID())
	case !p.HasPayload() && n != 183:
		return nil, 0, fmt.Errorf("%w: length %d in a packet without payload, want 183 (PID 0x%04x)", ErrAdaptationField, n, p.PID())
	}
	return p[5 : 5+n], 5 + n, nil
}

// Payload returns the payload bytes (nil when the packet has none). It
// fails when the adaptation field's length does not fit the packet.
func (p Packet) Payload() ([]byte, error) {
	_, off, err := p.adaptationBytes()
	if err != nil {
		return nil, err
	}
	if !p.HasPayload() {
		return nil, nil
	}
	return p[off:], nil
}

// AdaptationField holds the fields of a packet's adaptation field that a
// receiver uses.
type AdaptationField struct {
	// Present reports whether the packet has an adaptation field at all.
	Present bool
	// Discontinuity is the discontinuity_indicator: the continuity counter
	// (or the PCR time base) starts afresh with this packet.
	Discontinuity bool
	// RandomAccess is the random_access_indicator: a decoder can start here.
	RandomAccess bool
	// ESPriority is the elementary_stream_priority_indicator.
	ESPriority bool
	// HasPCR reports whether PCR is set.
	HasPCR bool
	// PCR is the program clock reference in 27 MHz ticks.
	PCR uint64
	// HasOPCR reports whether OPCR is set.
	HasOPCR bool
	// OPCR is the original program clock reference in 27 MHz ticks.
	OPCR uint64
	// SpliceCountdown is valid when HasSplice is set.
	SpliceCountdown int8
	// HasSplice reports whether SpliceCountdown is set.
	HasSplice bool
}

// ParseAdaptationField returns the adaptation field of p. A packet without
// one gives an AdaptationField with Present false. An adaptation field whose
// length or optional fields do not fit gives an error wrapping
// ErrAdaptationField.
func ParseAdaptationField(p Packet) (AdaptationField, error) {
	af, _, err := p.adaptationBytes()
	if err != nil || !p.HasAdaptationField() {
		return AdaptationField{}, err
	}
	a := AdaptationField{Present: true}
	if len(af) == 0 {
		return a, nil // a single stuffing byte: the length byte alone
	}
	flags := af[0]
	a.Discontinuity = flags&0x80 != 0
	a.RandomAccess = flags&0x40 != 0
	a.ESPriority = flags&0x20 != 0
	rest := af[1:]
	if flags&0x10 != 0 {
		if len(rest) < 6 {
			return AdaptationField{}, fmt.Errorf("%w: PCR cut short (PID 0x%04x)", ErrAdaptationField, p.PID())
		}
		a.HasPCR, a.PCR = true, decodePCR(rest[:6])
		rest = rest[6:]
	}
	if flags&0x08 != 0 {
		if len(rest) < 6 {
			return AdaptationField{}, fmt.Errorf("%w: OPCR cut short (PID 0x%04x)", ErrAdaptationField, p.PID())
		}
		a.HasOPCR, a.OPCR = true, decodePCR(rest[:6])
		rest = rest[6:]
	}
	if flags&0x04 != 0 {
		if len(rest) < 1 {
			return AdaptationField{}, fmt.Errorf("%w: splice countdown cut short (PID 0x%04x)", ErrAdaptationField, p.PID())
		}
		a.HasSplice, a.SpliceCountdown = true, int8(rest[0])
	}
	return a, nil
}

// decodePCR decodes the 6 bytes of a PCR: a 33-bit base at 90 kHz, 6
// reserved bits and a 9-bit extension at 27 MHz.
func decodePCR(b []byte) uint64 {
	base := uint64(b[0])<<25 | uint64(b[1])<<17 | uint64(b[2])<<9 | uint64(b[3])<<1 | uint64(b[4])>>7
	ext := uint64(b[4]&1)<<8 | uint64(b[5])
	return base*300 + ext
}

// EncodePCR encodes a 27 MHz program clock reference into the 6 bytes of
// an adaptation field's PCR (modulo 2^33 periods of the 90 kHz base).
func EncodePCR(pcr uint64) [6]byte {
	base, ext := (pcr/300)&(1<<33-1), pcr%300
	return [6]byte{
		byte(base >> 25), byte(base >> 17), byte(base >> 9), byte(base >> 1),
		byte(base&1)<<7 | 0x7E | byte(ext>>8), byte(ext),
	}
}

// Packets is a run of whole, aligned transport stream packets: its length
// is a multiple of PacketSize and every packet starts with SyncByte. It is
// the message the components of package dvb pass: a packet is never split
// across two of them.
type Packets []byte

// ParsePackets checks that b is a run of whole packets and returns it as
// Packets sharing b's memory.
func ParsePackets(b []byte) (Packets, error) {
	if len(b)%PacketSize != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a whole number of packets", ErrPacketSize, len(b))
	}
	for i := 0; i < len(b); i += PacketSize {
		if b[i] != SyncByte {
			return nil, fmt.Errorf("%w: packet %d starts with 0x%02x", ErrSync, i/PacketSize, b[i])
		}
	}
	return Packets(b), nil
}

// Len returns the number of packets.
func (ps Packets) Len() int { return len(ps) / PacketSize }

// At returns packet i, sharing ps's memory.
func (ps Packets) At(i int) Packet {
	return Packet(ps[i*PacketSize : (i+1)*PacketSize : (i+1)*PacketSize])
}

// All iterates over the packets in order, with their indexes.
func (ps Packets) All() iter.Seq2[int, Packet] {
	return func(yield func(int, Packet) bool) {
		for i := range ps.Len() {
			if !yield(i, ps.At(i)) {
				return
			}
		}
	}
}
