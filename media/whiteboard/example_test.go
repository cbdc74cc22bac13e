//go:build cgo

package whiteboard_test

import (
	"context"
	"fmt"
	"math"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
)

// A peer's voice travels as SOUND lines of Speex frames; a Conference
// decodes and mixes what everyone else says. Here X says a 0.2 s tone,
// which Y hears and X does not.
func Example() {
	ctx := context.Background()
	// X's voice: a tone, coded as the Whiteboard's microphone codes it.
	tone := make([]int16, 1600)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/whiteboard.AudioRate))
	}
	enc, _ := av.NewSpeexEncoder(av.SpeexOptions{Quality: whiteboard.SpeexQuality})
	var frames [][]byte
	s := axon.NewScheduler()
	code := chassis.Graphline(chassis.Components{"ENC": enc}, chassis.Linkages{
		{Component: chassis.Self, Box: "inbox"}: {Component: "ENC", Box: "audio"},
		{Component: "ENC", Box: "outbox"}:       {Component: chassis.Self, Box: "outbox"},
	})
	h, _ := axon.NewHandle(s, code)
	_ = h.Put(ctx, "inbox", frame.NewS16(1, whiteboard.AudioRate, tone))
	_ = h.Finish(ctx)
	for {
		p, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		frames = append(frames, p.(*av.Packet).Data)
	}
	fmt.Printf("%d frames; the first line on the wire is %d bytes\n", len(frames), len(whiteboard.SoundLine(frames[0])))

	// Everyone hears it but X.
	for _, listener := range []string{"Y", "X"} {
		conf := whiteboard.NewConference(listener)
		hc, _ := axon.NewHandle(s, conf)
		for _, f := range frames {
			_ = hc.Put(ctx, "inbox", whiteboard.Voice{From: "X", Frame: f})
		}
		_ = hc.Finish(ctx)
		heard := 0
		for {
			a, err := hc.Get(ctx, "outbox")
			if err != nil {
				break
			}
			heard += a.(*frame.Audio).Samples
		}
		fmt.Printf("%s hears %d samples\n", listener, heard)
	}
	_ = s.Wait(ctx)
	// Output:
	// 10 frames; the first line on the wire is 31 bytes
	// Y hears 1600 samples
	// X hears 0 samples
}
