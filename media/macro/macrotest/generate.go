// Package macrotest generates transport streams for testing and showing
// the recorder of package macro: a multiplex of television and radio
// services whose pictures and sound FFmpeg can decode (a moving test card
// and a tone, encoded by the ffmpeg command as MPEG-2 video and MPEG audio
// Layer II, as DVB-T broadcasts them), with the PAT, PMTs, SDT, TDT and
// EIT present/following tables that package dvbtest builds, the present
// event of each service changing at the times a Config gives: programme
// junctions and amendments where a test wants them.
//
// It needs the ffmpeg command on PATH.
package macrotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/ziutek/dvb/ts/psi"
)

// Programme is one programme of a generated service.
type Programme struct {
	ID       uint16                // event_id
	Name     string                // in the short_event_descriptor
	Text     string                // in the short_event_descriptor
	Genres   []mpegts.ContentGenre // in a content_descriptor, if any
	At       time.Duration         // when in the stream it starts (the first at 0)
	Duration time.Duration         // the duration the EIT announces
	// AmendAt, when not zero, is when in the stream the EIT starts to
	// carry AmendedText instead of Text for this programme (same event_id:
	// an amendment, no junction).
	AmendAt     time.Duration
	AmendedText string
}

// Service is one service of a generated multiplex.
type Service struct {
	ID       uint16 // service_id
	Name     string // in the SDT
	Provider string // in the SDT
	// PMTPID is the PID of its PMT. Its streams are on BasePID (video,
	// absent for a radio service) and the PID after it (audio); a radio
	// service has its audio on BasePID.
	PMTPID, BasePID uint16
	Radio           bool // audio only
	// Programmes follow each other; the first starts at 0.
	Programmes []Programme
}

// VideoPID returns the service's video PID, 0 for radio.
func (s Service) VideoPID() uint16 {
	if s.Radio {
		return 0
	}
	return s.BasePID
}

// AudioPID returns the service's audio PID.
func (s Service) AudioPID() uint16 {
	if s.Radio {
		return s.BasePID
	}
	return s.BasePID + 1
}

// Config describes a generated multiplex.
type Config struct {
	TransportStreamID, OriginalNetworkID uint16
	Services                             []Service
	// Duration is the length of the stream.
	Duration time.Duration
	// Width and Height are the pictures' size (320x240 unless set);
	// VideoBitRate is the MPEG-2 video's (1 Mbit/s unless set).
	Width, Height int
	VideoBitRate  int
	// TablesEvery is the stream time between two repetitions of the
	// tables (200 ms unless set): how soon after its time a junction is
	// broadcast.
	TablesEvery time.Duration
	// Start is the broadcast time of the stream's beginning, for the TDT
	// and the EIT (2024-05-17 22:00 UTC unless set).
	Start time.Time
	// EITFrom, when not zero, holds back the EIT until that stream time:
	// the services' first packets come before any present event.
	EITFrom time.Duration
}

// Mark is where in a generated stream a service's present event changed.
type Mark struct {
	Service uint16
	EventID uint16
	Text    string
	// Packet is the index of the first packet of the EIT section that
	// first carries the change; At is its stream time.
	Packet int
	At     time.Duration
}

// Stream is a generated multiplex.
type Stream struct {
	Bytes []byte
	// Junctions are the changes of present event_id, Amendments the
	// changes of text with the same event_id, in stream order.
	Junctions, Amendments []Mark
}

// TwoChannels returns a Config of two television services that split at
// different times, the example of the recorder's documentation: BBC TWO
// (4228, video 610 and audio 611 as in Macro) with Newsnight then The Film,
// whose description is corrected later, and BBC FOUR with Gardening then
// Quiz.
func TwoChannels(d time.Duration) Config {
	return Config{
		TransportStreamID: 0x1004, OriginalNetworkID: 0x233A, Duration: d,
		Services: []Service{
			{ID: 4228, Name: "BBC TWO", Provider: "BBC", PMTPID: 0x100, BasePID: 610, Programmes: []Programme{
				{ID: 1, Name: "Newsnight", Text: "The day's news.", Genres: []mpegts.ContentGenre{{Level1: 2}}, Duration: d * 4 / 10},
				{ID: 2, Name: "The Film", Text: "A film.", Genres: []mpegts.ContentGenre{{Level1: 1, Level2: 5}}, At: d * 4 / 10, Duration: d * 6 / 10,
					AmendAt: d * 7 / 10, AmendedText: "A film, with subtitles."},
			}},
			{ID: 4351, Name: "BBC FOUR", Provider: "BBC", PMTPID: 0x110, BasePID: 620, Programmes: []Programme{
				{ID: 11, Name: "Gardening", Text: "Roses.", Genres: []mpegts.ContentGenre{{Level1: 0xA, Level2: 4}}, Duration: d * 6 / 10},
				{ID: 12, Name: "Quiz", Text: "Questions.", Genres: []mpegts.ContentGenre{{Level1: 3, Level2: 1}}, At: d * 6 / 10, Duration: d * 4 / 10},
			}},
		},
	}
}

