package dvbtest

import (
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	zdvb "github.com/ziutek/dvb"
	"github.com/ziutek/dvb/ts/psi"
)

// Program is one service of a test multiplex: its PAT entry, PMT, SDT
// entry and present/following events.
type Program struct {
	Number   uint16          // program_number, also the service_id
	PMTPID   uint16          // the PID of its PMT
	PCRPID   uint16          // 0: the first stream's PID
	Name     string          // in the SDT's service_descriptor
	Provider string          // in the SDT's service_descriptor
	Type     psi.ServiceType // 0: digital television
	Streams  []ES            // its elementary streams
	// Present and Following are the events of its EIT present/following
	// table; nil leaves that section out.
	Present, Following *Event
}

// ES is one elementary stream of a program.
type ES struct {
	Type     psi.StreamType // stream_type in the PMT
	PID      uint16         // elementary_PID
	StreamID uint8          // PES stream_id: 0xE0 video, 0xC0 audio
	Language string         // ISO 639-2, for an ISO_639_language_descriptor; "" for none
}

// Event is one event of an EIT.
type Event struct {
	ID       uint16               // event_id
	Start    time.Time            // start (UTC)
	Duration time.Duration        // duration
	Running  mpegts.RunningStatus // running_status
	Language string               // "" means "eng"
	Name     string               // in the short_event_descriptor
	Text     string               // in the short_event_descriptor
	// Genres, when given, go in a content_descriptor (0x54).
	Genres []mpegts.ContentGenre
}

func (p Program) pcrPID() uint16 {
	if p.PCRPID != 0 || len(p.Streams) == 0 {
		return p.PCRPID
	}
	return p.Streams[0].PID
}

func (p Program) serviceType() psi.ServiceType {
	if p.Type == 0 {
		return psi.DigitalTelevisionService
	}
	return p.Type
}

func sections(t psi.Table) [][]byte {
	out := make([][]byte, len(t))
	for i, s := range t {
		out[i] = append([]byte(nil), s[:s.Len()]...)
	}
	return out
}

// PATSection returns the PAT of the programs, built with ziutek/dvb's
// psi.PAT, as one or more sections.
func PATSection(tsid uint16, version int8, programs ...Program) [][]byte {
	var pat psi.PAT
	for _, p := range programs {
		pat.Append(p.Number, int16(p.PMTPID))
	}
	pat.Close(tsid, true, version)
	return sections(psi.Table(pat))
}

// newLongSection returns an empty long-form section for building by hand
// with psi.Section's Alloc.
func newLongSection(tableID byte, private bool) psi.Section {
	s := psi.MakeEmptySection(psi.SectionMaxLen, true)
	s.SetTableId(tableID)
	s.SetPrivateSyntax(private)
	return s
}

func closeSection(s psi.Section, ext uint16, version int8, num, last byte) []byte {
	s.SetTableIdExt(ext)
	s.SetVersion(version)
	s.SetCurrent(true)
	s.SetNumber(num)
	s.SetLastNumber(last)
	s.MakeCRC()
	return append([]byte(nil), s[:s.Len()]...)
}

// descriptor returns one descriptor's bytes.
func descriptor(tag psi.DescriptorTag, data []byte) []byte {
	return append([]byte{byte(tag), byte(len(data))}, data...)
}

func put12(b []byte, n int) { b[0], b[1] = 0xF0|byte(n>>8)&0x0F, byte(n) }

// PMTSection returns the PMT of p, built by hand on ziutek/dvb's
// psi.Section (its psi.PMT only reads).
func PMTSection(p Program, version int8) []byte {
	s := newLongSection(mpegts.TableIDPMT, false)
	head := s.Alloc(4, 0)
	pcr := p.pcrPID()
	head[0], head[1] = 0xE0|byte(pcr>>8), byte(pcr)
	put12(head[2:], 0)
	for _, es := range p.Streams {
		var ds []byte
		if es.Language != "" {
			ds = descriptor(psi.ISO639LangTag, append([]byte(es.Language[:3]), 0))
		}
		b := s.Alloc(5+len(ds), 0)
		b[0] = byte(es.Type)
		b[1], b[2] = 0xE0|byte(es.PID>>8), byte(es.PID)
		put12(b[3:], len(ds))
		copy(b[5:], ds)
	}
	return closeSection(s, p.Number, version, 0, 0)
}

// SDTSection returns the SDT (actual) of the programs, built with
// ziutek/dvb's psi.SDT and psi.MakeServiceDescriptor.
func SDTSection(tsid, onid uint16, version int8, programs ...Program) [][]byte {
	var sdt psi.SDT
	for _, p := range programs {
		si := psi.MakeServiceInfo()
		si.SetServiceId(p.Number)
		si.SetEITPresentFollowing(p.Present != nil || p.Following != nil)
		si.SetStatus(psi.Running)
		si.AppendDescriptors(psi.MakeServiceDescriptor(p.serviceType(), p.Provider, p.Name))
		sdt.Append(onid, si)
	}
	sdt.Close(tsid, true, true, version)
	return sections(psi.Table(sdt))
}

