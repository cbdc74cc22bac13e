package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/launch"
)

// launchUsage is the head of `launch --help`; %[1]s is the program's name.
const launchUsage = `usage: %[1]s launch DESCRIPTION...
       %[1]s launch -e DESCRIPTION...
       %[1]s launch --inspect ADDR DESCRIPTION...
       %[1]s launch --axon-connect HOST:PORT DESCRIPTION...
       %[1]s launch --help [COMPONENT]

Builds the system the description says and runs it until it ends, or until
Ctrl-C. With -e (--eos-on-shutdown, as gst-launch's -e), the first Ctrl-C
drains the system instead: its sources are told ProducerFinished and finish
what they have; a second Ctrl-C stops it now. The arguments are joined with
spaces into one description:

  ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601
  ConsoleReader ! ToBytes ! TCPClient port=1601 ! ToString ! ConsoleEchoer
  UnixProcess name=p command="ls /nope" ! ToString ! ConsoleEchoer  p.stderr ! ToString ! ConsoleEchoer tag="err: "

An element is a component and its properties, name=value; name=NAME names
it. '!' links an outbox to an inbox (outbox to inbox, and signal to control,
unless a reference such as p.stderr names a box). A reference, NAME. or
NAME.BOX, is an element named elsewhere: references make a Graphline, a
single chain of elements a Pipeline. Values are words, "quoted strings" or
lists {a, b}. docs/launch.md has the whole syntax. --inspect ADDR serves the
live inspector (docs/inspect.md) on ADDR while the system runs;
--axon-connect HOST:PORT sends the running system, in Axon's introspector
protocol, to a topology viewer listening there (kamaelia visualise, or
Kamaelia's AxonVisualiser).

flags:
`

// Launch is the launch command: args are its flags and the description.
func (t *Tool) Launch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet(t.name()+" launch", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned, help printed below
	drain := fs.Bool("e", false, "on the first Ctrl-C, drain the system (ProducerFinished) instead of stopping it")
	fs.BoolVar(drain, "eos-on-shutdown", false, "the same as -e")
	inspectAddr := fs.String("inspect", "", "serve the live inspector on this address (host:port; :0 picks a port)")
	axonConnect := fs.String("axon-connect", "", "send the running system to a topology viewer listening on this address (host:port)")
	help := fs.Bool("help", false, "print this help, or with a COMPONENT its boxes and properties")
	fs.BoolVar(help, "h", false, "the same as --help")
	if err := fs.Parse(args); err != nil {
		return Usagef("%v (%s launch --help says how to use it)", err, t.name())
	}
	args = fs.Args()
	r := t.Registry
	if *help {
		switch len(args) {
		case 0:
			fmt.Fprintf(t.stdout(), launchUsage, t.name())
			fs.SetOutput(t.stdout())
			fs.PrintDefaults()
			fmt.Fprintf(t.stdout(), "\nComponents (%s launch --help COMPONENT for boxes and properties):\n", t.name())
			return r.WriteList(t.stdout())
		case 1:
			if err := r.WriteEntry(t.stdout(), args[0]); err != nil {
				return UsageError{err}
			}
			return nil
		default:
			return Usagef("--help takes one component name at most")
		}
	}
	desc := strings.Join(args, " ")
	if strings.TrimSpace(desc) == "" {
		return Usagef("no description (%s launch --help says how to write one)", t.name())
	}
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) // Run returns the failures: report them once
	l, err := r.BuildString(desc, launch.OnScheduler(s))
	if err != nil {
		err = fmt.Errorf("%w\n%s%s", err, Excerpt(desc, err), Hint(err))
		if errors.Is(err, launch.ErrConstruct) || errors.Is(err, launch.ErrRegistry) {
			return err
		}
		return UsageError{err}
	}
	// Activated first, so that the system is there to see once the
	// inspector's address is printed.
	s.Activate(l.Component())
	if *inspectAddr != "" || *axonConnect != "" {
		var opts []inspect.Option
		if *inspectAddr != "" {
			opts = append(opts, inspect.WithAddr(*inspectAddr))
		}
		if *axonConnect != "" {
			opts = append(opts, inspect.WithAxonConnect(*axonConnect))
		}
		srv, err := inspect.Start(s, opts...)
		if err != nil {
			s.ShutdownAll(axon.Shutdown{Reason: err})
			_ = s.Wait(context.WithoutCancel(ctx))
			return fmt.Errorf("--inspect: %w", err)
		}
		defer func() { _ = srv.Close() }()
		fmt.Fprintf(t.stderr(), "%s launch: inspector at %s\n", t.name(), srv.URL())
	}
	if *drain {
		return runDraining(ctx, s, t.stderr(), t.name())
	}
	return s.RunContext(ctx)
}

// Hint returns advice, starting with a newline, for an error of a build
// that has a usual cure (ToString between []byte and string), or "".
func Hint(err error) string {
	if errors.Is(err, axon.ErrTypeMismatch) {
		return "\n(ToString and ToBytes turn []uint8 into string and back)"
	}
	return ""
}

// Excerpt shows the line of src where err (a *launch.Error) is, with a
// caret under the place; "" for any other error.
func Excerpt(src string, err error) string {
	var le *launch.Error
	if !errors.As(err, &le) {
		return ""
	}
	lines := strings.Split(src, "\n")
	if le.Pos.Line < 1 || le.Pos.Line > len(lines) {
		return ""
	}
	line := []rune(lines[le.Pos.Line-1])
	var caret strings.Builder
	for i := 0; i < le.Pos.Col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			caret.WriteByte('\t')
		} else {
			caret.WriteByte(' ')
		}
	}
	return "  " + string(line) + "\n  " + caret.String() + "^"
}
