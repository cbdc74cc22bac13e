//go:build cgo

package macro

import (
	"fmt"
	"maps"
	"strings"

	"github.com/kamaelia-go/kamaelia/media/av"
)

// Profile is one way of encoding a programme: Macro's LO and HI (H.264 and
// AAC in MP4 at 200 and 512 kbit/s, 320 and 640 pixels wide), MP3 for
// radio, or the broadcast MPEG audio kept as it is.
type Profile struct {
	// Name names the profile in file names and feeds ("LO").
	Name string
	// Ext is the files' extension ("mp4"); Format is FFmpeg's container
	// name ("" guesses it from Ext); MIME is the enclosures' type.
	Ext, Format, MIME string
	// Video and Audio say how to encode the programme's first video and
	// audio streams (see av.StreamSpec); a nil Video makes sound alone,
	// and a radio programme (no video) gets Audio alone whatever Video is.
	Video, Audio *av.StreamSpec
	// Copy keeps the first audio stream as broadcast, packets copied
	// without decoding (MPEG audio Layer II in an .mp2 file); Video and
	// Audio are then ignored.
	Copy bool
}

// LO is Macro's low profile: H.264 at 200 kbit/s, 320 pixels wide (the
// height keeps the aspect, even), AAC at 64 kbit/s, in MP4.
func LO() Profile {
	return Profile{Name: "LO", Ext: "mp4", MIME: "video/mp4",
		Video: &av.StreamSpec{Codec: "libx264", Filter: "scale=320:-2", BitRate: 200_000, GOP: 50,
			Options: map[string]string{"preset": "veryfast"}},
		Audio: &av.StreamSpec{Codec: "aac", BitRate: 64_000}}
}

// HI is Macro's high profile: H.264 at 512 kbit/s, 640 pixels wide, AAC at
// 96 kbit/s, in MP4.
func HI() Profile {
	return Profile{Name: "HI", Ext: "mp4", MIME: "video/mp4",
		Video: &av.StreamSpec{Codec: "libx264", Filter: "scale=640:-2", BitRate: 512_000, GOP: 50,
			Options: map[string]string{"preset": "veryfast"}},
		Audio: &av.StreamSpec{Codec: "aac", BitRate: 96_000}}
}

// MP3 is the radio profile: the sound alone, MP3 (libmp3lame) at 128
// kbit/s.
func MP3() Profile {
	return Profile{Name: "MP3", Ext: "mp3", MIME: "audio/mpeg",
		Audio: &av.StreamSpec{Codec: "libmp3lame", BitRate: 128_000}}
}

// MP2 keeps the broadcast MPEG audio as it is, in an .mp2 file: no
// decoding, no loss, the cheapest way to record radio.
func MP2() Profile {
	return Profile{Name: "MP2", Ext: "mp2", Format: "mp2", MIME: "audio/mpeg", Copy: true}
}

// Profiles returns the named profiles of a comma-separated list of LO, HI,
// MP3 and MP2 ("LO,HI"), in order; an unknown or repeated name is an
// error.
func Profiles(list string) ([]Profile, error) {
	known := map[string]func() Profile{"LO": LO, "HI": HI, "MP3": MP3, "MP2": MP2}
	var out []Profile
	seen := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.ToUpper(strings.TrimSpace(n))
		mk := known[n]
		if mk == nil {
			return nil, fmt.Errorf("macro: unknown profile %q (have LO, HI, MP3, MP2)", n)
		}
		if seen[n] {
			return nil, fmt.Errorf("macro: profile %s given twice", n)
		}
		seen[n] = true
		out = append(out, mk())
	}
	return out, nil
}

// forProgramme returns the profile as it applies to p: sound alone for a
// radio programme.
func (pr Profile) forProgramme(p Programme) Profile {
	if !p.Radio || pr.Video == nil || pr.Copy {
		return pr
	}
	pr.Video = nil
	if pr.Ext == "mp4" {
		pr.Ext, pr.MIME = "m4a", "audio/mp4"
	}
	return pr
}

func cloneSpec(s *av.StreamSpec) *av.StreamSpec {
	if s == nil {
		return nil
	}
	c := *s
	c.Options = maps.Clone(s.Options)
	return &c
}
