// Package dvbtest builds MPEG transport streams for tests, and fakes the
// DVB device behind package dvb's seam, as net/http/httptest does for HTTP.
//
// A Mux writes packets into memory: sections (through ziutek/dvb's
// psi.SectionEncoder, so that sections share and span packets as a real
// multiplexer packs them), PES packets with PTS and PCR, and raw packets
// for malformed input. The table builders (PATSection, PMTSection,
// SDTSection, NITSection, EITSection, TDTSection, TOTSection) use
// ziutek/dvb's psi writers where it has them and build the rest by hand,
// with the CRC32/MPEG-2 of package mpegts. Stream puts them together into a
// whole multiplex: tables repeated, services with video and audio.
//
// Device and Frontend fake an adapter: a frontend that locks after a given
// number of polls (or never), and a DVR that plays bytes, blocks until
// closed, or returns reads of a given size.
package dvbtest

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/ziutek/dvb/ts"
	"github.com/ziutek/dvb/ts/psi"
)

// Mux writes a transport stream into memory. It keeps a continuity counter
// per PID, incremented for every packet with a payload, as a real
// multiplexer does. The zero Mux is ready to use.
type Mux struct {
	buf  []byte
	cc   map[uint16]uint8
	encs map[uint16]*psi.SectionEncoder
}

// Bytes returns the stream written so far (not a copy).
func (m *Mux) Bytes() []byte { return m.buf }

// Packets returns the number of packets written so far.
func (m *Mux) Packets() int { return len(m.buf) / mpegts.PacketSize }

// NextCC returns the continuity counter the next packet of pid with a
// payload will carry, and advances it.
func (m *Mux) NextCC(pid uint16) uint8 {
	if m.cc == nil {
		m.cc = map[uint16]uint8{}
	}
	c := m.cc[pid]
	m.cc[pid] = (c + 1) & 0x0F
	return c
}

// Raw appends b as it is: whole packets, or garbage to test resync.
func (m *Mux) Raw(b []byte) { m.buf = append(m.buf, b...) }

// PacketOptions are the header fields of a packet that Packet does not
// take from its arguments.
type PacketOptions struct {
	TransportError bool    // transport_error_indicator
	Scrambling     uint8   // transport_scrambling_control, 0 to 3
	Discontinuity  bool    // in an adaptation field
	RandomAccess   bool    // in an adaptation field
	PCR            *uint64 // in an adaptation field, 27 MHz
	// CC, when set, is the continuity counter to write instead of the
	// Mux's own (which then does not advance).
	CC *uint8
}

// Packet appends one packet of pid carrying as much of payload as fits and
// returns how many bytes of it that was. A payload shorter than the room
// left is padded with adaptation field stuffing (so that PES data is not
// changed); an empty payload makes an adaptation-field-only packet, which
// does not advance the continuity counter.
func (m *Mux) Packet(pid uint16, pusi bool, payload []byte, o PacketOptions) int {
	var p [mpegts.PacketSize]byte
	p[0] = mpegts.SyncByte
	p[1] = byte(pid>>8) & 0x1F
	p[2] = byte(pid)
	if o.TransportError {
		p[1] |= 0x80
	}
	if pusi {
		p[1] |= 0x40
	}
	var af []byte // adaptation field after its length byte
	if o.Discontinuity || o.RandomAccess || o.PCR != nil {
		flags := byte(0)
		if o.Discontinuity {
			flags |= 0x80
		}
		if o.RandomAccess {
			flags |= 0x40
		}
		af = append(af, flags)
		if o.PCR != nil {
			af[0] |= 0x10
			pcr := mpegts.EncodePCR(*o.PCR)
			af = append(af, pcr[:]...)
		}
	}
	room := 184
	if af != nil {
		room -= 1 + len(af)
	}
	n := min(len(payload), room)
	if n < room { // stuff the adaptation field to fill the packet
		if af == nil {
			if room-n == 1 {
				af = []byte{} // the length byte alone
			} else {
				af = []byte{0}
			}
		}
		for 184-1-len(af) > n {
			af = append(af, 0xFF)
		}
	}
	ctl := byte(0)
	if af != nil {
		ctl |= 0x20
	}
	if n > 0 {
		ctl |= 0x10
	}
	cc := uint8(0)
	switch {
	case o.CC != nil:
		cc = *o.CC & 0x0F
	case n > 0:
		cc = m.NextCC(pid)
	default:
		cc = (m.cc[pid] + 15) & 0x0F // adaptation only: the last counter again
	}
	p[3] = o.Scrambling<<6 | ctl | cc
	off := 4
	if af != nil {
		p[4] = byte(len(af))
		copy(p[5:], af)
		off = 5 + len(af)
	}
	copy(p[off:], payload[:n])
	m.buf = append(m.buf, p[:]...)
	return n
}

