//go:build cgo

package av_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// demux runs a Demuxer (fed inputs) and returns the packets of its outbox,
// of its video and audio outboxes, and its outcome.
func demux(t testing.TB, d *av.Demuxer, inputs ...[]byte) (all, video, audio []*av.Packet, err error) {
	t.Helper()
	ctx := t.Context()
	h := drive(t, d, "inbox", inputs)
	// The outboxes are read one after the other: the inboxes behind them
	// must hold a whole test clip.
	all, err = axontest.Collect[*av.Packet](ctx, h, "outbox")
	require.NoError(t, err)
	video, err = axontest.Collect[*av.Packet](ctx, h, "video")
	require.NoError(t, err)
	audio, err = axontest.Collect[*av.Packet](ctx, h, "audio")
	require.NoError(t, err)
	_, err = axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	return all, video, audio, h.Close()
}

// decodePackets runs a PacketDecoder over packets.
func decodePackets(t testing.TB, d *av.PacketDecoder, ps []*av.Packet) ([]*frame.Video, []*frame.Audio, error) {
	t.Helper()
	ctx := t.Context()
	h := drive(t, d, "inbox", ps)
	vs, err := axontest.Collect[*frame.Video](ctx, h, "video")
	require.NoError(t, err)
	as, err := axontest.Collect[*frame.Audio](ctx, h, "audio")
	require.NoError(t, err)
	_, err = axontest.Collect[any](ctx, h, "signal")
	require.NoError(t, err)
	return vs, as, h.Close()
}

// frameMD5s returns the MD5 of each frame's pixels, plane after plane, as
// the ffmpeg CLI's framemd5 muxer sums them.
func frameMD5s(vs []*frame.Video) []string {
	var out []string
	for _, v := range vs {
		s := md5.Sum(v.Tight())
		out = append(out, hex.EncodeToString(s[:]))
	}
	return out
}

// cliMD5s returns the frame checksums the ffmpeg CLI computes decoding
// stream 0 of the file.
func cliMD5s(t testing.TB, path string, extra ...string) []string {
	t.Helper()
	args := append([]string{"-i", path, "-map", "0:0"}, extra...)
	out := ffmpeg(t, append(args, "-f", "framemd5", "-")...)
	var sums []string
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, ",")
		sums = append(sums, strings.TrimSpace(f[len(f)-1]))
	}
	return sums
}

// A lossless path: FFV1 in Matroska, written by Encoder and Muxer, decodes
// in the ffmpeg CLI and through Demuxer and PacketDecoder to the very
// pixels it was made of.
func TestFFV1InMatroskaIsLossless(t *testing.T) {
	src := timed(patterns(12, 160, 120))
	want := frameMD5s(src)
	ps := encodeVideo(t, av.NewEncoder("ffv1"), src)
	path := muxFile(t, "ffv1.mkv", "", 1, ps)
	require.Equal(t, want, cliMD5s(t, path))

	all, video, audio, err := demux(t, av.NewFileDemuxer(path))
	require.NoError(t, err)
	require.Len(t, all, 12)
	require.Len(t, video, 12)
	require.Empty(t, audio)
	assert.Equal(t, "ffv1", video[0].Params.Codec)
	assert.Equal(t, [2]int{160, 120}, [2]int{video[0].Params.Width, video[0].Params.Height})
	vs, _, err := decodePackets(t, av.NewPacketDecoder(), video)
	require.NoError(t, err)
	require.Equal(t, want, frameMD5s(vs))
	assert.InDelta(t, 0.44, (vs[11].PTS - vs[0].PTS).Seconds(), 0.001)
}

// PCM in WAV is lossless too: the samples read back are those written.
func TestPCMInWAVIsLossless(t *testing.T) {
	src := sine(1000, 8000, 2, 0.5)
	ps := encodeAudio(t, av.NewEncoder("pcm_s16le"), src)
	path := muxFile(t, "pcm.wav", "wav", 1, ps)
	var want []byte
	for _, a := range src {
		want = append(want, a.Data[0]...)
	}
	got := ffmpeg(t, "-i", path, "-f", "s16le", "-")
	require.Equal(t, want, got)
	_, _, audio, err := demux(t, av.NewFileDemuxer(path))
	require.NoError(t, err)
	_, as, err := decodePackets(t, av.NewPacketDecoder(), audio)
	require.NoError(t, err)
	var back []byte
	for _, a := range as {
		require.Equal(t, frame.S16, a.Format)
		back = append(back, a.Data[0]...)
	}
	require.Equal(t, want, back)
}

