package wire

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Decoder turns lines into token lists (Kamaelia's lines_to_tokenlists).
//
// Boxes:
//
//	inbox   []byte  one line each, with or without its "\n"
//	                (framing.LineSplit before it cuts a stream into lines)
//	outbox  List    the message each line holds
//	errors  error   a line that is not a token list, with why; the
//	                Decoder goes on with the next line
//	control, signal as usual
//
// Shutdown: ProducerFinished on control makes it decode what is waiting and
// end; Shutdown stops it at once.
type Decoder struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[[]byte]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[List]
	// Errs is the outbox called "errors".
	Errs *axon.Outbox[error]
}

// NewDecoder returns a Decoder.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[List](d, "outbox")
	d.Errs = axon.NewOutbox[error](d, "errors")
	return d
}

// Main decodes lines until told to stop.
func (d *Decoder) Main(ctx context.Context) error {
	for line := range d.In.Messages(ctx) {
		l, err := Unmarshal(line)
		if err != nil {
			if err := d.Errs.Send(ctx, fmt.Errorf("%w in line %.60q", err, line)); err != nil {
				return err
			}
			continue
		}
		if err := d.Out.Send(ctx, l); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Encoder turns token lists into lines (Kamaelia's tokenlists_to_lines).
//
// Boxes:
//
//	inbox   List    messages
//	outbox  []byte  each message's line, ending in "\n"
//	errors  error   a message holding something that is neither a token
//	                nor a list, with why; the Encoder goes on
//	control, signal as usual
//
// Shutdown: as Decoder.
type Encoder struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[List]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[[]byte]
	// Errs is the outbox called "errors".
	Errs *axon.Outbox[error]
}

// NewEncoder returns an Encoder.
func NewEncoder() *Encoder {
	e := &Encoder{}
	e.In = axon.NewInbox[List](e, "inbox")
	e.Out = axon.NewOutbox[[]byte](e, "outbox")
	e.Errs = axon.NewOutbox[error](e, "errors")
	return e
}

// Main encodes messages until told to stop.
func (e *Encoder) Main(ctx context.Context) error {
	for l := range e.In.Messages(ctx) {
		line, err := Marshal(l)
		if err != nil {
			if err := e.Errs.Send(ctx, err); err != nil {
				return err
			}
			continue
		}
		if err := e.Out.Send(ctx, line); err != nil {
			return err
		}
	}
	return ctx.Err()
}
