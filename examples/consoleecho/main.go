// Command consoleecho is the first system of Kamaelia's article: a console
// reader piped into a console echoer.
//
//	Pipeline(ConsoleReader, ConsoleEchoer)
//
// Every line typed is written back, behind the echoer's tag ("" unless
// -tag says otherwise). The pipeline stops from its head: at the end of
// input (Ctrl-D, or the end of a file piped in) the reader ends with
// ProducerFinished on its signal, which reaches the echoer's control; the
// echoer writes what it still holds and ends too, and run returns. Ctrl-C
// (SIGINT) or SIGTERM shuts both down at once.
//
// Usage:
//
//	go run ./examples/consoleecho [-prompt '>>> '] [-tag 'echo: ']
package main

import (
	"context"
	"flag"
	"io"
	"sync"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/console"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
)

func main() { cli.Main("consoleecho", run) }

// run echoes the lines of stdin to stdout until stdin ends or ctx is done.
// Flag errors are written to stderr and returned.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("consoleecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prompt := fs.String("prompt", ">>> ", "`text` written before each line is read")
	tag := fs.String("tag", "", "`text` written before each line echoed")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}

	// The reader's prompts and the echoer's lines go to one writer from two
	// goroutines: one lock keeps a writer that is not safe for concurrent
	// use (a test's bytes.Buffer) whole.
	stdout = &lockedWriter{w: stdout}
	p, err := chassis.NewPipeline(
		console.NewReader(console.WithInput(stdin), console.WithPrompt(*prompt), console.WithPromptOutput(stdout)),
		console.NewEchoer(console.WithOutput(stdout), console.WithTag(*tag)),
	)
	if err != nil {
		return err
	}
	return axon.NewScheduler().RunContext(ctx, p)
}

// lockedWriter serialises the writes of several goroutines to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p to w, one caller at a time.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
