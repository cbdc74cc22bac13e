package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/components/topology"
)

func init() {
	commands["visualise"] = command{
		summary: "a topology viewer (Kamaelia's AxonVisualiser) that an introspector connects to",
		run:     runVisualise,
	}
}

// visualiseUsage is the head of `kamaelia visualise --help`.
const visualiseUsage = `usage: kamaelia visualise [-port N] [-host HOST] [-http HOST:PORT] [-window] [-resolution WxH]

Kamaelia's AxonVisualiser and TopologyViewerServer: listens on TCP for
topology commands, one per line (ADD NODE id name posSpec type, ADD LINK
from to, DEL NODE id, DEL ALL, GET ALL, ...; docs/topology.md), and draws
the graph they build with a moving physics layout. An introspector
connects to it and feeds it a running system:

  kamaelia visualise
  kamaelia launch --axon-connect 127.0.0.1:1500 'Ticker | ConsoleEchoer'

as does Kamaelia's own Introspector, or a person with telnet. The graph is
drawn on a web page (its address is printed) and, with -window, in an SDL
window (the cgo build): click selects, drag moves, arrow keys pan. It runs
until Ctrl-C (or, with -window, until the window is closed, Esc or q).

flags:
`

// windowOpener opens the viewer's SDL window on g and returns when it is
// closed or ctx ends; set by the cgo build, nil without it.
var windowOpener func(ctx context.Context, g *topology.Graph, width, height int, onSelect func(...topology.Reply)) error

// runVisualise is `kamaelia visualise`.
func runVisualise(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kamaelia visualise", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; help goes to stdout
	port := fs.Int("port", topology.DefaultPort, "the TCP port to listen on for topology commands (0: a free one)")
	host := fs.String("host", "127.0.0.1", "the address to listen on for topology commands (0.0.0.0: every interface)")
	httpAddr := fs.String("http", "127.0.0.1:0", "where to serve the web page that draws the graph (\"\": nowhere)")
	window := fs.Bool("window", false, "also draw in an SDL window (cgo build)")
	resolution := fs.String("resolution", "800x600", "the window's size, WxH; new nodes are placed within it")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), visualiseUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return nil
		}
		return usageError{Err: err}
	}
	if fs.NArg() > 0 {
		return usagef("kamaelia visualise takes no arguments (got %q)", fs.Args())
	}
	w, h, err := parseResolution(*resolution)
	if err != nil {
		return usageError{Err: err}
	}
	if *window && windowOpener == nil {
		return usagef("-window needs the cgo build of kamaelia (SDL); the web page works without it")
	}
	if *port < 0 || *port > 65535 {
		return usagef("-port %d is not a TCP port", *port)
	}

	g := topology.NewGraph(topology.SimpleLaws(100), w, h, uint64(time.Now().UnixNano()))
	topology.AxonLaws(g)
	srv, err := topology.Listen(net.JoinHostPort(*host, strconv.Itoa(*port)), g)
	if err != nil {
		return fmt.Errorf("kamaelia visualise: %w", err)
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "visualiser: listening for topology commands on %s\n", srv.Addr())

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *httpAddr != "" {
		ln, err := net.Listen("tcp", *httpAddr)
		if err != nil {
			return fmt.Errorf("kamaelia visualise: -http: %w", err)
		}
		hs := &http.Server{Handler: topology.Handler(g, 50*time.Millisecond, srv.Broadcast), ReadHeaderTimeout: 10 * time.Second}
		served := make(chan struct{})
		go func() {
			defer close(served)
			_ = hs.Serve(ln)
		}()
		defer func() {
			// Event streams last as long as their page: close them.
			_ = hs.Close()
			<-served
		}()
		fmt.Fprintf(stdout, "page: http://%s/\n", ln.Addr())
	}
	animated := make(chan struct{})
	go func() {
		defer close(animated)
		topology.Animate(ctx, g, 30)
	}()
	defer func() { cancel(); <-animated }()
	if *window {
		return windowOpener(ctx, g, w, h, srv.Broadcast)
	}
	<-ctx.Done()
	return nil
}

// parseResolution reads "WxH".
func parseResolution(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 100 || h < 100 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("-resolution %q: want WxH, each 100 to 16384, such as 800x600", s)
	}
	return w, h, nil
}
