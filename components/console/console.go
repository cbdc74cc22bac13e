// Package console has the components that talk to a terminal: Reader sends
// each line typed (or read from any io.Reader), and Echoer writes whatever
// it is sent (to any io.Writer). They are Kamaelia's ConsoleReader and
// ConsoleEchoer, and together they make the article's first system:
//
//	reader := console.NewReader()
//	echoer := console.NewEchoer()
//	axon.MustLink(reader.Out, echoer.In)
//	axon.MustLink(reader.Signal(), echoer.Control())
//	err := axon.Run(reader, echoer)
//
// which echoes every line typed and stops at the end of input (Ctrl-D), or
// at once on Ctrl-C when run with axon.RunContext and a context from
// signal.NotifyContext.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/internal/kit"
)

// Reader reads lines from an io.Reader (standard input unless told
// otherwise) and sends each one, with an end-of-line string added
// (Kamaelia's ConsoleReader).
//
// Boxes:
//
//	inbox   (any)     not used: anything sent here is dropped
//	control (any)     ProducerFinished, Shutdown
//	outbox  (string)  each line read, without its "\n" or "\r\n", then eol
//	signal  (any)     how it ended
//
// Before each line it writes the prompt (">>> " unless told otherwise) to
// the prompt writer (standard output unless told otherwise). The last line
// is sent even without a final newline.
//
// Example:
//
//	r := console.NewReader(console.WithInput(strings.NewReader("a\nb\n")), console.WithPrompt(""))
//
// sends "a\n" then "b\n".
//
// Shutdown: at the end of input it ends with ProducerFinished{Reason:
// io.EOF}; a read error is a *axon.Failure. ProducerFinished on control
// makes it send the lines it has already read and end cleanly. Shutdown
// stops it at once, even while a read is blocked: the read runs in a helper
// goroutine that the Reader owns; it closes an input given with WithInput
// that is an io.Closer, which ends the read, and waits for the helper. A read
// blocked on a reader it cannot close (standard input, which it never
// closes, or a reader that is not an io.Closer) keeps that one goroutine
// until the read returns; the component itself has ended.
type Reader struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out  *axon.Outbox[string]
	feed *axon.Feed[string]

	r       io.Reader
	closeR  bool
	prompt  string
	promptW io.Writer
	eol     string
}

// ReaderOption configures a Reader.
type ReaderOption func(*Reader)

// WithInput makes the Reader read r instead of standard input. If r is an
// io.Closer, the Reader closes it when it ends.
func WithInput(r io.Reader) ReaderOption {
	return func(c *Reader) {
		c.r = r
		_, c.closeR = r.(io.Closer)
	}
}

// WithPrompt sets the prompt written before each line (default ">>> "); ""
// writes none.
func WithPrompt(prompt string) ReaderOption { return func(c *Reader) { c.prompt = prompt } }

// WithPromptOutput sets where the prompt is written (default standard output).
func WithPromptOutput(w io.Writer) ReaderOption { return func(c *Reader) { c.promptW = w } }

// WithEOL sets the string added to the end of each line sent (default "\n").
func WithEOL(eol string) ReaderOption { return func(c *Reader) { c.eol = eol } }

// NewReader returns a Reader of standard input with prompt ">>> " and eol
// "\n", changed by opts.
func NewReader(opts ...ReaderOption) *Reader {
	c := &Reader{r: os.Stdin, prompt: ">>> ", promptW: os.Stdout, eol: "\n"}
	for _, o := range opts {
		o(c)
	}
	c.In = axon.NewInbox[any](c, "inbox")
	c.Out = axon.NewOutbox[string](c, "outbox")
	c.feed = axon.NewFeed[string](c, "_lines", 16)
	return c
}

