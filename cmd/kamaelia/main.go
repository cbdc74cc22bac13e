// Command kamaelia is the toolbox of kamaelia-go: each subcommand is one
// tool.
//
//	kamaelia launch 'ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601'
//	kamaelia launch --help
//	kamaelia compose
//	kamaelia help
//	kamaelia --version
//
// "kamaelia" alone, "kamaelia help" and "kamaelia -h" list the subcommands.
// Each runs until it is done or until SIGINT (Ctrl-C) or SIGTERM, which
// shut it down cleanly. The exit status is 0 on success, 2 for a command
// line that is wrong (an unknown subcommand, a bad flag, a mistake in a
// description) and 1 for a failure (a port in use, a component that fails
// while running).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"text/tabwriter"

	"github.com/kamaelia-go/kamaelia/launch/cli"
)

// command is one subcommand: registered in commands by the init function of
// the file that implements it.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands are the subcommands, by name.
var commands = map[string]command{}

// usageError is an error in the command line: the exit status is 2.
type usageError = cli.UsageError

// usagef returns a usageError.
func usagef(format string, args ...any) error { return cli.Usagef(format, args...) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the subcommand that args name and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(stdout, "kamaelia %s\n", cli.Version())
		return 0
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			if _, ok := commands[args[1]]; ok {
				return run(ctx, []string{args[1], "--help"}, stdout, stderr)
			}
			fmt.Fprintf(stderr, "kamaelia: no command %q\n\n", args[1])
			usage(stderr)
			return 2
		}
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kamaelia: no command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cli.ExitStatus(stderr, "kamaelia "+args[0], cmd.run(ctx, args[1:], stdout, stderr))
}

// usage lists the subcommands, sorted.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kamaelia <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", n, commands[n].summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, `"kamaelia help <command>" or "kamaelia <command> --help" says more about one;`)
	fmt.Fprintln(w, `"kamaelia --version" prints the version.`)
}
