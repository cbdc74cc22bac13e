package mpegts_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/ziutek/dvb/ts/psi"
)

// The fuzz targets run their seeds in every `go test`; `make fuzz` (or
// go test -fuzz=FuzzXxx -fuzztime=30s) explores from them. Each checks that
// malformed input gives an error, never a panic, and what holds of the
// results when there is no error.

func seedSections() [][]byte {
	cfg := dvbtest.DefaultConfig()
	p := cfg.Programs[0]
	t0 := cfg.Time
	var out [][]byte
	out = append(out, dvbtest.PATSection(1, 0, cfg.Programs...)...)
	out = append(out, dvbtest.PMTSection(p, 0))
	out = append(out, dvbtest.SDTSection(1, 2, 0, cfg.Programs...)...)
	out = append(out, dvbtest.NITSection(1, 2, 3, "net", 474_000_000, 0, cfg.Programs...)...)
	out = append(out, dvbtest.EITSection(0x4E, 1, 2, 3, 0, 0, 1, *p.Present))
	out = append(out, dvbtest.TDTSection(t0), dvbtest.TOTSection(t0, cfg.LocalOffsets...))
	return out
}

func FuzzParsePacket(f *testing.F) {
	var m dvbtest.Mux
	pcr := uint64(1234567)
	m.PES(0x200, 0xE0, 90000, []byte("abc"), &pcr)
	m.Packet(0x30, true, []byte{0, 1}, dvbtest.PacketOptions{Discontinuity: true})
	for i := 0; i < len(m.Bytes()); i += 188 {
		f.Add(m.Bytes()[i : i+188])
	}
	f.Add(make([]byte, 188))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := mpegts.ParsePacket(b)
		if err != nil {
			return
		}
		_ = p.PID() + uint16(p.ContinuityCounter()) + uint16(p.Scrambling())
		payload, err := p.Payload()
		if err == nil && len(payload) > 184 {
			t.Fatalf("payload of %d bytes", len(payload))
		}
		if af, err := mpegts.ParseAdaptationField(p); err == nil && af.Present != p.HasAdaptationField() {
			t.Fatal("Present disagrees with the header")
		}
		if p.PayloadUnitStart() && len(payload) > 0 {
			_, _ = mpegts.ParsePESHeader(payload)
		}
	})
}

func FuzzAligner(f *testing.F) {
	stream := dvbtest.Stream(dvbtest.StreamConfig{Programs: dvbtest.DefaultConfig().Programs[:1], Cycles: 1, PESPerCycle: 1, PESSize: 300})
	f.Add(stream[:188*6], uint16(100))
	f.Add(append([]byte{1, 2, 0x47}, stream[:188*3]...), uint16(7))
	f.Add([]byte{0x47}, uint16(1))
	f.Fuzz(func(t *testing.T, b []byte, size uint16) {
		var a mpegts.Aligner
		n := max(int(size), 1)
		total := 0
		check := func(ps mpegts.Packets) {
			if _, err := mpegts.ParsePackets(ps); err != nil {
				t.Fatalf("not whole aligned packets: %v", err)
			}
			total += ps.Len()
		}
		for off := 0; off < len(b); off += n {
			check(a.Align(append([]byte(nil), b[off:min(off+n, len(b))]...)))
		}
		check(a.Flush())
		st := a.Stats()
		if st.Packets != uint64(total) || st.Packets*188+st.SkippedBytes+st.TruncatedBytes != uint64(len(b)) {
			t.Fatalf("bytes not accounted for: %+v of %d", st, len(b))
		}
	})
}

func FuzzAssembler(f *testing.F) {
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles, cfg.PESPerCycle = 1, 0
	stream := dvbtest.Stream(cfg)
	half := len(stream) / 188 / 2 * 188
	f.Add(stream[:half])
	f.Add(stream[half:])
	f.Fuzz(func(t *testing.T, b []byte) {
		var a mpegts.Assembler
		for i := 0; i+188 <= len(b); i += 188 {
			p := mpegts.Packet(b[i : i+188])
			a.Push(p, func(s mpegts.Section, err error) {
				if err != nil {
					return
				}
				if len(s.Raw) < 3 || len(s.Raw) > 4096 {
					t.Fatalf("section of %d bytes", len(s.Raw))
				}
				_, _ = mpegts.ParseTable(s)
			})
		}
		a.Push(mpegts.Packet(b[:min(len(b), 100)]), func(mpegts.Section, error) {})
	})
}

// fixSection makes b a section whose length and CRC are right, so that the
// fuzzer reaches the table parsers.
func fixSection(b []byte) []byte {
	if len(b) < 3 || len(b) > 1024 {
		return b
	}
	b = append([]byte(nil), b...)
	n := len(b) - 3 + 4
	b[1] = b[1]&0xF0 | byte(n>>8)&0x0F
	b[2] = byte(n)
	return mpegts.AppendCRC32(b)
}

