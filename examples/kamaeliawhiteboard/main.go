// Command kamaeliawhiteboard is Kamaelia's Whiteboard: a collaborative
// whiteboard whose peers draw on each other's canvases over TCP, speaking
// the line protocol of Kamaelia 1.x's Whiteboard, so that a 1.x peer could
// join a Go one and the reverse.
//
// Every instance is a peer. -serveport P listens for peers on port P,
// -connectto host:port joins a peer (a joining peer shows "Fetching sketch
// from server..." and takes the other's picture), and both at once make
// the peers a mesh: a stroke reaches every peer once, never comes back to
// its sender, and a cycle of connections does not make messages go round
// for ever (each message is named by a MSGID line that 1.x peers ignore).
//
// Without a window it runs headless: standard input is the command
// console (see below), and what the page history says is written on
// standard output. The same peer with Kamaelia's window and sound (SDL and
// Speex, so a cgo build) is examples/videowhiteboard; the two join one mesh.
//
// Console commands, one a line:
//
//	LINE r g b x1 y1 x2 y2     any drawing command of the protocol (CIRCLE, WRITE, CLEAR, ...),
//	                           drawn here and on every peer
//	load FILE, save FILE       show an image here (its picture goes to the peers); write the canvas as PNG
//	clear                      clear the page everywhere
//	prev, next, checkpoint, new, undo, delete
//	                           the page history (pages are slide.N.png in -dir)
//	savedeck FILE, loaddeck FILE, closedeck
//	                           decks: zip files of the pages
//	remote prev, remote next   turn the page here and on every peer
//	quit                       stop
//
// -record FILE with -connectto records the session of the peer there
// (every line heard, with its time); -play FILE with -connectto plays a
// recording into a live session with its original timing.
//
// Ctrl-C (SIGINT) or SIGTERM stops it.
//
// Usage:
//
//	go run ./examples/kamaeliawhiteboard -serveport 1500 [-dir DIR] [-inspect 127.0.0.1:0]
//	go run ./examples/kamaeliawhiteboard -connectto 127.0.0.1:1500 [-serveport 1501]
//	go run ./examples/kamaeliawhiteboard -record session.rec -connectto 127.0.0.1:1500
//	go run ./examples/kamaeliawhiteboard -play session.rec -connectto 127.0.0.1:1500
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	kconsole "github.com/kamaelia-go/kamaelia/components/console"
	"github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/inspect"
)

func main() { cli.Main("kamaeliawhiteboard", run) }

// config is what the command line asks for.
type config struct {
	ServePort int      // -1: do not serve
	Bind      string   // the address to serve on ("" all)
	ConnectTo []string // peers to join
	Dir       string   // pages
	Record    string   // record the session of ConnectTo[0] into this file
	Play      string   // play this recording into ConnectTo[0]
	Inspect   string   // serve the inspector here
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("kamaeliawhiteboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{}
	fs.IntVar(&cfg.ServePort, "serveport", -1, "listen for peers on `port` (0 picks one)")
	fs.StringVar(&cfg.Bind, "bind", "", "the `host` to serve on (all interfaces if empty)")
	fs.Func("connectto", "join the peer at `host:port` (may be given more than once)", func(s string) error {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return err
		}
		cfg.ConnectTo = append(cfg.ConnectTo, s)
		return nil
	})
	fs.StringVar(&cfg.Dir, "dir", "", "the `directory` of the pages (default ~/.kamaelia/Kamaelia.Apps.Whiteboard/Scribbles, made if need be)")
	fs.StringVar(&cfg.Record, "record", "", "record the session of the -connectto peer into `file`")
	fs.StringVar(&cfg.Play, "play", "", "play the recording `file` into the session of the -connectto peer")
	fs.StringVar(&cfg.Inspect, "inspect", "", "serve the live inspector on `address` (127.0.0.1:0 picks a port)")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	if cfg.Record != "" && cfg.Play != "" {
		return config{}, errors.New("-record and -play: one or the other")
	}
	if (cfg.Record != "" || cfg.Play != "") && len(cfg.ConnectTo) != 1 {
		return config{}, errors.New("-record and -play need one -connectto")
	}
	if cfg.ServePort > 65535 {
		return config{}, fmt.Errorf("-serveport %d: not a port", cfg.ServePort)
	}
	if cfg.Record == "" && cfg.Play == "" && cfg.ServePort < 0 && len(cfg.ConnectTo) == 0 {
		return config{}, errors.New("give -serveport, -connectto, or both")
	}
	return cfg, nil
}

// pageDir returns the directory of the pages: the one asked for, which
// must exist, or the default, made if need be.
func pageDir(dir string) (string, error) {
	if dir != "" {
		st, err := os.Stat(dir)
		if err != nil {
			return "", fmt.Errorf("-dir: %w", err)
		}
		if !st.IsDir() {
			return "", fmt.Errorf("-dir %s: not a directory", dir)
		}
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(home, ".kamaelia", "Kamaelia.Apps.Whiteboard", "Scribbles")
	return dir, os.MkdirAll(dir, 0o755)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.NewTextHandler(stderr, nil)))
	switch {
	case cfg.Record != "":
		return record(ctx, s, cfg, stdout)
	case cfg.Play != "":
		return play(ctx, s, cfg, stdout)
	}
	return session(ctx, s, cfg, stdin, stdout, stderr)
}

