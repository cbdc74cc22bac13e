package mpegts_test

import (
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

// assemble aligns stream and feeds every packet to one Assembler.
func assemble(t *testing.T, stream []byte) ([]mpegts.Section, []error, mpegts.AssemblerStats) {
	t.Helper()
	var al mpegts.Aligner
	ps := al.Align(append([]byte(nil), stream...))
	ps = append(ps, al.Flush()...)
	require.Equal(t, len(stream), len(ps), "the test stream is aligned")
	var a mpegts.Assembler
	var secs []mpegts.Section
	var errs []error
	for _, p := range ps.All() {
		a.Push(p, func(s mpegts.Section, err error) {
			if err != nil {
				errs = append(errs, err)
				return
			}
			secs = append(secs, s)
		})
	}
	return secs, errs, a.Stats()
}

func sectionsOnly(stream []byte) []byte {
	// Keep the packets of the PIDs that carry sections in the default config.
	var out []byte
	for i := 0; i < len(stream); i += 188 {
		pid := uint16(stream[i+1]&0x1F)<<8 | uint16(stream[i+2])
		if pid < 0x20 || pid == 0x100 || pid == 0x110 || pid == 0x120 {
			out = append(out, stream[i:i+188]...)
		}
	}
	return out
}

func TestAssemblerReassemblesEveryTableOfAStream(t *testing.T) {
	cfg := dvbtest.DefaultConfig()
	secs, errs, st := assemble(t, sectionsOnly(dvbtest.Stream(cfg)))
	require.Empty(t, errs)
	perPID := map[uint16]int{}
	for _, s := range secs {
		perPID[s.PID]++
	}
	// Per cycle: PAT, three PMTs, SDT, NIT, 2x2 EIT p/f sections, TDT and TOT.
	require.Equal(t, map[uint16]int{0x00: 4, 0x100: 4, 0x110: 4, 0x120: 4, 0x11: 4, 0x10: 4, 0x12: 16, 0x14: 8}, perPID)
	require.Equal(t, uint64(48), st.Sections)
	require.Zero(t, st.CRCErrors+st.TooLong+st.Truncated+st.SyntaxErrors+st.PointerErrors+st.ContinuityErrors+st.TransportErrors+st.Duplicates)
}

func bigEIT(n int) []byte {
	evs := make([]dvbtest.Event, n)
	t0 := time.Date(2024, 5, 17, 0, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = dvbtest.Event{ID: uint16(i), Start: t0.Add(time.Duration(i) * time.Hour), Duration: time.Hour,
			Name: "Programme with a long enough name", Text: "And a description of it."}
	}
	return dvbtest.EITSection(0x50, 1, 2, 3, 0, 0, 0, evs...)
}

func TestAssemblerSectionSpanningManyPackets(t *testing.T) {
	raw := bigEIT(50)
	require.Greater(t, len(raw), 10*184)
	var m dvbtest.Mux
	m.Sections(mpegts.PIDEIT, raw)
	secs, errs, _ := assemble(t, m.Bytes())
	require.Empty(t, errs)
	require.Len(t, secs, 1)
	require.Equal(t, raw, secs[0].Raw)
	require.Equal(t, uint16(mpegts.PIDEIT), secs[0].PID)
}

// rawPayloads writes each payload (up to 184 bytes, padded with 0xFF) as a
// packet of pid; the first byte of a payload given with pusi is the
// pointer_field.
type rawPkt struct {
	pusi    bool
	payload []byte
}

func rawStream(pid uint16, pkts ...rawPkt) []byte {
	var m dvbtest.Mux
	for _, p := range pkts {
		var b [184]byte
		n := copy(b[:], p.payload)
		for i := n; i < 184; i++ {
			b[i] = 0xFF
		}
		m.Packet(pid, p.pusi, b[:], dvbtest.PacketOptions{})
	}
	return m.Bytes()
}

func TestAssemblerSectionHeaderSplitAcrossPackets(t *testing.T) {
	tdt := dvbtest.TDTSection(time.Date(2024, 5, 17, 19, 0, 0, 0, time.UTC)) // 8 bytes
	pat := dvbtest.PATSection(9, 0, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]
	// First packet: pointer 0, TDT, then filler sections, and the first two
	// bytes of the PAT in its last two bytes.
	first := []byte{0}
	for len(first)+len(tdt) <= 182 {
		first = append(first, tdt...)
	}
	for len(first) < 182 { // pad with a stuffing-table section that fits exactly
		n := 182 - len(first)
		if n < 3 {
			first = append(first[:len(first)-len(tdt)], make([]byte, 0)...)
			continue
		}
		st := append([]byte{0x72, 0x70 | byte((n-3)>>8), byte(n - 3)}, make([]byte, n-3)...)
		first = append(first, st...)
	}
	first = append(first, pat[:2]...)
	require.Len(t, first, 184)
	second := pat[2:]
	secs, errs, _ := assemble(t, rawStream(0x14, rawPkt{true, first}, rawPkt{false, second}))
	require.Empty(t, errs)
	last := secs[len(secs)-1]
	require.Equal(t, pat, last.Raw, "a section whose length straddles two packets")
	require.Equal(t, uint8(0x72), secs[len(secs)-2].TableID)
}

func TestAssemblerSectionsSharingAPacket(t *testing.T) {
	// ziutek/dvb's encoder starts a section in the packet where the one
	// before ends, after a pointer_field.
	t0 := time.Date(2024, 5, 17, 19, 0, 0, 0, time.UTC)
	eit, tdt := bigEIT(5), dvbtest.TDTSection(t0)
	var alone, m dvbtest.Mux
	alone.Sections(mpegts.PIDEIT, eit)
	m.Sections(mpegts.PIDEIT, eit, tdt)
	require.Equal(t, alone.Packets(), m.Packets(), "the TDT starts in the EIT's last packet")
	secs, errs, _ := assemble(t, m.Bytes())
	require.Empty(t, errs)
	require.Len(t, secs, 2)
	require.Equal(t, eit, secs[0].Raw)
	require.Equal(t, tdt, secs[1].Raw)
}

func TestAssemblerDropsAndCountsBadSections(t *testing.T) {
	pat := dvbtest.PATSection(9, 0, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]
	badCRC := append([]byte(nil), pat...)
	badCRC[len(badCRC)-1] ^= 0xFF
	tooLong := append([]byte{0x00, 0xB3, 0xFE}, make([]byte, 100)...) // says 1022 bytes
	eit := bigEIT(10)
	var m dvbtest.Mux
	m.SectionBytes(0, badCRC)
	m.SectionBytes(0, pat)
	m.SectionBytes(0, tooLong)
	m.SectionBytes(0, pat)
	secs, errs, st := assemble(t, m.Bytes())
	require.Len(t, secs, 2, "the good sections around the bad ones")
	require.Len(t, errs, 2)
	require.ErrorIs(t, errs[0], mpegts.ErrCRC)
	require.ErrorIs(t, errs[1], mpegts.ErrSectionTooLong)
	require.Equal(t, uint64(1), st.CRCErrors)
	require.Equal(t, uint64(1), st.TooLong)

	// A lost packet in the middle of a section.
	var m2 dvbtest.Mux
	m2.Sections(mpegts.PIDEIT, eit)
	m2.Sections(mpegts.PIDEIT, eit)
	b := m2.Bytes()
	n := len(b) / 188 / 2
	lossy := append(append([]byte(nil), b[:2*188]...), b[3*188:]...) // drop packet 2 of the first copy
	secs, errs, st = assemble(t, lossy)
	require.Len(t, secs, 1)
	require.Equal(t, eit, secs[0].Raw)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], mpegts.ErrContinuity)
	require.Equal(t, uint64(1), st.ContinuityErrors)
	require.Greater(t, n, 3)
}

