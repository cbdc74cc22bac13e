package mpegts_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"github.com/ziutek/dvb/ts"
	"github.com/ziutek/dvb/ts/psi"
)

// tables parses every section of the default stream's first cycle.
func tables(t *testing.T) (dvbtest.StreamConfig, []mpegts.Table) {
	t.Helper()
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles = 1
	secs, errs, _ := assemble(t, sectionsOnly(dvbtest.Stream(cfg)))
	require.Empty(t, errs)
	var out []mpegts.Table
	for _, s := range secs {
		tb, err := mpegts.ParseTable(s)
		require.NoError(t, err, "table 0x%02x on PID 0x%04x", s.TableID, s.PID)
		require.Equal(t, s.TableID, tb.Header().TableID)
		require.Equal(t, s.PID, tb.Header().PID)
		out = append(out, tb)
	}
	return cfg, out
}

func find[T mpegts.Table](ts []mpegts.Table, ok func(T) bool) T {
	for _, t := range ts {
		if v, is := t.(T); is && (ok == nil || ok(v)) {
			return v
		}
	}
	var zero T
	return zero
}

func TestTablesCarryWhatTheMultiplexWasBuiltWith(t *testing.T) {
	cfg, tbs := tables(t)

	pat := find[*mpegts.PAT](tbs, nil)
	require.NotNil(t, pat)
	require.Equal(t, cfg.TransportStreamID, pat.TransportStreamID)
	require.Equal(t, []mpegts.PATProgram{{4164, 0x100}, {4287, 0x110}, {6720, 0x120}}, pat.Programs)

	pmt := find(tbs, func(p *mpegts.PMT) bool { return p.ProgramNumber == 4164 })
	require.NotNil(t, pmt)
	require.Equal(t, uint16(0x200), pmt.PCRPID)
	require.Len(t, pmt.Streams, 2)
	require.Equal(t, psi.MPEG2Video, pmt.Streams[0].Type)
	require.Equal(t, uint16(0x200), pmt.Streams[0].PID)
	require.Equal(t, psi.MPEG1Audio, pmt.Streams[1].Type)
	require.Equal(t, uint16(0x201), pmt.Streams[1].PID)
	d, ok := pmt.Streams[1].Descriptors.Find(mpegts.TagISO639Language)
	require.True(t, ok)
	langs, err := d.ISO639Language()
	require.NoError(t, err)
	require.Equal(t, []mpegts.Language{{Code: "eng"}}, langs)

	sdt := find[*mpegts.SDT](tbs, nil)
	require.NotNil(t, sdt)
	require.True(t, sdt.Actual)
	require.Equal(t, cfg.TransportStreamID, sdt.TransportStreamID)
	require.Equal(t, cfg.OriginalNetworkID, sdt.OriginalNetworkID)
	require.Len(t, sdt.Services, 3)
	for i, p := range cfg.Programs {
		sv := sdt.Services[i]
		require.Equal(t, p.Number, sv.ServiceID)
		require.Equal(t, p.Name, sv.Name)
		require.Equal(t, p.Provider, sv.Provider)
		require.Equal(t, mpegts.StatusRunning, sv.RunningStatus)
		require.Equal(t, p.Present != nil, sv.EITPresentFollowing)
	}
	require.Equal(t, psi.DigitalRadioSoundService, sdt.Services[2].Type)

	nit := find[*mpegts.NIT](tbs, nil)
	require.NotNil(t, nit)
	require.Equal(t, cfg.NetworkID, nit.NetworkID)
	require.Equal(t, cfg.NetworkName, nit.Name)
	require.Len(t, nit.Transports, 1)
	require.Equal(t, cfg.TransportStreamID, nit.Transports[0].TransportStreamID)
	td, ok := nit.Transports[0].Descriptors.Find(mpegts.TagTerrestrialDelivery)
	require.True(t, ok)
	del, err := td.TerrestrialDelivery()
	require.NoError(t, err)
	require.Equal(t, uint64(505_833_330), del.FrequencyHz, "in units of 10 Hz")
	require.Equal(t, uint32(8_000_000), del.BandwidthHz())
	require.Equal(t, uint8(2), del.Constellation, "64-QAM")
	require.Equal(t, uint8(1), del.CodeRateHP, "2/3")
	require.Equal(t, uint8(1), del.TransmissionMode, "8k")
	sl, ok := nit.Transports[0].Descriptors.Find(mpegts.TagServiceList)
	require.True(t, ok)
	list, err := sl.ServiceList()
	require.NoError(t, err)
	require.Equal(t, []mpegts.ServiceListEntry{{4164, psi.DigitalTelevisionService}, {4287, psi.DigitalTelevisionService}, {6720, psi.DigitalRadioSoundService}}, list)

	for _, p := range cfg.Programs[:2] {
		for num, want := range []*dvbtest.Event{p.Present, p.Following} {
			eit := find(tbs, func(e *mpegts.EIT) bool { return e.ServiceID == p.Number && e.Number == uint8(num) })
			require.NotNil(t, eit)
			require.True(t, eit.PresentFollowing())
			require.True(t, eit.Actual())
			require.Equal(t, cfg.TransportStreamID, eit.TransportStreamID)
			require.Len(t, eit.Events, 1)
			ev := eit.Events[0]
			require.Equal(t, want.ID, ev.EventID)
			require.True(t, want.Start.Equal(ev.Start), "%v != %v", want.Start, ev.Start)
			require.Equal(t, want.Duration, ev.Duration)
			require.Equal(t, want.Running, ev.RunningStatus)
			require.Equal(t, want.Name, ev.Name)
			require.Equal(t, want.Text, ev.Text)
			require.Equal(t, "eng", ev.Language)
		}
	}

	tdt := find[*mpegts.TDT](tbs, nil)
	require.NotNil(t, tdt)
	require.True(t, cfg.Time.Equal(tdt.UTC))
	tot := find[*mpegts.TOT](tbs, nil)
	require.NotNil(t, tot)
	require.True(t, cfg.Time.Equal(tot.UTC))
	require.Len(t, tot.Offsets, 1)
	require.Equal(t, "GBR", tot.Offsets[0].Country)
	require.Equal(t, time.Hour, tot.Offsets[0].Offset)
	require.True(t, cfg.LocalOffsets[0].TimeOfChange.Equal(tot.Offsets[0].TimeOfChange))
	require.Equal(t, time.Duration(0), tot.Offsets[0].NextOffset)
}