// NITSection returns the NIT (actual) of a network of one multiplex,
// built with ziutek/dvb's psi.NIT and its network name, service list and
// terrestrial delivery system descriptors.
func NITSection(nid, tsid, onid uint16, name string, freqHz int64, version int8, programs ...Program) [][]byte {
	var nit psi.NIT
	nit.AppendNetDescriptor(psi.MakeNetworkNameDescriptor(name))
	mi := psi.MakeMuxInfo()
	mi.SetMuxId(tsid)
	mi.SetOrgNetId(onid)
	var sl psi.ServiceListDescriptor
	for _, p := range programs {
		sl.Append(p.Number, p.serviceType())
	}
	tds := psi.TerrestrialDeliverySystemDescriptor{
		Freq:          freqHz,
		Bandwidth:     8e6,
		HighPrio:      true,
		Constellation: zdvb.QAM64,
		Hierarchy:     zdvb.HierarchyNone,
		CodeRateHP:    zdvb.FEC23,
		CodeRateLP:    zdvb.FEC12,
		Guard:         zdvb.Guard32,
		TxMode:        zdvb.TxMode8k,
	}
	mi.AppendDescriptor(sl.MakeDescriptor(), tds.MakeDescriptor())
	nit.AppendMuxInfo(mi)
	nit.Close(nid, true, true, version)
	return sections(psi.Table(nit))
}

// EITSection returns one section of an EIT of service sid (tableID 0x4E
// for present/following of this multiplex), built by hand: ziutek/dvb has
// no EIT. Each event carries a short_event_descriptor, and a
// content_descriptor when it has Genres.
func EITSection(tableID byte, sid, tsid, onid uint16, version int8, num, last byte, events ...Event) []byte {
	s := newLongSection(tableID, true)
	head := s.Alloc(6, 0)
	head[0], head[1] = byte(tsid>>8), byte(tsid)
	head[2], head[3] = byte(onid>>8), byte(onid)
	head[4], head[5] = last, tableID // segment_last_section_number, last_table_id
	for _, e := range events {
		lang := e.Language
		if lang == "" {
			lang = "eng"
		}
		name, text := psi.EncodeText(e.Name), psi.EncodeText(e.Text)
		se := append([]byte(lang[:3]), byte(len(name)))
		se = append(se, name...)
		se = append(se, byte(len(text)))
		se = append(se, text...)
		ds := descriptor(psi.ShortEventTag, se)
		if len(e.Genres) > 0 {
			var cd []byte
			for _, g := range e.Genres {
				cd = append(cd, g.Level1<<4|g.Level2&0x0F, g.User)
			}
			ds = append(ds, descriptor(psi.ContentTag, cd)...)
		}
		b := s.Alloc(12+len(ds), 0)
		b[0], b[1] = byte(e.ID>>8), byte(e.ID)
		start := mpegts.EncodeMJDUTC(e.Start)
		copy(b[2:7], start[:])
		dur := mpegts.EncodeBCDDuration(e.Duration)
		copy(b[7:10], dur[:])
		put12(b[10:], len(ds))
		b[10] = byte(e.Running)<<5 | b[10]&0x0F
		copy(b[12:], ds)
	}
	return closeSection(s, sid, version, num, last)
}

// TDTSection returns a TDT for t, built with ziutek/dvb's psi.MakeTDT.
func TDTSection(t time.Time) []byte {
	tdt := psi.MakeTDT()
	tdt.SetTime(t)
	s := psi.Section(tdt)
	return append([]byte(nil), s[:s.Len()]...)
}

// LocalOffset is one local time offset of a TOT.
type LocalOffset struct {
	Country      string        // ISO 3166 alpha-3
	Offset       time.Duration // local time minus UTC (not negative: see TOTSection)
	TimeOfChange time.Time     // when it changes
	NextOffset   time.Duration // the offset after
}

// TOTSection returns a TOT for t with the given local time offsets, built
// with ziutek/dvb's psi.MakeTOT. The offsets must not be negative:
// ziutek/dvb v0.1.5 cannot encode offsets west of Greenwich (it panics).
func TOTSection(t time.Time, offsets ...LocalOffset) []byte {
	tot := psi.MakeTOT(len(offsets))
	tot.SetTime(t)
	for i, o := range offsets {
		var lto psi.LocalTimeOffset
		copy(lto.Country[:], o.Country)
		lto.Offset = int(o.Offset / time.Second)
		lto.TimeOfChange = o.TimeOfChange
		lto.NextOffset = int(o.NextOffset / time.Second)
		tot.SetLTO(i, lto)
	}
	tot.MakeCRC()
	return append([]byte(nil), tot...)
}