// Main reads and sends lines until the end of input or shutdown.
func (c *Reader) Main(ctx context.Context) error {
	read := func(emit func(string) bool) error {
		return readLines(c.r, c.prompt, c.promptW, func(line string) bool { return emit(line + c.eol) })
	}
	if c.closeR {
		// Closing the input ends a blocked read: when the reading is
		// stopped, and at the end of the Reader.
		var once sync.Once
		closeR := func() { once.Do(func() { _ = c.r.(io.Closer).Close() }) }
		defer closeR()
		c.feed.Start(func(ctx context.Context, emit func(string) bool) error {
			stop := context.AfterFunc(ctx, closeR)
			defer stop()
			return read(emit)
		})
	} else {
		// Standard input, or a reader it cannot close: nothing can end a
		// blocked read, so the Reader does not wait for it when it ends.
		c.feed.StartDetached(read)
	}
	defer c.feed.Stop()
	finishing := false
	for {
		finishing = c.TakeControl(nil).Finishing || finishing
		kit.Discard(c.In)
		for {
			it, ok := c.feed.TryRecv()
			if !ok {
				break
			}
			if it.End {
				if it.Err != nil {
					return fmt.Errorf("console: reading: %w", it.Err)
				}
				return axon.Finish(io.EOF)
			}
			if err := c.Out.Send(ctx, it.V); err != nil {
				return err
			}
		}
		if finishing {
			return nil
		}
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
}

// readLines reads r line by line and calls emit with each line, without its
// "\n" or "\r\n", until the end of r (nil), a read error (returned), or emit
// returns false (nil). The last line is emitted even without a newline; an
// empty input emits nothing. Before each line it writes prompt to w, if
// prompt is not empty.
func readLines(r io.Reader, prompt string, w io.Writer, emit func(string) bool) error {
	br := bufio.NewReader(r)
	for {
		if prompt != "" {
			if _, err := io.WriteString(w, prompt); err != nil {
				return fmt.Errorf("writing prompt: %w", err)
			}
		}
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			complete := strings.HasSuffix(line, "\n")
			line = strings.TrimSuffix(line, "\n")
			if complete {
				line = strings.TrimSuffix(line, "\r")
			}
			if !emit(line) {
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Echoer writes every message it is sent to an io.Writer (standard output
// unless told otherwise), and can forward it too (Kamaelia's ConsoleEchoer).
//
// Boxes:
//
//	inbox   (any)  messages to write
//	control (any)  ProducerFinished, Shutdown
//	outbox  (any)  each message, unchanged, when forwarding (WithForwarding)
//	signal  (any)  how it ended
//
// Each message is written as the tag followed by fmt.Sprint of the message
// (fmt's %#v with WithRepr), and nothing else: like Kamaelia's, it adds no
// newline, so that a Reader's lines, which end in "\n", come out as typed.
// WithNewline(eol) adds eol after each message. (WithEOL is the Reader's
// option: the end-of-line string it adds to each line it reads.)
//
// Example:
//
//	e := console.NewEchoer(console.WithTag("echo: "), console.WithForwarding())
//
// Shutdown: ProducerFinished on control makes it write (and forward) every
// message waiting, then end with ProducerFinished. Shutdown stops it at
// once. A failed write is a *axon.Failure on signal.
type Echoer struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[any]

	w       io.Writer
	tag     string
	eol     string
	forward bool
	repr    bool
}

// EchoerOption configures an Echoer.
type EchoerOption func(*Echoer)

// WithOutput makes the Echoer write to w instead of standard output.
func WithOutput(w io.Writer) EchoerOption { return func(e *Echoer) { e.w = w } }

// WithTag sets a string written before each message.
func WithTag(tag string) EchoerOption { return func(e *Echoer) { e.tag = tag } }

// WithForwarding makes the Echoer also send each message on its outbox.
func WithForwarding() EchoerOption { return func(e *Echoer) { e.forward = true } }

// WithRepr writes messages with fmt's %#v (Kamaelia's use_repr) instead of
// fmt.Sprint.
func WithRepr() EchoerOption { return func(e *Echoer) { e.repr = true } }

// WithNewline adds eol after each message written.
func WithNewline(eol string) EchoerOption { return func(e *Echoer) { e.eol = eol } }

// NewEchoer returns an Echoer to standard output, changed by opts.
func NewEchoer(opts ...EchoerOption) *Echoer {
	e := &Echoer{w: os.Stdout}
	for _, o := range opts {
		o(e)
	}
	e.In = axon.NewInbox[any](e, "inbox")
	e.Out = axon.NewOutbox[any](e, "outbox")
	return e
}

// Main writes messages until told to stop.
func (e *Echoer) Main(ctx context.Context) error {
	var b strings.Builder
	for v := range e.In.Messages(ctx) {
		b.Reset()
		b.WriteString(e.tag)
		if e.repr {
			fmt.Fprintf(&b, "%#v", v)
		} else {
			fmt.Fprint(&b, v)
		}
		b.WriteString(e.eol)
		if _, err := io.WriteString(e.w, b.String()); err != nil {
			return fmt.Errorf("console: writing: %w", err)
		}
		if e.forward {
			if err := e.Out.Send(ctx, v); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
