//go:build cgo

// Package whiteboard holds the parts of the Whiteboard that need cgo: its
// sound (a Speex microphone, and a Conference that mixes every other
// peer's voice), its SDL window, and the Video Whiteboard, which scribbles
// over video.
//
// Sound is Kamaelia's: 8 kHz mono, Speex narrowband at quality 3, one 20
// ms frame a SOUND line. Unlike Kamaelia's Whiteboard, which took its
// peers' sound in turns, a Conference decodes each speaker on its own and
// mixes them with av.Mixer, so everyone hears everyone else, at once, and
// never themselves.
package whiteboard
