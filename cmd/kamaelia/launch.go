package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/launch"
)

func init() {
	commands["launch"] = command{
		summary: "build and run a system from a gst-launch style description",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return runLaunch(ctx, args, env{stdin: os.Stdin, stdout: stdout, stderr: stderr})
		},
	}
}

// launchUsage is the head of `kamaelia launch --help`.
const launchUsage = `usage: kamaelia launch DESCRIPTION...
       kamaelia launch -e DESCRIPTION...
       kamaelia launch --inspect ADDR DESCRIPTION...
       kamaelia launch --axon-connect HOST:PORT DESCRIPTION...
       kamaelia launch --help [COMPONENT]

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
protocol, to a viewer listening there (kamaelia visualise, or Kamaelia's
AxonVisualiser).

Components (kamaelia launch --help COMPONENT for boxes and properties):
`

// runLaunch is `kamaelia launch`.
func runLaunch(ctx context.Context, args []string, e env) error {
	inspectAddr, axonConnect := "", ""
	drain := false
	for len(args) > 0 {
		if args[0] == "-e" || args[0] == "--eos-on-shutdown" {
			drain, args = true, args[1:]
			continue
		}
		v, rest, ok, err := valueFlag(args, "--inspect", "an address, such as 127.0.0.1:8080")
		if err != nil {
			return err
		}
		if ok {
			inspectAddr, args = v, rest
			continue
		}
		v, rest, ok, err = valueFlag(args, "--axon-connect", "a viewer's address, such as 127.0.0.1:1500")
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		axonConnect, args = v, rest
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	} else if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
		r := newCatalog(e)
		switch len(args) {
		case 1:
			fmt.Fprint(e.stdout, launchUsage)
			return r.WriteList(e.stdout)
		case 2:
			if err := r.WriteEntry(e.stdout, args[1]); err != nil {
				return usageError{err}
			}
			return nil
		default:
			return usagef("--help takes one component name at most")
		}
	} else if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		return usagef("unknown flag %s (kamaelia launch --help says how to use it)", args[0])
	}
	desc := strings.Join(args, " ")
	if strings.TrimSpace(desc) == "" {
		return usagef("no description (kamaelia launch --help says how to write one)")
	}
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil))) // Run returns the failures: report them once
	l, err := newCatalog(e).BuildString(desc, launch.OnScheduler(s))
	if err != nil {
		hint := ""
		if errors.Is(err, axon.ErrTypeMismatch) {
			hint = "\n(ToString and ToBytes turn []uint8 into string and back)"
		}
		err = fmt.Errorf("%w\n%s%s", err, excerpt(desc, err), hint)
		if errors.Is(err, launch.ErrConstruct) || errors.Is(err, launch.ErrRegistry) {
			return err
		}
		return usageError{err}
	}
	// Activated first, so that the system is there to see once the
	// inspector's address is printed.
	s.Activate(l.Component())
	if inspectAddr != "" || axonConnect != "" {
		opts := []inspect.Option{}
		if inspectAddr != "" {
			opts = append(opts, inspect.WithAddr(inspectAddr))
		}
		if axonConnect != "" {
			opts = append(opts, inspect.WithAxonConnect(axonConnect))
		}
		srv, err := inspect.Start(s, opts...)
		if err != nil {
			s.ShutdownAll(axon.Shutdown{Reason: err})
			_ = s.Wait(context.WithoutCancel(ctx))
			return fmt.Errorf("kamaelia launch: --inspect: %w", err)
		}
		defer func() { _ = srv.Close() }()
		fmt.Fprintf(e.stderr, "kamaelia launch: inspector at %s\n", srv.URL())
	}
	if drain {
		return runDraining(ctx, s, e)
	}
	return s.RunContext(ctx)
}

// valueFlag reads a flag that takes a value, "--name VALUE" or
// "--name=VALUE", from the head of args: ok says whether args starts with
// it, rest is what follows it, and a missing value is a usage error that
// says what is wanted.
func valueFlag(args []string, name, want string) (value string, rest []string, ok bool, err error) {
	if v, found := strings.CutPrefix(args[0], name+"="); found {
		return v, args[1:], true, nil
	}
	if args[0] != name {
		return "", args, false, nil
	}
	if len(args) < 2 {
		return "", args, false, usagef("%s needs %s", name, want)
	}
	return args[1], args[2:], true, nil
}

// excerpt shows the line of src where err is, with a caret under the place.
func excerpt(src string, err error) string {
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
