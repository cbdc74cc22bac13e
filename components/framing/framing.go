// Package framing has the components that cut a stream of bytes into
// messages of another shape: Chunkifier into chunks of a fixed size,
// LineSplit into lines (Kamaelia's Chunkifier and LineSplit). Both treat
// their input as one stream: a chunk or a line may be made of several
// messages, and one message may give several.
//
// They work on any string or byte-slice type (the Bytes constraint); what
// they send is always a new value, never a slice of what they were sent.
package framing

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Bytes is the type of the messages the framing components work on.
type Bytes interface{ ~string | ~[]byte }

// stream is the parsers' buffer: bytes pushed, not yet taken. Taking moves
// an offset; the bytes are compacted when the taken part is the larger.
type stream struct {
	buf []byte
	off int
}

func (s *stream) push(p []byte) {
	if s.off > 0 && s.off >= len(s.buf)-s.off {
		s.buf = append(s.buf[:0], s.buf[s.off:]...)
		s.off = 0
	}
	s.buf = append(s.buf, p...)
}

func (s *stream) len() int { return len(s.buf) - s.off }

// take returns a copy of the next n bytes and moves past them.
func (s *stream) take(n int) []byte {
	p := bytes.Clone(s.buf[s.off : s.off+n])
	s.off += n
	if s.off == len(s.buf) {
		s.buf, s.off = s.buf[:0], 0
	}
	return p
}

// chunker cuts a stream into chunks of size bytes.
type chunker struct {
	stream
	size int
}

// next returns the next whole chunk, if there is one.
func (c *chunker) next() ([]byte, bool) {
	if c.len() < c.size {
		return nil, false
	}
	return c.take(c.size), true
}

// rest returns what is left, less than a chunk (nil if nothing).
func (c *chunker) rest() []byte {
	if c.len() == 0 {
		return nil
	}
	return c.take(c.len())
}

// lineSplitter cuts a stream into lines at "\n", refusing a line longer
// than max bytes (0: no limit). It holds only the start of the line not yet
// complete, never more than max bytes of it: a message is cut where it is,
// not copied whole into the buffer first.
type lineSplitter struct {
	keepNewline bool
	max         int
	buf         []byte // the start of a line not yet complete: no "\n" in it
	off         int64  // stream offset of buf[0]
}

// keepCap is the largest buffer kept for the next line once a line has
// gone: a long line's buffer is let go rather than held for ever.
const keepCap = 64 << 10

// feed cuts p into lines and calls emit with each line it completes,
// without its "\n" unless keepNewline; each line is a new slice. It returns
// emit's first error, or a *LineError once the line not yet complete is
// longer than max.
func (l *lineSplitter) feed(p []byte, emit func(line []byte) error) error {
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		n := len(l.buf) + i // the line's length without its "\n"
		if l.max > 0 && n > l.max {
			return l.tooLong(n)
		}
		end := i
		if l.keepNewline {
			end++
		}
		line := append(append(make([]byte, 0, len(l.buf)+end), l.buf...), p[:end]...)
		l.reset(int64(n + 1))
		p = p[i+1:]
		if err := emit(line); err != nil {
			return err
		}
	}
	if n := len(l.buf) + len(p); l.max > 0 && n > l.max {
		return l.tooLong(n)
	}
	l.buf = append(l.buf, p...)
	return nil
}

// reset empties the buffer after a line of n bytes (its "\n" included).
func (l *lineSplitter) reset(n int64) {
	l.off += n
	if cap(l.buf) > keepCap {
		l.buf = nil
		return
	}
	l.buf = l.buf[:0]
}

// tooLong refuses the line at l.off, of which n bytes have arrived.
func (l *lineSplitter) tooLong(n int) error {
	err := &LineError{Offset: l.off, Size: int64(n), Limit: l.max}
	l.buf = nil
	return err
}

// rest returns the last line, which has no "\n" (nil if nothing is left).
func (l *lineSplitter) rest() []byte {
	if len(l.buf) == 0 {
		return nil
	}
	line := bytes.Clone(l.buf)
	l.reset(int64(len(line)))
	return line
}

// Chunkifier collects what it is sent and sends it on in chunks of exactly
// size bytes (Kamaelia's Chunkifier): a fixed message size for a stream
// whose pieces come in any size.
//
// Boxes:
//
//	inbox   (T)    pieces of the stream
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    chunks of size bytes; the last may be shorter
//	signal  (any)  how it ended
//
// With WithNoDelay, whatever is left over once the inbox is empty is sent
// at once as a short chunk instead of waiting for more.
//
// Example:
//
//	chunks := framing.NewChunkifier[[]byte](188) // MPEG transport stream packets
//
// Shutdown: ProducerFinished on control makes it take every piece
// waiting, send the whole chunks, then what is left as a last, short chunk
// (if anything is), and end with ProducerFinished. Shutdown stops it at
// once: what it holds is dropped.
type Chunkifier[T Bytes] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out     *axon.Outbox[T]
	size    int
	noDelay bool
}

// ChunkOption configures a Chunkifier.
type ChunkOption func(*chunkOptions)

type chunkOptions struct{ noDelay bool }

// WithNoDelay sends what is left over as a short chunk as soon as the
// inbox is empty.
func WithNoDelay() ChunkOption { return func(o *chunkOptions) { o.noDelay = true } }

// NewChunkifier returns a Chunkifier of chunks of size bytes. It panics if
// size is not positive.
func NewChunkifier[T Bytes](size int, opts ...ChunkOption) *Chunkifier[T] {
	if size <= 0 {
		panic(fmt.Sprintf("framing: chunk size %d: want > 0", size))
	}
	var o chunkOptions
	for _, opt := range opts {
		opt(&o)
	}
	c := &Chunkifier[T]{size: size, noDelay: o.noDelay}
	c.In = axon.NewInbox[T](c, "inbox")
	c.Out = axon.NewOutbox[T](c, "outbox")
	return c
}

