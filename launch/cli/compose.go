package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/kamaelia-go/kamaelia/compose"
)

// composeUsage is the head of `compose --help`; %[1]s is the program's name.
const composeUsage = `usage: %[1]s compose [--addr HOST:PORT] [--load DESIGN.json]

Serves Compose, a web page for designing a system from the program's
components: a palette of every component with its boxes, their types and
its properties; add components, set their properties, link box to box (the
page refuses what the launcher would refuse, and says why); the design as a
launch description and as Go source, live; run it here with the live
inspector beside it; save and load it as JSON. Prints the page's address
and serves until Ctrl-C. docs/compose.md says more.

flags:
`

// Compose is the compose command: it serves Compose for the Tool's
// Registry until ctx ends.
func (t *Tool) Compose(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet(t.name()+" compose", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:0", "where to serve the page (a port of 0 picks a free one); it runs what it is told, so keep it on loopback")
	load := fs.String("load", "", "a design saved as JSON to start from")
	help := fs.Bool("help", false, "print this help")
	fs.BoolVar(help, "h", false, "the same as --help")
	if err := fs.Parse(args); err != nil {
		return Usagef("%v (%s compose --help says how to use it)", err, t.name())
	}
	if *help {
		fmt.Fprintf(t.stdout(), composeUsage, t.name())
		fs.SetOutput(t.stdout())
		fs.PrintDefaults()
		return nil
	}
	if fs.NArg() > 0 {
		return Usagef("compose takes no arguments but flags (got %q)", fs.Args())
	}
	srv := compose.New(t.Registry, compose.Options{GoCatalogs: t.GoCatalogs})
	if *load != "" {
		data, err := os.ReadFile(*load)
		if err != nil {
			return err
		}
		var d compose.Design
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("--load %s: not a design: %w", *load, err)
		}
		if _, err := srv.Editor().Load(&d); err != nil {
			return fmt.Errorf("--load %s: %w", *load, err)
		}
	}
	l, err := compose.Start(srv, *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(t.stdout(), "%s compose: open %s in a browser; Ctrl-C stops\n", t.name(), l.URL())
	<-ctx.Done()
	if err := l.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
