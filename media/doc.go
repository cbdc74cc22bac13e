// Package media is the multimedia half of kamaelia-go: codecs through FFmpeg
// and a display, overlays, widgets and audio through SDL, as components of
// the axon runtime. It holds no code itself; the work is in its packages:
//
//   - media/frame: the typed messages that flow between media components,
//     video frames and audio buffers. Pure Go.
//   - media/dirac: splits a Dirac (or VC-2) byte stream, arriving in chunks
//     of any size, into the packets a decoder takes. Pure Go.
//   - media/ogg: reads and writes Ogg pages and packets. Pure Go.
//   - media/av: DiracDecoder, DiracEncoder, VorbisDecode, VorbisEncode, a
//     Decoder for any container and codec FFmpeg knows, and a Scaler, all
//     through FFmpeg (github.com/asticode/go-astiav). Needs cgo.
//   - media/sdl: the Display service, VideoOverlay, Button, Image and
//     AudioPlayer through SDL2 (github.com/veandco/go-sdl2). Needs cgo.
//
// A program reads like Kamaelia's diagram of it:
//
//	bytes from a socket -> av.DiracDecoder -> rate limit -> sdl.VideoOverlay
//
// docs/media.md gives the working pipelines, the system packages they need
// and what each component does on shutdown.
package media
