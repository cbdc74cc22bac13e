//go:build cgo

package sdl_test

import (
	"image"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/choose"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// The article's video player, without the network: Dirac bytes are decoded
// and shown in a window.
func ExampleVideoOverlay() {
	s := axon.NewScheduler()
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 352, Height: 288, Title: "Dirac"})
	if err := display.Publish(s.Services()); err != nil {
		panic(err)
	}
	dec := av.NewDiracDecoder()
	overlay := sdl.NewVideoOverlay(image.Pt(0, 0))
	axon.MustLink(dec.Out, overlay.In)
	axon.MustLink(dec.Signal(), overlay.Control())
	// ... link a reader of the stream into dec.In, then:
	_ = s.Run(display, dec, overlay)
}

// The presentation tool: buttons drive a chooser, which drives an image.
func ExampleButton() {
	s := axon.NewScheduler()
	display := sdl.NewDisplay(sdl.DisplayConfig{Width: 640, Height: 480, Title: "slides"})
	_ = display.Publish(s.Services())
	chooser := choose.NewChooser([]string{"a.png", "b.png", "c.png"})
	pic := sdl.NewImage(image.Pt(0, 0), image.Pt(640, 440))
	next := sdl.NewButton("NEXT", image.Pt(560, 448), choose.Next, "Right")
	prev := sdl.NewButton("PREV", image.Pt(10, 448), choose.Prev, "Left")
	axon.MustLink(next.Out, chooser.In)
	axon.MustLink(prev.Out, chooser.In)
	axon.MustLink(chooser.Out, pic.In)
	_ = s.Run(display, chooser, pic, next, prev)
}

// Sound decoded from Ogg/Vorbis plays through SDL.
func ExampleAudioPlayer() {
	dec := av.NewVorbisDecode()
	player := sdl.NewAudioPlayer()
	axon.MustLink(dec.Out, player.In)
	axon.MustLink(dec.Signal(), player.Control())
	// ... link a reader of the Ogg stream into dec.In, then:
	_ = axon.NewScheduler().Run(dec, player)
}

// The Whiteboard's microphone: 16 kHz sound from the default capture
// device, coded with Speex's wideband mode and written to an Ogg file.
func ExampleAudioCapture() {
	mic := sdl.NewAudioCapture(av.SpeexWideband, 1)
	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: 8, VAD: true})
	if err != nil {
		panic(err)
	}
	mux := av.NewFileMuxer("speech.ogg", "ogg")
	axon.MustLink(mic.Out, enc.Audio)
	axon.MustLink(mic.Signal(), enc.Control())
	axon.MustLink(enc.Out, mux.In)
	axon.MustLink(enc.Signal(), mux.Control())
	// It records until told: ProducerFinished on mic.Control() ends the
	// recording, and the file, cleanly.
	_ = axon.NewScheduler().Run(mic, enc, mux)
}