func FuzzParseSection(f *testing.F) {
	for _, s := range seedSections() {
		f.Add(s, false)
		f.Add(s[:len(s)-4], true)
	}
	f.Fuzz(func(t *testing.T, b []byte, fix bool) {
		if fix {
			b = fixSection(b)
		}
		s, err := mpegts.ParseSection(b)
		if err != nil {
			return
		}
		if !bytes.Equal(s.Raw, b[:len(s.Raw)]) {
			t.Fatal("Raw is not the section's bytes")
		}
		tb, err := mpegts.ParseTable(s)
		if err == nil && tb.Header().TableID != s.TableID {
			t.Fatal("table id changed")
		}
	})
}

// fuzzTable fuzzes one table parser with sections of its table_id whose
// body is the fuzzer's bytes (the CRC is not in the way).
func fuzzTable(f *testing.F, tableID uint8, syntax bool, parse func(mpegts.Section) error) {
	for _, s := range seedSections() {
		if p, err := mpegts.ParseSection(s); err == nil && p.TableID == tableID {
			f.Add(p.Data)
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = parse(mpegts.Section{TableID: tableID, Syntax: syntax, Current: true, Data: data})
	})
}

func FuzzPAT(f *testing.F) {
	fuzzTable(f, 0x00, true, func(s mpegts.Section) error { _, err := mpegts.ParsePAT(s); return err })
}

func FuzzPMT(f *testing.F) {
	fuzzTable(f, 0x02, true, func(s mpegts.Section) error { _, err := mpegts.ParsePMT(s); return err })
}

func FuzzSDT(f *testing.F) {
	fuzzTable(f, 0x42, true, func(s mpegts.Section) error { _, err := mpegts.ParseSDT(s); return err })
}

func FuzzNIT(f *testing.F) {
	fuzzTable(f, 0x40, true, func(s mpegts.Section) error { _, err := mpegts.ParseNIT(s); return err })
}

func FuzzEIT(f *testing.F) {
	fuzzTable(f, 0x4E, true, func(s mpegts.Section) error { _, err := mpegts.ParseEIT(s); return err })
}

func FuzzTDT(f *testing.F) {
	fuzzTable(f, 0x70, false, func(s mpegts.Section) error { _, err := mpegts.ParseTDT(s); return err })
}

func FuzzTOT(f *testing.F) {
	fuzzTable(f, 0x73, false, func(s mpegts.Section) error { _, err := mpegts.ParseTOT(s); return err })
}

func FuzzDescriptors(f *testing.F) {
	for _, s := range seedSections() {
		f.Add(s)
	}
	f.Add([]byte{0x48, 3, 1, 255, 'a'})
	f.Add([]byte{0x4E, 9, 0x12, 'e', 'n', 'g', 3, 1, 'a', 1, 'b', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _ := mpegts.ParseDescriptors(b)
		for _, d := range ds {
			// Every decoder on every descriptor, whatever its tag.
			for _, tag := range []psi.DescriptorTag{0x0A, 0x40, 0x41, 0x48, 0x4D, 0x4E, 0x50, 0x52, 0x54, 0x58, 0x5A} {
				d2 := mpegts.Descriptor{Tag: tag, Data: d.Data}
				_, _ = d2.Service()
				_, _ = d2.NetworkName()
				_, _ = d2.ServiceList()
				_, _ = d2.ShortEvent()
				_, _ = d2.ExtendedEvent()
				_, _ = d2.Component()
				_, _ = d2.Content()
				_, _ = d2.StreamIdentifier()
				_, _ = d2.ISO639Language()
				_, _ = d2.LocalTimeOffset()
				_, _ = d2.TerrestrialDelivery()
			}
		}
		_ = mpegts.DecodeText(b)
	})
}

func FuzzPESHeader(f *testing.F) {
	var m dvbtest.Mux
	m.PES(0x200, 0xE0, 90000, []byte("abc"), nil)
	f.Add(m.Bytes()[4:])
	f.Add([]byte{0, 0, 1, 0xBE, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := mpegts.ParsePESHeader(b)
		if err == nil && h.DataOffset > len(b) {
			t.Fatalf("data offset %d past %d bytes", h.DataOffset, len(b))
		}
	})
}

func FuzzTime(f *testing.F) {
	f.Add([]byte{0xC0, 0x79, 0x12, 0x45, 0x00})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		at, err := mpegts.DecodeMJDUTC(b)
		if err == nil && !at.IsZero() && b[4] != 0x60 { // a leap second becomes the next minute
			if got := mpegts.EncodeMJDUTC(at); !bytes.Equal(got[:], b) {
				t.Fatalf("%x decodes to %v which encodes to %x", b, at, got)
			}
		}
		if len(b) >= 3 {
			d, err := mpegts.DecodeBCDDuration(b[:3])
			if err == nil && (d < 0 || d >= 100*time.Hour) {
				t.Fatalf("duration %v", d)
			}
		}
	})
}
