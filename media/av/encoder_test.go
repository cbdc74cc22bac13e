//go:build cgo

package av_test

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encode runs enc over video frames or audio buffers (on the inbox their
// type names) and returns its packets and its outcome.
func encode[T any](t testing.TB, enc *av.Encoder, box string, in ...T) ([]*av.Packet, error) {
	t.Helper()
	ctx := t.Context()
	h := drive(t, enc, box, in)
	ps, err := axontest.Collect[*av.Packet](ctx, h, "outbox")
	require.NoError(t, err)
	_, err = axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	return ps, h.Close()
}

func encodeVideo(t testing.TB, enc *av.Encoder, in []*frame.Video) []*av.Packet {
	t.Helper()
	ps, err := encode(t, enc, "video", in...)
	require.NoError(t, err)
	return ps
}

func encodeAudio(t testing.TB, enc *av.Encoder, in []*frame.Audio) []*av.Packet {
	t.Helper()
	ps, err := encode(t, enc, "audio", in...)
	require.NoError(t, err)
	return ps
}

// drive runs comp with a Handle and, from another goroutine (the test
// reads the outboxes meanwhile), puts inputs on its inbox box and then
// ProducerFinished on its control.
func drive[T any](t testing.TB, comp axon.Component, box string, inputs []T) *axon.Handle {
	t.Helper()
	h, err := axon.NewHandle(axon.NewScheduler(), comp)
	require.NoError(t, err)
	ctx := t.Context()
	go func() {
		for _, v := range inputs {
			if h.Put(ctx, box, v) != nil {
				return
			}
		}
		_ = h.Finish(ctx)
	}()
	return h
}

// muxFile muxes packets into a file in format and returns its path.
func muxFile(t testing.TB, name, format string, streams int, ps []*av.Packet) string {
	t.Helper()
	path := writeTemp(t, name, nil)
	m := av.NewFileMuxer(path, format)
	m.Streams = streams
	res := axontest.Run[*av.Packet, []byte](t, m, ps...)
	require.NoError(t, res.Err)
	require.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)
	return path
}