// pidFilter reads the packets of one PID, for ziutek/dvb's section decoder
// (which does not filter by PID itself).
type pidFilter struct {
	r   ts.PktReader
	pid int16
}

func (f pidFilter) ReadPkt(p ts.Pkt) error {
	for {
		if err := f.r.ReadPkt(p); err != nil {
			return err
		}
		if p.Pid() == f.pid {
			return nil
		}
	}
}

func ziutekDecoder(stream []byte, pid int16) *psi.SectionDecoder {
	r := pidFilter{ts.NewPktStreamReader(bytes.NewReader(stream)), pid}
	return psi.NewSectionDecoder(ts.PktReaderAsReplacer{R: r}, true)
}

func TestZiutekDecodesTheSameStream(t *testing.T) {
	// An independent decoder reads the generated stream as ours does.
	cfg, tbs := tables(t)
	stream := dvbtest.Stream(cfg)

	var pat psi.PAT
	require.NoError(t, pat.Update(ziutekDecoder(stream, 0), true))
	require.Equal(t, cfg.TransportStreamID, pat.MuxId())
	for _, p := range find[*mpegts.PAT](tbs, nil).Programs {
		require.Equal(t, int16(p.PMTPID), pat.FindPMT(p.Number))
	}

	var sdt psi.SDT
	require.NoError(t, sdt.Update(ziutekDecoder(stream, 0x11), true, true))
	ours := find[*mpegts.SDT](tbs, nil)
	sl := sdt.ServiceInfo()
	for _, sv := range ours.Services {
		var si psi.ServiceInfo
		si, sl = sl.Pop()
		require.NotNil(t, si)
		require.Equal(t, sv.ServiceID, si.ServiceId())
		d, _ := si.Descriptors().Pop()
		sd, ok := psi.ParseServiceDescriptor(d)
		require.True(t, ok)
		require.Equal(t, sv.Name, psi.DecodeText(sd.ServiceName))
	}

	// The TDT has no CRC: decode it without checks.
	d := psi.NewSectionDecoder(nil, false)
	d.SetPktReader(pidFilter{ts.NewPktStreamReader(bytes.NewReader(stream)), 0x14})
	s := make(psi.Section, psi.ISOSectionMaxLen)
	require.NoError(t, d.ReadSection(s))
	utc, err := psi.ParseTDT(s)
	require.NoError(t, err)
	require.True(t, find[*mpegts.TDT](tbs, nil).UTC.Equal(utc))
}

