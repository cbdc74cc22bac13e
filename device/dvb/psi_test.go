package dvb_test

import (
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"github.com/ziutek/dvb/ts/psi"
)

var psiRoutes = map[uint16][]string{0x00: {"psi"}, 0x10: {"psi"}, 0x11: {"psi"}, 0x12: {"psi"}, 0x14: {"psi"}, 0x100: {"psi"}, 0x110: {"psi"}, 0x120: {"psi"}}

// psiChain runs Multiplex -> Demuxer -> SectionReassembler -> TableParser
// over dev and returns the tables, the errors of both, and the components.
func psiChain(t *testing.T, dev dvb.Device, opts ...dvb.ParserOption) ([]mpegts.Table, []error, []error, *dvb.SectionReassembler, *dvb.TableParser) {
	t.Helper()
	s := axontest.NewScheduler(t)
	m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	d, err := dvb.NewDemuxer(psiRoutes)
	require.NoError(t, err)
	r := dvb.NewSectionReassembler()
	p := dvb.NewTableParser(opts...)
	axon.MustLink(m.Out, d.In)
	axon.MustLink(m.Signal(), d.Control())
	axon.MustLink(d.Stream("psi"), r.In)
	axon.MustLink(d.Signal(), r.Control())
	axon.MustLink(r.Out, p.In)
	axon.MustLink(r.Signal(), p.Control())
	hr, hp := axontest.NewHandle(t, s, r), axontest.NewHandle(t, s, p)
	s.Activate(m, d)
	tables := collect[mpegts.Table](t, hp, "outbox")
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, hp), "the chain stops from its head")
	return tables, collect[error](t, hr, "errors"), collect[error](t, hp, "errors"), r, p
}

func count[T mpegts.Table](tables []mpegts.Table) int {
	n := 0
	for _, t := range tables {
		if _, ok := t.(T); ok {
			n++
		}
	}
	return n
}

func TestPSIChainParsesEveryTable(t *testing.T) {
	cfg := dvbtest.DefaultConfig()
	stream := dvbtest.Stream(cfg)
	tables, rerrs, perrs, r, p := psiChain(t, dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), stream, 3000))
	require.Empty(t, rerrs)
	require.Empty(t, perrs)
	require.Len(t, tables, 48, "12 sections a cycle, 4 cycles")
	require.Equal(t, 4, count[*mpegts.PAT](tables))
	require.Equal(t, 12, count[*mpegts.PMT](tables))
	require.Equal(t, 4, count[*mpegts.SDT](tables))
	require.Equal(t, 4, count[*mpegts.NIT](tables))
	require.Equal(t, 16, count[*mpegts.EIT](tables))
	require.Equal(t, 4, count[*mpegts.TDT](tables))
	require.Equal(t, 4, count[*mpegts.TOT](tables))
	sdt := tables[4].(*mpegts.SDT)
	require.Equal(t, "BBC TWO", sdt.Services[1].Name)
	require.Equal(t, uint64(48), r.Stats().Sections)
	require.Equal(t, dvb.ParserStats{Sections: 48, Tables: 48}, p.Stats())
}

func TestTableParserChangesOnly(t *testing.T) {
	cfg := dvbtest.DefaultConfig()
	stream := dvbtest.Stream(cfg)
	tables, _, _, _, p := psiChain(t, dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), stream, 3000), dvb.WithChangesOnly())
	// The tables repeat unchanged; only TDT and TOT carry a new time each
	// cycle.
	require.Equal(t, 1, count[*mpegts.PAT](tables))
	require.Equal(t, 3, count[*mpegts.PMT](tables))
	require.Equal(t, 4, count[*mpegts.EIT](tables))
	require.Equal(t, 4, count[*mpegts.TDT](tables))
	require.Equal(t, 4, count[*mpegts.TOT](tables))
	require.Equal(t, dvb.ParserStats{Sections: 48, Tables: 1 + 3 + 1 + 1 + 4 + 4 + 4, Repeats: 48 - 18}, p.Stats())
}

