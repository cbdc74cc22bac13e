//go:build cgo

package whiteboard

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// PeerAudio is the sound of one Whiteboard peer, a member of its AUDIO
// backplane, as Kamaelia's
// SubscribeTo(AUDIO) → TagAndFilterWrapper(player, recorder) → PublishTo
// was: the Speex frames its voice sends go to every other peer as SOUND
// messages, and the SOUND messages of every other peer are decoded and
// mixed (a Conference) into what it hears. The peer's mesh never brings
// a member back what it published, so a peer does not hear itself.
//
// Boxes (a Graphline's):
//
//	outbox  *frame.Audio  what this peer hears: everyone else, mixed, S16
//	                      mono at 8 kHz in 20 ms chunks (link it to an
//	                      sdl.AudioPlayer whose Buffer is FrameSamples)
//	control, signal       as a Graphline's
//
// Speakers are told apart by the peer their sound entered the mesh at (the
// origin of its MsgID); sound from a Kamaelia 1.x peer is named by the Go
// peer that first read it, so 1.x speakers behind one Go peer count as one
// speaker.
type PeerAudio struct {
	*chassis.Graph
	// Conference is the mix this peer hears.
	Conference *Conference
	// Subscribed is closed once the member listens to the AUDIO
	// backplane: sound sent after it is heard.
	Subscribed <-chan struct{}

	malformed atomic.Int64
}

// Malformed returns how many SOUND messages carried no frame (and were
// dropped).
func (a *PeerAudio) Malformed() int64 { return a.malformed.Load() }

// NewPeerAudio makes p's sound: voice, a component whose "outbox" sends
// Speex frames (a NewMicrophone, or a recording), speaks for p; nil
// leaves p listening only. Activate it on the scheduler p runs on.
func NewPeerAudio(p *wb.Peer, voice axon.Component) (*PeerAudio, error) {
	if p == nil {
		return nil, errors.New("whiteboard: NewPeerAudio: no peer")
	}
	in, _, audio := p.Backplanes()
	tag := p.NewTag()
	conf := NewConference("")
	sub := chassis.SubscribeTo[wb.Envelope](audio)
	pa := &PeerAudio{Conference: conf, Subscribed: sub.Subscribed()}
	hear := flow.NewPureTransformer(func(e wb.Envelope) Voice {
		f, err := wire.SoundPayload(e.Msg)
		if err != nil || len(f) == 0 {
			pa.malformed.Add(1) // not a frame: counted, and dropped
			return Voice{}
		}
		return Voice{From: e.ID.Origin, Frame: f}
	}, flow.DropZero())
	comps := chassis.Components{
		"AUDIO":  sub,
		"MINE":   flow.NewFilter(func(e wb.Envelope) bool { return e.For(tag) }),
		"VOICES": hear,
		"HEAR":   conf,
	}
	links := chassis.Linkages{
		{Component: "AUDIO", Box: "outbox"}:  {Component: "MINE", Box: "inbox"},
		{Component: "MINE", Box: "outbox"}:   {Component: "VOICES", Box: "inbox"},
		{Component: "VOICES", Box: "outbox"}: {Component: "HEAR", Box: "inbox"},
		{Component: "HEAR", Box: "outbox"}:   {Component: chassis.Self, Box: "outbox"},
	}
	if voice != nil {
		speak, err := newPeerVoice(in, tag, voice)
		if err != nil {
			return nil, err
		}
		comps["SPEAK"] = speak
	}
	g, err := chassis.NewGraphline(comps, links)
	if err != nil {
		return nil, fmt.Errorf("whiteboard: peer audio: %w", err)
	}
	g.SetName("whiteboard.PeerAudio")
	pa.Graph = g
	return pa, nil
}

// NewPeerVoice makes voice (a component whose "outbox" sends Speex frames:
// a NewMicrophone, a NewSoundFile) speak to every peer of p's mesh, without
// hearing anything: Kamaelia's MP3Player, music to everyone. It ends when
// the voice ends. Activate it on the scheduler p runs on.
func NewPeerVoice(p *wb.Peer, voice axon.Component) (*chassis.Graph, error) {
	if p == nil || voice == nil {
		return nil, errors.New("whiteboard: NewPeerVoice: no peer or no voice")
	}
	in, _, _ := p.Backplanes()
	return newPeerVoice(in, p.NewTag(), voice)
}

// newPeerVoice publishes voice's frames on the backplane in as SOUND
// messages from member tag.
func newPeerVoice(in string, tag uint64, voice axon.Component) (*chassis.Graph, error) {
	g, err := chassis.NewGraphline(chassis.Components{
		"VOICE": voice,
		"SOUND": flow.NewPureTransformer(func(f []byte) wb.Envelope {
			return wb.Envelope{From: tag, Msg: wire.Sound(f)}
		}),
		"PUBLISH": chassis.PublishTo[wb.Envelope](in),
	}, chassis.Linkages{
		{Component: "VOICE", Box: "outbox"}: {Component: "SOUND", Box: "inbox"},
		{Component: "VOICE", Box: "signal"}: {Component: "SOUND", Box: "control"},
		{Component: "SOUND", Box: "outbox"}: {Component: "PUBLISH", Box: "inbox"},
		{Component: "SOUND", Box: "signal"}: {Component: "PUBLISH", Box: "control"},
	})
	if err != nil {
		return nil, fmt.Errorf("whiteboard: peer voice: %w", err)
	}
	g.SetName("whiteboard.PeerVoice")
	return g, nil
}