func TestMJDFromTheStandard(t *testing.T) {
	// EN 300 468 annex C: 93/10/13 12:45:00 is coded as 0xC079124500.
	at, err := mpegts.DecodeMJDUTC([]byte{0xC0, 0x79, 0x12, 0x45, 0x00})
	require.NoError(t, err)
	require.Equal(t, time.Date(1993, 10, 13, 12, 45, 0, 0, time.UTC), at)
	require.Equal(t, [5]byte{0xC0, 0x79, 0x12, 0x45, 0x00}, mpegts.EncodeMJDUTC(at))
	undefined, err := mpegts.DecodeMJDUTC([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	require.NoError(t, err)
	require.True(t, undefined.IsZero())
	_, err = mpegts.DecodeMJDUTC([]byte{0xC0, 0x79, 0x1A, 0x45, 0x00})
	require.ErrorIs(t, err, mpegts.ErrTime)
	_, err = mpegts.DecodeMJDUTC([]byte{0xC0, 0x79, 0x25, 0x00, 0x00})
	require.ErrorIs(t, err, mpegts.ErrTime, "25 o'clock")

	// 01:45:30 is coded as 0x014530.
	dur, err := mpegts.DecodeBCDDuration([]byte{0x01, 0x45, 0x30})
	require.NoError(t, err)
	require.Equal(t, time.Hour+45*time.Minute+30*time.Second, dur)
	require.Equal(t, [3]byte{0x01, 0x45, 0x30}, mpegts.EncodeBCDDuration(dur))
	_, err = mpegts.DecodeBCDDuration([]byte{0x01, 0x60, 0x00})
	require.ErrorIs(t, err, mpegts.ErrTime)
}

func TestTOTWithANegativeOffsetBuiltByHand(t *testing.T) {
	// ziutek/dvb's TOT writer cannot encode offsets west of Greenwich (it
	// panics on them), so this one is built by hand.
	when := time.Date(2024, 3, 10, 10, 0, 0, 0, time.UTC)
	utc := mpegts.EncodeMJDUTC(when)
	change := mpegts.EncodeMJDUTC(when.Add(time.Hour))
	lto := append([]byte("USA"), 0x04<<2|0x02|0x01, 0x05, 0x00) // region 4, west, 5:00
	lto = append(lto, change[:]...)
	lto = append(lto, 0x04, 0x00) // next 4:00
	desc := append([]byte{byte(mpegts.TagLocalTimeOffset), byte(len(lto))}, lto...)
	body := append(utc[:], 0xF0, byte(len(desc)))
	body = append(body, desc...)
	raw := mpegts.AppendCRC32(append([]byte{0x73, 0x70, byte(len(body) + 4)}, body...))
	s, err := mpegts.ParseSection(raw)
	require.NoError(t, err)
	tot, err := mpegts.ParseTOT(s)
	require.NoError(t, err)
	require.Equal(t, []mpegts.LocalTimeOffset{{Country: "USA", Region: 4, Offset: -5 * time.Hour,
		TimeOfChange: when.Add(time.Hour), NextOffset: -4 * time.Hour}}, tot.Offsets)
}

func TestTableParsersRejectMalformedSections(t *testing.T) {
	long := func(tid uint8, data ...byte) mpegts.Section {
		return mpegts.Section{TableID: tid, Syntax: true, Current: true, Data: data}
	}
	cases := []struct {
		name string
		s    mpegts.Section
		want error
	}{
		{"PAT loop not a multiple of 4", long(0x00, 0, 1, 0xE1), mpegts.ErrSectionSyntax},
		{"PAT short form", mpegts.Section{TableID: 0x00}, mpegts.ErrSectionSyntax},
		{"PMT without PCR", long(0x02, 0xE1), mpegts.ErrSectionSyntax},
		{"PMT program_info overrun", long(0x02, 0xE1, 0x00, 0xF0, 0x10, 1, 2), mpegts.ErrSectionSyntax},
		{"PMT stream entry cut", long(0x02, 0xE1, 0x00, 0xF0, 0x00, 0x02, 0xE2), mpegts.ErrSectionSyntax},
		{"PMT descriptor overrun", long(0x02, 0xE1, 0x00, 0xF0, 0x03, 0x0A, 0x05, 0x00), mpegts.ErrDescriptor},
		{"SDT header cut", long(0x42, 0x12), mpegts.ErrSectionSyntax},
		{"SDT service cut", long(0x42, 0x12, 0x34, 0xFF, 0x00, 0x01), mpegts.ErrSectionSyntax},
		{"SDT bad service descriptor", long(0x42, 0x12, 0x34, 0xFF, 0x00, 0x01, 0xFC, 0x80, 0x05, 0x48, 0x03, 0x01, 0x09, 0x41), mpegts.ErrDescriptor},
		{"NIT no transport loop", long(0x40, 0xF0, 0x00), mpegts.ErrSectionSyntax},
		{"NIT transport loop length wrong", long(0x40, 0xF0, 0x00, 0xF0, 0x09, 0, 1, 0, 2, 0xF0, 0x00), mpegts.ErrSectionSyntax},
		{"EIT header cut", long(0x4E, 1, 2, 3), mpegts.ErrSectionSyntax},
		{"EIT event cut", long(0x4E, 0, 1, 0, 2, 0, 0x4E, 0, 1, 0xC0, 0x79), mpegts.ErrSectionSyntax},
		{"EIT bad start", long(0x4E, 0, 1, 0, 2, 0, 0x4E, 0, 1, 0xC0, 0x79, 0xAA, 0, 0, 0, 1, 0, 0x80, 0x00), mpegts.ErrTime},
		{"TDT wrong length", mpegts.Section{TableID: 0x70, Data: []byte{1, 2}}, mpegts.ErrSectionSyntax},
		{"TOT descriptor loop overrun", mpegts.Section{TableID: 0x73, Data: []byte{0xC0, 0x79, 0x12, 0x45, 0, 0xF0, 0x10}}, mpegts.ErrSectionSyntax},
		{"TOT bad offset", mpegts.Section{TableID: 0x73, Data: append([]byte{0xC0, 0x79, 0x12, 0x45, 0, 0xF0, 15, 0x58, 13}, []byte("GBR\x02\x0A\x00\xC0\x79\x12\x45\x00\x00\x00")...)}, mpegts.ErrTime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mpegts.ParseTable(c.s)
			require.ErrorIs(t, err, c.want)
		})
	}
	_, err := mpegts.ParseTable(mpegts.Section{TableID: 0x01, Syntax: true})
	require.ErrorIs(t, err, mpegts.ErrUnknownTable)
}
