package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"syscall"
	"text/tabwriter"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch"
)

// UsageError is an error in a command line (an unknown flag, a mistake in
// a description): a program exits with status 2 for it, 1 for any other
// failure.
type UsageError struct{ Err error }

// Error returns the error's text.
func (u UsageError) Error() string { return u.Err.Error() }

// Unwrap returns the error.
func (u UsageError) Unwrap() error { return u.Err }

// Usagef returns a UsageError of the formatted text.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// Tool runs the launch commands of a program over its Registry.
type Tool struct {
	// Registry is the components the program offers.
	Registry *launch.Registry
	// Name is the program's name, in its messages and help ("kamaelia").
	Name string
	// Stdout and Stderr receive help and messages; nil is the process's own.
	Stdout, Stderr io.Writer
	// GoCatalogs are the packages Compose's Go source registers the
	// components from; nil is compose.StandardCatalog alone.
	GoCatalogs []compose.GoCatalog
}

func (t *Tool) stdout() io.Writer {
	if t.Stdout == nil {
		return os.Stdout
	}
	return t.Stdout
}

func (t *Tool) stderr() io.Writer {
	if t.Stderr == nil {
		return os.Stderr
	}
	return t.Stderr
}

func (t *Tool) name() string {
	if t.Name == "" {
		return "kamaelia"
	}
	return t.Name
}

// Version returns the program's version as the Go toolchain recorded it:
// its module's version, the commit it was built from (with "+dirty" when
// the tree had changes) and the Go release, such as
// "v1.2.0 (commit 273c1be1a2b3, go1.26.8)".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	extra := bi.GoVersion
	if rev != "" {
		extra = "commit " + rev[:min(12, len(rev))] + dirty + ", " + extra
	}
	return v + " (" + extra + ")"
}

// Run runs the program whose command line is args (without the program's
// name) and returns its exit status: 0 on success, 2 for a mistake in the
// command line, 1 for a failure. Its commands are "launch" and "compose"
// over t's Registry, "help" and "--version".
func (t *Tool) Run(ctx context.Context, args []string) int {
	commands := map[string]struct {
		summary string
		run     func(context.Context, []string) error
	}{
		"launch":  {"build and run a system from a gst-launch style description", t.Launch},
		"compose": {"design a system in the browser, generate its launch line and Go source, and run it", t.Compose},
	}
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "usage: %s <command> [arguments]\n\ncommands:\n", t.name())
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
		fmt.Fprintf(w, "\n\"%[1]s <command> --help\" says more about one; \"%[1]s --version\" prints the version.\n", t.name())
	}
	if len(args) == 0 {
		usage(t.stderr())
		return 2
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintf(t.stdout(), "%s %s\n", t.name(), Version())
		return 0
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			args = []string{args[1], "--help"}
			break
		}
		usage(t.stdout())
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(t.stderr(), "%s: no command %q\n\n", t.name(), args[0])
		usage(t.stderr())
		return 2
	}
	return ExitStatus(t.stderr(), t.name()+" "+args[0], cmd.run(ctx, args[1:]))
}

// ExitStatus reports err, if any, on stderr after prefix and returns the
// exit status it calls for: 0 for none, 2 for a UsageError, 1 otherwise.
func ExitStatus(stderr io.Writer, prefix string, err error) int {
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(UsageError)):
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 2
	default:
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 1
	}
}

// Main is the whole main function of a program that offers r's components
// (Tool.Run with the process's arguments and streams): it runs until its
// command is done or SIGINT or SIGTERM stops it cleanly, then exits with
// the command's status.
func Main(name string, r *launch.Registry) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := (&Tool{Registry: r, Name: name}).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
