// Package catalog is the launch catalogue of kamaelia-go's media
// components, which need FFmpeg and SDL through cgo: decoders, encoders,
// muxers, filters, the SDL display and video overlay, audio capture.
//
//	r := catalog.New(catalog.Stdio())        // launch/catalog: pure Go
//	mediacatalog.Register(r, catalog.Stdio()) // this package
//
// Built without cgo, Register adds none of them but tells the Registry
// their names (launch.Registry.Unavailable), so that a description or
// --help naming one says that it needs the cgo build rather than that no
// such component exists.
package catalog

// Names are the components Register adds in a cgo build.
var Names = []string{
	"AudioCapture", "AudioFilter", "AudioMultiFilter", "Demuxer", "DiracDecoder", "DiracEncoder",
	"Display", "Encoder", "FileDecoder", "FileDemuxer", "FileMuxer", "FrameRateLimit", "Muxer",
	"PacketDecoder", "Transcode", "VideoFilter", "VideoMultiFilter", "VideoOverlay",
}
