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
)

// eitChain plays stream through Multiplex, SectionReassembler,
// TableParser and NowNextServiceFilter(4164) into last (whose inbox of
// sections is in, and control ctl) and returns a Handle on last.
func eitChain(t *testing.T, stream []byte, last axon.Component, in *axon.Inbox[*mpegts.EIT], ctl *axon.Inbox[any]) *axon.Handle {
	t.Helper()
	s := axontest.NewScheduler(t)
	m := dvb.NewMultiplex(474, []uint16{mpegts.PIDEIT}, dvb.Params{}, dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), stream, 1000))
	r := dvb.NewSectionReassembler()
	p := dvb.NewTableParser()
	f := dvb.NewNowNextServiceFilter(4164)
	for _, l := range [][2]axon.Box{
		{m.Out, r.In}, {r.Out, p.In}, {p.Out, f.In}, {f.Out, in},
		{m.Signal(), r.Control()}, {r.Signal(), p.Control()}, {p.Signal(), f.Control()}, {f.Signal(), ctl},
	} {
		axon.MustLink(l[0], l[1])
	}
	h := axontest.NewHandle(t, s, last)
	s.Activate(m, r, p, f)
	return h
}

// TestProgrammeJunctionsTellsJunctionsFromAmendments runs the EIT chain
// of a recorder over a stream where Newsnight (event 1) gives way to The
// Film (event 2), whose description is then corrected: two junctions on
// outbox, one amendment on now_update, and nothing for the repeats or for
// the following event changing.
func TestProgrammeJunctionsTellsJunctionsFromAmendments(t *testing.T) {
	t0 := time.Date(2024, 5, 17, 22, 30, 0, 0, time.UTC)
	news := &dvbtest.Event{ID: 1, Start: t0, Duration: 45 * time.Minute, Running: mpegts.StatusRunning, Name: "Newsnight", Text: "News."}
	film := &dvbtest.Event{ID: 2, Start: t0.Add(45 * time.Minute), Duration: 2 * time.Hour, Name: "The Film", Text: "A film."}
	filmOn := *film
	filmOn.Running = mpegts.StatusRunning
	filmFixed := filmOn
	filmFixed.Text = "A film, with subtitles."
	late := &dvbtest.Event{ID: 3, Start: t0.Add(165 * time.Minute), Duration: time.Hour, Name: "Late"}
	stream := eitStream(
		[2]*dvbtest.Event{news, film},
		[2]*dvbtest.Event{news, film},
		[2]*dvbtest.Event{news, nil}, // the following event changes: no junction
		[2]*dvbtest.Event{&filmOn, late},
		[2]*dvbtest.Event{&filmOn, late},
		[2]*dvbtest.Event{&filmFixed, late}, // corrected: an amendment
		[2]*dvbtest.Event{&filmFixed, late},
		[2]*dvbtest.Event{nil, late}, // a gap: no junction
	)
	j := dvb.NewProgrammeJunctions()
	h := eitChain(t, stream, j, j.In, j.Control())
	junctions := collect[dvb.ProgrammeChange](t, h, "outbox")
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	require.Len(t, junctions, 2)
	require.Equal(t, dvb.Junction, junctions[0].Kind)
	require.Equal(t, "Newsnight", junctions[0].Now.Name)
	require.Nil(t, junctions[0].Previous)
	require.Equal(t, dvb.ServiceKey{OriginalNetworkID: 2, TransportStreamID: 1, ServiceID: 4164}, junctions[0].Service)
	require.Equal(t, [2]any{uint16(2), "The Film"}, [2]any{junctions[1].Now.EventID, junctions[1].Now.Name})
	require.Equal(t, uint16(1), junctions[1].Previous.EventID)

	got := collect[dvb.ProgrammeChange](t, h, "now_update")
	require.Len(t, got, 1)
	require.Equal(t, dvb.Amendment, got[0].Kind)
	require.Equal(t, "A film, with subtitles.", got[0].Now.Text)
	require.Equal(t, "A film.", got[0].Previous.Text)
	require.Equal(t, uint16(2), got[0].Now.EventID)
}

