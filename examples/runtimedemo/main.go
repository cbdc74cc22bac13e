// Command runtimedemo runs a three-component pipeline on the axon runtime
// and prints the component graph it ran as.
//
// It is the console-echo example of Kamaelia's articles, built from axon
// alone:
//
//	lineReader --> uppercaser --> echoer
//
// The lineReader reads a text file line by line and sends each line on its
// outbox; the uppercaser sends each line it is given on, in capitals; the
// echoer writes each line to standard output behind a tag. Each outbox is
// linked to the next component's inbox, and each signal outbox to the next
// component's control inbox: when the lineReader reaches the end of its
// input its Main returns, the runtime sends ProducerFinished on its signal,
// and the uppercaser drains its inbox and ends in turn, and so does the
// echoer. Nothing waits on a timer; the pipeline stops from its head.
//
// After its last line, while it is still running, the echoer takes a
// Snapshot of its scheduler and prints it twice: as the lines of Axon's
// introspector protocol (what Kamaelia's AxonVisualiser reads) and as a
// short listing of components, boxes (with messages waiting and capacity)
// and links. The components upstream have finished by then, but the links
// made with axon.Link outlive them, so the whole pipeline shows.
//
// Ctrl-C (SIGINT) or SIGTERM shuts every component down at once.
//
// Usage:
//
//	go run ./examples/runtimedemo [-in FILE]
//
// Without -in it reads poem.txt, which is built into the program.
package main

import (
	"bufio"
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
)

//go:embed poem.txt
var poem string

// lineReader sends each line of r on its outbox, then returns: the runtime
// tells whoever listens on its signal outbox that it has finished. When it
// is told to stop while blocked reading (a pipe, a terminal), it closes r, if
// r can be closed, to end the read.
type lineReader struct {
	axon.Core
	r   io.Reader
	out *axon.Outbox[string]
}

func newLineReader(r io.Reader) *lineReader {
	c := &lineReader{r: r}
	c.out = axon.NewOutbox[string](c, "outbox")
	return c
}

func (c *lineReader) Main(ctx context.Context) error {
	if cl, ok := c.r.(io.Closer); ok {
		defer context.AfterFunc(ctx, func() { cl.Close() })()
	}
	sc := bufio.NewScanner(c.r)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err // told to stop now
		}
		if err := c.out.Send(ctx, sc.Text()); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // the read ended because r was closed on shutdown
	}
	return sc.Err()
}

// uppercaser sends every line it is given on, in capitals.
type uppercaser struct {
	axon.Core
	in  *axon.Inbox[string]
	out *axon.Outbox[string]
}

func newUppercaser() *uppercaser {
	c := &uppercaser{}
	c.in = axon.NewInbox[string](c, "inbox")
	c.out = axon.NewOutbox[string](c, "outbox")
	return c
}

func (c *uppercaser) Main(ctx context.Context) error {
	for line := range c.in.Messages(ctx) {
		if err := c.out.Send(ctx, strings.ToUpper(line)); err != nil {
			return err
		}
	}
	// nil after ProducerFinished (drained), context.Canceled after Shutdown.
	return ctx.Err()
}

// echoer writes every line it is given to w behind tag, then prints the
// component graph it is part of.
type echoer struct {
	axon.Core
	in  *axon.Inbox[string]
	w   io.Writer
	tag string
}

func newEchoer(w io.Writer, tag string) *echoer {
	c := &echoer{w: w, tag: tag}
	c.in = axon.NewInbox[string](c, "inbox")
	return c
}

func (c *echoer) Main(ctx context.Context) error {
	for line := range c.in.Messages(ctx) {
		if _, err := fmt.Fprintf(c.w, "%s %s\n", c.tag, line); err != nil {
			return err
		}
	}
	// Still running: the snapshot shows this component live, and the
	// finished ones upstream through the links into its boxes.
	if err := printGraph(c.w, c.Scheduler().Snapshot()); err != nil {
		return err
	}
	return ctx.Err()
}

// printGraph writes snap as introspector protocol lines, then as a listing.
func printGraph(w io.Writer, snap *axon.Snapshot) error {
	var b strings.Builder
	b.WriteString("\n# component graph, as Axon's introspector protocol:\n")
	for _, line := range axon.IntrospectorDiff(nil, snap) {
		b.WriteString(line + "\n")
	}
	b.WriteString("\n# component graph, as a listing:\n")
	b.WriteString(listing(snap))
	_, err := io.WriteString(w, b.String())
	return err
}

// listing renders snap as one block per component (its inboxes with
// messages waiting/capacity, its outboxes) followed by the links.
func listing(snap *axon.Snapshot) string {
	var b strings.Builder
	names := map[uint64]string{}
	for _, c := range snap.Components {
		names[c.ID] = c.Name
	}
	for _, c := range snap.Components {
		fmt.Fprintf(&b, "component %s (%s)\n", c.Name, c.State)
		for _, bx := range snap.Boxes {
			if bx.Component != c.ID {
				continue
			}
			if bx.Inbox {
				fmt.Fprintf(&b, "  inbox  %-8s %-12s %d/%s\n", bx.Name, bx.Type, bx.Len, capString(bx.Cap))
			} else {
				fmt.Fprintf(&b, "  outbox %-8s %s\n", bx.Name, bx.Type)
			}
		}
	}
	for _, l := range snap.Links {
		fmt.Fprintf(&b, "link %s.%s -> %s.%s (%s)\n",
			names[l.FromComponent], l.FromBox, names[l.ToComponent], l.ToBox, l.Kind)
	}
	return b.String()
}

func capString(c int) string {
	if c == axon.Unbounded {
		return "unbounded"
	}
	return strconv.Itoa(c)
}

// run builds the pipeline on in and out, runs it on a scheduler of its own
// and returns when every component has finished: after in ends, or at once
// when ctx is done. It returns the components' failures, if any.
func run(ctx context.Context, in io.Reader, out io.Writer) error {
	reader := newLineReader(in)
	upper := newUppercaser()
	echo := newEchoer(out, "echo |")

	axon.MustLink(reader.out, upper.in)
	axon.MustLink(reader.Signal(), upper.Control())
	axon.MustLink(upper.out, echo.in)
	axon.MustLink(upper.Signal(), echo.Control())

	return axon.NewScheduler().RunContext(ctx, reader, upper, echo)
}

func main() {
	inPath := flag.String("in", "", "text file to read (default: the built-in poem.txt)")
	flag.Parse()
	if err := demo(*inPath); err != nil {
		fmt.Fprintln(os.Stderr, "runtimedemo:", err)
		os.Exit(1)
	}
}

// demo runs the pipeline on the file at path (the built-in poem when empty)
// and standard output, until the file ends or SIGINT or SIGTERM arrives.
func demo(path string) error {
	var in io.Reader = strings.NewReader(poem)
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, in, os.Stdout)
}
