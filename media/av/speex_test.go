//go:build cgo

package av_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// speexRoundTrip encodes in with enc, muxes it into Ogg, has the ffmpeg
// CLI decode it, reads it back through the components and returns the
// packets, the sound decoded and the rate ffprobe reads from the stream.
func speexRoundTrip(t *testing.T, enc *av.Encoder, in []*frame.Audio) ([]*av.Packet, []*frame.Audio, string) {
	t.Helper()
	ps := encodeAudio(t, enc, in)
	path := muxFile(t, "speex.ogg", "", 1, ps)
	decodeWithCLI(t, path)
	probed := strings.TrimSpace(string(runTool(t, "ffprobe", "-v", "error", "-show_entries", "stream=codec_name,sample_rate", "-of", "csv=p=0", path)))
	_, _, audio, err := demux(t, av.NewFileDemuxer(path))
	require.NoError(t, err)
	_, as, err := decodePackets(t, av.NewPacketDecoder(), audio)
	require.NoError(t, err)
	return ps, as, probed
}

// Speex codes each band at the quality asked: narrowband (8 kHz),
// wideband (16 kHz) and ultra-wideband (32 kHz) keep a 1 kHz tone's
// frequency within 1% and its level within 2 dB at quality 3 and 8, the
// stream says its rate, and the better quality spends more bits.
func TestSpeexEncoderBandsAndQualities(t *testing.T) {
	for _, rate := range []int{av.SpeexNarrowband, av.SpeexWideband, av.SpeexUltraWideband} {
		bytes := map[int]int{}
		for _, q := range []int{3, 8} {
			t.Run(fmt.Sprintf("%dHz/q%d", rate, q), func(t *testing.T) {
				ps, as, probed := speexRoundTrip(t, speex(t, av.SpeexOptions{Quality: q}), sine(1000, rate, 1, 2))
				assert.Equal(t, fmt.Sprintf("speex,%d", rate), probed)
				hz, n := tone(as)
				assert.InDelta(t, 1000, hz, 10)
				assert.InDelta(t, 2*rate, n, float64(rate)/5)
				db := 20 * math.Log10(rms(as)/(0.5/math.Sqrt2))
				assert.InDelta(t, 0, db, 2, "level %.2f dB", db)
				bytes[q] = bytesOf(ps)
				t.Logf("%d Hz quality %d: %.1f Hz, %.2f dB, %d bytes", rate, q, hz, db, bytes[q])
			})
		}
		assert.Greater(t, bytes[8], bytes[3], "%d Hz: quality 8 spends more than quality 3", rate)
	}
}

// silenceThenTone is a second of silence and a second of a 1 kHz tone.
func silenceThenTone(rate int) []*frame.Audio {
	quiet := frame.NewS16(1, rate, make([]int16, rate))
	return append([]*frame.Audio{quiet}, sine(1000, rate, 1, 1)...)
}

// Voice activity detection spends next to nothing on silence and keeps
// the tone; so does discontinuous transmission, with less. Variable bit
// rate spends little on silence too, but it is for speech: on a pure tone
// it comes back low in pitch and level (see
// TestSpeechAndMusicCodecsKeepATone), so only its silence is checked.
func TestSpeexEncoderVADAndVBR(t *testing.T) {
	const rate = av.SpeexWideband
	sizes := map[string]int{}
	for _, c := range []struct {
		name string
		o    av.SpeexOptions
	}{
		{"cbr", av.SpeexOptions{Quality: 8}},
		{"vad", av.SpeexOptions{Quality: 8, VAD: true}},
		{"dtx", av.SpeexOptions{Quality: 8, VAD: true, DTX: true}},
		{"vbr", av.SpeexOptions{Quality: 8, VBR: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps, as, _ := speexRoundTrip(t, speex(t, c.o), silenceThenTone(rate))
			if !c.o.VBR {
				hz, _ := tone(as)
				assert.InDelta(t, 1000, hz, 10)
			}
			// The bytes spent on the silent second.
			for _, p := range ps {
				if p.PTS < int64(rate) {
					sizes[c.name] += len(p.Data)
				}
			}
			t.Logf("%s: %d bytes on a second of silence, %d in all", c.name, sizes[c.name], bytesOf(ps))
		})
	}
	assert.Less(t, sizes["vad"], sizes["cbr"]/2, "VAD codes silence in fewer bits")
	assert.Less(t, sizes["dtx"], sizes["vad"], "DTX sends less than VAD alone")
	assert.Less(t, sizes["vbr"], sizes["cbr"]/2, "VBR codes silence in fewer bits")
}

func TestSpeexEncoderRejectsBadSettingsAndRates(t *testing.T) {
	for o, want := range map[av.SpeexOptions]string{
		{Quality: 11}:                    "quality 11 (0 to 10)",
		{Quality: -1, VBR: true}:         "quality -1 (0 to 10)",
		{Quality: 3, FramesPerPacket: 9}: "9 frames a packet (1 to 8)",
		{Quality: 3, DTX: true}:          "DTX without VAD or VBR",
	} {
		_, err := av.NewSpeexEncoder(o)
		require.ErrorContains(t, err, want)
	}
	_, err := encode(t, speex(t, av.SpeexOptions{Quality: 3}), "audio", sine(1000, 44100, 1, 0.1)...)
	require.ErrorContains(t, err, "44100 Hz")
	require.ErrorContains(t, err, "resample")
}

func speex(t testing.TB, o av.SpeexOptions) *av.Encoder {
	t.Helper()
	e, err := av.NewSpeexEncoder(o)
	require.NoError(t, err)
	return e
}