func TestPSIChainReportsBadSections(t *testing.T) {
	cfg := dvbtest.DefaultConfig()
	var m dvbtest.Mux
	pat := dvbtest.PATSection(1, 0, cfg.Programs...)[0]
	badCRC := append([]byte(nil), pat...)
	badCRC[8] ^= 0x10
	m.SectionBytes(0x00, badCRC)
	m.SectionBytes(0x00, append([]byte{0x00, 0xB3, 0xFF}, make([]byte, 300)...)) // longer than a PAT may be
	m.SectionBytes(0x00, pat)
	// A PMT whose body does not parse, with a good CRC.
	m.SectionBytes(0x100, mpegts.AppendCRC32([]byte{0x02, 0xB0, 0x0A, 0, 1, 0xC1, 0, 0, 0xE1}))
	// A table this parser does not know, and one not yet in force.
	m.SectionBytes(0x00, mpegts.AppendCRC32([]byte{0x01, 0xB0, 0x09, 0, 1, 0xC1, 0, 0}))
	notYet := mpegts.AppendCRC32([]byte{0x00, 0xB0, 0x09, 0, 1, 0xC2, 0, 0})
	m.SectionBytes(0x00, notYet)
	tables, rerrs, perrs, r, p := psiChain(t, dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), m.Bytes(), 0))
	require.Len(t, tables, 1)
	require.IsType(t, &mpegts.PAT{}, tables[0])
	require.Len(t, rerrs, 2)
	require.ErrorIs(t, rerrs[0], mpegts.ErrCRC)
	require.ErrorContains(t, rerrs[0], "PID 0x0000")
	require.ErrorIs(t, rerrs[1], mpegts.ErrSectionTooLong)
	require.Len(t, perrs, 1)
	require.ErrorIs(t, perrs[0], mpegts.ErrSectionSyntax)
	require.Equal(t, uint64(1), r.Stats().CRCErrors)
	require.Equal(t, uint64(1), r.Stats().TooLong)
	require.Equal(t, dvb.ParserStats{Sections: 4, Tables: 1, NotCurrent: 1, Unknown: 1, Errors: 1}, p.Stats())
}

// eitStream returns cycles of EIT present/following sections for service
// 4164 (and 4287, which the filter drops), each cycle with the events
// given.
func eitStream(cycles ...[2]*dvbtest.Event) []byte {
	var m dvbtest.Mux
	for _, c := range cycles {
		for _, sid := range []uint16{4164, 4287} {
			var secs [][]byte
			for num, e := range c {
				var evs []dvbtest.Event
				if e != nil {
					evs = append(evs, *e)
				}
				secs = append(secs, dvbtest.EITSection(0x4E, sid, 1, 2, 0, byte(num), 1, evs...))
			}
			m.Sections(mpegts.PIDEIT, secs...)
		}
	}
	return m.Bytes()
}

