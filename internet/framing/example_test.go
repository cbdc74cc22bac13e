package framing_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet/framing"
)

// Frames arrive cut anywhere; the DeFramer puts the messages back together.
func ExampleDeFramer() {
	ctx := context.Background()
	stream := framing.AppendFrame(nil, []byte("first"))
	stream = framing.AppendFrame(stream, []byte("second"))

	sched := axon.NewScheduler()
	h, _ := axon.NewHandle(sched, framing.NewDeFramer())
	for len(stream) > 0 { // in pieces of 3 bytes
		n := min(3, len(stream))
		_ = h.Put(ctx, "inbox", stream[:n])
		stream = stream[n:]
	}
	_ = h.Finish(ctx)
	msgs, _ := axontest.Collect[[]byte](ctx, h, "outbox")
	for _, m := range msgs {
		fmt.Printf("%s\n", m)
	}
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)
	// Output:
	// first
	// second
	// ProducerFinished
}

// A chunked stream with garbage in it: the good chunks come through, and
// what was skipped is reported on "errors".
func ExampleDataDeChunker() {
	ctx := context.Background()
	var stream []byte
	stream = append(stream, "line noise"...)
	stream = framing.AppendChunk(stream, []byte("survives"))
	stream = append(stream, "more noise"...)
	stream = framing.AppendChunk(stream, []byte("also survives"))

	sched := axon.NewScheduler()
	h, _ := axon.NewHandle(sched, framing.NewDataDeChunker())
	_ = h.Put(ctx, "inbox", stream)
	_ = h.Finish(ctx)
	msgs, _ := axontest.Collect[[]byte](ctx, h, "outbox")
	for _, m := range msgs {
		fmt.Printf("%s\n", m)
	}
	errs, _ := axontest.Collect[error](ctx, h, "errors")
	for _, err := range errs {
		fmt.Println(err)
	}
	// Output:
	// survives
	// also survives
	// framing: bytes outside any chunk: at byte 0: 10 bytes
	// framing: chunk checksum does not match: at byte 24: 10 bytes
}

// Typed values to JSON messages, framed, and back.
func ExampleMarshaller() {
	type Reading struct {
		Sensor string
		Value  float64
	}
	ctx := context.Background()
	sched := axon.NewScheduler()
	m := framing.NewMarshaller[Reading](framing.JSON[Reading]{})
	f := framing.NewFramer()
	d := framing.NewDeFramer()
	u := framing.NewDeMarshaller[Reading](framing.JSON[Reading]{})
	// marshal | frame | de-frame | de-marshal
	axon.MustLink(m.Out, f.In)
	axon.MustLink(m.Signal(), f.Control())
	axon.MustLink(f.Out, d.In)
	axon.MustLink(f.Signal(), d.Control())
	axon.MustLink(d.Out, u.In)
	axon.MustLink(d.Signal(), u.Control())
	sched.Activate(f, d)
	hu, _ := axon.NewHandle(sched, u)
	hm, _ := axon.NewHandle(sched, m)

	_ = hm.Put(ctx, "inbox", Reading{"thermo", 21.5})
	_ = hm.Put(ctx, "inbox", Reading{"baro", 1013.25})
	_ = hm.Finish(ctx)
	got, _ := axontest.Collect[Reading](ctx, hu, "outbox")
	fmt.Printf("%+v\n", got)
	_ = sched.Wait(ctx)
	// Output:
	// [{Sensor:thermo Value:21.5} {Sensor:baro Value:1013.25}]
}

// The decoders work without components, on any reader's chunks.
func ExampleLengthDecoder() {
	stream := bytes.Join([][]byte{
		framing.AppendFrame(nil, []byte("a")),
		framing.AppendFrame(nil, []byte("bc")),
	}, nil)
	d := framing.NewLengthDecoder(framing.DefaultMaxFrameSize)
	for _, piece := range [][]byte{stream[:3], stream[3:6], stream[6:]} {
		_ = d.Feed(piece, func(p []byte) error {
			fmt.Printf("%q\n", p)
			return nil
		})
	}
	fmt.Println(d.End())
	// Output:
	// "a"
	// "bc"
	// <nil>
}
