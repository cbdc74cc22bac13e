//go:build cgo

package av_test

import (
	"log/slog"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/require"
)

// runDecoder runs a Decoder (fed inputs) and returns its video, audio and
// outcome.
func runDecoder(t *testing.T, d *av.Decoder, inputs ...[]byte) ([]*frame.Video, []*frame.Audio, []any, error) {
	t.Helper()
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	ctx := t.Context()
	for _, in := range inputs {
		require.NoError(t, h.Put(ctx, "inbox", in))
	}
	// A file decoder reads to the end of its file and ends by itself, maybe
	// before it is told to: then the Handle refuses the message
	// (ErrFinished), and there is nothing left to tell it.
	if err := h.Finish(ctx); err != nil {
		require.ErrorIs(t, err, axon.ErrFinished)
		select {
		case <-d.Done():
		default:
			t.Fatalf("ErrFinished from a decoder that has not ended: %v", err)
		}
	}
	vs, err := axontest.Collect[*frame.Video](ctx, h, "video")
	require.NoError(t, err)
	as, err := axontest.Collect[*frame.Audio](ctx, h, "audio")
	require.NoError(t, err)
	sigs, err := axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	return vs, as, sigs, h.Close()
}

func TestDecoderReadsAMatroskaFileWithVideoAndAudio(t *testing.T) {
	path := writeTemp(t, "clip.mkv", nil)
	ffmpeg(t, "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-f", "lavfi",
		"-i", "sine=frequency=500:sample_rate=22050", "-t", "1", "-c:v", "vc2", "-b:v", "3M",
		"-pix_fmt", "yuv420p", "-c:a", "libvorbis", path)
	vs, as, sigs, err := runDecoder(t, av.NewFileDecoder(path))
	require.NoError(t, err)
	require.Equal(t, []any{axon.ProducerFinished{}}, sigs)
	require.Len(t, vs, 25)
	require.Equal(t, 160, vs[0].Width)
	require.Equal(t, frame.YUV420P, vs[0].Format)
	require.InDelta(t, 0.96, (vs[24].PTS - vs[0].PTS).Seconds(), 0.001)
	hz, n := frequency(as)
	require.InDelta(t, 22050, n, 1100)
	require.InDelta(t, 500, hz, 5)
}

func TestDecoderReadsAnOggStreamInChunks(t *testing.T) {
	stream := encodeVorbis(t, sine(440, 22050, 1, 1))
	vs, as, sigs, err := runDecoder(t, av.NewDecoder("ogg"), chunks(stream, 999, 4)...)
	require.NoError(t, err)
	require.Equal(t, []any{axon.ProducerFinished{}}, sigs)
	require.Empty(t, vs)
	hz, n := frequency(as)
	// A stream is not seekable, so FFmpeg's demuxer cannot trim the last
	// packet to the final granule position as VorbisDecode does.
	require.InDelta(t, 22050, n, 200)
	require.InDelta(t, 440, hz, 5)
}

func TestDecoderProbesADiracStream(t *testing.T) {
	stream := encodeDirac(t, patterns(6, 160, 120))
	vs, _, sigs, err := runDecoder(t, av.NewDecoder(""), chunks(stream, 5000, 5)...)
	require.NoError(t, err)
	require.Equal(t, []any{axon.ProducerFinished{}}, sigs)
	require.Len(t, vs, 6)
}

func TestDecoderRejectsWhatIsNotMedia(t *testing.T) {
	_, _, sigs, err := runDecoder(t, av.NewDecoder(""), []byte("plain text, not a container of any kind"))
	require.Error(t, err)
	require.Len(t, sigs, 1)
	require.ErrorContains(t, err, "decoder")
	t.Log(err)
	_, _, _, err = runDecoder(t, av.NewFileDecoder("/nonexistent/file.mkv"))
	require.ErrorContains(t, err, "No such file")
}

func TestScalerConvertsSizeAndFormat(t *testing.T) {
	src := pattern(0, 320, 240)
	res := collect[*frame.Video, *frame.Video](t, av.NewScaler(160, 120, frame.RGBA), src)
	require.NoError(t, res.Err)
	require.Len(t, res.Outputs, 1)
	v := res.Outputs[0]
	require.Equal(t, [3]any{160, 120, frame.RGBA}, [3]any{v.Width, v.Height, v.Format})
	require.NoError(t, v.Validate())
	// The first bar is white, the seventh blue.
	c := v.RGBAAt(5, 5)
	require.Greater(t, int(c.R)+int(c.G)+int(c.B), 3*230)
	b := v.RGBAAt(160*6/8+5, 5)
	require.Greater(t, int(b.B), 200)
	require.Less(t, int(b.R)+int(b.G), 60)
	bad := &frame.Video{Format: frame.YUV420P, Width: 10, Height: 10}
	res = collect[*frame.Video, *frame.Video](t, av.NewScaler(5, 5, frame.RGBA), bad)
	require.ErrorIs(t, res.Err, frame.ErrBadFrame)
}

// A stream decoder waiting inside FFmpeg for more input (FFmpeg's read
// calls back into Go, which waits on the inbox) stops at once on Shutdown.
func TestDecoderShutdownWhileFFmpegWaitsForInput(t *testing.T) {
	stream := encodeVorbis(t, sine(440, 8000, 1, 1))
	d := av.NewDecoder("ogg")
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	ctx := t.Context()
	// Too little for FFmpeg to open the stream: it asks for more, and the
	// read waits on the inbox.
	require.NoError(t, h.Put(ctx, "inbox", stream[:100]))
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	for {
		m, err := h.Get(ctx, "signal")
		require.NoError(t, err)
		if _, ok := m.(axon.Shutdown); ok {
			break
		}
		t.Fatalf("signal %v", m)
	}
	require.NoError(t, h.Close())
}
