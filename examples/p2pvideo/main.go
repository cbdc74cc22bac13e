//go:build cgo

// Command p2pvideo is the P2P core of Kamaelia's article: a video stream
// served from a source through a chain of peers, each of which republishes
// it on a Backplane of its own and serves it to the next, to a player at the
// end of the chain.
//
//	source:  ReadFileAdaptor(clip, bitrate) --> PublishTo("VIDEO")     Backplane("VIDEO")
//	         SimpleServer(protocol = SubscribeTo("VIDEO"))
//	peer:    TCPClient(previous) --> PublishTo("VIDEO")               Backplane("VIDEO")
//	         SimpleServer(protocol = SubscribeTo("VIDEO"))
//	player:  TCPClient(last peer) --> DiracDecoder --> MessageRateLimit --> VideoOverlay
//	     or  TCPClient(last peer) --> DiracDecoder --> PNG files (headless)
//	     or  TCPClient(last peer) --> Pipethrough("any player -")
//
// Every node starts its source (the file, or its connection to the peer
// before it) when its first peer has subscribed, so a chain loses nothing
// whatever order it starts in, and the player sees the stream from its
// sequence header; a player that joins later starts at the next
// picture. When the clip ends, the end travels down the chain: each node's
// Backplane finishes, its connections write what they hold and close, and
// the next node sees the end of its input. Every node then stops by itself.
//
// -demo is `make demo`: it encodes a clip of a generated test pattern with
// the project's own DiracEncoder (showing its progress), streams it from a
// source through three relay peers to a player, all on loopback in this
// process (each node on its own scheduler, with its own Backplane, as if it
// were a process of its own), shows it in an SDL window when a display
// exists (DISPLAY or WAYLAND_DISPLAY) or else writes a few decoded frames as
// PNG files, prints each node's throughput and the frames received, and
// says where its output is. It ends by itself in some seconds.
//
// Ctrl-C (SIGINT) or SIGTERM stops every node at once.
//
// Usage:
//
//	go run ./examples/p2pvideo -demo [-out DIR] [-peers 3] [-frames 125] [-size 320x240] [-show auto|window|png]
//	go run ./examples/p2pvideo -role source -clip clip.drc [-bitrate 400000] [-listen 127.0.0.1:1500]
//	go run ./examples/p2pvideo -role peer -from 127.0.0.1:1500 -listen 127.0.0.1:1501
//	go run ./examples/p2pvideo -role player -from 127.0.0.1:1501 [-show auto|window|png] [-out DIR] [-cmd 'ffplay -']
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/internet"
)

// The roles a process plays.
const (
	roleSource = "source"
	rolePeer   = "peer"
	rolePlayer = "player"
)

// config is what the command line asks for.
type config struct {
	Demo    bool
	Role    string
	Clip    string  // source: the Dirac file
	Bitrate float64 // source: bits a second it is sent at
	Listen  string  // source, peer: where to serve
	Peers   int     // demo: relay peers between source and player
	Frames  int     // demo: frames in the clip
	FPS     int     // demo: the clip's rate; player: frames a second shown
	Player  playerConfig
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "p2pvideo:", err)
		os.Exit(1)
	}
}

// run plays the role the flags in args choose until the stream has gone
// through, or ctx is done. It reports on stdout; flag errors go to stderr.
// Standard input is not read.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	// FFmpeg's notes on the encoder's settings are not for the user.
	astiav.SetLogLevel(astiav.LogLevelError)
	if cfg.Demo {
		return demo(ctx, cfg, stdout)
	}
	switch cfg.Role {
	case roleSource:
		src := file.NewReadFileAdaptor(file.WithFilename(cfg.Clip), file.WithBitrate(cfg.Bitrate))
		return runNode(ctx, roleSource, src, cfg.Listen, "serving "+cfg.Clip, stdout)
	case rolePeer:
		return runNode(ctx, rolePeer, internet.NewTCPClient(cfg.Player.From), cfg.Listen, "relaying "+cfg.Player.From, stdout)
	default:
		return runPlayer(ctx, cfg.Player, stdout, stderr)
	}
}

// runNode runs a source or a peer, saying where it listens and, at the end,
// what went through it.
func runNode(ctx context.Context, name string, src axon.Component, listen, what string, stdout io.Writer) error {
	n, err := newNode(name, src, listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s on %s\n", name, what, n.server.Addr())
	err = n.run(ctx)
	report(stdout, []*node{n})
	return err
}

// runPlayer plays the stream and says what it received and where its
// output is.
func runPlayer(ctx context.Context, cfg playerConfig, stdout, stderr io.Writer) error {
	cfg, err := resolveShow(cfg)
	if err != nil {
		return err
	}
	p, err := newPlayer(cfg, stdout, stderr)
	if err != nil {
		return err
	}
	err = p.run(ctx)
	reportPlayer(stdout, cfg, p.stats())
	return err
}

// resolveShow picks the window or PNGs for "auto", and makes the PNGs'
// directory when none is given (under os.TempDir; it is kept, as the output
// is the point).
func resolveShow(cfg playerConfig) (playerConfig, error) {
	if cfg.Cmd != "" {
		return cfg, nil
	}
	if cfg.Show == showAuto {
		cfg.Show = showPNG
		if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
			cfg.Show = showWindow
		}
	}
	if cfg.Show == showPNG && cfg.OutDir == "" {
		dir, err := os.MkdirTemp("", "p2pvideo-")
		if err != nil {
			return cfg, err
		}
		cfg.OutDir = dir
	}
	return cfg, nil
}

