package radio

import (
	"bytes"
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
)

// maxControlLine is the longest control line taken; a longer one is
// answered FAIL.
const maxControlLine = 4096

// lineProtocol is one connection of a line protocol: each line it reads
// (its "\r\n" or "\n" taken off) is given to handle, and the reply sent
// back with a newline. A line longer than maxControlLine is answered FAIL.
type lineProtocol struct {
	axon.Core
	In     *axon.Inbox[[]byte]
	Out    *axon.Outbox[[]byte]
	handle func(line string) string
}

func newLineProtocol(name string, handle func(string) string) *lineProtocol {
	c := &lineProtocol{handle: handle}
	c.In = axon.NewInbox[[]byte](c, "inbox")
	c.Out = axon.NewOutbox[[]byte](c, "outbox")
	c.SetName(name)
	return c
}

// Main answers each line until the client goes.
func (c *lineProtocol) Main(ctx context.Context) error {
	var r lineReader
	answer := func(line string, tooLong bool) error {
		reply := "FAIL"
		if !tooLong {
			reply = c.handle(line)
		}
		return c.Out.Send(ctx, []byte(reply+"\n"))
	}
	for b := range c.In.Messages(ctx) {
		if err := r.feed(b, answer); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return r.end(answer) // the last line, with no newline
}

// lineReader cuts a byte stream, in reads of any size, into lines: each
// without its "\n" or "\r\n", and one longer than maxControlLine given as
// too long (without its text), holding at most maxControlLine bytes.
type lineReader struct {
	line []byte
	long bool // the line is past maxControlLine
}

// feed takes b and calls each for every line it ends.
func (r *lineReader) feed(b []byte, each func(line string, tooLong bool) error) error {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i]
		}
		if !r.long {
			if len(r.line)+len(part) > maxControlLine {
				r.long, r.line = true, r.line[:0]
			} else {
				r.line = append(r.line, part...)
			}
		}
		if i < 0 {
			return nil
		}
		if err := r.emit(each); err != nil {
			return err
		}
		b = b[i+1:]
	}
	return nil
}

// end calls each for the last line, if the stream did not end with a
// newline.
func (r *lineReader) end(each func(line string, tooLong bool) error) error {
	if len(r.line) > 0 || r.long {
		return r.emit(each)
	}
	return nil
}

func (r *lineReader) emit(each func(string, bool) error) error {
	l := r.line
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	line, long := string(l), r.long
	r.line, r.long = r.line[:0], false
	return each(line, long)
}
