// Package cli is what the example programs share on their command line:
// a main that runs the program until it ends, fails, or is interrupted, and
// the parsing of a picture size such as "320x240".
//
// Every example is written as a run function that takes its context, its
// arguments and its standard streams, so that its tests run it as a user
// would; its main is one line:
//
//	func main() { cli.Main("consoleecho", run) }
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// RunFunc is an example program: it runs with args (without the program's
// name) until it is done or ctx is, and returns why it stopped.
// flag.ErrHelp means -h was asked for and the usage has been written.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs run with the process's arguments and standard streams until it
// returns, or until SIGINT or SIGTERM, which cancel its context; then it
// exits with the status Exit gives (a failure is printed on standard error
// after the program's name).
func Main(name string, run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Exit(ctx, name, run, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if code != 0 {
		os.Exit(code)
	}
}

// Exit runs run and returns the exit status for what it returned: 0 when it
// succeeded or only printed its usage (flag.ErrHelp), otherwise 1, after
// writing "name: error" on stderr.
func Exit(ctx context.Context, name string, run RunFunc, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := run(ctx, args, stdin, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
}

// Parse parses args with fs and refuses arguments left after the flags: the
// examples take flags only, and a stray word (a flag without its dash) is
// better an error than ignored.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return nil
}
