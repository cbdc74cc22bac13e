//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/kamaelia-go/kamaelia/axon"
)

// isTerminal reports whether w is a terminal (a character device), where a
// progress line can be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress passes messages on unchanged and reports how many have gone by
// out of a total: on a terminal one line redrawn with \r after each message,
// elsewhere (a log, a pipe) a plain line at every tenth of the way.
//
//	inbox    T    the messages
//	control  any  ProducerFinished: pass on what waits, finish the line, end;
//	              Shutdown: end at once
//	outbox   T    the same messages
//	signal   any  its outcome
type progress[T any] struct {
	axon.Core
	In  *axon.Inbox[T]
	Out *axon.Outbox[T]

	w        io.Writer
	terminal bool
	label    string
	total    int
}

func newProgress[T any](w io.Writer, label string, total int) *progress[T] {
	p := &progress[T]{w: w, terminal: isTerminal(w), label: label, total: max(total, 1)}
	p.In = axon.NewInbox[T](p, "inbox")
	p.Out = axon.NewOutbox[T](p, "outbox")
	return p
}

// Main passes the messages on and reports.
func (p *progress[T]) Main(ctx context.Context) error {
	n := 0
	for v := range p.In.Messages(ctx) {
		if err := p.Out.Send(ctx, v); err != nil {
			return err
		}
		n++
		switch {
		case p.terminal:
			fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)", p.label, n, p.total, 100*n/p.total)
		case n*10/p.total != (n-1)*10/p.total:
			fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.label, n, p.total, 100*n/p.total)
		}
	}
	if p.terminal && n > 0 {
		fmt.Fprintln(p.w)
	}
	return ctx.Err()
}