func TestAssemblerTruncatedPointerTransportErrorScrambledDuplicate(t *testing.T) {
	pat := dvbtest.PATSection(9, 0, dvbtest.Program{Number: 1, PMTPID: 0x100})[0]
	eit := bigEIT(10)
	var m dvbtest.Mux
	// A section cut short by the next section's start: the first packet of
	// the EIT, then a PAT starting in a new packet.
	m.SectionBytes(0x30, eit[:150])
	m.SectionBytes(0x30, pat)
	// A pointer_field past the payload.
	m.Packet(0x30, true, append([]byte{200}, make([]byte, 183)...), dvbtest.PacketOptions{})
	// A transport error, a scrambled packet.
	m.Packet(0x30, true, append([]byte{0}, pat...), dvbtest.PacketOptions{TransportError: true})
	m.Packet(0x30, true, append([]byte{0}, pat...), dvbtest.PacketOptions{Scrambling: 2})
	// A duplicated packet: same counter twice; one section.
	cc := m.NextCC(0x30)
	m.Packet(0x30, true, append([]byte{0}, pat...), dvbtest.PacketOptions{CC: &cc})
	m.Packet(0x30, true, append([]byte{0}, pat...), dvbtest.PacketOptions{CC: &cc})
	secs, errs, st := assemble(t, m.Bytes())
	require.Len(t, secs, 2, "the PAT after the truncated EIT, and the duplicated one once")
	require.Equal(t, pat, secs[0].Raw)
	require.Equal(t, pat, secs[1].Raw)
	require.Len(t, errs, 4)
	require.ErrorIs(t, errs[0], mpegts.ErrSectionTruncated)
	require.ErrorIs(t, errs[1], mpegts.ErrPointerField)
	require.ErrorIs(t, errs[2], mpegts.ErrTransportError)
	require.ErrorIs(t, errs[3], mpegts.ErrScrambled)
	require.Equal(t, mpegts.AssemblerStats{Packets: 7, Sections: 2, Truncated: 1, PointerErrors: 1, TransportErrors: 1, Scrambled: 1, Duplicates: 1}, st)
}

func TestAssemblerIgnoresPacketsBeforeTheFirstSectionStart(t *testing.T) {
	eit := bigEIT(10)
	var m dvbtest.Mux
	m.Sections(mpegts.PIDEIT, eit)
	b := m.Bytes()[188:] // reception starts mid-section
	var m2 dvbtest.Mux
	m2.Sections(mpegts.PIDEIT, eit)
	_, errs, st := assemble(t, b)
	require.Empty(t, errs)
	require.Zero(t, st.Sections)
}