// newScheduler returns a scheduler for one node. Failures are returned by
// run and printed once, by main, so the scheduler does not log them too.
func newScheduler() *axon.Scheduler {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	return s
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("p2pvideo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.BoolVar(&cfg.Demo, "demo", false, "encode a test clip and stream it through a source, relay peers and a player on loopback")
	fs.StringVar(&cfg.Role, "role", "", "the `role` to play: source, peer or player")
	fs.StringVar(&cfg.Clip, "clip", "", "source: the Dirac `file` to serve")
	fs.Float64Var(&cfg.Bitrate, "bitrate", 400000, "source: bits a second to send the clip at")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:1500", "source, peer: the `address` to serve on (port 0 picks one)")
	fs.StringVar(&cfg.Player.From, "from", "", "peer, player: the `address` of the peer before")
	fs.StringVar(&cfg.Player.Cmd, "cmd", "", "player: a `command` to feed the stream to (\"ffplay -\") instead of decoding it here")
	fs.StringVar(&cfg.Player.Show, "show", showAuto, "player, demo: auto, window or png (auto: window when DISPLAY or WAYLAND_DISPLAY is set)")
	fs.StringVar(&cfg.Player.OutDir, "out", "", "player, demo: the `directory` for the output (default: a new one under "+os.TempDir()+")")
	fs.IntVar(&cfg.Player.Every, "every", 25, "player, demo: write every `n`th frame as a PNG (show png)")
	fs.StringVar(&cfg.Player.Screenshot, "screenshot", "", "player: write the window as a PNG `file` when the stream ends (show window)")
	fs.IntVar(&cfg.FPS, "fps", 25, "player: frames a second to show; demo: the clip's frame rate")
	size := fs.String("size", "320x240", "demo: the clip's `size`; player: the window's")
	fs.IntVar(&cfg.Peers, "peers", 3, "demo: relay peers between the source and the player")
	fs.IntVar(&cfg.Frames, "frames", 125, "demo: frames in the clip")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	var err error
	if cfg.Player.Size, err = parseSize(*size); err != nil {
		return config{}, err
	}
	cfg.Player.FPS = float64(cfg.FPS)
	switch {
	case cfg.FPS <= 0:
		return config{}, fmt.Errorf("-fps %d: want a positive number", cfg.FPS)
	case cfg.Player.Every <= 0:
		return config{}, fmt.Errorf("-every %d: want a positive number", cfg.Player.Every)
	}
	switch cfg.Player.Show {
	case showAuto, showWindow, showPNG:
	default:
		return config{}, fmt.Errorf("-show %q: want auto, window or png", cfg.Player.Show)
	}
	if cfg.Demo {
		switch {
		case cfg.Role != "":
			return config{}, errors.New("give -demo or -role, not both")
		case cfg.Peers < 0:
			return config{}, fmt.Errorf("-peers %d: want 0 or more", cfg.Peers)
		case cfg.Frames <= 0:
			return config{}, fmt.Errorf("-frames %d: want a positive number", cfg.Frames)
		}
		return cfg, nil
	}
	switch cfg.Role {
	case roleSource:
		if cfg.Clip == "" {
			return config{}, errors.New("-role source needs -clip FILE")
		}
		if cfg.Bitrate <= 0 {
			return config{}, fmt.Errorf("-bitrate %g: want a positive number", cfg.Bitrate)
		}
	case rolePeer, rolePlayer:
		if cfg.Player.From == "" {
			return config{}, fmt.Errorf("-role %s needs -from host:port", cfg.Role)
		}
	case "":
		return config{}, errors.New("give -demo, or -role source, peer or player")
	default:
		return config{}, fmt.Errorf("-role %q: want source, peer or player", cfg.Role)
	}
	return cfg, nil
}

// maxSide bounds each side of a picture: Dirac's and SDL's limits are far
// above it, and a typing slip (32000x24000) would take gigabytes.
const maxSide = 4096

// parseSize reads "WIDTHxHEIGHT", such as "320x240". Both must be even
// (the pictures are 4:2:0) and from 16 to maxSide.
func parseSize(s string) (image.Point, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return image.Point{}, fmt.Errorf("size %q: want WIDTHxHEIGHT, such as 320x240", s)
	}
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if errW != nil || errH != nil {
		return image.Point{}, fmt.Errorf("size %q: want WIDTHxHEIGHT, such as 320x240", s)
	}
	if w < 16 || h < 16 || w > maxSide || h > maxSide || w%2 != 0 || h%2 != 0 {
		return image.Point{}, fmt.Errorf("size %q: want even sides from 16 to %d", s, maxSide)
	}
	return image.Pt(w, h), nil
}
