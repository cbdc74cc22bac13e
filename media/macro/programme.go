//go:build cgo

package macro

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// Programme is one programme of one service as the capture step recorded
// it: where its raw transport stream is and what the EIT said of it. It is
// what the capture step hands to the transcode step (as JSON too, to a
// transcoder in another process: it survives encoding/json unchanged),
// and what the metadata file of a finished recording holds (with its
// files added, as a Recording).
type Programme struct {
	// Service is the service_id; Channel and Provider are its names in
	// the SDT ("" if no SDT named it before the capture ended).
	Service  uint16 `json:"service"`
	Channel  string `json:"channel"`
	Provider string `json:"provider,omitempty"`
	// Radio says the service has no video stream.
	Radio bool `json:"radio,omitempty"`
	// EventID is the EIT event_id; Pre says the recording holds what came
	// before the service's first present event (EventID is then 0).
	EventID uint16 `json:"event_id"`
	Pre     bool   `json:"pre,omitempty"`
	// Name and Description are from the event's short_event_descriptor,
	// as last broadcast (an amendment updates them).
	Name        string `json:"name"`
	Description string `json:"description"`
	// Genres are the content_descriptor's (0x54) classifications.
	Genres []Genre `json:"genres,omitempty"`
	// Start and Duration are the event's, from the EIT.
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration"`
	// CutShort says the capture ended before the programme did (the input
	// ended or the recorder was told to finish), not at a junction.
	CutShort bool `json:"cut_short"`
	// Captured is the wall-clock time the capture of this programme began.
	Captured time.Time `json:"captured"`
	// Path is the raw capture, an absolute path: a transport stream of
	// the service alone (its PAT, PMT and elementary streams).
	Path string `json:"capture,omitempty"`
	// Packets and Bytes count the capture's elementary stream packets and
	// all its bytes.
	Packets int64 `json:"packets"`
	Bytes   int64 `json:"bytes"`
	// FirstPTS is the earliest PTS (90 kHz) of the capture's elementary
	// streams, 0 if none: the transcode counts the recording's time from
	// it, so that each file starts at 0.
	FirstPTS int64 `json:"first_pts,omitempty"`
}

// Genre is one classification of an event's content descriptor
// (EN 300 468 table 29).
type Genre struct {
	Level1 uint8  `json:"level1"` // content_nibble_level_1: 1 drama, 2 news, 4 sport...
	Level2 uint8  `json:"level2"` // content_nibble_level_2
	Name   string `json:"name"`   // the level 1 name: "news/current affairs"
}

// genreNames are the content_nibble_level_1 names of EN 300 468 table 29.
var genreNames = [16]string{
	0x1: "movie/drama", 0x2: "news/current affairs", 0x3: "show/game show", 0x4: "sports",
	0x5: "children's/youth", 0x6: "music/ballet/dance", 0x7: "arts/culture", 0x8: "social/political/economics",
	0x9: "education/science/factual", 0xA: "leisure hobbies", 0xB: "special characteristics",
}

// GenreName returns the name of a content_nibble_level_1, "" if it has none.
func GenreName(level1 uint8) string { return genreNames[level1&0x0F] }

func genresOf(ev mpegts.Event) []Genre {
	var out []Genre
	for _, d := range ev.Descriptors {
		if d.Tag != mpegts.TagContent {
			continue
		}
		gs, err := d.Content()
		if err != nil {
			continue // a malformed content descriptor: no genres, the rest of the event stands
		}
		for _, g := range gs {
			out = append(out, Genre{Level1: g.Level1, Level2: g.Level2, Name: GenreName(g.Level1)})
		}
	}
	return out
}

// ID returns the name a programme's files share:
// channel.YYYYMMDDThhmm-eventid ("bbc-two.20240517T2230-1"), the channel
// name in lower case with dashes; a service with no name is "service4228";
// a pre recording is channel.pre-YYYYMMDDThhmmss of its capture.
func (p Programme) ID() string {
	ch := Slug(p.Channel)
	if ch == "" {
		ch = fmt.Sprintf("service%d", p.Service)
	}
	if p.Pre {
		return fmt.Sprintf("%s.pre-%s", ch, p.Captured.UTC().Format("20060102T150405"))
	}
	return fmt.Sprintf("%s.%s-%d", ch, p.Start.UTC().Format("20060102T1504"), p.EventID)
}

// Slug returns s in lower case, letters and digits kept, runs of anything
// else made one dash: "BBC TWO" is "bbc-two". It names channels in paths
// and URLs.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) && r < 0x80 || unicode.IsDigit(r) && r < 0x80 {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