// Null appends n null packets (PID 0x1FFF).
func (m *Mux) Null(n int) {
	for range n {
		var p [mpegts.PacketSize]byte
		p[0], p[1], p[2], p[3] = mpegts.SyncByte, 0x1F, 0xFF, 0x10
		for i := 4; i < len(p); i++ {
			p[i] = 0xFF
		}
		m.buf = append(m.buf, p[:]...)
	}
}

// PES appends one PES packet of pid: a header with stream_id and a PTS
// (90 kHz), then data, in as many packets as it takes. pcr, when set, goes
// in the adaptation field of the first packet, which is marked as a random
// access point.
func (m *Mux) PES(pid uint16, streamID uint8, pts uint64, data []byte, pcr *uint64) {
	hdr := []byte{0, 0, 1, streamID, 0, 0, 0x80, 0x80, 5}
	ts := mpegts.EncodeTimestamp(2, pts)
	hdr = append(hdr, ts[:]...)
	if n := len(hdr) - 6 + len(data); n <= 0xFFFF {
		hdr[4], hdr[5] = byte(n>>8), byte(n)
	}
	pes := append(hdr, data...)
	first := true
	for len(pes) > 0 {
		o := PacketOptions{}
		if first && pcr != nil {
			o.PCR, o.RandomAccess = pcr, true
		}
		n := m.Packet(pid, first, pes, o)
		pes = pes[n:]
		first = false
	}
}

// pktWriter hands the packets of a psi.SectionEncoder to the Mux, with the
// Mux's continuity counter.
type pktWriter struct {
	m   *Mux
	pid uint16
}

func (w pktWriter) WritePkt(p ts.Pkt) error {
	b := append([]byte(nil), p.Bytes()...)
	b[3] = b[3]&0xF0 | w.m.NextCC(w.pid)
	w.m.buf = append(w.m.buf, b...)
	return nil
}

// Sections appends sections on pid through ziutek/dvb's
// psi.SectionEncoder: consecutive sections share packets (a section may
// start in the packet where the previous one ends, after a pointer_field),
// and the last packet is padded with 0xFF. Each section must be whole and
// well formed (its section_length is trusted); use SectionBytes for
// malformed ones.
func (m *Mux) Sections(pid uint16, sections ...[]byte) {
	if m.encs == nil {
		m.encs = map[uint16]*psi.SectionEncoder{}
	}
	e := m.encs[pid]
	if e == nil {
		e = psi.NewSectionEncoder(nil, int16(pid))
		e.SetPktWriter(pktWriter{m, pid})
		m.encs[pid] = e
	}
	for _, s := range sections {
		if err := e.WriteSection(psi.Section(s)); err != nil {
			panic(fmt.Sprintf("dvbtest: writing a section: %v", err)) // pktWriter never fails
		}
	}
	if err := e.Flush(); err != nil {
		panic(fmt.Sprintf("dvbtest: flushing sections: %v", err))
	}
}

// SectionBytes appends raw as the payload of packets on pid: a
// pointer_field of 0, then raw, then 0xFF stuffing. raw need not be a valid
// section, which is how tests feed bad CRCs and overlong lengths.
func (m *Mux) SectionBytes(pid uint16, raw []byte) {
	payload := append([]byte{0}, raw...)
	first := true
	for len(payload) > 0 {
		var p [184]byte
		n := copy(p[:], payload)
		for i := n; i < len(p); i++ {
			p[i] = 0xFF
		}
		m.Packet(pid, first, p[:], PacketOptions{})
		payload = payload[n:]
		first = false
	}
}
