//go:build cgo

package av_test

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// frameSource sends the frames it was made with, then finishes.
type frameSource struct {
	axon.Core
	Out    *axon.Outbox[*frame.Video]
	frames []*frame.Video
}

func (s *frameSource) Main(ctx context.Context) error {
	for _, f := range s.frames {
		if err := s.Out.Send(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// byteSink keeps what it is sent.
type byteSink struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	buf bytes.Buffer
}

func (s *byteSink) Main(ctx context.Context) error {
	for b := range s.In.Messages(ctx) {
		s.buf.Write(b)
	}
	return ctx.Err()
}

// A program makes its own Dirac clip: frames -> DiracEncoder -> bytes, as
// a pipeline that stops from its head.
func ExampleDiracEncoder() {
	src := &frameSource{}
	src.Out = axon.NewOutbox[*frame.Video](src, "outbox")
	for range 25 {
		src.frames = append(src.frames, frame.NewVideo(frame.YUV420P, 320, 240))
	}
	enc := av.NewDiracEncoder()
	sink := &byteSink{}
	sink.In = axon.NewInbox[[]byte](sink, "inbox")
	axon.MustLink(src.Out, enc.In)
	axon.MustLink(src.Signal(), enc.Control())
	axon.MustLink(enc.Out, sink.In)
	axon.MustLink(enc.Signal(), sink.Control())
	if err := axon.NewScheduler().Run(src, enc, sink); err != nil {
		fmt.Println(err)
		return
	}
	_ = os.WriteFile("grey.drc", sink.buf.Bytes(), 0o644)
}

// A Dirac stream from anywhere (a socket, a file) decodes to frames.
func ExampleDiracDecoder() {
	dec := av.NewDiracDecoder()
	dec.OnCorrupt = av.Skip // a broadcast joined midway starts with junk
	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, dec)
	defer h.Close()
	stream, _ := os.ReadFile("clip.drc")
	_ = h.Put(context.Background(), "inbox", stream)
	_ = h.Finish(context.Background())
	for {
		v, err := h.Get(context.Background(), "outbox")
		if err != nil {
			break
		}
		fmt.Println(v.(*frame.Video))
	}
	fmt.Println(dec.Stats())
}
