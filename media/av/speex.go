//go:build cgo

package av

import (
	"fmt"
	"strconv"
)

// Speex's bands, named by the rate of the sound that selects them: the
// Encoder of a SpeexEncoder codes sound at 8 kHz in narrowband mode, at
// 16 kHz in wideband mode and at 32 kHz in ultra-wideband mode (other
// rates are an error: resample with an AudioFilter first).
const (
	SpeexNarrowband    = 8000
	SpeexWideband      = 16000
	SpeexUltraWideband = 32000
)

// SpeexOptions are the settings of a Speex encoder (FFmpeg's libspeex).
type SpeexOptions struct {
	// Quality from 0 (fewest bits) to 10 (best): the constant-bit-rate
	// quality (8 kbit/s at narrowband quality 3, what the Whiteboard
	// sends), or with VBR the quality aimed at.
	Quality int
	// VBR codes at a variable bit rate for Quality. Speex then detects
	// voice activity whatever VAD says.
	VBR bool
	// VAD (voice activity detection) codes what is not speech with just
	// the bits that reproduce its background noise.
	VAD bool
	// DTX (discontinuous transmission) sends next to nothing while the
	// sound does not change; it needs VAD or VBR.
	DTX bool
	// FramesPerPacket is how many 20 ms frames go in a packet, 1 to 8;
	// 0 means 1.
	FramesPerPacket int
}

// NewSpeexEncoder returns an Encoder of "libspeex" with o's settings as
// its Options; the rate of the first sound it is given picks the band
// (SpeexNarrowband, SpeexWideband, SpeexUltraWideband), and another rate
// is an error on its signal. Settings out of range are an error here.
//
//	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: 3})
//	axon.MustLink(mic.Out, enc.Audio) // 8 kHz mono: narrowband, 8 kbit/s
func NewSpeexEncoder(o SpeexOptions) (*Encoder, error) {
	switch {
	case o.Quality < 0 || o.Quality > 10:
		return nil, fmt.Errorf("speex: quality %d (0 to 10)", o.Quality)
	case o.FramesPerPacket < 0 || o.FramesPerPacket > 8:
		return nil, fmt.Errorf("speex: %d frames a packet (1 to 8)", o.FramesPerPacket)
	case o.DTX && !o.VAD && !o.VBR:
		return nil, fmt.Errorf("speex: DTX without VAD or VBR")
	}
	e := NewEncoder("libspeex")
	opts := map[string]string{
		"vad": boolOption(o.VAD),
		"dtx": boolOption(o.DTX),
	}
	if o.FramesPerPacket != 0 {
		opts["frames_per_packet"] = strconv.Itoa(o.FramesPerPacket)
	}
	if o.VBR {
		// FFmpeg's -q:a, set here rather than through Encoder.Quality so
		// that quality 0 is quality 0 and not "unset".
		opts["flags"] = "+qscale"
		opts["global_quality"] = strconv.Itoa(o.Quality * qp2lambda)
	} else {
		opts["cbr_quality"] = strconv.Itoa(o.Quality)
	}
	e.Options = opts
	return e, nil
}

func boolOption(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
