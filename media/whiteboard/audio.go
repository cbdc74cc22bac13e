//go:build cgo

package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// The Whiteboard's sound: 8 kHz mono, Speex narrowband at quality 3 (8
// kbit/s), one 20 ms frame (160 samples, 20 bytes) a SOUND line.
const (
	AudioRate    = av.SpeexNarrowband
	FrameSamples = AudioRate / 50
	SpeexQuality = 3
)

// Voice is one Speex packet (one 20 ms frame) of somebody's voice: the
// payload of a SOUND line and the peer it came from.
type Voice struct {
	// From names the speaker: a peer's id, or the connection it came in
	// on when the peer sends none.
	From string
	// Frame is the Speex packet.
	Frame []byte
}

// NewMicrophone returns the Whiteboard's microphone: SDL's capture device
// (device "" is the default one) recording 8 kHz mono in 20 ms chunks,
// encoded with Speex at quality 3, one packet a chunk.
//
// Boxes:
//
//	control any     ProducerFinished, Shutdown (to the capture)
//	outbox  []byte  Speex packets, one every 20 ms
//	signal  any     the outcome, once the encoder has flushed
//
// ProducerFinished stops recording; what was recorded is encoded and sent
// before the microphone ends. A capture device that cannot be opened is
// the microphone's failure, naming it.
func NewMicrophone(device string) (*chassis.Graph, error) {
	mic := sdl.NewAudioCapture(AudioRate, 1)
	mic.Buffer = FrameSamples
	mic.Device = device
	return newSpeaker(mic)
}

// newSpeaker encodes the sound source sends on its outbox (*frame.Audio at
// AudioRate, mono) as the Whiteboard's Speex packets.
func newSpeaker(source axon.Component) (*chassis.Graph, error) {
	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: SpeexQuality, FramesPerPacket: 1})
	if err != nil {
		return nil, err
	}
	bare := flow.NewPureTransformer(func(p *av.Packet) []byte { return p.Data })
	return chassis.NewGraphline(chassis.Components{"SOURCE": source, "ENCODE": enc, "FRAMES": bare}, chassis.Linkages{
		{Component: chassis.Self, Box: "control"}: {Component: "SOURCE", Box: "control"},
		{Component: "SOURCE", Box: "outbox"}:      {Component: "ENCODE", Box: "audio"},
		{Component: "SOURCE", Box: "signal"}:      {Component: "ENCODE", Box: "control"},
		{Component: "ENCODE", Box: "outbox"}:      {Component: "FRAMES", Box: "inbox"},
		{Component: "ENCODE", Box: "signal"}:      {Component: "FRAMES", Box: "control"},
		{Component: "FRAMES", Box: "outbox"}:      {Component: chassis.Self, Box: "outbox"},
		{Component: "FRAMES", Box: "signal"}:      {Component: chassis.Self, Box: "signal"},
	})
}

// ConferenceStats counts what a Conference has done.
type ConferenceStats struct {
	Frames   int64 // frames taken from others
	Own      int64 // frames of Self's own voice, not played back to it
	Speakers int64 // speakers heard so far
}

// Conference is what one peer hears: everyone's voice but its own,
// decoded and mixed. Each speaker's frames go to a Speex decoder of its
// own (made as the speaker is first heard, a child of the Conference) and
// from there to an av.Mixer, which sums the speakers sample by sample:
// two people talking at once are heard at once. (Kamaelia's Whiteboard
// took its peers' sound in turns.)
//
// Boxes:
//
//	inbox   Voice         Speex frames, from any number of speakers
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  the mix: S16 mono at 8 kHz, 20 ms a chunk
//	signal  any           the outcome
//
// Frames from Self are not played (a peer does not hear itself): they are
// counted in Stats().Own. A frame a decoder refuses costs that speaker 20
// ms of sound, not the call: it is counted in the decoder's Stats and
// skipped. A speaker silent for a second leaves the mix (the Mixer's Idle)
// and joins again when next heard; its decoder stays, idle, for the
// Conference's life.
//
// Shutdown: ProducerFinished decodes and mixes what every speaker sent,
// sends it and returns nil; Shutdown stops every part at once. A part
// that fails fails the Conference; a part shut down from outside (the
// whole system stopping) ends it with nil.
type Conference struct {
	axon.Core
	In  *axon.Inbox[Voice]
	Out *axon.Outbox[*frame.Audio]

	// Self is the listener's own name: its own frames are not played.
	Self string
	// Mixer mixes the speakers; set its Latency or Idle before activation.
	Mixer *av.Mixer

	st struct{ frames, own, speakers atomic.Int64 }
}

// NewConference returns the Conference that self hears.
func NewConference(self string) *Conference {
	c := &Conference{Self: self, Mixer: av.NewMixer(AudioRate, 1)}
	c.Mixer.Chunk = FrameSamples
	c.In = axon.NewInbox[Voice](c, "inbox")
	c.Out = axon.NewOutbox[*frame.Audio](c, "outbox")
	return c
}