func record(ctx context.Context, s *axon.Scheduler, cfg config, stdout io.Writer) error {
	f, err := os.Create(cfg.Record)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(stdout, "kamaeliawhiteboard: recording %s into %s\n", cfg.ConnectTo[0], cfg.Record)
	err = s.RunContext(ctx, whiteboard.NewRecorder(cfg.ConnectTo[0], w))
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func play(ctx context.Context, s *axon.Scheduler, cfg config, stdout io.Writer) error {
	f, err := os.Open(cfg.Play)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(stdout, "kamaeliawhiteboard: playing %s into %s\n", cfg.Play, cfg.ConnectTo[0])
	return s.RunContext(ctx, whiteboard.NewPlaybackClient(cfg.ConnectTo[0], f))
}

func session(ctx context.Context, s *axon.Scheduler, cfg config, stdin io.Reader, stdout, stderr io.Writer) error {
	dir, err := pageDir(cfg.Dir)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	peer, err := whiteboard.NewPeer(whiteboard.Config{Dir: dir, Scheduler: s, Logger: log})
	if err != nil {
		return err
	}
	if cfg.ServePort >= 0 {
		srv, err := peer.Serve(net.JoinHostPort(cfg.Bind, strconv.Itoa(cfg.ServePort)))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "kamaeliawhiteboard: serving on %s\n", srv.Addr())
	}
	for _, addr := range cfg.ConnectTo {
		if _, err := peer.Connect(addr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "kamaeliawhiteboard: joining %s\n", addr)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	comps, err := console(peer, stdin, stdout, stderr, cancel)
	if err != nil {
		return err
	}
	s.Activate(peer)
	s.Activate(comps...)
	fmt.Fprintf(stdout, "kamaeliawhiteboard: peer %s, pages in %s, %d components live\n",
		peer.Origin(), dir, len(s.Snapshot().Components))
	if cfg.Inspect != "" {
		in, err := inspect.Start(s, inspect.WithAddr(cfg.Inspect))
		if err != nil {
			cancel()
			_ = s.RunContext(ctx)
			return err
		}
		defer in.Close()
		fmt.Fprintf(stdout, "kamaeliawhiteboard: inspector at %s\n", in.URL())
	}
	err = s.RunContext(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// console wires standard input to the peer through a Console, and the
// ticker to standard output.
func console(peer *whiteboard.Peer, stdin io.Reader, stdout, stderr io.Writer, quit func()) ([]axon.Component, error) {
	lines := kconsole.NewReader(kconsole.WithInput(stdin), kconsole.WithPrompt(""), kconsole.WithEOL(""))
	con := whiteboard.NewConsole()
	tick := newPrinter[string](stdout, "ticker: ")
	errs := newPrinter[error](stderr, "console: ")
	stop := newQuitter(quit)
	for _, l := range [][2]axon.Box{
		{lines.Out, con.In},
		{con.Draw, mustBox(peer.Inbox("draw"))},
		{con.Local, mustBox(peer.Inbox("local"))},
		{con.Pages, mustBox(peer.Inbox("pages"))},
		{con.Quit, stop.in},
		{con.Errs, errs.in},
		{mustBox(peer.Outbox("ticker")), tick.in},
	} {
		if _, err := axon.Link(l[0], l[1]); err != nil {
			return nil, err
		}
	}
	return []axon.Component{lines, con, tick, errs, stop}, nil
}

func mustBox(b axon.Box, ok bool) axon.Box {
	if !ok {
		panic("kamaeliawhiteboard: the peer lacks a box it documents")
	}
	return b
}

// printer writes what it is sent, a line each, after a tag.
type printer[T any] struct {
	axon.Core
	in  *axon.Inbox[T]
	w   io.Writer
	tag string
}

func newPrinter[T any](w io.Writer, tag string) *printer[T] {
	p := &printer[T]{w: w, tag: tag}
	p.in = axon.NewInbox[T](p, "inbox")
	return p
}

func (p *printer[T]) Main(ctx context.Context) error {
	for v := range p.in.Messages(ctx) {
		fmt.Fprintf(p.w, "%s%s\n", p.tag, strings.TrimRight(fmt.Sprint(v), "\n"))
	}
	return ctx.Err()
}

// quitter stops the session when the console says quit.
type quitter struct {
	axon.Core
	in   *axon.Inbox[whiteboard.Quit]
	quit func()
}

func newQuitter(quit func()) *quitter {
	q := &quitter{quit: quit}
	q.in = axon.NewInbox[whiteboard.Quit](q, "inbox")
	return q
}

func (q *quitter) Main(ctx context.Context) error {
	for range q.in.Messages(ctx) {
		q.quit()
	}
	return ctx.Err()
}
