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
// -nats URL (a NATS server) or -nats embedded (one started in this
// process, its URL printed for the others) carries the hops between nodes
// over NATS Backplanes instead of TCP: each node publishes on
// Backplane("VIDEO.<name>") and the next reads it (see hop.go). With -demo,
// the source, the peers and the player then run as OS processes of their
// own, this program run again with role flags, and the demo prints the same
// figures.
//
// Ctrl-C (SIGINT) or SIGTERM stops every node at once.
//
// Usage:
//
//	go run ./examples/p2pvideo -demo [-nats embedded|URL] [-out DIR] [-peers 3] [-frames 125] [-size 320x240] [-show auto|window|png]
//	go run ./examples/p2pvideo -role source -clip clip.drc [-bitrate 400000] [-listen 127.0.0.1:1500]
//	go run ./examples/p2pvideo -role peer -from 127.0.0.1:1500 -listen 127.0.0.1:1501
//	go run ./examples/p2pvideo -role player -from 127.0.0.1:1501 [-show auto|window|png] [-out DIR] [-cmd 'ffplay -']
//	go run ./examples/p2pvideo -role source -nats embedded -clip clip.drc      (prints the URL for the others)
//	go run ./examples/p2pvideo -role peer -nats URL -from source -name peer1
//	go run ./examples/p2pvideo -role player -nats URL -from peer1 [-cmd 'ffplay -']
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/internet"
)

// The roles a process plays.
const (
	roleSource = "source"
	rolePeer   = "peer"
	rolePlayer = "player"
)

// natsEmbedded, given to -nats, starts a NATS server in this process.
const natsEmbedded = "embedded"

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

	NATS  string // "": hops over TCP; a NATS server's URL, or natsEmbedded
	Name  string // with NATS: the node's name, its hop is "VIDEO.<Name>"
	Stats string // source, peer: a file to write the node's figures to, as JSON
}

func main() { cli.Main("p2pvideo", run) }

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
	var nn *natsNet
	if cfg.NATS != "" {
		url := cfg.NATS
		if url == natsEmbedded {
			srv, err := natsplane.StartServer(natsplane.ServerConfig{})
			if err != nil {
				return err
			}
			// Stopped once every Backplane on it has ended.
			defer srv.Shutdown()
			url = srv.ClientURL()
			fmt.Fprintf(stdout, "p2pvideo: NATS server started in this process; other processes use -nats %s\n", url)
		}
		nn = newNATSNet(url)
		cfg.Player.nats = nn
	}
	if cfg.Demo {
		if nn != nil {
			return demoProcesses(ctx, cfg, nn, stdout)
		}
		return demo(ctx, cfg, stdout)
	}
	if cfg.Role == rolePlayer {
		return runPlayer(ctx, cfg.Player, stdout, stderr)
	}
	var src axon.Component // nil for a peer on NATS: it reads the hop before
	what := "relaying " + cfg.Player.From
	if cfg.Role == roleSource {
		src = file.NewReadFileAdaptor(file.WithFilename(cfg.Clip), file.WithBitrate(cfg.Bitrate))
		what = "serving " + cfg.Clip
	} else if nn == nil {
		src = internet.NewTCPClient(cfg.Player.From)
	} else {
		what = "relaying " + hopName(cfg.Player.From)
	}
	var n *node
	if nn != nil {
		n, err = newNATSNode(cfg.Name, cfg.Name, src, cfg.Player.From, nn)
	} else {
		n, err = newNode(cfg.Role, src, cfg.Listen)
	}
	if err != nil {
		return err
	}
	return runNode(ctx, n, what, cfg.Stats, stdout)
}

// runNode runs a source or a peer, saying where it serves and, at the end,
// what went through it (and writing that to statsFile, if given).
func runNode(ctx context.Context, n *node, what, statsFile string, stdout io.Writer) error {
	if n.nats != nil { // one of several processes: which one
		fmt.Fprintf(stdout, "%s: %s on %s (pid %d)\n", n.name, what, n.where(), os.Getpid())
	} else {
		fmt.Fprintf(stdout, "%s: %s on %s\n", n.name, what, n.where())
	}
	err := n.run(ctx)
	report(stdout, []figures{n.figures()})
	if statsFile != "" {
		if werr := writeFigures(statsFile, n.figures()); err == nil {
			err = werr
		}
	}
	return err
}