// Stats returns what the Conference has done so far.
func (c *Conference) Stats() ConferenceStats {
	return ConferenceStats{Frames: c.st.frames.Load(), Own: c.st.own.Load(), Speakers: c.st.speakers.Load()}
}

// speaker is the decoding chain of one speaker.
type speaker struct {
	to   *axon.Outbox[[]byte] // the Conference's box into the decoder
	stop *axon.Outbox[any]    // the Conference's box to the decoder's control
	dec  *av.SpeexDecoder
	tag  *flow.PureTransformer[*frame.Audio, av.Sound]
}

// errStopped says a part of the Conference was shut down from outside.
var errStopped = errors.New("conference: a part was shut down")

// Main hears the speakers until told to stop.
func (c *Conference) Main(ctx context.Context) error {
	mixStop, err := axon.DeclareOutbox[any](c, "mixer-control")
	if err != nil {
		return err
	}
	if err := c.AddChildren(c.Mixer); err != nil {
		return err
	}
	if _, err := c.Link(c.Mixer.Out, c.Out); err != nil {
		return err
	}
	if _, err := c.Link(mixStop, c.Mixer.Control()); err != nil {
		return err
	}
	c.ActivateChildren()
	speakers := map[string]*speaker{}
	var order []*speaker
	join := func(name string) (*speaker, error) {
		n := len(order) + 1
		s := &speaker{dec: av.NewSpeexDecoder(AudioRate)}
		s.dec.OnCorrupt = av.Skip
		s.dec.SetName(fmt.Sprintf("speex-decoder(%s)", name))
		s.tag = flow.NewPureTransformer(func(a *frame.Audio) av.Sound { return av.Sound{Source: name, Audio: a} })
		var err error
		if s.to, err = axon.DeclareOutbox[[]byte](c, fmt.Sprintf("speaker%d", n)); err != nil {
			return nil, err
		}
		if s.stop, err = axon.DeclareOutbox[any](c, fmt.Sprintf("speaker%d-control", n)); err != nil {
			return nil, err
		}
		if err := c.AddChildren(s.dec, s.tag); err != nil {
			return nil, err
		}
		for _, l := range [][2]axon.Box{{s.to, s.dec.In}, {s.stop, s.dec.Control()}, {s.dec.Out, s.tag.In},
			{s.dec.Signal(), s.tag.Control()}, {s.tag.Out, c.Mixer.In}} {
			if _, err := c.Link(l[0], l[1]); err != nil {
				return nil, err
			}
		}
		c.ActivateChildren()
		speakers[name] = s
		order = append(order, s)
		c.st.speakers.Add(1)
		return s, nil
	}
	// failed returns the failure of a part that has ended before its time.
	failed := func() error {
		for _, ch := range c.Children() {
			cc := ch.(axon.CoreComponent)
			select {
			case <-cc.Done():
				if err := cc.Err(); err != nil {
					return fmt.Errorf("conference: %w", err)
				}
				if sd, ok := ch.(interface{ ShutdownReason() (axon.Shutdown, bool) }); ok {
					if _, shut := sd.ShutdownReason(); shut {
						// Shut down from outside (the whole system is
						// stopping): the Conference stops with it.
						return errStopped
					}
				}
				return fmt.Errorf("conference: %s ended before its time", cc.Name())
			default:
			}
		}
		return nil
	}
	for {
		v, ok := c.In.TryRecv()
		if !ok {
			if c.TakeControl(nil).Finishing && c.In.Len() == 0 {
				break
			}
			if err := failed(); errors.Is(err, errStopped) {
				return nil
			} else if err != nil {
				return err
			}
			if err := c.Wait(ctx); err != nil {
				return err
			}
			continue
		}
		if v.From == c.Self {
			c.st.own.Add(1)
			continue
		}
		s := speakers[v.From]
		if s == nil {
			if s, err = join(v.From); err != nil {
				return err
			}
		}
		c.st.frames.Add(1)
		if err := s.to.Send(ctx, v.Frame); err != nil {
			return err
		}
	}
	// The end: every decoder decodes what it has, then the mixer mixes
	// what they sent.
	for _, s := range order {
		if err := s.stop.Send(ctx, axon.ProducerFinished{}); err != nil {
			return err
		}
	}
	for _, s := range order {
		for _, p := range []axon.CoreComponent{s.dec, s.tag} {
			select {
			case <-p.Done():
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := p.Err(); err != nil {
				return fmt.Errorf("conference: %w", err)
			}
		}
	}
	if err := mixStop.Send(ctx, axon.ProducerFinished{}); err != nil {
		return err
	}
	select {
	case <-c.Mixer.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := c.Mixer.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("conference: %w", err)
	}
	return nil
}
