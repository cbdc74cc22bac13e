package main

import (
	"context"
	"errors"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet/framing"
)

// boardName is the Backplane every client and tile shares.
const boardName = "WHITEBOARD"

// maxLine bounds a line a client sends.
const maxLine = 1024

// welcome is the first line a client hears: from then on it hears
// everything drawn.
const welcome = "welcome to the whiteboard: line X1 Y1 X2 Y2 #RRGGBB, clear, save"

// clientProtocol is what each connection to the whiteboard runs:
//
//	Graphline(
//	    self.inbox --> LINES --> PARSE --> PUBLISH = PublishTo("WHITEBOARD")
//	                             PARSE.errors --------------\
//	    SUBSCRIBE = SubscribeTo("WHITEBOARD") --> FORMAT ---+--> FRAME --> self.outbox
//	)
//
// So a client hears everything anyone draws (itself included) in the order
// the Backplane took it, from the welcome line (which FORMAT sends once
// SUBSCRIBE has joined) on, and only it hears what was wrong with its own
// lines. When the client goes, the Graphline passes
// the server's ProducerFinished to every child, and they all end.
func clientProtocol() axon.Component {
	sub := chassis.SubscribeTo[event](boardName)
	return chassis.Graphline(chassis.Components{
		"LINES":     framing.NewDelimDeFramer([]byte("\n"), framing.WithMaxFrameSize(maxLine)),
		"PARSE":     newParser(),
		"PUBLISH":   chassis.PublishTo[event](boardName),
		"SUBSCRIBE": sub,
		"FORMAT":    newFormatter(sub, welcome),
		"FRAME":     framing.NewDelimFramer([]byte("\n")),
	}, chassis.Linkages{
		{Component: chassis.Self, Box: "inbox"}: {Component: "LINES", Box: "inbox"},
		{Component: "LINES", Box: "outbox"}:     {Component: "PARSE", Box: "inbox"},
		{Component: "PARSE", Box: "outbox"}:     {Component: "PUBLISH", Box: "inbox"},
		{Component: "PARSE", Box: "errors"}:     {Component: "FRAME", Box: "inbox"},
		{Component: "SUBSCRIBE", Box: "outbox"}: {Component: "FORMAT", Box: "inbox"},
		{Component: "FORMAT", Box: "outbox"}:    {Component: "FRAME", Box: "inbox"},
		{Component: "FRAME", Box: "outbox"}:     {Component: chassis.Self, Box: "outbox"},
	})
}

// parser reads a client's lines as commands (parseCommand).
//
//	inbox    []byte  lines, without their newlines
//	control  any     ProducerFinished: read what waits and end; Shutdown: end at once
//	outbox   event   each command
//	errors   []byte  "error: ..." for each line that is not one, for the client
//	signal   any     its outcome
type parser struct {
	axon.Core
	In     *axon.Inbox[[]byte]
	Out    *axon.Outbox[event]
	Errors *axon.Outbox[[]byte]
}

func newParser() *parser {
	p := &parser{}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Out = axon.NewOutbox[event](p, "outbox")
	p.Errors = axon.NewOutbox[[]byte](p, "errors")
	return p
}

// Main parses.
func (p *parser) Main(ctx context.Context) error {
	for line := range p.In.Messages(ctx) {
		e, err := parseCommand(string(line))
		switch {
		case errors.Is(err, errEmpty):
		case err != nil:
			if err := p.Errors.Send(ctx, []byte("error: "+err.Error())); err != nil {
				return err
			}
		default:
			if err := p.Out.Send(ctx, e); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// formatter writes events as lines for a client (format), after a
// welcome line, which it sends once the subscriber that feeds it has joined
// its Backplane: from then on the client hears everything.
//
//	inbox    event   what happened
//	control  any     ProducerFinished: write what waits and end; Shutdown: end at once
//	outbox   []byte  the welcome, then each event as a line, without its newline
//	signal   any     its outcome
type formatter struct {
	axon.Core
	In      *axon.Inbox[event]
	Out     *axon.Outbox[[]byte]
	sub     *chassis.Subscriber[event]
	welcome string
}

func newFormatter(sub *chassis.Subscriber[event], welcome string) *formatter {
	f := &formatter{sub: sub, welcome: welcome}
	f.In = axon.NewInbox[event](f, "inbox")
	f.Out = axon.NewOutbox[[]byte](f, "outbox")
	return f
}

// Main welcomes, then formats.
func (f *formatter) Main(ctx context.Context) error {
	select {
	case <-f.sub.Subscribed():
		if err := f.Out.Send(ctx, []byte(f.welcome)); err != nil {
			return err
		}
	case <-f.sub.Done(): // it never joined: it says why on its own signal
	case <-ctx.Done():
		return ctx.Err()
	}
	for e := range f.In.Messages(ctx) {
		if err := f.Out.Send(ctx, []byte(format(e))); err != nil {
			return err
		}
	}
	return ctx.Err()
}
