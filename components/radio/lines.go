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
	var line []byte
	long := false // the line is past maxControlLine: answered FAIL at its end
	answer := func() error {
		reply := "FAIL"
		if !long {
			l := line
			if n := len(l); n > 0 && l[n-1] == '\r' {
				l = l[:n-1]
			}
			reply = c.handle(string(l))
		}
		line, long = line[:0], false
		return c.Out.Send(ctx, []byte(reply+"\n"))
	}
	for b := range c.In.Messages(ctx) {
		for len(b) > 0 {
			i := bytes.IndexByte(b, '\n')
			part := b
			if i >= 0 {
				part = b[:i]
			}
			if !long {
				if len(line)+len(part) > maxControlLine {
					long = true
				} else {
					line = append(line, part...)
				}
			}
			if i < 0 {
				break
			}
			if err := answer(); err != nil {
				return err
			}
			b = b[i+1:]
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(line) > 0 || long {
		return answer() // the last line, with no newline
	}
	return nil
}