// runPlayer plays the stream and says what it received and where its
// output is.
func runPlayer(ctx context.Context, cfg playerConfig, stdout, stderr io.Writer) error {
	cfg, err := resolveShow(cfg)
	if err != nil {
		return err
	}
	if cfg.Frames > 0 {
		cfg.Progress = stdout
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
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:1500", "source, peer: the `address` to serve on (port 0 picks one); not with -nats")
	fs.StringVar(&cfg.Player.From, "from", "", "peer, player: the `address` of the peer before (with -nats: its name)")
	fs.StringVar(&cfg.Player.Cmd, "cmd", "", "player: a `command` to feed the stream to (\"ffplay -\") instead of decoding it here")
	fs.StringVar(&cfg.Player.Show, "show", showAuto, "player, demo: auto, window or png (auto: window when DISPLAY or WAYLAND_DISPLAY is set)")
	fs.StringVar(&cfg.Player.OutDir, "out", "", "player, demo: the `directory` for the output (default: a new one under "+os.TempDir()+")")
	fs.IntVar(&cfg.Player.Every, "every", 25, "player, demo: write every `n`th frame as a PNG (show png)")
	fs.StringVar(&cfg.Player.Screenshot, "screenshot", "", "player: write the window as a PNG `file` when the stream ends (show window)")
	fs.IntVar(&cfg.FPS, "fps", 25, "player: frames a second to show; demo: the clip's frame rate")
	size := fs.String("size", "320x240", "demo: the clip's `size`; player: the window's")
	fs.IntVar(&cfg.Peers, "peers", 3, "demo: relay peers between the source and the player")
	fs.IntVar(&cfg.Frames, "frames", 125, "demo: frames in the clip; player: count the frames received out of `n` (only when given)")
	fs.StringVar(&cfg.NATS, "nats", "", "carry the hops between nodes over the NATS server at `url` (nats://host:port), or \"embedded\": start one in this process and print its URL; the demo then runs each node as a process of its own")
	fs.StringVar(&cfg.Name, "name", "", "source, peer with -nats: the node's `name`; it publishes on VIDEO.<name> (default: its role)")
	fs.StringVar(&cfg.Stats, "stats", "", "source, peer: write what went through the node as JSON to `file` when it ends")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	if cfg.Player.Size, err = cli.ParseSize(*size, videoSize); err != nil {
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
			if cfg.NATS != "" {
				return config{}, fmt.Errorf("-role %s needs -from NAME, the node before", cfg.Role)
			}
			return config{}, fmt.Errorf("-role %s needs -from host:port", cfg.Role)
		}
	case "":
		return config{}, errors.New("give -demo, or -role source, peer or player")
	default:
		return config{}, fmt.Errorf("-role %q: want source, peer or player", cfg.Role)
	}
	if cfg.Role == rolePlayer {
		if given["frames"] && cfg.Frames <= 0 {
			return config{}, fmt.Errorf("-frames %d: want a positive number", cfg.Frames)
		}
		if given["frames"] {
			cfg.Player.Frames = cfg.Frames
		}
	}
	return cfg, checkNATSFlags(&cfg, given)
}

// checkNATSFlags checks the flags that -nats changes, and names a node
// after its role when -name is not given.
func checkNATSFlags(cfg *config, given map[string]bool) error {
	if cfg.NATS == "" {
		if given["name"] {
			return errors.New("-name is for -nats: over TCP a node is known by its address")
		}
		return nil
	}
	if cfg.NATS != natsEmbedded && !strings.Contains(cfg.NATS, "://") {
		return fmt.Errorf("-nats %q: want a URL such as nats://127.0.0.1:4222, or embedded", cfg.NATS)
	}
	if given["listen"] {
		return errors.New("-listen is for TCP: with -nats a node publishes on VIDEO.<name>")
	}
	if cfg.Role == rolePlayer && given["name"] {
		return errors.New("-name is for a source or a peer: a player publishes nothing")
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Role
	}
	if err := checkNodeName("name", cfg.Name); err != nil {
		return err
	}
	if cfg.Role == rolePeer || cfg.Role == rolePlayer {
		if err := checkNodeName("from", cfg.Player.From); err != nil {
			return err
		}
	}
	if cfg.Role == rolePeer && cfg.Player.From == cfg.Name {
		return fmt.Errorf("-from %s -name %s: a peer republishing onto the hop it reads would loop", cfg.Player.From, cfg.Name)
	}
	return nil
}

// videoSize bounds the pictures' sides: even (the pictures are 4:2:0), and
// at most 4096, far below Dirac's and SDL's limits, so that a typing slip
// (32000x24000) does not take gigabytes.
var videoSize = cli.SizeBounds{Min: 16, Max: 4096, Even: true}
