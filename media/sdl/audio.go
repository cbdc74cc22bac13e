//go:build cgo

package sdl

/*
#include <SDL.h>
*/
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"sync/atomic"
	"unsafe"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/veandco/go-sdl2/sdl"
)

// AudioPlayer plays the sound it is given through SDL's default audio
// device. It is Kamaelia's audio output (pyMedia's Output, or the ao
// playback adaptor).
//
// Boxes:
//
//	inbox   *frame.Audio  sound in any sample format (converted to 16-bit);
//	                      a change of rate or channels reopens the device
//	                      after what was queued has played
//	control any           ProducerFinished, Shutdown
//	signal  any           the outcome
//
// SDL's audio thread pulls the sound as the device plays it; the player
// hands it over a few buffers ahead, so a fast producer is held back to the
// pace of the sound (back-pressure), and a slow one leaves gaps of silence.
//
// Example:
//
//	dec := av.NewVorbisDecode()
//	play := sdl.NewAudioPlayer()
//	axon.MustLink(dec.Out, play.In)
//	axon.MustLink(dec.Signal(), play.Control())
//
// Shutdown: ProducerFinished plays what is queued to its end, then closes
// the device and returns nil. Shutdown closes the device at once, dropping
// what was not played, and returns ctx's error. The audio subsystem is quit
// on every path.
type AudioPlayer struct {
	axon.Core
	In *axon.Inbox[*frame.Audio]

	// Buffer is the device's buffer in samples a channel (0: 1024).
	Buffer int

	played atomic.Int64
}

// NewAudioPlayer returns an AudioPlayer for the default device.
func NewAudioPlayer() *AudioPlayer {
	p := &AudioPlayer{}
	p.In = axon.NewInbox[*frame.Audio](p, "inbox")
	return p
}

// Played returns how many bytes of sound (16-bit samples) the device has
// taken so far.
func (p *AudioPlayer) Played() int64 { return p.played.Load() }

// playback is what SDL's audio thread reads from: whole chunks of sound,
// taken without waiting.
type playback struct {
	chunks  chan []byte
	cur     []byte
	last    bool // cur is the last chunk before the end marker
	drained chan struct{}
	played  *atomic.Int64
}

// endMarker ends a stream of chunks: the device has played everything once
// it is taken.
var endMarker = []byte{}

//export kgAudioCallback
func kgAudioCallback(user unsafe.Pointer, stream *C.Uint8, n C.int) {
	pb := cgo.Handle(uintptr(user)).Value().(*playback)
	pb.fill(unsafe.Slice((*byte)(unsafe.Pointer(stream)), int(n)))
}

// fill is called on SDL's audio thread for the next buf of sound.
func (pb *playback) fill(buf []byte) {
	for len(buf) > 0 {
		if len(pb.cur) == 0 {
			select {
			case c := <-pb.chunks:
				if len(c) == 0 { // the end marker
					close(pb.drained)
					clear(buf)
					return
				}
				pb.cur = c
			default:
				clear(buf) // nothing to play: silence
				return
			}
		}
		n := copy(buf, pb.cur)
		pb.cur, buf = pb.cur[n:], buf[n:]
		pb.played.Add(int64(n))
	}
}

// Main plays sound until told to stop.
func (p *AudioPlayer) Main(ctx context.Context) error {
	if err := sdl.InitSubSystem(sdl.INIT_AUDIO); err != nil {
		return fmt.Errorf("audio player: SDL audio: %w", err)
	}
	defer sdl.QuitSubSystem(sdl.INIT_AUDIO)
	var (
		dev           uint32
		h             cgo.Handle
		pb            *playback
		rate, chans   int
		buffer        = p.Buffer
		closeDevice   func()
		finishPlaying func() error
	)
	if buffer <= 0 {
		buffer = 1024
	}
	closeDevice = func() {
		if dev != 0 {
			sdl.CloseAudioDevice(sdl.AudioDeviceID(dev)) // waits for the callback to return
			h.Delete()
			dev, pb = 0, nil
		}
	}
	defer func() { closeDevice() }()
	finishPlaying = func() error {
		if dev == 0 {
			return nil
		}
		select {
		case pb.chunks <- endMarker:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-pb.drained:
		case <-ctx.Done():
			return ctx.Err()
		}
		closeDevice()
		return nil
	}
	for a := range p.In.Messages(ctx) {
		s16, err := a.Convert(frame.S16)
		if err != nil {
			return fmt.Errorf("audio player: %w", err)
		}
		if dev == 0 || a.Rate != rate || a.Channels != chans {
			if err := finishPlaying(); err != nil {
				return err
			}
			rate, chans = a.Rate, a.Channels
			pb = &playback{chunks: make(chan []byte, 4), drained: make(chan struct{}), played: &p.played}
			h = cgo.NewHandle(pb)
			if dev, err = openAudio(rate, chans, buffer, uintptr(h)); err != nil {
				h.Delete()
				return fmt.Errorf("audio player: opening %d channels at %d Hz: %w", chans, rate, err)
			}
			sdl.PauseAudioDevice(sdl.AudioDeviceID(dev), false)
		}
		if len(s16.Data[0]) == 0 {
			continue
		}
		select {
		case pb.chunks <- s16.Data[0]:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return finishPlaying()
}