// Main chunks the stream until told to stop.
func (c *Chunkifier[T]) Main(ctx context.Context) error {
	ch := &chunker{size: c.size}
	for v := range c.In.Messages(ctx) {
		ch.push([]byte(v))
		for {
			chunk, ok := ch.next()
			if !ok {
				break
			}
			if err := c.Out.Send(ctx, T(chunk)); err != nil {
				return err
			}
		}
		if c.noDelay && !c.In.DataReady() {
			if rest := ch.rest(); rest != nil {
				if err := c.Out.Send(ctx, T(rest)); err != nil {
					return err
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rest := ch.rest(); rest != nil {
		return c.Out.Send(ctx, T(rest))
	}
	return nil
}

// DefaultMaxLineLength is the longest line LineSplit takes when
// WithMaxLineLength does not say otherwise: 1 MiB, the default frame size
// of the de-framers in internet/framing.
const DefaultMaxLineLength = 1 << 20

// ErrLineTooLong is what a *LineError wraps: a line grew past LineSplit's
// limit without a "\n".
var ErrLineTooLong = errors.New("framing: line longer than the limit")

// LineError is a line LineSplit refused as longer than its limit. errors.Is
// sees ErrLineTooLong.
type LineError struct {
	// Offset is where the line starts, in bytes from the start of the stream.
	Offset int64
	// Size is how many bytes of the line had arrived when it was refused:
	// more than Limit. The line is refused as soon as the message that
	// takes it past the limit arrives, so the line may be longer still.
	Size int64
	// Limit is the longest line allowed, in bytes, not counting its "\n".
	Limit int
}

// Error names the limit and what arrived.
func (e *LineError) Error() string {
	return fmt.Sprintf("%v: the line at byte %d reached %d bytes with no \"\\n\", limit %d", ErrLineTooLong, e.Offset, e.Size, e.Limit)
}

// Unwrap returns ErrLineTooLong.
func (e *LineError) Unwrap() error { return ErrLineTooLong }

// LineSplit cuts the stream it is sent into lines, and sends each line
// (Kamaelia's LineSplit, which split each message on its own; here a line
// may span messages).
//
// Boxes:
//
//	inbox   (T)    pieces of the stream
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    each line, without its "\n" (with it, WithNewlines)
//	signal  (any)  how it ended
//
// Lines end at "\n" only: a "\r" before it stays in the line.
//
// A line may be at most DefaultMaxLineLength bytes (1 MiB) long, not
// counting its "\n" (WithMaxLineLength sets another limit,
// WithoutMaxLineLength none): LineSplit holds at most that much of a line
// not yet complete, whatever a sender does. A line growing past the limit
// ends it with a *LineError (wrapping ErrLineTooLong) on signal, as soon as
// the message that takes the line past the limit arrives; the lines before
// it have been sent. That is what the de-framers of internet/framing do
// with a frame over their limit.
//
// Example:
//
//	lines := framing.NewLineSplit[[]byte](framing.WithMaxLineLength(64 << 10))
//
// Shutdown: ProducerFinished on control makes it take every piece
// waiting, send the lines, then the last line if the stream did not end
// with "\n", and end with ProducerFinished. Shutdown stops it at once:
// what it holds is dropped.
type LineSplit[T Bytes] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out         *axon.Outbox[T]
	keepNewline bool
	max         int // 0: no limit
}

// LineOption configures a LineSplit.
type LineOption func(*lineOptions)

type lineOptions struct {
	keepNewline bool
	max         int
	unlimited   bool
}

// WithNewlines keeps the "\n" at the end of each line sent.
func WithNewlines() LineOption { return func(o *lineOptions) { o.keepNewline = true } }

// WithMaxLineLength sets the longest line, in bytes not counting its "\n",
// that LineSplit takes (DefaultMaxLineLength unless set). NewLineSplit
// panics if n is not positive: WithoutMaxLineLength says "no limit".
func WithMaxLineLength(n int) LineOption {
	return func(o *lineOptions) { o.max, o.unlimited = n, false }
}

// WithoutMaxLineLength lets lines be of any length. LineSplit then holds
// whatever arrives until a "\n" comes: use it only for a stream you trust.
func WithoutMaxLineLength() LineOption { return func(o *lineOptions) { o.unlimited = true } }

// NewLineSplit returns a LineSplit. It panics if WithMaxLineLength was given
// a length that is not positive.
func NewLineSplit[T Bytes](opts ...LineOption) *LineSplit[T] {
	o := lineOptions{max: DefaultMaxLineLength}
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case o.unlimited:
		o.max = 0
	case o.max <= 0:
		panic(fmt.Sprintf("framing: maximum line length %d: want > 0 (WithoutMaxLineLength for no limit)", o.max))
	}
	l := &LineSplit[T]{keepNewline: o.keepNewline, max: o.max}
	l.In = axon.NewInbox[T](l, "inbox")
	l.Out = axon.NewOutbox[T](l, "outbox")
	return l
}

// Main splits the stream into lines until told to stop.
func (l *LineSplit[T]) Main(ctx context.Context) error {
	sp := &lineSplitter{keepNewline: l.keepNewline, max: l.max}
	send := func(line []byte) error { return l.Out.Send(ctx, T(line)) }
	for v := range l.In.Messages(ctx) {
		if err := sp.feed([]byte(v), send); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rest := sp.rest(); rest != nil {
		return send(rest)
	}
	return nil
}
