//go:build cgo

package av_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/ogg"
	"github.com/stretchr/testify/require"
)

// sine returns seconds of a sine at freq Hz, in buffers of 4410 samples.
func sine(freq float64, rate, channels int, seconds float64) []*frame.Audio {
	total := int(seconds * float64(rate))
	var out []*frame.Audio
	for start := 0; start < total; start += 4410 {
		n := min(4410, total-start)
		s := make([]int16, 0, n*channels)
		for i := range n {
			v := int16(0.5 * 32767 * math.Sin(2*math.Pi*freq*float64(start+i)/float64(rate)))
			for range channels {
				s = append(s, v)
			}
		}
		out = append(out, frame.NewS16(channels, rate, s))
	}
	return out
}

// frequency estimates the frequency of channel 0 by counting zero
// crossings.
func frequency(bufs []*frame.Audio) (hz float64, samples int) {
	var prev float32
	crossings := 0
	for _, b := range bufs {
		fs := b.Float32s()
		for i := 0; i < len(fs); i += b.Channels {
			if (prev < 0) != (fs[i] < 0) {
				crossings++
			}
			prev = fs[i]
			samples++
		}
	}
	return float64(crossings) / 2 / (float64(samples) / float64(bufs[0].Rate)), samples
}

func encodeVorbis(t testing.TB, in []*frame.Audio) []byte {
	t.Helper()
	res := collect[*frame.Audio, []byte](t, av.NewVorbisEncode(), in...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	return bytes.Join(res.Outputs, nil)
}

func TestVorbisRoundTrip(t *testing.T) {
	const rate = 44100
	stream := encodeVorbis(t, sine(440, rate, 2, 1))
	res := collect[[]byte, *frame.Audio](t, av.NewVorbisDecode(), chunks(stream, 2000, 1)...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	require.NotEmpty(t, res.Outputs)
	require.Equal(t, frame.F32P, res.Outputs[0].Format)
	require.Equal(t, 2, res.Outputs[0].Channels)
	require.Equal(t, rate, res.Outputs[0].Rate)
	hz, n := frequency(res.Outputs)
	require.Equal(t, rate, n, "samples decoded")
	require.InDelta(t, 440, hz, 5)

	// The CLI reads our Ogg stream too, to the same length.
	path := writeTemp(t, "sine.ogg", stream)
	out := runTool(t, "ffprobe", "-v", "error", "-count_packets", "-show_entries",
		"stream=codec_name,sample_rate,channels", "-of", "csv=p=0", path)
	require.Equal(t, "vorbis,44100,2", strings.TrimSpace(string(out)))
	raw := ffmpeg(t, "-i", path, "-f", "s16le", "-")
	require.Equal(t, rate*2*2, len(raw), "bytes the CLI decoded")
}

func TestVorbisDecodeFFmpegFile(t *testing.T) {
	path := writeTemp(t, "ref.ogg", nil)
	ffmpeg(t, "-y", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1.5",
		"-c:a", "libvorbis", "-q:a", "4", path)
	stream := readFile(t, path)
	raw := ffmpeg(t, "-i", path, "-f", "f32le", "-")
	res := collect[[]byte, *frame.Audio](t, av.NewVorbisDecode(), chunks(stream, 777, 2)...)
	require.NoError(t, res.Err)
	hz, n := frequency(res.Outputs)
	require.Equal(t, len(raw)/4, n, "samples: ours against the CLI's")
	require.InDelta(t, 1000, hz, 5)
	// And the samples themselves agree with the CLI's.
	var ours []float32
	for _, a := range res.Outputs {
		ours = append(ours, a.Float32s()...)
	}
	for i := 0; i < len(ours); i += 97 {
		cli := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		require.InDelta(t, cli, ours[i], 1e-5, "sample %d", i)
	}
}

func TestVorbisDecodeBadInput(t *testing.T) {
	stream := encodeVorbis(t, sine(440, 22050, 1, 0.5))
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"truncated":    {stream[:len(stream)-100], "ends inside a page"},
		"flipped":      {flip(stream, len(stream)/2, 3), "checksum"},
		"not ogg":      {[]byte("RIFF....WAVEfmt and so on"), "no capture pattern"},
		"empty":        {nil, "ended before its headers"},
		"headers only": {stream[:headerPagesEnd(t, stream)], ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := collect[[]byte, *frame.Audio](t, av.NewVorbisDecode(), chunks(c.in, 500, 1)...)
			require.Len(t, res.Signals, 1)
			if c.want == "" {
				require.NoError(t, res.Err)
				require.Empty(t, res.Outputs)
				return
			}
			require.ErrorContains(t, res.Err, c.want)
			t.Log(res.Err)
		})
	}
}

// headerPagesEnd returns where the pages of the three Vorbis headers end.
func headerPagesEnd(t testing.TB, stream []byte) int {
	var r ogg.Reader
	r.Write(stream)
	end := 0
	for range 3 {
		p, ok, err := r.NextPage()
		require.NoError(t, err)
		require.True(t, ok)
		end = int(p.Offset) + 27 + len(p.Lacing) + len(p.Body)
	}
	return end
}

func TestVorbisEncodeRejectsAChangeOfRate(t *testing.T) {
	in := append(sine(440, 22050, 1, 0.1), sine(440, 44100, 1, 0.1)...)
	res := collect[*frame.Audio, []byte](t, av.NewVorbisEncode(), in...)
	require.ErrorContains(t, res.Err, "after a stream of 1 channels at 22050 Hz")
}

var _ = strconv.Itoa

func TestVorbisEncodeShutdownStopsAtOnce(t *testing.T) {
	res := runControl[*frame.Audio, []byte](t, av.NewVorbisEncode(), sine(440, 8000, 1, 0.5), axon.Shutdown{})
	require.NoError(t, res.Err)
	require.IsType(t, axon.Shutdown{}, res.Signals[0])
}