func (c *Config) defaults() {
	if c.Width == 0 {
		c.Width, c.Height = 320, 240
	}
	if c.VideoBitRate == 0 {
		c.VideoBitRate = 1_000_000
	}
	if c.TablesEvery == 0 {
		c.TablesEvery = 200 * time.Millisecond
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2024, time.May, 17, 22, 0, 0, 0, time.UTC)
	}
}

// timed is one elementary stream packet with its stream time.
type timed struct {
	at  time.Duration
	pkt []byte
}

// Generate makes the multiplex c describes: it runs ffmpeg once a service
// for its pictures and sound, then interleaves their packets in time order
// with the tables.
func Generate(ctx context.Context, c Config) (*Stream, error) {
	c.defaults()
	if len(c.Services) == 0 || c.Duration <= 0 {
		return nil, errors.New("macrotest: no services or no duration")
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, fmt.Errorf("macrotest: %w", err)
	}
	queues := make([][]timed, len(c.Services))
	for i, s := range c.Services {
		if len(s.Programmes) == 0 || s.Programmes[0].At != 0 {
			return nil, fmt.Errorf("macrotest: service %d: the first programme must start at 0", s.ID)
		}
		args := []string{"-hide_banner", "-loglevel", "error", "-nostdin"}
		if !s.Radio {
			args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("testsrc=size=%dx%d:rate=25", c.Width, c.Height))
		}
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:sample_rate=48000", 400+100*i),
			"-t", strconv.FormatFloat(c.Duration.Seconds(), 'f', 3, 64))
		if !s.Radio {
			// Noise makes the pictures as hard to compress as television,
			// so that encoders reach their bit rates.
			args = append(args, "-vf", "noise=alls=8:allf=t", "-c:v", "mpeg2video", "-b:v", strconv.Itoa(c.VideoBitRate), "-g", "12")
		}
		args = append(args, "-c:a", "mp2", "-b:a", "128k", "-ac", "2",
			"-mpegts_start_pid", strconv.Itoa(int(s.BasePID)), "-f", "mpegts", "pipe:1")
		cmd := exec.CommandContext(ctx, ffmpeg, args...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("macrotest: ffmpeg for service %d: %v: %s", s.ID, err, errb.Bytes())
		}
		queues[i], err = elementary(out.Bytes(), s)
		if err != nil {
			return nil, fmt.Errorf("macrotest: service %d: %w", s.ID, err)
		}
	}

	st := &Stream{}
	var m dvbtest.Mux
	present := make([]*dvbtest.Event, len(c.Services)) // each service's present event, as last broadcast
	pos := make([]int, len(c.Services))
	nextTables := time.Duration(0)
	for {
		// The next packet in time over all services.
		best := -1
		for i, q := range queues {
			if pos[i] < len(q) && (best < 0 || q[pos[i]].at < queues[best][pos[best]].at) {
				best = i
			}
		}
		now := c.Duration
		if best >= 0 {
			now = queues[best][pos[best]].at
		}
		for nextTables <= now && nextTables < c.Duration {
			c.tables(&m, st, nextTables, present)
			nextTables += c.TablesEvery
		}
		if best < 0 {
			break
		}
		m.Raw(queues[best][pos[best]].pkt)
		pos[best]++
	}
	st.Bytes = m.Bytes()
	return st, nil
}

