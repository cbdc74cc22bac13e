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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/console"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "consoleecho:", err)
		os.Exit(1)
	}
}

// run echoes the lines of stdin to stdout until stdin ends or ctx is done.
// Flag errors are written to stderr and returned.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("consoleecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prompt := fs.String("prompt", ">>> ", "`text` written before each line is read")
	tag := fs.String("tag", "", "`text` written before each line echoed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}

	p, err := chassis.NewPipeline(
		console.NewReader(console.WithInput(stdin), console.WithPrompt(*prompt), console.WithPromptOutput(stdout)),
		console.NewEchoer(console.WithOutput(stdout), console.WithTag(*tag)),
	)
	if err != nil {
		return err
	}
	return axon.NewScheduler().RunContext(ctx, p)
}
