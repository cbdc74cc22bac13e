// Command whiteboard is a whiteboard for any number of people, after the
// one in Kamaelia's article, and a system of a few hundred live components:
// the canvas is a grid of tiles, each painted by a component of its own.
//
//	Backplane("WHITEBOARD")
//	for each tile:   SubscribeTo("WHITEBOARD") --> painter(tile) --\
//	                                                                 +--> assembler --> PublishTo("WHITEBOARD")
//	SimpleServer(protocol = clientProtocol)
//	clientProtocol:  lines --> parse --> PublishTo("WHITEBOARD")
//	                 SubscribeTo("WHITEBOARD") --> format --> lines
//
// People connect with any line-based TCP client (nc 127.0.0.1 1700) and
// type commands:
//
//	line X1 Y1 X2 Y2 #RRGGBB   draw a line
//	clear                      wipe the board
//	save                       write the canvas to -out (everyone hears "saved N PATH")
//
// Everything anyone sends goes on the Backplane, so every client hears
// every stroke (and can draw the same picture), and every painter paints
// the part of it that falls in its tile. A line that is not a command gets
// an "error: ..." line back, to its sender only.
//
// With the default 16 x 16 grid it runs some 770 components before the first
// client connects (each tile is a pipeline of a subscriber and a painter);
// each client adds a dozen. -inspect ADDR serves the live inspector
// (package inspect) there: a web page that draws them all, with their boxes
// and links, as it runs.
//
// Ctrl-C (SIGINT) or SIGTERM stops everything at once; the canvas is what
// the last save wrote.
//
// Usage:
//
//	go run ./examples/whiteboard [-listen 127.0.0.1:1700] [-size 640x480] [-grid 16] [-out canvas.png] [-inspect 127.0.0.1:8080]
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/internet"
)

// config is what the command line asks for.
type config struct {
	Listen  string
	Size    image.Point
	Grid    int // tiles a side
	Out     string
	Inspect string // "" for no inspector
}

func main() { cli.Main("whiteboard", run) }

// run serves the whiteboard until ctx is done. It says on stdout where it
// serves, how many components are live, and where the inspector is.
// Standard input is not read.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler)) // failures are returned, and printed by main

	board := chassis.NewBackplane[event](boardName, chassis.OnScheduler(s))
	if err := board.SetupErr(); err != nil {
		return err
	}
	asm := newAssembler(cfg.Size, cfg.Grid*cfg.Grid, cfg.Out)
	canvas := []axon.Component{board, chassis.Pipeline(asm, chassis.PublishTo[event](boardName))}
	var subs []*chassis.Subscriber[event]
	for _, r := range grid(cfg.Size, cfg.Grid) {
		sub := chassis.SubscribeTo[event](boardName)
		tile, err := chassis.NewPipeline(sub, newPainter(r))
		if err != nil {
			return err
		}
		out, _ := tile.Outbox("outbox")
		if _, err := axon.Link(out, asm.In); err != nil {
			return err
		}
		canvas = append(canvas, tile)
		subs = append(subs, sub)
	}
	// A person looking at the board without drawing sends nothing, and
	// nothing is sent to them while nobody draws: no idle limit.
	srv, err := chassis.SimpleServer(clientProtocol, cfg.Listen, internet.WithIdleTimeout(0))
	if err != nil {
		return err
	}

	// The tiles join the board before anyone can draw on it.
	s.Activate(canvas...)
	for _, sub := range subs {
		select {
		case <-sub.Subscribed():
		case <-sub.Done():
			srv.Close()
			s.ShutdownAll(axon.Shutdown{})
			_ = s.Wait(context.Background())
			return fmt.Errorf("a tile could not join the board: %w", sub.Err())
		case <-ctx.Done():
			srv.Close()
			return s.RunContext(ctx)
		}
	}
	s.Activate(srv)
	fmt.Fprintf(stdout, "whiteboard: serving on %s; %d components live; the canvas saves to %s\n",
		srv.Addr(), len(s.Snapshot().Components), cfg.Out)
	if cfg.Inspect != "" {
		in, err := inspect.Start(s, inspect.WithAddr(cfg.Inspect))
		if err != nil {
			s.ShutdownAll(axon.Shutdown{})
			_ = s.Wait(context.Background())
			return err
		}
		defer in.Close()
		fmt.Fprintf(stdout, "whiteboard: inspector at %s\n", in.URL())
	}
	return s.RunContext(ctx)
}

// grid cuts a canvas of size into n x n tiles (the last row and column
// take what is left over).
func grid(size image.Point, n int) []image.Rectangle {
	var tiles []image.Rectangle
	for j := range n {
		for i := range n {
			tiles = append(tiles, image.Rect(i*size.X/n, j*size.Y/n, (i+1)*size.X/n, (j+1)*size.Y/n))
		}
	}
	return tiles
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("whiteboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:1700", "serve on `address` (port 0 picks one)")
	size := fs.String("size", "640x480", "the canvas's `size`")
	fs.IntVar(&cfg.Grid, "grid", 16, "cut the canvas into `n` x n tiles, a painter each")
	fs.StringVar(&cfg.Out, "out", filepath.Join(os.TempDir(), "whiteboard.png"), "save the canvas to `file`")
	fs.StringVar(&cfg.Inspect, "inspect", "", "serve the live inspector on `address` (127.0.0.1:0 picks a port)")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	var err error
	if cfg.Size, err = cli.ParseSize(*size, boardSize); err != nil {
		return config{}, err
	}
	if cfg.Grid < 1 || cfg.Grid > min(cfg.Size.X, cfg.Size.Y) {
		return config{}, fmt.Errorf("-grid %d: want 1 to %d (a tile at least a pixel)", cfg.Grid, min(cfg.Size.X, cfg.Size.Y))
	}
	return cfg, nil
}

// boardSize bounds the board's sides: from 1 to 8192 pixels.
var boardSize = cli.SizeBounds{Min: 1, Max: 8192}
