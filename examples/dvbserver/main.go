// Command dvbserver is the Kamaelia article's DVB server: it tunes a DVB-T
// multiplex, publishes its transport stream packets to a Backplane, and
// serves them to every TCP client that connects, each through its own
// subscriber to that Backplane.
//
//	Multiplex(freq, pids) --> gate --> PublishTo("VIDSOURCE")       Backplane("VIDSOURCE")
//	SimpleServer(protocol, addr), protocol = SubscribeTo("VIDSOURCE") --> toBytes
//
// The Backplane carries mpegts.Packets, what the Multiplex sends (whole,
// aligned 188-byte packets), so that other components in the process could
// subscribe to the typed stream. A connection's inbox takes []byte, a type
// of its own, so each client's protocol is a small pipeline: the
// subscriber, then a flow.PureTransformer that hands the same bytes on as
// []byte (no copy).
//
// The stream comes from a DVB adapter (-adapter N, the Linux DVB API) or
// from a recorded transport stream (-ts FILE, dvb.FileDevice), which is
// what is used when no adapter exists. A recording plays as fast as the
// clients take it (subscribers block the Backplane: back-pressure), and
// only once the first client has subscribed (the gate holds it until then),
// so that client sees the file from its start; at the end of the file the
// publisher ends and the server keeps serving (nothing more) until it is
// stopped. A live adapter starts at once, and each client has a bounded
// queue from which the oldest packets are dropped when it falls behind, so
// one slow client cannot stall the tuner for the others.
//
// Ctrl-C (SIGINT) or SIGTERM shuts everything down: the listener and every
// connection are closed, and the Multiplex closes the DVR, the filters and
// the frontend.
//
// Usage:
//
//	go run ./examples/dvbserver -ts recording.ts [-pids 0x2000] [-listen 127.0.0.1:1601]
//	go run ./examples/dvbserver -adapter 0 -freq 505.833333 [-pids 0x200,0x201]
//
// and, to watch: nc 127.0.0.1 1601 | ffplay -
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
)

// backplaneName is the name the stream is published under.
const backplaneName = "VIDSOURCE"

// liveQueue is how many messages a client of a live adapter may fall behind
// before its oldest are dropped.
const liveQueue = 1024

// config is what run serves.
type config struct {
	TSFile  string   // a recorded transport stream; "" for the adapter
	Adapter int      // the adapter's number, when TSFile is ""
	FreqMHz float64  // the multiplex's frequency
	PIDs    []uint16 // the PIDs to serve; mpegts.AllPIDs for all
	Listen  string   // "host:port"; port 0 picks one
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "dvbserver:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = run(ctx, cfg, func(addr net.Addr) {
		fmt.Fprintf(os.Stderr, "dvbserver: serving %s on %s\n", source(cfg), addr)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dvbserver:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line. Without -ts and -adapter it uses
// adapter 0 if /dev/dvb/adapter0 exists, and asks for -ts if not.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("dvbserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.TSFile, "ts", "", "play the recorded transport stream `FILE` (the default when no DVB adapter exists)")
	fs.IntVar(&cfg.Adapter, "adapter", 0, "use the DVB adapter `N` (/dev/dvb/adapterN)")
	fs.Float64Var(&cfg.FreqMHz, "freq", 505.833333, "the multiplex's frequency in `MHz`")
	pids := fs.String("pids", "0x2000", "comma-separated `PIDs` to serve (0x2000: the whole multiplex)")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:1601", "TCP `address` to serve on")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	adapterSet := false
	fs.Visit(func(f *flag.Flag) { adapterSet = adapterSet || f.Name == "adapter" })
	if cfg.TSFile != "" && adapterSet {
		return config{}, errors.New("give -ts or -adapter, not both")
	}
	if cfg.TSFile == "" && !adapterSet {
		if _, err := os.Stat(fmt.Sprintf("/dev/dvb/adapter%d", cfg.Adapter)); err != nil {
			return config{}, errors.New("no DVB adapter found (/dev/dvb/adapter0): give -ts FILE to serve a recorded transport stream")
		}
	}
	var err error
	if cfg.PIDs, err = parsePIDs(*pids); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// parsePIDs reads "0x200,513,0x2000".
func parsePIDs(s string) ([]uint16, error) {
	var pids []uint16
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 0, 16)
		if err != nil || (n > mpegts.MaxPID && n != mpegts.AllPIDs) {
			return nil, fmt.Errorf("bad PID %q: want 0 to 0x1fff, or 0x2000 for all", f)
		}
		pids = append(pids, uint16(n))
	}
	if len(pids) == 0 {
		return nil, errors.New("no PIDs given")
	}
	return pids, nil
}

