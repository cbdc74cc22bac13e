package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// Quit is what Console sends on "quit" when asked to.
type Quit struct{}

// SplitWords splits a console line into words at spaces, a word in double
// quotes keeping its spaces ("my page.png"). An unclosed quote is an error.
func SplitWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
			inWord = true
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, errors.New("whiteboard: unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// pageWords are the console words that are page history operations.
var pageWords = map[string]PageOp{
	"prev": OpPrev, "next": OpNext, "checkpoint": OpCheckpoint, "new": OpNew,
	"undo": OpUndo, "delete": OpDelete, "reset": OpReset, "closedeck": OpCloseDeck,
}

// Console is the Whiteboard's command console (Kamaelia's CommandConsole):
// it turns typed lines into commands.
//
//	load FILE              show an image file here; its picture goes to the peers
//	save FILE              write this canvas to FILE (PNG)
//	clear                  clear the page here and on every peer
//	prev, next, checkpoint, new, undo, delete, reset
//	                       the page history's buttons
//	savedeck FILE, loaddeck FILE, closedeck
//	                       the deck buttons
//	remote prev|next       turn the page here and on every peer
//	quit                   stop
//	anything else          a drawing command as the protocol has it
//	                       (LINE 0 0 0 10 10 20 20), drawn here and sent on
//
// Words are separated by spaces; "double quotes" keep spaces in a word.
//
// Boxes:
//
//	inbox   string       lines typed
//	draw    wire.Batch   to draw here and on the peers (Peer's "draw")
//	local   wire.Batch   for this canvas only (Peer's "local")
//	pages   PageCommand  for the page history (Peer's "pages")
//	quit    Quit         the user asked to stop
//	errors  error        a line it could not read, with why
//	control, signal as usual
type Console struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[string]
	// Draw is the outbox called "draw".
	Draw *axon.Outbox[wire.Batch]
	// Local is the outbox called "local".
	Local *axon.Outbox[wire.Batch]
	// Pages is the outbox called "pages".
	Pages *axon.Outbox[PageCommand]
	// Quit is the outbox called "quit".
	Quit *axon.Outbox[Quit]
	// Errs is the outbox called "errors".
	Errs *axon.Outbox[error]
}

// NewConsole returns a Console.
func NewConsole() *Console {
	c := &Console{}
	c.In = axon.NewInbox[string](c, "inbox")
	c.Draw = axon.NewOutbox[wire.Batch](c, "draw")
	c.Local = axon.NewOutbox[wire.Batch](c, "local")
	c.Pages = axon.NewOutbox[PageCommand](c, "pages")
	c.Quit = axon.NewOutbox[Quit](c, "quit")
	c.Errs = axon.NewOutbox[error](c, "errors")
	return c
}

// Main reads commands until told to stop.
func (c *Console) Main(ctx context.Context) error {
	for line := range c.In.Messages(ctx) {
		if err := c.do(ctx, line); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := c.Errs.Send(ctx, fmt.Errorf("%w: %q", err, line)); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

var errUsage = errors.New("whiteboard: console")

func (c *Console) do(ctx context.Context, line string) error {
	w, err := SplitWords(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return err
	}
	if len(w) == 0 {
		return nil
	}
	one := func(n int) error {
		if len(w) != n+1 {
			return fmt.Errorf("%w: %s takes %d word(s)", errUsage, w[0], n)
		}
		return nil
	}
	switch strings.ToLower(w[0]) {
	case "load", "save":
		if err := one(1); err != nil {
			return err
		}
		return c.Local.Send(ctx, wire.Batch{{strings.ToUpper(w[0]), w[1]}})
	case "clear":
		return c.Draw.Send(ctx, wire.Batch{{"CLEAR"}})
	case "savedeck", "loaddeck":
		if err := one(1); err != nil {
			return err
		}
		return c.Pages.Send(ctx, PageCommand{Op: PageOp(strings.ToLower(w[0])), Arg: w[1]})
	case "remote":
		if len(w) != 2 || (w[1] != "prev" && w[1] != "next") {
			return fmt.Errorf("%w: remote prev or remote next", errUsage)
		}
		if err := c.Draw.Send(ctx, wire.Batch{{w[1]}}); err != nil {
			return err
		}
		return c.Pages.Send(ctx, PageCommand{Op: PageOp(w[1])})
	case "quit":
		return c.Quit.Send(ctx, Quit{})
	}
	if op, ok := pageWords[strings.ToLower(w[0])]; ok {
		if err := one(0); err != nil {
			return err
		}
		return c.Pages.Send(ctx, PageCommand{Op: op})
	}
	return c.Draw.Send(ctx, wire.Batch{wire.Command(w)})
}
