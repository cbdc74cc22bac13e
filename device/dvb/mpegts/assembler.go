package mpegts

import (
	"fmt"
)

// AssemblerStats counts what an Assembler did. Each dropped section or
// packet is counted once, under the first reason found.
type AssemblerStats struct {
	// Packets counts the packets given.
	Packets uint64
	// Sections counts the sections returned, whole and checked.
	Sections uint64
	// CRCErrors counts sections dropped because their CRC did not match.
	CRCErrors uint64
	// TooLong counts sections dropped because their section_length exceeded
	// what their table allows (the rest of their packet is skipped).
	TooLong uint64
	// Truncated counts sections dropped because the next section started
	// before they were complete.
	Truncated uint64
	// SyntaxErrors counts sections dropped because their header did not
	// follow the section syntax.
	SyntaxErrors uint64
	// PointerErrors counts packets dropped because their pointer_field
	// pointed past their payload.
	PointerErrors uint64
	// ContinuityErrors counts sections dropped because packets of their PID
	// were lost while they were being reassembled.
	ContinuityErrors uint64
	// TransportErrors counts packets dropped because their
	// transport_error_indicator was set (and the sections they broke).
	TransportErrors uint64
	// Scrambled counts scrambled packets dropped.
	Scrambled uint64
	// BadPackets counts packets dropped because their adaptation field did
	// not fit.
	BadPackets uint64
	// Duplicates counts packets dropped as repeats (same continuity
	// counter as the packet before, which the standard allows once).
	Duplicates uint64
}

// pidState is the reassembly of one PID.
type pidState struct {
	buf    []byte // the section being reassembled
	need   int    // its whole length (3+section_length) once known, else 0
	active bool   // a section is in progress
	cc     uint8
	haveCC bool
}

// Assembler reassembles PSI/SI sections from the packets of any number of
// PIDs (each PID separately), the way a receiver's section filter does: a
// section may start anywhere after a packet's pointer_field, span any number
// of packets, and share a packet with others. Each whole section has its
// length and CRC checked (ParseSection) before it is returned.
//
// Anything dropped is counted (Stats) and reported with an error that names
// the PID and the reason: a bad CRC, a section longer than its table
// allows, a section cut short by the next one, a lost packet (a gap in the
// continuity counter) in the middle of a section, a pointer_field past the
// payload, a packet with the transport_error_indicator set, a scrambled
// packet. Packets before the first section start of a PID are not an error:
// reception starts mid-section.
//
// The zero Assembler is ready to use. An Assembler is not safe for
// concurrent use.
type Assembler struct {
	pids  map[uint16]*pidState
	stats AssemblerStats
}

// Stats returns the counts so far.
func (a *Assembler) Stats() AssemblerStats { return a.stats }

// Reset forgets every section in progress and every continuity counter (the
// stream changed: a retune). The counts are kept.
func (a *Assembler) Reset() { clear(a.pids) }

func (a *Assembler) state(pid uint16) *pidState {
	if a.pids == nil {
		a.pids = make(map[uint16]*pidState)
	}
	st := a.pids[pid]
	if st == nil {
		st = &pidState{}
		a.pids[pid] = st
	}
	return st
}

