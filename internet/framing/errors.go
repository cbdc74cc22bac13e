package framing

import (
	"errors"
	"fmt"
	"math"
)

// DefaultMaxFrameSize is the largest message a framer or de-framer takes
// when WithMaxFrameSize does not say otherwise: 1 MiB. WithoutMaxFrameSize
// turns the limit off.
const DefaultMaxFrameSize = 1 << 20

// noLimit is the limit WithoutMaxFrameSize sets: larger than any message,
// yet small enough that adding a delimiter's or a checksum's length to it
// cannot overflow.
const noLimit = math.MaxInt >> 1

// limit is the limit a decoder made with max enforces.
func limit(max int) int {
	if max <= 0 {
		return DefaultMaxFrameSize
	}
	return min(max, noLimit)
}

var (
	// ErrFrameTooLarge: a message is larger than the limit (WithMaxFrameSize).
	ErrFrameTooLarge = errors.New("framing: frame larger than the limit")
	// ErrTruncated: the stream ended inside a message.
	ErrTruncated = errors.New("framing: stream ended inside a frame")
	// ErrBadChecksum: a chunk's CRC does not match its contents.
	ErrBadChecksum = errors.New("framing: chunk checksum does not match")
	// ErrBadEscape: an escape byte is followed by a byte it cannot escape.
	ErrBadEscape = errors.New("framing: bad escape sequence")
	// ErrGarbage: bytes before the first flag of a chunked stream.
	ErrGarbage = errors.New("framing: bytes outside any chunk")
	// ErrDelimiterInPayload: the delimiter appears in a message given to a
	// DelimFramer (within it, or running from its end into the delimiter
	// after it), so it could not be told apart again.
	ErrDelimiterInPayload = errors.New("framing: payload contains the delimiter")
)

// FrameError is a malformed or refused frame: where it is in the stream,
// how big it is and what is wrong with it. errors.Is sees Err.
type FrameError struct {
	// Offset is where the frame starts, in bytes from the start of the
	// stream (for a framer: the index of the message, from 0).
	Offset int64
	// Size is the frame's size in bytes: the size announced by a length
	// prefix, what was read of a frame cut short, or the bytes skipped. A
	// delimited record refused as too long has Limit+1: it is refused as
	// soon as it is known to be longer than the limit, maybe before its end.
	Size int64
	// Limit is the largest frame allowed, when the limit is the trouble.
	Limit int
	// Err is one of the package's Err values.
	Err error
}

// Error describes the frame and its trouble.
func (e *FrameError) Error() string {
	if e.Limit > 0 {
		return fmt.Sprintf("%v: at byte %d: %d bytes, limit %d", e.Err, e.Offset, e.Size, e.Limit)
	}
	return fmt.Sprintf("%v: at byte %d: %d bytes", e.Err, e.Offset, e.Size)
}

// Unwrap returns Err.
func (e *FrameError) Unwrap() error { return e.Err }

// Option configures a framer or de-framer.
type Option func(*config)

type config struct{ max int }

func newConfig(opts []Option) config {
	c := config{max: DefaultMaxFrameSize}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithMaxFrameSize sets the largest message, in bytes, a framer frames and a
// de-framer accepts (n > 0; DefaultMaxFrameSize unless set, and n <= 0
// leaves it so). A de-framer refuses a larger one as soon as it can tell:
// for a length prefix, when the prefix arrives.
func WithMaxFrameSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.max = limit(n)
		}
	}
}

// WithoutMaxFrameSize turns the limit off: a framer frames, and a de-framer
// accepts, messages of any size (a length prefix still counts at most
// 4 GiB - 1 bytes, so Framer refuses a larger message). A de-framer then
// holds whatever a peer sends until its frame ends: use it only on a stream
// you trust.
func WithoutMaxFrameSize() Option {
	return func(c *config) { c.max = noLimit }
}