func TestNowNextChangesFollowsTheProgrammes(t *testing.T) {
	t0 := time.Date(2024, 5, 17, 18, 0, 0, 0, time.UTC)
	news := &dvbtest.Event{ID: 1, Start: t0, Duration: time.Hour, Running: mpegts.StatusRunning, Name: "News"}
	weather := &dvbtest.Event{ID: 2, Start: t0.Add(time.Hour), Duration: 10 * time.Minute, Name: "Weather"}
	weatherOn := *weather
	weatherOn.Running = mpegts.StatusRunning
	film := &dvbtest.Event{ID: 3, Start: t0.Add(70 * time.Minute), Duration: 2 * time.Hour, Name: "Film"}
	stream := eitStream(
		[2]*dvbtest.Event{news, weather},
		[2]*dvbtest.Event{news, weather}, // a repeat: no change
		[2]*dvbtest.Event{news, weather},
		[2]*dvbtest.Event{&weatherOn, film}, // the weather starts
		[2]*dvbtest.Event{&weatherOn, nil},  // nothing following announced
		[2]*dvbtest.Event{&weatherOn, nil},
	)
	c := dvb.NewNowNextChanges()
	h := eitChain(t, stream, c, c.In, c.Control())
	changes := collect[dvb.NowNext](t, h, "outbox")
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))

	type nn struct{ now, next string }
	name := func(e *mpegts.Event) string {
		if e == nil {
			return "-"
		}
		return e.Name + "/" + e.RunningStatus.String()
	}
	var got []nn
	for _, ch := range changes {
		require.Equal(t, dvb.ServiceKey{OriginalNetworkID: 2, TransportStreamID: 1, ServiceID: 4164}, ch.Service)
		got = append(got, nn{name(ch.Now), name(ch.Next)})
	}
	require.Equal(t, []nn{
		{"News/running", "-"},
		{"News/running", "Weather/undefined"},
		{"Weather/running", "Weather/undefined"},
		{"Weather/running", "Film/undefined"},
		{"Weather/running", "-"},
	}, got)
}

func TestNowNextServiceFilterWithoutServicesPassesAll(t *testing.T) {
	f := dvb.NewNowNextServiceFilter()
	h := axontest.NewHandle(t, axontest.NewScheduler(t), f)
	ctx := axontest.Context(t)
	eit := func(tid uint8, sid uint16) *mpegts.EIT {
		return &mpegts.EIT{TableHeader: mpegts.TableHeader{TableID: tid}, ServiceID: sid}
	}
	for _, tb := range []mpegts.Table{eit(0x4E, 1), &mpegts.PAT{}, eit(0x50, 2), eit(0x4F, 3), (*mpegts.EIT)(nil)} {
		require.NoError(t, h.Put(ctx, "inbox", tb))
	}
	require.NoError(t, h.Finish(ctx))
	var sids []uint16
	for _, e := range collect[*mpegts.EIT](t, h, "outbox") {
		sids = append(sids, e.ServiceID)
	}
	require.Equal(t, []uint16{1, 3}, sids, "present/following only, of this and other multiplexes")
}

func TestPacketizerAlignsBytesFromAnySource(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	in := append([]byte{0xAB, 0xCD}, stream...)
	in = in[:len(in)-10]
	p := dvb.NewPacketizer()
	h := axontest.NewHandle(t, axontest.NewScheduler(t), p)
	ctx := axontest.Context(t)
	for off, n := 0, 1; off < len(in); off, n = off+n, n*2%1499+1 {
		require.NoError(t, h.Put(ctx, "inbox", append([]byte(nil), in[off:min(off+n, len(in))]...)))
	}
	require.NoError(t, h.Finish(ctx))
	requireBytes(t, stream[:len(stream)-188], joinPackets(t, collect[mpegts.Packets](t, h, "outbox")))
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	require.Equal(t, mpegts.AlignStats{Packets: uint64(len(stream)/188 - 1), SkippedBytes: 2, TruncatedBytes: 178}, p.Stats())
}

func TestE2EFileThroughTheWholeChain(t *testing.T) {
	// A recorded multiplex, played by FileDevice: what the article's
	// server does when no adapter exists.
	cfg := dvbtest.DefaultConfig()
	path := writeTS(t, dvbtest.Stream(cfg))
	tables, rerrs, perrs, _, _ := psiChain(t, dvb.FileDevice(path), dvb.WithChangesOnly())
	require.Empty(t, rerrs)
	require.Empty(t, perrs)
	var pmts []*mpegts.PMT
	for _, tb := range tables {
		if pmt, ok := tb.(*mpegts.PMT); ok {
			pmts = append(pmts, pmt)
		}
	}
	require.Len(t, pmts, 3)
	require.Equal(t, psi.MPEG2Video, pmts[0].Streams[0].Type)
	require.Equal(t, uint16(0x220), pmts[2].Streams[0].PID)
}
