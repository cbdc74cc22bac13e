//go:build cgo

// Package av holds the media components that work through FFmpeg (with
// github.com/asticode/go-astiav v0.16.0, which targets FFmpeg 5.1 as Debian
// 12 ships it): DiracDecoder and DiracEncoder, VorbisDecode and
// VorbisEncode, a Decoder for any container and codec FFmpeg knows, and a
// Scaler; and the transcoding layer: an Encoder for any FFmpeg video or
// audio encoder by name, a Muxer to any container FFmpeg writes (a file
// written atomically, or a byte stream), a Demuxer of files and byte
// streams, a PacketDecoder, VideoFilter and AudioFilter, which run FFmpeg
// filter graphs (scale, crop, fps, aresample), and NewTranscode, the
// prefab of the whole chain; and a Mixer of raw sound from sources that
// come and go. It needs cgo and FFmpeg's development
// packages (libavcodec-dev, libavformat-dev, libavutil-dev, libswscale-dev,
// libavfilter-dev, pkg-config).
//
// Encoded media travels as *Packet: the bytes of one encoded unit, its
// timestamps in a time base, its key flag, its stream index and the
// stream's StreamParams (what a decoder needs to open and a muxer needs to
// declare the stream), all in Go memory. A transcode is a chain of them:
//
//	Demuxer -> PacketDecoder -> VideoFilter -> Encoder -> Muxer
//
// Every component copies what it decodes into Go memory before it sends it
// (frame.Video and frame.Audio hold no C memory), so messages can be kept,
// changed and passed on like any other Go value, and each component frees
// its FFmpeg state when its Main returns, whatever the reason.
//
// Decoders take their input as []byte chunks of any size, the way they come
// off a socket or a file; what a chunk holds is copied, so the sender may
// reuse it. Corrupt input is an error on signal by default (see Corruption).
//
// FFmpeg logs what it meets to standard error through its own logger; set
// its level with astiav.SetLogLevel.
package av
