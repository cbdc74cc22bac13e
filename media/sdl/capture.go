//go:build cgo

package sdl

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/veandco/go-sdl2/sdl"
)

// AudioCapture records sound from an SDL capture device (a microphone) and
// sends it in chunks. It is Kamaelia's audio input (pyMedia's Input, or
// the Whiteboard's microphone).
//
// Boxes:
//
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  S16 chunks of Buffer samples a channel, at Rate
//	                      with Channels, timed from the first
//	signal  any           the outcome
//
// SDL's audio thread queues what the device records; the capture's own
// goroutine takes it off the queue a chunk at a time, every half chunk's
// time, so nothing is lost while the outbox is slow for a while: up to
// Backlog of sound waits. A microphone does not wait for a consumer that
// stopped, so beyond that the oldest chunks are dropped and counted
// (Dropped), and the PTS of the chunks after them says how much is
// missing; memory stays bounded however long the outbox blocks. The
// device is asked for 16-bit samples at Rate and Channels, and SDL
// converts what the hardware gives to that.
//
// Example:
//
//	mic := sdl.NewAudioCapture(av.SpeexWideband, 1)
//	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: 8, VAD: true})
//	axon.MustLink(mic.Out, enc.Audio)
//
// Shutdown: it records until told. ProducerFinished stops recording,
// sends the whole chunks already taken (but for those waiting beyond its
// feed while the outbox was blocked, which are counted as dropped),
// closes the device and returns nil. Shutdown closes the device at once
// and returns ctx's error. A device that cannot be opened is an error
// naming it. The audio subsystem
// is quit on every path.
type AudioCapture struct {
	axon.Core
	Out *axon.Outbox[*frame.Audio]

	// Rate and Channels of the sound recorded.
	Rate, Channels int
	// Buffer is the samples a channel in each chunk, and the device's
	// buffer (0: 1024).
	Buffer int
	// Device names the capture device ("": the default one).
	Device string
	// Backlog is how much recorded sound may wait while the outbox is
	// blocked before the oldest is dropped (0: DefaultCaptureBacklog; at
	// least one chunk).
	Backlog time.Duration

	feed              *axon.Feed[*frame.Audio]
	captured, dropped atomic.Int64
}

// DefaultCaptureBacklog is AudioCapture's Backlog when none is set: ten
// seconds, 1.9 MB of 48 kHz stereo.
const DefaultCaptureBacklog = 10 * time.Second

// captureWindow is how many chunks wait in the capture's feed.
const captureWindow = 8

// NewAudioCapture returns an AudioCapture of the default capture device
// recording channels channels at rate.
func NewAudioCapture(rate, channels int) *AudioCapture {
	c := &AudioCapture{Rate: rate, Channels: channels}
	c.Out = axon.NewOutbox[*frame.Audio](c, "outbox")
	c.feed = axon.NewFeed[*frame.Audio](c, "_capture", captureWindow)
	return c
}

// Captured returns how many samples a channel have been taken from the
// device so far.
func (c *AudioCapture) Captured() int64 { return c.captured.Load() }

// Dropped returns how many samples a channel were dropped because the
// outbox was blocked for longer than Backlog.
func (c *AudioCapture) Dropped() int64 { return c.dropped.Load() }

// Main records until told to stop.
func (c *AudioCapture) Main(ctx context.Context) error {
	if c.Rate <= 0 || c.Channels <= 0 || c.Channels > 8 {
		return fmt.Errorf("audio capture: %d channels at %d Hz", c.Channels, c.Rate)
	}
	buffer := c.Buffer
	if buffer <= 0 {
		buffer = 1024
	}
	if buffer > 65535 {
		return fmt.Errorf("audio capture: a buffer of %d samples (at most 65535)", buffer)
	}
	if err := sdl.InitSubSystem(sdl.INIT_AUDIO); err != nil {
		return fmt.Errorf("audio capture: SDL audio: %w", err)
	}
	defer sdl.QuitSubSystem(sdl.INIT_AUDIO)
	want := sdl.AudioSpec{Freq: int32(c.Rate), Format: sdl.AUDIO_S16LSB, Channels: uint8(c.Channels), Samples: uint16(buffer)}
	var have sdl.AudioSpec
	dev, err := sdl.OpenAudioDevice(c.Device, true, &want, &have, 0)
	if err != nil {
		name := c.Device
		if name == "" {
			name = "the default device"
		}
		return fmt.Errorf("audio capture: opening %s for %d channels at %d Hz: %w", name, c.Channels, c.Rate, err)
	}
	// Closed once the producer no longer dequeues from it.
	defer sdl.CloseAudioDevice(dev)
	sdl.PauseAudioDevice(dev, false)

	chunkBytes := 2 * buffer * c.Channels
	period := max(time.Duration(buffer)*time.Second/time.Duration(c.Rate)/2, time.Millisecond)
	backlog := c.Backlog
	if backlog <= 0 {
		backlog = DefaultCaptureBacklog
	}
	maxWaiting := max(int(backlog*time.Duration(c.Rate)/time.Second)/buffer, 1) // chunks
	c.feed.Start(func(ctx context.Context, emit func(*frame.Audio) bool) error {
		tick := time.NewTicker(period)
		defer tick.Stop()
		var (
			taken   int64
			waiting []*frame.Audio // taken off SDL's queue, not yet in the feed
		)
		for {
			for sdl.GetQueuedAudioSize(dev) >= uint32(chunkBytes) {
				b := make([]byte, chunkBytes)
				n, err := sdl.DequeueAudio(dev, b)
				if err != nil {
					return fmt.Errorf("audio capture: %w", err)
				}
				if n != chunkBytes { // the queue never shrinks but by us
					return fmt.Errorf("audio capture: took %d bytes of a chunk of %d", n, chunkBytes)
				}
				waiting = append(waiting, &frame.Audio{Format: frame.S16, Channels: c.Channels, Rate: c.Rate, Samples: buffer, Data: [][]byte{b},
					PTS: time.Duration(taken * int64(time.Second) / int64(c.Rate))})
				taken += int64(buffer)
				c.captured.Store(taken)
				if over := len(waiting) - maxWaiting; over > 0 {
					clear(waiting[:over]) // the oldest go
					waiting = waiting[over:]
					c.dropped.Add(int64(over * buffer))
				}
			}
			// Only this goroutine puts into the feed, so while it has room
			// an emit does not wait: the producer never blocks, and goes
			// on taking SDL's queue off while the outbox is blocked.
			for len(waiting) > 0 && c.feed.Inbox().Len() < captureWindow {
				a := waiting[0]
				waiting[0], waiting = nil, waiting[1:]
				if !emit(a) {
					c.dropped.Add(int64((len(waiting) + 1) * buffer))
					return nil
				}
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				// Stopped: what waits beyond the feed cannot be sent.
				c.dropped.Add(int64(len(waiting) * buffer))
				return nil
			}
		}
	})
	defer func() {
		c.feed.Stop()
		<-c.feed.Done() // the producer has stopped dequeuing: the device may close
	}()
	finishing := false
	for {
		finishing = c.TakeControl(nil).Finishing || finishing
		if finishing {
			c.feed.Stop() // record no more: send what was taken, then end
		}
		it, ok := c.feed.TryRecv()
		if !ok {
			if finishing {
				return nil
			}
			if err := c.Wait(ctx); err != nil {
				return err
			}
			continue
		}
		if it.End {
			if it.Err != nil {
				return it.Err
			}
			return nil
		}
		if err := c.Out.Send(ctx, it.V); err != nil {
			return err
		}
	}
}