// Push takes the next packet of its PID and calls yield for each section
// it completes (with a nil error) and for each section or packet it drops
// (with an error and a zero Section), in stream order. The sections
// returned own their memory: they do not share p's.
func (a *Assembler) Push(p Packet, yield func(Section, error)) {
	a.stats.Packets++
	if len(p) != PacketSize {
		a.stats.BadPackets++
		yield(Section{}, fmt.Errorf("%w: %d bytes", ErrPacketSize, len(p)))
		return
	}
	pid := p.PID()
	st := a.state(pid)
	if p.TransportError() {
		a.stats.TransportErrors++
		st.abort()
		st.haveCC = false
		yield(Section{}, fmt.Errorf("PID 0x%04x: %w", pid, ErrTransportError))
		return
	}
	if p.Scrambling() != 0 {
		a.stats.Scrambled++
		st.abort()
		yield(Section{}, fmt.Errorf("PID 0x%04x: %w (control %d)", pid, ErrScrambled, p.Scrambling()))
		return
	}
	af, err := ParseAdaptationField(p)
	if err != nil {
		a.stats.BadPackets++
		if st.abort() {
			a.stats.Truncated++
		}
		st.haveCC = false
		yield(Section{}, err)
		return
	}
	if !p.HasPayload() {
		return // adaptation only: the counter does not move
	}
	cc := p.ContinuityCounter()
	if st.haveCC && !af.Discontinuity {
		switch cc {
		case st.cc:
			a.stats.Duplicates++
			return
		case (st.cc + 1) & 0x0F:
		default:
			if st.abort() {
				a.stats.ContinuityErrors++
				yield(Section{}, fmt.Errorf("PID 0x%04x: %w: counter %d after %d, section dropped", pid, ErrContinuity, cc, st.cc))
			}
		}
	}
	st.cc, st.haveCC = cc, true
	payload, _ := p.Payload() // the adaptation field was checked above
	if !p.PayloadUnitStart() {
		if st.active {
			a.fill(pid, st, payload, yield)
		}
		return
	}
	ptr := int(payload[0])
	payload = payload[1:]
	if ptr > len(payload) {
		a.stats.PointerErrors++
		if st.abort() {
			a.stats.Truncated++
		}
		yield(Section{}, fmt.Errorf("PID 0x%04x: %w: pointer %d, %d bytes", pid, ErrPointerField, ptr, len(payload)))
		return
	}
	if st.active {
		a.fill(pid, st, payload[:ptr], yield)
		if st.active {
			st.abort()
			a.stats.Truncated++
			yield(Section{}, fmt.Errorf("PID 0x%04x: %w: a new section started after %d of its bytes", pid, ErrSectionTruncated, len(st.buf)))
		}
	}
	rest := payload[ptr:]
	for len(rest) > 0 && rest[0] != 0xFF { // 0xFF: stuffing to the end
		st.active, st.need = true, 0
		st.buf = st.buf[:0]
		rest = a.fill(pid, st, rest, yield)
		if st.active {
			return // continues in the next packet
		}
	}
}

// fill adds b to the section in progress, completes it if it can, and
// returns the bytes left over.
func (a *Assembler) fill(pid uint16, st *pidState, b []byte, yield func(Section, error)) []byte {
	if st.need == 0 {
		k := min(3-len(st.buf), len(b))
		st.buf = append(st.buf, b[:k]...)
		b = b[k:]
		if len(st.buf) < 3 {
			return b
		}
		tid := st.buf[0]
		length := int(st.buf[1]&0x0F)<<8 | int(st.buf[2])
		if max := MaxSectionLength(tid); length > max {
			st.abort()
			a.stats.TooLong++
			yield(Section{}, fmt.Errorf("PID 0x%04x: %w: table 0x%02x section_length %d, at most %d", pid, ErrSectionTooLong, tid, length, max))
			return nil // where the next section starts cannot be known
		}
		st.need = 3 + length
	}
	k := min(st.need-len(st.buf), len(b))
	st.buf = append(st.buf, b[:k]...)
	b = b[k:]
	if len(st.buf) < st.need {
		return b
	}
	raw := append([]byte(nil), st.buf...)
	st.abort()
	sec, err := ParseSection(raw)
	if err != nil {
		a.count(err)
		yield(Section{}, fmt.Errorf("PID 0x%04x: %w", pid, err))
		return b
	}
	sec.PID = pid
	a.stats.Sections++
	yield(sec, nil)
	return b
}

// count counts a section that ParseSection rejected.
func (a *Assembler) count(err error) {
	switch {
	case isErr(err, ErrCRC):
		a.stats.CRCErrors++
	case isErr(err, ErrSectionTooLong):
		a.stats.TooLong++
	default:
		a.stats.SyntaxErrors++
	}
}

// abort drops the section in progress and reports whether there was one.
func (st *pidState) abort() bool {
	was := st.active
	st.active, st.need = false, 0
	st.buf = st.buf[:0]
	return was
}