// elementary returns the elementary stream packets of ffmpeg's stream b,
// each with a time from the PCR (or the PTS) seen last, from 0.
func elementary(b []byte, s Service) ([]timed, error) {
	ps, err := mpegts.ParsePackets(b)
	if err != nil {
		return nil, err
	}
	var out []timed
	var first, last int64 = -1, 0 // 90 kHz
	for _, p := range ps.All() {
		pid := p.PID()
		if pid != s.VideoPID() && pid != s.AudioPID() || pid == 0 {
			continue
		}
		if af, err := mpegts.ParseAdaptationField(p); err == nil && af.HasPCR {
			last = int64(af.PCR / 300)
		} else if p.PayloadUnitStart() && pid == s.AudioPID() && s.Radio {
			if pl, err := p.Payload(); err == nil {
				if h, err := mpegts.ParsePESHeader(pl); err == nil && h.HasPTS {
					last = int64(h.PTS)
				}
			}
		}
		if first < 0 && last != 0 {
			first = last
		}
		at := time.Duration(0)
		if first >= 0 {
			at = time.Duration(max(last-first, 0)) * time.Second / 90000
		}
		out = append(out, timed{at, append([]byte(nil), p...)})
	}
	if len(out) == 0 {
		return nil, errors.New("ffmpeg wrote no packets on the service's PIDs")
	}
	// ffmpeg writes in time order already; keep it stable where PCRs tie.
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out, nil
}

// programmeAt returns the index of the programme of s on air at t.
func programmeAt(s Service, t time.Duration) int {
	k := 0
	for i, p := range s.Programmes {
		if p.At <= t {
			k = i
		}
	}
	return k
}

// tables writes one repetition of the tables at stream time t and notes
// the changes of present event.
func (c *Config) tables(m *dvbtest.Mux, st *Stream, t time.Duration, present []*dvbtest.Event) {
	progs := make([]dvbtest.Program, len(c.Services))
	for i, s := range c.Services {
		p := dvbtest.Program{Number: s.ID, PMTPID: s.PMTPID, Name: s.Name, Provider: s.Provider}
		if s.Radio {
			p.Type = psi.DigitalRadioSoundService
		} else {
			p.Streams = append(p.Streams, dvbtest.ES{Type: psi.MPEG2Video, PID: s.VideoPID(), StreamID: 0xE0})
		}
		p.Streams = append(p.Streams, dvbtest.ES{Type: psi.MPEG1Audio, PID: s.AudioPID(), StreamID: 0xC0, Language: "eng"})
		progs[i] = p
	}
	m.Sections(mpegts.PIDPAT, dvbtest.PATSection(c.TransportStreamID, 0, progs...)...)
	for _, p := range progs {
		m.Sections(p.PMTPID, dvbtest.PMTSection(p, 0))
	}
	m.Sections(mpegts.PIDSDT, dvbtest.SDTSection(c.TransportStreamID, c.OriginalNetworkID, 0, progs...)...)
	if t >= c.EITFrom {
		for i, s := range c.Services {
			k := programmeAt(s, t)
			now := c.event(s.Programmes[k], t, mpegts.StatusRunning)
			secs := [][]byte{dvbtest.EITSection(mpegts.TableIDEITActualPF, s.ID, c.TransportStreamID, c.OriginalNetworkID, 0, 0, 1, now)}
			var next []dvbtest.Event
			if k+1 < len(s.Programmes) {
				next = append(next, c.event(s.Programmes[k+1], t, mpegts.StatusNotRunning))
			}
			secs = append(secs, dvbtest.EITSection(mpegts.TableIDEITActualPF, s.ID, c.TransportStreamID, c.OriginalNetworkID, 0, 1, 1, next...))
			if was := present[i]; was == nil || was.ID != now.ID || was.Text != now.Text {
				mark := Mark{Service: s.ID, EventID: now.ID, Text: now.Text, Packet: m.Packets(), At: t}
				if was == nil || was.ID != now.ID {
					st.Junctions = append(st.Junctions, mark)
				} else {
					st.Amendments = append(st.Amendments, mark)
				}
				present[i] = &now
			}
			m.Sections(mpegts.PIDEIT, secs...)
		}
	}
	m.Sections(mpegts.PIDTDT, dvbtest.TDTSection(c.Start.Add(t).Truncate(time.Second)))
}

func (c *Config) event(p Programme, t time.Duration, running mpegts.RunningStatus) dvbtest.Event {
	text := p.Text
	if p.AmendAt != 0 && t >= p.AmendAt {
		text = p.AmendedText
	}
	return dvbtest.Event{ID: p.ID, Start: c.Start.Add(p.At).Truncate(time.Second), Duration: p.Duration.Truncate(time.Second),
		Running: running, Name: p.Name, Text: text, Genres: p.Genres}
}
