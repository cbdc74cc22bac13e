package dvbtest

import (
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/ziutek/dvb/ts/psi"
)

// StreamConfig describes a test multiplex for Stream.
type StreamConfig struct {
	TransportStreamID uint16    // of PAT, SDT, NIT and EIT
	OriginalNetworkID uint16    // of SDT, NIT and EIT
	NetworkID         uint16    // of the NIT
	NetworkName       string    // in the NIT's network_name_descriptor
	FrequencyHz       int64     // in the NIT's terrestrial delivery descriptor
	Programs          []Program // the services
	// Time is the time of the first TDT and TOT; each cycle adds a second.
	Time time.Time
	// LocalOffsets go in every TOT.
	LocalOffsets []LocalOffset
	// Cycles is how many times the tables and a burst of PES packets are
	// written (at least 1).
	Cycles int
	// PESPerCycle is how many PES packets each elementary stream gets per
	// cycle, and PESSize how many bytes of data each carries.
	PESPerCycle, PESSize int
	// Version is the version_number of every table.
	Version int8
}

// DefaultConfig returns a small multiplex of two television services, each
// with MPEG-2 video and MPEG audio, and a radio service: the kind of thing a
// DVB-T multiplex carries, at 505.833333 MHz as in the article.
func DefaultConfig() StreamConfig {
	t0 := time.Date(2024, time.May, 17, 18, 59, 50, 0, time.UTC)
	return StreamConfig{
		TransportStreamID: 0x1004,
		OriginalNetworkID: 0x233A,
		NetworkID:         0x3005,
		NetworkName:       "Kamaelia Test Network",
		FrequencyHz:       505_833_333,
		Time:              t0,
		LocalOffsets: []LocalOffset{{Country: "GBR", Offset: time.Hour,
			TimeOfChange: time.Date(2024, time.October, 27, 1, 0, 0, 0, time.UTC), NextOffset: 0}},
		Programs: []Program{
			{Number: 4164, PMTPID: 0x100, Name: "BBC ONE", Provider: "BBC",
				Streams:   []ES{{Type: psi.MPEG2Video, PID: 0x200, StreamID: 0xE0}, {Type: psi.MPEG1Audio, PID: 0x201, StreamID: 0xC0, Language: "eng"}},
				Present:   &Event{ID: 101, Start: t0.Add(-50 * time.Minute), Duration: time.Hour, Running: mpegts.StatusRunning, Name: "News", Text: "The news at six."},
				Following: &Event{ID: 102, Start: t0.Add(10 * time.Minute), Duration: 30 * time.Minute, Running: mpegts.StatusNotRunning, Name: "Weather", Text: "And now the weather."}},
			{Number: 4287, PMTPID: 0x110, Name: "BBC TWO", Provider: "BBC",
				Streams:   []ES{{Type: psi.MPEG2Video, PID: 0x210, StreamID: 0xE0}, {Type: psi.MPEG1Audio, PID: 0x211, StreamID: 0xC0, Language: "eng"}},
				Present:   &Event{ID: 201, Start: t0.Add(-20 * time.Minute), Duration: 45 * time.Minute, Running: mpegts.StatusRunning, Name: "Gardening", Text: "Roses."},
				Following: &Event{ID: 202, Start: t0.Add(25 * time.Minute), Duration: time.Hour, Running: mpegts.StatusNotRunning, Name: "Film", Text: "A film."}},
			{Number: 6720, PMTPID: 0x120, Name: "BBC R4", Provider: "BBC", Type: psi.DigitalRadioSoundService,
				Streams: []ES{{Type: psi.MPEG1Audio, PID: 0x220, StreamID: 0xC0, Language: "eng"}}},
		},
		Cycles:      4,
		PESPerCycle: 3,
		PESSize:     1000,
	}
}

// Tables appends one repetition of every table of c: PAT, the PMTs, SDT,
// NIT, the EIT present/following sections, TDT and TOT at t.
func (m *Mux) Tables(c StreamConfig, t time.Time) {
	m.Sections(mpegts.PIDPAT, PATSection(c.TransportStreamID, c.Version, c.Programs...)...)
	for _, p := range c.Programs {
		m.Sections(p.PMTPID, PMTSection(p, c.Version))
	}
	m.Sections(mpegts.PIDSDT, SDTSection(c.TransportStreamID, c.OriginalNetworkID, c.Version, c.Programs...)...)
	m.Sections(mpegts.PIDNIT, NITSection(c.NetworkID, c.TransportStreamID, c.OriginalNetworkID, c.NetworkName, c.FrequencyHz, c.Version, c.Programs...)...)
	var eits [][]byte
	for _, p := range c.Programs {
		if p.Present == nil && p.Following == nil {
			continue
		}
		for i, e := range []*Event{p.Present, p.Following} {
			var evs []Event
			if e != nil {
				evs = append(evs, *e)
			}
			eits = append(eits, EITSection(mpegts.TableIDEITActualPF, p.Number, c.TransportStreamID, c.OriginalNetworkID, c.Version, byte(i), 1, evs...))
		}
	}
	if len(eits) > 0 {
		m.Sections(mpegts.PIDEIT, eits...)
	}
	m.Sections(mpegts.PIDTDT, TDTSection(t), TOTSection(t, c.LocalOffsets...))
}

// Stream returns a whole test multiplex: c.Cycles repetitions of the tables
// followed by c.PESPerCycle PES packets of c.PESSize bytes on every
// elementary stream, the first stream of each program carrying its PCR.
// The PES data never contains the sync byte 0x47, so that a test that
// corrupts a sync byte knows exactly where the stream is found again.
func Stream(c StreamConfig) []byte {
	var m Mux
	cycles := max(c.Cycles, 1)
	pts := uint64(90000)
	for cyc := range cycles {
		m.Tables(c, c.Time.Add(time.Duration(cyc)*time.Second))
		for k := range c.PESPerCycle {
			for _, p := range c.Programs {
				for i, es := range p.Streams {
					var pcr *uint64
					if i == 0 {
						v := pts * 300
						pcr = &v
					}
					m.PES(es.PID, es.StreamID, pts, Payload(c.PESSize, cyc*c.PESPerCycle+k), pcr)
				}
			}
			pts += 3600 // 25 frames per second
		}
	}
	return m.Bytes()
}

// Payload returns n bytes of test data, different for each seed, that
// never contain the sync byte 0x47.
func Payload(n, seed int) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		v := byte(x)
		if v == mpegts.SyncByte {
			v = 0x48
		}
		b[i] = v
	}
	return b
}

// CountPIDs returns how many packets of each PID the aligned stream b
// holds, by a plain loop over it.
func CountPIDs(b []byte) map[uint16]int {
	n := map[uint16]int{}
	for i := 0; i+mpegts.PacketSize <= len(b); i += mpegts.PacketSize {
		n[uint16(b[i+1]&0x1F)<<8|uint16(b[i+2])]++
	}
	return n
}