// probed is what ffprobe says of a stream.
type probed struct {
	CodecName  string `json:"codec_name"`
	CodecType  string `json:"codec_type"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SampleRate string `json:"sample_rate"`
	Channels   int    `json:"channels"`
	ReadFrames string `json:"nb_read_frames"`
	Duration   string `json:"duration"`
}

func (p probed) frames() int { n, _ := strconv.Atoi(p.ReadFrames); return n }
func (p probed) rate() int   { n, _ := strconv.Atoi(p.SampleRate); return n }

// ffprobe reads the streams of a file with the ffprobe CLI, counting
// frames by decoding them.
func ffprobe(t testing.TB, path string) []probed {
	t.Helper()
	out := runTool(t, "ffprobe", "-v", "error", "-show_streams", "-count_frames", "-of", "json", path)
	var res struct{ Streams []probed }
	require.NoError(t, json.Unmarshal(out, &res))
	return res.Streams
}

// decodeWithCLI decodes every stream of the file with the ffmpeg CLI,
// which fails on errors.
func decodeWithCLI(t testing.TB, path string) {
	t.Helper()
	ffmpeg(t, "-xerror", "-err_detect", "explode", "-i", path, "-f", "null", "-")
}

func timed(vs []*frame.Video) []*frame.Video {
	for i, v := range vs {
		v.PTS = time.Duration(i) * time.Second / 25
	}
	return vs
}

func TestEncoderVideoCodecsInContainersReadBackByFFprobe(t *testing.T) {
	src := timed(patterns(30, 160, 120))
	cases := []struct {
		codec, file, probe string
		setup              func(e *av.Encoder)
	}{
		{"libx264", "x264.mp4", "h264", func(e *av.Encoder) {
			e.Profile = "high"
			e.GOP = 12
			e.Options = map[string]string{"preset": "ultrafast", "crf": "28"}
		}},
		{"mpeg4", "mpeg4.mkv", "mpeg4", func(e *av.Encoder) { e.Quality = 5; e.GOP = 10 }},
		{"vc2", "vc2.mkv", "dirac", func(e *av.Encoder) { e.BitRate = 5_000_000 }},
		{"libx264", "x264.ts", "h264", func(e *av.Encoder) { e.Options = map[string]string{"preset": "ultrafast"} }},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			enc := av.NewEncoder(c.codec)
			c.setup(enc)
			ps := encodeVideo(t, enc, src)
			require.NotEmpty(t, ps)
			if c.codec != "vc2" { // FFmpeg's vc2 marks no packet key
				require.True(t, ps[0].Key)
			}
			assert.Equal(t, av.KindVideo, ps[0].Params.Kind)
			assert.Equal(t, c.probe, ps[0].Params.Codec)
			assert.Equal(t, frame.Rational{Num: 1, Den: 25}, ps[0].TimeBase)
			assert.Equal(t, int64(30), enc.Stats().Frames)
			path := muxFile(t, c.file, "", 1, ps)
			st := ffprobe(t, path)
			require.Len(t, st, 1)
			assert.Equal(t, c.probe, st[0].CodecName)
			assert.Equal(t, [2]int{160, 120}, [2]int{st[0].Width, st[0].Height})
			assert.Equal(t, 30, st[0].frames())
			decodeWithCLI(t, path)
		})
	}
}

func TestEncoderAudioCodecsInContainersReadBackByFFprobe(t *testing.T) {
	cases := []struct {
		codec, file, probe string
		rate               int
		setup              func(e *av.Encoder)
	}{
		{"aac", "aac.mp4", "aac", 44100, func(e *av.Encoder) { e.BitRate = 96_000; e.Profile = "aac_low" }},
		{"libmp3lame", "lame.mp3", "mp3", 44100, func(e *av.Encoder) { e.Quality = 4 }},
		{"libopus", "opus.ogg", "opus", 48000, func(e *av.Encoder) {
			e.BitRate = 64_000
			e.Options = map[string]string{"application": "audio"}
		}},
		{"libvorbis", "vorbis.mkv", "vorbis", 22050, func(e *av.Encoder) { e.Quality = 3 }},
		{"pcm_s16le", "pcm.wav", "pcm_s16le", 8000, func(e *av.Encoder) {}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			enc := av.NewEncoder(c.codec)
			c.setup(enc)
			ps := encodeAudio(t, enc, sine(1000, c.rate, 2, 1))
			require.NotEmpty(t, ps)
			sp := ps[0].Params
			assert.Equal(t, av.KindAudio, sp.Kind)
			assert.Equal(t, [2]int{c.rate, 2}, [2]int{sp.SampleRate, sp.Channels})
			path := muxFile(t, c.file, "", 1, ps)
			st := ffprobe(t, path)
			require.Len(t, st, 1)
			assert.Equal(t, c.probe, st[0].CodecName)
			assert.Equal(t, c.rate, st[0].rate())
			assert.Equal(t, 2, st[0].Channels)
			assert.Positive(t, st[0].frames())
			decodeWithCLI(t, path)
			// The sound comes back at its frequency and length.
			_, _, audio, err := demux(t, av.NewFileDemuxer(path))
			require.NoError(t, err)
			_, as, err := decodePackets(t, av.NewPacketDecoder(), audio)
			require.NoError(t, err)
			hz, n := tone(as)
			assert.InDelta(t, 1000, hz, 10)
			// Codecs pad the start (encoder delay) and the last frame.
			assert.InDelta(t, c.rate, n, float64(c.rate)/10)
		})
	}
}

// tone estimates the frequency of channel 0 by counting the times it
// swings past +-0.1 (so that the near-silence a codec pads with counts for
// nothing), over the span between the first and the last swing; it also
// returns the samples in all.
func tone(bufs []*frame.Audio) (hz float64, samples int) {
	state, swings, first, last := 0, 0, -1, 0
	for _, b := range bufs {
		fs := b.Float32s()
		for i := 0; i < len(fs); i += b.Channels {
			s := 0
			if fs[i] > 0.1 {
				s = 1
			} else if fs[i] < -0.1 {
				s = -1
			}
			if s != 0 && s != state {
				if state != 0 {
					swings++
					if first < 0 {
						first = samples
					}
					last = samples
				}
				state = s
			}
			samples++
		}
	}
	if swings < 2 {
		return 0, samples
	}
	return float64(swings-1) / 2 / (float64(last-first) / float64(bufs[0].Rate)), samples
}

func TestEncoderRejectsBadNamesOptionsAndFrames(t *testing.T) {
	src := patterns(2, 64, 48)
	_, err := encode(t, av.NewEncoder("no-such-codec"), "video", src...)
	require.ErrorContains(t, err, `no encoder "no-such-codec"`)

	enc := av.NewEncoder("mpeg4")
	enc.Options = map[string]string{"no_such_option": "1"}
	_, err = encode(t, enc, "video", src...)
	require.ErrorContains(t, err, `no option "no_such_option"`)

	// A frame of another size in the stream.
	_, err = encode(t, av.NewEncoder("mpeg4"), "video", pattern(0, 64, 48), pattern(1, 32, 32))
	require.ErrorContains(t, err, "32x32 in a stream of 64x48")

	// FFmpeg's vc2 encoder would write 321x241 4:2:0 as a stream that
	// nothing decodes (the ffmpeg CLI fails on its sequence header).
	_, err = encode(t, av.NewEncoder("vc2"), "video", pattern(0, 321, 241))
	require.ErrorContains(t, err, "vc2 writes a 321x241 yuv420p stream that nothing decodes")

	// Opus takes 48 kHz and a few others, not 44.1 kHz.
	_, err = encode(t, av.NewEncoder("libopus"), "audio", sine(440, 44100, 1, 0.1)...)
	require.ErrorContains(t, err, "resample")

	// Audio on a video encoder's inbox is not dropped unseen.
	_, err = encode(t, av.NewEncoder("mpeg4"), "audio", sine(440, 8000, 1, 0.1)...)
	require.ErrorContains(t, err, "it encodes video: messages on its \"audio\" inbox")
	// Nor is anything on the default inbox, which it does not read.
	_, err = encode(t, av.NewEncoder("aac"), "inbox", src...)
	require.ErrorContains(t, err, "it encodes audio: messages on its \"inbox\" inbox")
}

// The audio encoder cuts what it is given into the encoder's frames and
// times the packets by their samples.
func TestEncoderCutsAudioIntoFrames(t *testing.T) {
	enc := av.NewEncoder("libmp3lame")
	ps := encodeAudio(t, enc, sine(440, 44100, 1, 0.5))
	// 22050 samples in frames of 1152: 20 frames (the last padded).
	assert.Equal(t, int64(20), enc.Stats().Frames)
	require.NotEmpty(t, ps)
	assert.Equal(t, 1152, ps[0].Params.FrameSize)
	assert.Equal(t, frame.Rational{Num: 1, Den: 44100}, ps[0].TimeBase)
	for i := 1; i < len(ps); i++ {
		assert.Greater(t, ps[i].PTS, ps[i-1].PTS)
	}
}

// rms is the root mean square of channel 0 over the span tone measured.
func rms(bufs []*frame.Audio) float64 {
	var sum float64
	n := 0
	for _, b := range bufs {
		fs := b.Float32s()
		for i := 0; i < len(fs); i += b.Channels {
			sum += float64(fs[i]) * float64(fs[i])
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

// Speech and music codecs keep a tone: Speex at 8 kHz quality 3, Opus and
// MP3 keep a 1 kHz tone's frequency within 1% and its level (a sine of
// amplitude 0.5 has an RMS of 0.354, less over the codecs' silent lead-in)
// within 2 dB. Speex's quality 3 is its constant-bit-rate one (the
// private option cbr_quality, 8 kbit/s): its variable-rate quality 3
// (Encoder.Quality, the CLI's -q:a 3) spends so little on a pure tone that
// it comes back 14 dB down and a quarter low in pitch.
func TestSpeechAndMusicCodecsKeepATone(t *testing.T) {
	cases := []struct {
		codec, file string
		rate        int
		setup       func(e *av.Encoder)
	}{
		{"libspeex", "speex.ogg", 8000, func(e *av.Encoder) { e.Options = map[string]string{"cbr_quality": "3"} }},
		{"libopus", "opus.mkv", 48000, func(e *av.Encoder) { e.BitRate = 32_000 }},
		{"libmp3lame", "mp3.mp3", 44100, func(e *av.Encoder) { e.BitRate = 64_000 }},
	}
	for _, c := range cases {
		t.Run(c.codec, func(t *testing.T) {
			enc := av.NewEncoder(c.codec)
			c.setup(enc)
			ps := encodeAudio(t, enc, sine(1000, c.rate, 1, 2))
			path := muxFile(t, c.file, "", 1, ps)
			decodeWithCLI(t, path)
			_, _, audio, err := demux(t, av.NewFileDemuxer(path))
			require.NoError(t, err)
			_, as, err := decodePackets(t, av.NewPacketDecoder(), audio)
			require.NoError(t, err)
			hz, n := tone(as)
			assert.InDelta(t, 1000, hz, 10)
			assert.InDelta(t, 2*c.rate, n, float64(c.rate)/5)
			db := 20 * math.Log10(rms(as)/(0.5/math.Sqrt2))
			assert.InDelta(t, 0, db, 2, "level %.2f dB", db)
			t.Logf("%s: %.1f Hz, %.2f dB, %d bytes", c.codec, hz, db, bytesOf(ps))
		})
	}
}

func bytesOf(ps []*av.Packet) int {
	n := 0
	for _, p := range ps {
		n += len(p.Data)
	}
	return n
}

// DiracEncoder refuses the sizes FFmpeg's vc2 encoder writes wrongly, as
// the Encoder does.
func TestDiracEncoderRefusesOddSizes(t *testing.T) {
	res := collect[*frame.Video, []byte](t, av.NewDiracEncoder(), pattern(0, 321, 241))
	require.ErrorContains(t, res.Err, "dirac encoder: vc2 writes a 321x241 yuv420p stream that nothing decodes")
	// An even size is fine, and decodes.
	stream := encodeDirac(t, patterns(2, 322, 242))
	decodeWithCLI(t, writeTemp(t, "even.drc", stream))
}

// Frames hold BT.601 video-range Y'CbCr, and the streams say so: the
// ffprobe CLI reads the tag back (FFmpeg's vc2 encoder wrote BT.709 when
// left untagged).
func TestEncodersTagTheirStreamsBT601(t *testing.T) {
	tags := func(path string) string {
		return string(runTool(t, "ffprobe", "-v", "error", "-show_entries", "stream=color_space,color_range", "-of", "csv=p=0", path))
	}
	drc := writeTemp(t, "tag.drc", encodeDirac(t, patterns(2, 64, 48)))
	assert.Equal(t, "tv,bt470bg\n", tags(drc))
	for _, codec := range []string{"libx264", "vc2"} {
		ps := encodeVideo(t, av.NewEncoder(codec), patterns(2, 64, 48))
		assert.Equal(t, "tv,bt470bg\n", tags(muxFile(t, codec+".mkv", "", 1, ps)), codec)
	}
}