// A muxer of two streams: each encoder's signal goes to its done inbox,
// and it finishes when both have ended. The file has both streams, and the
// Demuxer splits them again.
func TestMuxerOfTwoStreamsAndDemuxerOfThem(t *testing.T) {
	ve := av.NewEncoder("mpeg4")
	ae := av.NewEncoder("aac")
	ae.Stream = 1
	path := filepath.Join(t.TempDir(), "two.mkv")
	mux := av.NewFileMuxer(path, "")
	mux.Streams = 2
	vsrc := &frameSource{frames: timed(patterns(25, 160, 120))}
	vsrc.Out = axon.NewOutbox[*frame.Video](vsrc, "outbox")
	asrc := &audioSource{bufs: sine(440, 44100, 1, 1)}
	asrc.Out = axon.NewOutbox[*frame.Audio](asrc, "outbox")
	axon.MustLink(vsrc.Out, ve.Video)
	axon.MustLink(vsrc.Signal(), ve.Control())
	axon.MustLink(asrc.Out, ae.Audio)
	axon.MustLink(asrc.Signal(), ae.Control())
	axon.MustLink(ve.Out, mux.In)
	axon.MustLink(ae.Out, mux.In)
	axon.MustLink(ve.Signal(), mux.DoneIn)
	axon.MustLink(ae.Signal(), mux.DoneIn)
	require.NoError(t, axon.NewScheduler().Run(vsrc, asrc, ve, ae, mux))
	st := ffprobe(t, path)
	require.Len(t, st, 2)
	assert.Equal(t, "mpeg4", st[0].CodecName)
	assert.Equal(t, 25, st[0].frames())
	assert.Equal(t, "aac", st[1].CodecName)
	decodeWithCLI(t, path)

	dmx := av.NewFileDemuxer(path)
	all, video, audio, err := demux(t, dmx)
	require.NoError(t, err)
	ss, err := dmx.Streams(t.Context())
	require.NoError(t, err)
	require.Len(t, ss, 2)
	assert.Equal(t, [2]av.Kind{av.KindVideo, av.KindAudio}, [2]av.Kind{ss[0].Kind, ss[1].Kind})
	assert.Equal(t, 44100, ss[1].SampleRate)
	require.Len(t, video, 25)
	require.NotEmpty(t, audio)
	require.Len(t, all, len(video)+len(audio))
	vs, _, err := decodePackets(t, av.NewPacketDecoder(), video)
	require.NoError(t, err)
	require.Len(t, vs, 25)
	_, as, err := decodePackets(t, av.NewPacketDecoder(), audio)
	require.NoError(t, err)
	hz, _ := tone(as)
	assert.InDelta(t, 440, hz, 5)
}

// audioSource sends the buffers it was made with, then finishes.
type audioSource struct {
	axon.Core
	Out  *axon.Outbox[*frame.Audio]
	bufs []*frame.Audio
}

