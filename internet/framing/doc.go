// Package framing turns byte streams into messages and messages into byte
// streams, as components: Kamaelia's Framing and Marshalling.
//
// A stream socket delivers bytes in chunks that have nothing to do with the
// messages they carry: a message may arrive split over many chunks, or many
// in one. A de-framer puts the messages back together. Three framings are
// here, each a framer (messages in, bytes out) and a de-framer (bytes in,
// messages out):
//
//   - Framer and DeFramer: each message behind its length, as a 4-byte
//     big-endian count. Exact and cheap; a corrupt stream cannot be resumed.
//   - DelimFramer and DelimDeFramer: each message followed by a delimiter
//     ("\n", "\r\n", ...), which the message may not contain. For text.
//   - DataChunker and DataDeChunker: each message between flag bytes, with
//     byte stuffing and a CRC-32C (HDLC's framing, for Kamaelia's
//     DataChunker's job): the de-chunker finds the next message after
//     garbage or a lost piece, and says what it skipped.
//
// Marshaller and DeMarshaller turn typed values into messages and back with
// a Codec; Gob and JSON are built in.
//
// Every framer and de-framer bounds the size of a message (WithMaxFrameSize,
// DefaultMaxFrameSize, 1 MiB, unless set; WithoutMaxFrameSize turns the
// bound off, for a stream you trust) and a de-framer never buffers more
// than that plus one chunk, whatever size a peer claims. A malformed stream is never a panic
// and never silently dropped: Framer's, DelimFramer's and the
// de-marshaller's failures end the component with a *FrameError or
// *CodecError on signal (the connection of a server whose protocol it is
// is then closed); DataDeChunker, whose job is to survive garbage, reports
// each piece it skipped on its "errors" outbox and goes on.
//
// The decoders (LengthDecoder, DelimDecoder, ChunkDecoder) are usable
// without the components, and are what the fuzz targets exercise.
package framing
