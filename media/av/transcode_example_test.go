//go:build cgo

package av_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// greyFrames returns a source of n grey 320x240 frames at 25 a second.
func greyFrames(n int) *frameSource {
	src := &frameSource{}
	src.Out = axon.NewOutbox[*frame.Video](src, "outbox")
	for range n {
		v := frame.NewVideo(frame.YUV420P, 320, 240)
		v.FrameRate = frame.Rational{Num: 25, Den: 1}
		src.frames = append(src.frames, v)
	}
	return src
}

// greyClip writes n grey frames as MPEG-4 in the file at path:
// greyFrames -> Encoder -> Muxer.
func greyClip(path string, n int) error {
	src := greyFrames(n)
	enc := av.NewEncoder("mpeg4")
	mux := av.NewFileMuxer(path, "")
	axon.MustLink(src.Out, enc.Video)
	axon.MustLink(src.Signal(), enc.Control())
	axon.MustLink(enc.Out, mux.In)
	axon.MustLink(enc.Signal(), mux.Control())
	return axon.NewScheduler().Run(src, enc, mux)
}

// A program writes an H.264 MP4 file: frames -> VideoFilter -> Encoder ->
// Muxer, a pipeline that stops from its head. The file appears, whole,
// when the muxer has written its trailer.
func ExampleEncoder() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "out.mp4")

	src := greyFrames(25)
	scale := av.NewVideoFilter("scale=160:120")
	enc := av.NewEncoder("libx264")
	enc.Options = map[string]string{"preset": "ultrafast", "crf": "30"}
	mux := av.NewFileMuxer(path, "")
	axon.MustLink(src.Out, scale.In)
	axon.MustLink(src.Signal(), scale.Control())
	axon.MustLink(scale.Out, enc.Video)
	axon.MustLink(scale.Signal(), enc.Control())
	axon.MustLink(enc.Out, mux.In)
	axon.MustLink(enc.Signal(), mux.Control())
	if err := axon.NewScheduler().Run(src, scale, enc, mux); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(enc.Stats().Frames, "frames encoded,", mux.Stats().Packets, "packets muxed")
	// Output: 25 frames encoded, 25 packets muxed
}

// A Demuxer splits a container into its streams' packets, which a
// PacketDecoder turns back into frames.
func ExampleDemuxer() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "clip.mkv")
	// Make a clip to read: ten frames of MPEG-4 in Matroska.
	if err := greyClip(path, 10); err != nil {
		fmt.Println(err)
		return
	}

	dmx := av.NewFileDemuxer(path)
	dec := av.NewPacketDecoder()
	sink := &frameCounter{}
	sink.In = axon.NewInbox[*frame.Video](sink, "inbox")
	axon.MustLink(dmx.VideoOut, dec.In)
	axon.MustLink(dmx.Signal(), dec.Control())
	axon.MustLink(dec.Video, sink.In)
	axon.MustLink(dec.Signal(), sink.Control())
	if err := axon.NewScheduler().Run(dmx, dec, sink); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sink.n, "frames of", sink.size)
	// Output: 10 frames of 320x240
}

// frameCounter counts the frames it is sent.
type frameCounter struct {
	axon.Core
	In   *axon.Inbox[*frame.Video]
	n    int
	size string
}

func (c *frameCounter) Main(ctx context.Context) error {
	for v := range c.In.Messages(ctx) {
		c.n++
		c.size = fmt.Sprintf("%dx%d", v.Width, v.Height)
	}
	return ctx.Err()
}

// An AudioFilter resamples sound for an encoder that takes only some
// rates: Opus takes 48 kHz, not 44.1.
func ExampleAudioFilter() {
	f := av.NewAudioFilter("aresample=48000")
	h, _ := axon.NewHandle(axon.NewScheduler(), f)
	defer h.Close()
	ctx := context.Background()
	_ = h.Put(ctx, "inbox", frame.NewS16(1, 44100, make([]int16, 44100)))
	_ = h.Finish(ctx)
	samples := 0
	for {
		m, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		samples += m.(*frame.Audio).Samples
	}
	fmt.Println(samples, "samples at 48 kHz")
	// Output: 48000 samples at 48 kHz
}

// A Muxer with no file sends the container on its outbox, for a socket or
// a server; MP4 is then written fragmented.
func ExampleNewMuxer() {
	src := greyFrames(5)
	enc := av.NewEncoder("mpeg4")
	mux := av.NewMuxer("mp4")
	sink := &byteSink{}
	sink.In = axon.NewInbox[[]byte](sink, "inbox")
	axon.MustLink(src.Out, enc.Video)
	axon.MustLink(src.Signal(), enc.Control())
	axon.MustLink(enc.Out, mux.In)
	axon.MustLink(enc.Signal(), mux.Control())
	axon.MustLink(mux.Out, sink.In)
	axon.MustLink(mux.Signal(), sink.Control())
	if err := axon.NewScheduler().Run(src, enc, mux, sink); err != nil {
		fmt.Println(err)
		return
	}
	b := sink.buf.Bytes()
	fmt.Printf("%q box first\n", b[4:8])
	// Output: "ftyp" box first
}

// progressLine prints each progress report, as a command-line tool shows
// its progress line.
type progressLine struct {
	axon.Core
	In *axon.Inbox[av.Progress]
}

func (p *progressLine) Main(ctx context.Context) error {
	for r := range p.In.Messages(ctx) {
		fmt.Printf("%.0f%% %v\n", 100*r.Fraction(), r.Time)
	}
	return ctx.Err()
}

// A Transcode turns one file into another from one spec, reporting its
// progress as it goes.
func ExampleNewTranscode() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in.mkv"), filepath.Join(dir, "out.mp4")
	// Make a clip to transcode: two seconds of MPEG-4 in Matroska.
	if err := greyClip(in, 50); err != nil {
		fmt.Println(err)
		return
	}

	tc, err := av.NewTranscode(av.TranscodeSpec{
		Input: in, Output: out,
		Video: &av.StreamSpec{Codec: "libx264", Filter: "scale=160:120", Options: map[string]string{"preset": "ultrafast"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	line := &progressLine{}
	line.In = axon.NewInbox[av.Progress](line, "inbox")
	progress, _ := tc.Outbox("progress")
	axon.MustLink(progress, line.In)
	axon.MustLink(tc.Signal(), line.Control())
	if err := axon.NewScheduler().Run(tc, line); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 50% 1s
	// 100% 1.96s
}