func (s *audioSource) Main(ctx context.Context) error {
	for _, b := range s.bufs {
		if err := s.Out.Send(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// A byte-stream muxer writes fragmented MP4 (it cannot seek back), which a
// stream demuxer reads back packet for packet.
func TestMuxerByteStreamAndStreamDemuxer(t *testing.T) {
	enc := av.NewEncoder("libx264")
	enc.Options = map[string]string{"preset": "ultrafast"}
	ps := encodeVideo(t, enc, timed(patterns(20, 160, 120)))
	for _, format := range []string{"mp4", "mpegts", "matroska"} {
		t.Run(format, func(t *testing.T) {
			res := axontest.Run[*av.Packet, []byte](t, av.NewMuxer(format), ps...)
			require.NoError(t, res.Err)
			stream := bytes.Join(res.Outputs, nil)
			path := writeTemp(t, "stream."+format, stream)
			st := ffprobe(t, path)
			require.Len(t, st, 1)
			assert.Equal(t, 20, st[0].frames())
			all, _, _, err := demux(t, av.NewDemuxer(format), chunks(stream, 4000, 7)...)
			require.NoError(t, err)
			require.Len(t, all, 20)
			// MP4 and Matroska store H.264 length-prefixed, MPEG-TS puts
			// an access unit delimiter before each picture and the headers
			// before key frames: the pictures and their times are what
			// stay the same.
			for i, p := range all {
				assert.Equal(t, ps[i].Key, p.Key, "packet %d", i)
				assert.Equal(t, ps[i].Time()-ps[0].Time(), p.Time()-all[0].Time(), "packet %d", i)
				if !p.Key {
					assert.True(t, bytes.HasSuffix(p.Data, ps[i].Data[4:]), "packet %d", i)
				}
			}
		})
	}
	if _, err := os.Stat("stream.mp4"); err == nil {
		t.Fatal("a byte-stream muxer wrote a file")
	}
}

// A container that cannot hold the codec is an error, and leaves no file,
// not even the temporary one.
func TestMuxerRefusesWhatTheContainerCannotHold(t *testing.T) {
	ps := encodeVideo(t, av.NewEncoder("mpeg4"), patterns(3, 64, 48))
	dir := t.TempDir()
	for _, c := range []struct{ file, format, msg string }{
		{"x.wav", "", "wav cannot hold mpeg4"},
		{"x.mp3", "", "writing the mp3 header for mpeg4"},
		{"x.bin", "no-such-format", `no muxer "no-such-format"`},
		{"x.unknownext", "", "knows no container"},
	} {
		m := av.NewFileMuxer(filepath.Join(dir, c.file), c.format)
		res := axontest.Run[*av.Packet, []byte](t, m, ps...)
		require.ErrorContains(t, res.Err, c.msg)
	}
	m := av.NewFileMuxer(filepath.Join(dir, "x.mkv"), "")
	m.Options = map[string]string{"no_such_option": "1"}
	res := axontest.Run[*av.Packet, []byte](t, m, ps...)
	require.ErrorContains(t, res.Err, `no option "no_such_option"`)
	m = av.NewFileMuxer(filepath.Join(dir, "x.mkv"), "")
	m.Streams = 2
	res = axontest.Run[*av.Packet, []byte](t, m, ps...)
	require.ErrorContains(t, res.Err, "no packet of 1 of the 2 streams")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

func TestDemuxerAndPacketDecoderRejectBadInput(t *testing.T) {
	_, _, _, err := demux(t, av.NewDemuxer(""), []byte("plain text, not a container of any kind"))
	require.ErrorContains(t, err, "demuxer")
	_, _, _, err = demux(t, av.NewFileDemuxer("/nonexistent/file.mkv"))
	require.ErrorContains(t, err, "No such file")

	// Corrupt packets: FFV1 packets of junk. (Every FFV1 frame a key
	// frame, so that one lost does not spoil the next.)
	enc := av.NewEncoder("ffv1")
	enc.GOP = 1
	ps := encodeVideo(t, enc, patterns(4, 64, 48))
	bad := make([]*av.Packet, len(ps))
	for i, p := range ps {
		q := *p
		q.Data = bytes.Repeat([]byte{0xff, 0x13, 0x77}, 40)
		bad[i] = &q
	}
	_, _, err = decodePackets(t, av.NewPacketDecoder(), bad)
	require.ErrorContains(t, err, "packet decoder")
	d := av.NewPacketDecoder()
	d.OnCorrupt = av.Skip
	mixed := []*av.Packet{ps[0], bad[1], ps[2], bad[3]}
	vs, _, err := decodePackets(t, d, mixed)
	require.NoError(t, err)
	assert.Len(t, vs, 2)
	assert.Equal(t, int64(2), d.Stats().Corrupt)
	assert.Equal(t, int64(240), d.Stats().SkippedBytes)

	// Packets of two streams.
	other := *ps[1]
	other.Stream = 1
	_, _, err = decodePackets(t, av.NewPacketDecoder(), []*av.Packet{ps[0], &other})
	require.ErrorContains(t, err, "decodes one stream")
}

// Shutdown in the middle of a file leaves no file, not even the temporary
// one, and the muxer reports the Shutdown.
func TestMuxerShutdownLeavesNoFile(t *testing.T) {
	ps := encodeVideo(t, av.NewEncoder("mpeg4"), patterns(5, 64, 48))
	dir := t.TempDir()
	m := av.NewFileMuxer(filepath.Join(dir, "x.mkv"), "")
	m.Streams = 2 // waits for a stream that never comes
	h, err := axon.NewHandle(axon.NewScheduler(), m)
	require.NoError(t, err)
	ctx := t.Context()
	for _, p := range ps {
		require.NoError(t, h.Put(ctx, "inbox", p))
	}
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	require.IsType(t, axon.Shutdown{}, sig)
	require.NoError(t, h.Close())
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)

	// And after the header, with the temporary file written to.
	m = av.NewFileMuxer(filepath.Join(dir, "y.mkv"), "")
	h, err = axon.NewHandle(axon.NewScheduler(), m)
	require.NoError(t, err)
	for _, p := range ps {
		require.NoError(t, h.Put(ctx, "inbox", p))
	}
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err = h.Get(ctx, "signal")
	require.NoError(t, err)
	require.IsType(t, axon.Shutdown{}, sig)
	require.NoError(t, h.Close())
	left, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}

// A producer's failure on done fails the muxer, which leaves no file.
func TestMuxerFailsWhenAProducerFails(t *testing.T) {
	ps := encodeVideo(t, av.NewEncoder("mpeg4"), patterns(3, 64, 48))
	dir := t.TempDir()
	m := av.NewFileMuxer(filepath.Join(dir, "x.mkv"), "")
	h, err := axon.NewHandle(axon.NewScheduler(), m)
	require.NoError(t, err)
	ctx := t.Context()
	for _, p := range ps {
		require.NoError(t, h.Put(ctx, "inbox", p))
	}
	require.NoError(t, h.Put(ctx, "done", &axon.Failure{Err: errors.New("the camera went away")}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	require.IsType(t, &axon.Failure{}, sig)
	require.ErrorContains(t, h.Close(), "the camera went away")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left)
}