func source(cfg config) string {
	if cfg.TSFile != "" {
		return cfg.TSFile
	}
	return fmt.Sprintf("adapter%d at %g MHz", cfg.Adapter, cfg.FreqMHz)
}

// run serves cfg until ctx is done, calling ready with the address it
// listens on once it does. It returns nil when stopped through ctx, and the
// failure that ended it otherwise (the tuner did not lock, the file could
// not be read): a failing source stops the server.
func run(ctx context.Context, cfg config, ready func(net.Addr)) error {
	dev := dvb.LinuxAdapter(cfg.Adapter)
	live := cfg.TSFile == ""
	if !live {
		dev = dvb.FileDevice(cfg.TSFile)
	}
	sched := axon.NewScheduler()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	backplane := chassis.NewBackplane[mpegts.Packets](backplaneName, chassis.OnScheduler(sched))
	if err := backplane.SetupErr(); err != nil {
		return err
	}

	// A recording waits for its first client; a broadcast does not.
	g := newGate()
	if live {
		g.open()
	}
	src, err := chassis.NewPipeline(
		dvb.NewMultiplex(cfg.FreqMHz, cfg.PIDs, dvb.Params{}, dev),
		g,
		chassis.PublishTo[mpegts.Packets](backplaneName),
	)
	if err != nil {
		return err
	}

	var subOpts []chassis.SubscribeOption
	if live {
		subOpts = append(subOpts, chassis.WithDropOldest(liveQueue))
	}
	protocol := func() axon.Component {
		sub := chassis.SubscribeTo[mpegts.Packets](backplaneName, subOpts...)
		if !live {
			go func() { // ends when the client has subscribed or run ends
				select {
				case <-sub.Subscribed():
					g.open()
				case <-ctx.Done():
				}
			}()
		}
		return chassis.Pipeline(sub, flow.NewPureTransformer(func(p mpegts.Packets) []byte { return p }))
	}
	srv, err := chassis.SimpleServer(protocol, cfg.Listen)
	if err != nil {
		return err
	}

	// The source failing (no lock, an unreadable file) stops everything.
	go func() {
		select {
		case <-src.Done():
			if src.Err() != nil {
				cancel()
			}
		case <-ctx.Done():
		}
	}()
	if ready != nil {
		ready(srv.Addr())
	}
	return sched.RunContext(ctx, backplane, src, srv)
}

// gate passes mpegts.Packets from inbox to outbox once it is opened, and
// holds them until then: its inbox fills and back-pressure pauses what
// sends to it. ProducerFinished on control makes it pass on what it holds
// (once open) and end; Shutdown ends it at once.
type gate struct {
	axon.Core
	In  *axon.Inbox[mpegts.Packets]
	Out *axon.Outbox[mpegts.Packets]

	once   sync.Once
	opened chan struct{}
}

func newGate() *gate {
	g := &gate{opened: make(chan struct{})}
	g.In = axon.NewInbox[mpegts.Packets](g, "inbox")
	g.Out = axon.NewOutbox[mpegts.Packets](g, "outbox")
	return g
}

// open lets the packets through. It may be called any number of times,
// from any goroutine.
func (g *gate) open() { g.once.Do(func() { close(g.opened) }) }

func (g *gate) Main(ctx context.Context) error {
	select {
	case <-g.opened:
	case <-ctx.Done():
		return ctx.Err()
	}
	for ps := range g.In.Messages(ctx) {
		if err := g.Out.Send(ctx, ps); err != nil {
			return err
		}
	}
	return ctx.Err()
}
