//go:build cgo

package whiteboard

import (
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/media/av"
)

// NewSoundFile returns a voice that plays a sound file to the peers, as
// Kamaelia's MP3Player did: the first audio stream of any file FFmpeg
// reads (MP3, Ogg, WAV, ...), resampled to 8 kHz mono, coded as the
// Whiteboard's Speex frames and sent at the pace of the sound, a frame
// every 20 ms (after a pre-roll of 5 frames). Give it to NewPeerAudio or
// NewPeerVoice as the voice.
//
// Boxes (a Graphline's):
//
//	outbox  []byte  Speex frames, at the pace of the sound
//	control, signal as a Graphline's
//
// It ends when the file has been sent. A file FFmpeg cannot read, or with
// no sound, is its failure.
func NewSoundFile(path string) (*chassis.Graph, error) {
	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: SpeexQuality, FramesPerPacket: 1})
	if err != nil {
		return nil, err
	}
	return chassis.NewGraphline(chassis.Components{
		"DECODE":   av.NewFileDecoder(path),
		"RESAMPLE": av.NewAudioFilter("aresample=8000,aformat=sample_fmts=s16:channel_layouts=mono"),
		"ENCODE":   enc,
		"FRAMES":   flow.NewPureTransformer(func(p *av.Packet) []byte { return p.Data }),
		"PACE":     timing.NewMessageRateLimit[[]byte](50, 5),
	}, chassis.Linkages{
		{Component: "DECODE", Box: "audio"}:    {Component: "RESAMPLE", Box: "inbox"},
		{Component: "DECODE", Box: "signal"}:   {Component: "RESAMPLE", Box: "control"},
		{Component: "RESAMPLE", Box: "outbox"}: {Component: "ENCODE", Box: "audio"},
		{Component: "RESAMPLE", Box: "signal"}: {Component: "ENCODE", Box: "control"},
		{Component: "ENCODE", Box: "outbox"}:   {Component: "FRAMES", Box: "inbox"},
		{Component: "ENCODE", Box: "signal"}:   {Component: "FRAMES", Box: "control"},
		{Component: "FRAMES", Box: "outbox"}:   {Component: "PACE", Box: "inbox"},
		{Component: "FRAMES", Box: "signal"}:   {Component: "PACE", Box: "control"},
		{Component: "PACE", Box: "outbox"}:     {Component: chassis.Self, Box: "outbox"},
		{Component: "PACE", Box: "signal"}:     {Component: chassis.Self, Box: "signal"},
	})
}
