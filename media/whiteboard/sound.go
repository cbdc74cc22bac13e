//go:build cgo

package whiteboard

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// SoundLine returns the line that carries one Speex frame to a peer: the
// audio message ["SOUND", frame], escaped, ending in "\n".
func SoundLine(frame []byte) []byte {
	line, err := wire.Marshal(wire.Sound(frame))
	if err != nil {
		// A list of two tokens always marshals: this is a broken codec.
		panic(fmt.Sprintf("whiteboard: marshalling a SOUND message: %v", err))
	}
	return line
}

// SoundRouter splits what a peer sends into its voice and the rest, as
// Kamaelia's per-connection ROUTER did: audio messages (first token
// "SOUND") become Voices from From, everything else goes on unchanged.
//
// Boxes:
//
//	inbox   wire.List  messages from a peer, as wire.Decoder reads them
//	control any        ProducerFinished, Shutdown
//	voices  Voice      the Speex frames of audio messages, From set
//	outbox  wire.List  every other message, in order
//	signal  any        the outcome
//
// An audio message with no payload, or a list for one, is not a frame: it
// is counted (Malformed) and passed over, so that a peer's bad line does
// not end the call. Shutdown: ProducerFinished routes what is waiting and
// ends; Shutdown ends at once.
type SoundRouter struct {
	axon.Core
	In     *axon.Inbox[wire.List]
	Voices *axon.Outbox[Voice]
	Out    *axon.Outbox[wire.List]

	// From names the peer the messages come from.
	From string

	malformed atomic.Int64
}

// NewSoundRouter returns a SoundRouter of a peer called from.
func NewSoundRouter(from string) *SoundRouter {
	r := &SoundRouter{From: from}
	r.In = axon.NewInbox[wire.List](r, "inbox")
	r.Voices = axon.NewOutbox[Voice](r, "voices")
	r.Out = axon.NewOutbox[wire.List](r, "outbox")
	return r
}

// Malformed returns how many audio messages carried no frame.
func (r *SoundRouter) Malformed() int64 { return r.malformed.Load() }

// Main routes messages until told to stop.
func (r *SoundRouter) Main(ctx context.Context) error {
	for l := range r.In.Messages(ctx) {
		if !wire.IsSound(l) {
			if err := r.Out.Send(ctx, l); err != nil {
				return err
			}
			continue
		}
		f, err := wire.SoundPayload(l)
		if err != nil || len(f) == 0 {
			r.malformed.Add(1)
			continue
		}
		if err := r.Voices.Send(ctx, Voice{From: r.From, Frame: f}); err != nil {
			return err
		}
	}
	return ctx.Err()
}
