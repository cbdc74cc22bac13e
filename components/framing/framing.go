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

// lineSplitter cuts a stream into lines at "\n".
type lineSplitter struct {
	stream
	keepNewline bool
	scanned     int // bytes after off known to hold no "\n"
}

// next returns the next whole line, without its "\n" unless keepNewline.
func (l *lineSplitter) next() ([]byte, bool) {
	i := bytes.IndexByte(l.buf[l.off+l.scanned:], '\n')
	if i < 0 {
		l.scanned = l.len()
		return nil, false
	}
	n := l.scanned + i
	l.scanned = 0
	line := l.take(n + 1)
	if !l.keepNewline {
		line = line[:n]
	}
	return line, true
}

// rest returns the last line, which has no "\n" (nil if nothing is left).
func (l *lineSplitter) rest() []byte {
	l.scanned = 0
	if l.len() == 0 {
		return nil
	}
	return l.take(l.len())
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
// Example:
//
//	lines := framing.NewLineSplit[[]byte]()
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
}

// LineOption configures a LineSplit.
type LineOption func(*lineOptions)

type lineOptions struct{ keepNewline bool }

// WithNewlines keeps the "\n" at the end of each line sent.
func WithNewlines() LineOption { return func(o *lineOptions) { o.keepNewline = true } }

// NewLineSplit returns a LineSplit.
func NewLineSplit[T Bytes](opts ...LineOption) *LineSplit[T] {
	var o lineOptions
	for _, opt := range opts {
		opt(&o)
	}
	l := &LineSplit[T]{keepNewline: o.keepNewline}
	l.In = axon.NewInbox[T](l, "inbox")
	l.Out = axon.NewOutbox[T](l, "outbox")
	return l
}

// Main splits the stream into lines until told to stop.
func (l *LineSplit[T]) Main(ctx context.Context) error {
	sp := &lineSplitter{keepNewline: l.keepNewline}
	for v := range l.In.Messages(ctx) {
		sp.push([]byte(v))
		for {
			line, ok := sp.next()
			if !ok {
				break
			}
			if err := l.Out.Send(ctx, T(line)); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rest := sp.rest(); rest != nil {
		return l.Out.Send(ctx, T(rest))
	}
	return nil
}