// TestJunctionDetectorRules checks the rule on its own: services are
// followed apart, only section 0 of present/following tables counts, and a
// descriptor change (a genre added) is an amendment.
func TestJunctionDetectorRules(t *testing.T) {
	var d dvb.JunctionDetector
	ev := func(id uint16, name string, ds ...mpegts.Descriptor) mpegts.Event {
		return mpegts.Event{EventID: id, Name: name, Descriptors: ds}
	}
	eit := func(table uint8, sid uint16, num uint8, evs ...mpegts.Event) *mpegts.EIT {
		return &mpegts.EIT{TableHeader: mpegts.TableHeader{TableID: table, Number: num}, ServiceID: sid, Events: evs}
	}
	kind := func(e *mpegts.EIT) string {
		ch, ok := d.Observe(e)
		if !ok {
			return "-"
		}
		return ch.Kind.String()
	}
	require.Equal(t, "junction", kind(eit(0x4E, 1, 0, ev(10, "A"))))
	require.Equal(t, "junction", kind(eit(0x4E, 2, 0, ev(10, "A"))), "another service")
	require.Equal(t, "-", kind(eit(0x4E, 1, 0, ev(10, "A"))))
	require.Equal(t, "-", kind(eit(0x4E, 1, 1, ev(11, "B"))), "the following event")
	require.Equal(t, "-", kind(eit(0x50, 1, 0, ev(12, "C"))), "a schedule table")
	require.Equal(t, "-", kind(eit(0x4E, 1, 0)), "no present event")
	require.Equal(t, "-", kind(nil))
	require.Equal(t, "amendment", kind(eit(0x4E, 1, 0, ev(10, "A", mpegts.Descriptor{Tag: mpegts.TagContent, Data: []byte{0x10, 0}}))))
	require.Equal(t, "-", kind(eit(0x4E, 1, 0, ev(10, "A", mpegts.Descriptor{Tag: mpegts.TagContent, Data: []byte{0x10, 0}}))))
	require.Equal(t, "junction", kind(eit(0x4F, 1, 0, ev(11, "B"))), "other transport stream tables count too")
	now, ok := d.Now(dvb.ServiceKey{ServiceID: 1})
	require.True(t, ok)
	require.Equal(t, "B", now.Name)
	_, ok = d.Now(dvb.ServiceKey{ServiceID: 9})
	require.False(t, ok)
	require.Equal(t, "change?", dvb.ChangeKind(0).String())
}

// FuzzJunctionDetector feeds EIT sections made of fuzzed bytes: no panic,
// and a section observed twice running never reports a second change.
func FuzzJunctionDetector(f *testing.F) {
	t0 := time.Date(2024, 5, 17, 22, 30, 0, 0, time.UTC)
	f.Add(dvbtest.EITSection(0x4E, 4164, 1, 2, 0, 0, 1, dvbtest.Event{ID: 1, Start: t0, Duration: time.Hour, Name: "A", Text: "B"}))
	f.Add(dvbtest.EITSection(0x4E, 4164, 1, 2, 0, 1, 1))
	f.Add([]byte{0x4E, 0xF0, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := mpegts.ParseSection(b)
		if err != nil {
			return
		}
		e, err := mpegts.ParseEIT(s)
		if err != nil {
			return
		}
		var d dvb.JunctionDetector
		first, changed := d.Observe(e)
		if changed && first.Kind != dvb.Junction {
			t.Fatalf("the first present event heard is a %s", first.Kind)
		}
		if _, again := d.Observe(e); again {
			t.Fatal("a repeated section reported a change")
		}
	})
}

// TestEITSectionCarriesGenres checks that dvbtest writes an event's genres
// as a content_descriptor that mpegts reads back.
func TestEITSectionCarriesGenres(t *testing.T) {
	g := []mpegts.ContentGenre{{Level1: 2, Level2: 0}, {Level1: 4, Level2: 3, User: 7}}
	sec, err := mpegts.ParseSection(dvbtest.EITSection(0x4E, 1, 2, 3, 0, 0, 1, dvbtest.Event{ID: 5, Name: "News", Genres: g}))
	require.NoError(t, err)
	e, err := mpegts.ParseEIT(sec)
	require.NoError(t, err)
	d, ok := e.Events[0].Descriptors.Find(mpegts.TagContent)
	require.True(t, ok)
	got, err := d.Content()
	require.NoError(t, err)
	require.Equal(t, g, got)
	require.Equal(t, "News", e.Events[0].Name)
}
