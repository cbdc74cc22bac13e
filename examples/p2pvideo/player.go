//go:build cgo

package main

import (
	"context"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"sync"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/components/process"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
	"github.com/kamaelia-go/kamaelia/examples/internal/sdlshot"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// How a player shows the stream.
const (
	showAuto   = "auto"   // window when a display exists, else png
	showWindow = "window" // an SDL window
	showPNG    = "png"    // a few decoded frames written as PNG files
)

// playerConfig says how a player shows the stream it reads from From.
type playerConfig struct {
	From       string      // the peer to read from, "host:port"
	Cmd        string      // a player command fed the stream ("ffplay -"); "" to decode here
	Show       string      // showWindow or showPNG, when Cmd is ""
	OutDir     string      // where PNGs go (showPNG)
	Every      int         // write every Every'th frame as a PNG (showPNG)
	FPS        float64     // frames a second shown in the window
	Size       image.Point // the window's size
	Screenshot string      // a PNG of the window once the stream has ended; "" for none

	// Progress, when set, is where the frames decoded are counted out of
	// Frames as they arrive (the demo, which knows how many to expect).
	Progress io.Writer
	Frames   int

	// nats, when set, is where From is: the player reads the hop of the
	// node called From ("VIDEO.<From>") instead of connecting to it.
	nats *natsNet
}

// player is the end of a chain of peers, in one of three shapes:
//
//	TCPClient --> DiracDecoder --> MessageRateLimit --> VideoOverlay   (window)
//	TCPClient --> DiracDecoder --> frameWriter                         (png)
//	TCPClient --> Pipethrough(cmd) --> stdout                          (cmd)
//
// With -nats, SubscribeTo("VIDEO.<from>") --> untilEnd stands where the
// TCPClient is (see hop.go).
//
// It ends when the stream does: the peer closing the connection is
// ProducerFinished on the client's signal, and the pipeline drains and
// stops from its head (a window then closes, after its screenshot).
type player struct {
	sched   *axon.Scheduler
	pipe    *chassis.Pipe
	client  *internet.TCPClient // nil on NATS
	in      *hopIn              // nil on TCP
	dec     *av.DiracDecoder    // nil with a command
	pngs    *frameWriter        // nil but for showPNG
	display *sdl.Display        // nil but for showWindow
	comps   []axon.Component
}

// playerStats is what a player received.
type playerStats struct {
	Bytes        uint64 // read from the peer
	Frames       int64  // decoded (0 with a command)
	SkippedBytes int64  // dropped as not yet decodable: a player that joined mid-stream
	PNGs         []string
}

// newPlayer builds a player as cfg says, on a scheduler of its own. A
// player command's output goes to stdout and its errors to stderr.
func newPlayer(cfg playerConfig, stdout, stderr io.Writer) (*player, error) {
	p := &player{sched: newScheduler()}
	// The head of the pipeline: what reads the stream from the node before.
	var head []axon.Component
	var err error
	if cfg.nats != nil {
		if p.in, err = cfg.nats.newHopIn(cfg.From, p.sched); err != nil {
			return nil, err
		}
		head = []axon.Component{p.in.sub, p.in.end}
	} else {
		p.client = internet.NewTCPClient(cfg.From)
		head = []axon.Component{p.client}
	}
	if cfg.Cmd != "" {
		proc := process.Pipethrough(cfg.Cmd)
		out := file.NewSimpleWriter[[]byte](noClose{stdout})
		if p.pipe, err = chassis.NewPipeline(append(head, proc, out)...); err != nil {
			return nil, err
		}
		// The command's standard error goes to ours; that writer ends
		// after the standard output's has, which is after the command.
		errOut := file.NewSimpleWriter[[]byte](noClose{stderr})
		axon.MustLink(proc.Stderr, errOut.In)
		axon.MustLink(p.pipe.Signal(), errOut.Control())
		p.comps = []axon.Component{p.pipe, errOut}
		return p.withHop(), nil
	}

	p.dec = av.NewDiracDecoder()
	// A player that joins a stream already flowing starts at the next
	// picture: VC-2 repeats its sequence header before every one.
	p.dec.OnCorrupt = av.Skip
	// The head and the decoder, then a count of the frames if asked for.
	stages := append(head, p.dec)
	if cfg.Progress != nil {
		stages = append(stages, newProgress[*frame.Video](cfg.Progress, "frames received", cfg.Frames))
	}
	switch cfg.Show {
	case showPNG:
		p.pngs = newFrameWriter(cfg.OutDir, cfg.Every)
		if p.pipe, err = chassis.NewPipeline(append(stages, p.pngs)...); err != nil {
			return nil, err
		}
		p.comps = []axon.Component{p.pipe}
	case showWindow:
		display := sdl.NewDisplay(sdl.DisplayConfig{Width: cfg.Size.X, Height: cfg.Size.Y, Title: "kamaelia: p2pvideo"})
		if err := display.Publish(p.sched.Services()); err != nil {
			return nil, err
		}
		if p.pipe, err = chassis.NewPipeline(append(stages,
			timing.NewMessageRateLimit[*frame.Video](cfg.FPS, 15),
			sdl.NewVideoOverlay(image.Pt(0, 0)),
		)...); err != nil {
			return nil, err
		}
		p.comps = []axon.Component{display, p.pipe}
		p.display = display
		// When the last frame is up, the window closes (after a
		// screenshot of it, if asked for).
		if cfg.Screenshot != "" {
			shot := sdlshot.New(cfg.Screenshot)
			axon.MustLink(shot.Requests, display.In)
			axon.MustLink(p.pipe.Signal(), shot.In)
			axon.MustLink(shot.Signal(), display.Control())
			p.comps = append(p.comps, shot)
		} else {
			axon.MustLink(p.pipe.Signal(), display.Control())
		}
	default:
		return nil, fmt.Errorf("show %q: want %s or %s", cfg.Show, showWindow, showPNG)
	}
	return p.withHop(), nil
}

// withHop adds, on NATS, the Backplane of the hop it reads to what runs.
func (p *player) withHop() *player {
	if p.in != nil {
		p.comps = append(p.comps, p.in.bp)
	}
	return p
}

// run plays until the stream ends or ctx is done. A failure (the peer
// cannot be reached, a stream that is not Dirac) stops the player and is its
// error.
func (p *player) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	announced := make(chan error, 1)
	if p.in != nil {
		// The node before starts sending once it hears that this player
		// has subscribed.
		hs, err := p.in.nn.dialHandshake("player")
		if err != nil {
			return err
		}
		defer hs.close()
		go func() {
			err := p.in.announce(ctx, hs)
			if err != nil {
				cancel()
			}
			announced <- err
		}()
	} else {
		announced <- nil
	}
	go func() {
		select {
		case <-p.pipe.Done():
			if p.pipe.Err() != nil {
				cancel()
			}
		case <-ctx.Done():
		}
	}()
	if p.display != nil {
		// A window closed by its user stops the player, as the end of
		// the stream would.
		go func() {
			select {
			case <-p.display.Done():
				p.sched.ShutdownAll(axon.Shutdown{})
			case <-ctx.Done():
			}
		}()
	}
	err := p.sched.RunContext(ctx, p.comps...)
	if err == nil && p.pipe.Err() != nil {
		err = p.pipe.Err()
	}
	cancel()
	if aerr := <-announced; aerr != nil {
		err = fmt.Errorf("telling %s this player reads it: %w", p.in.name, aerr)
	}
	return err
}

// stats returns what the player has received so far.
func (p *player) stats() playerStats {
	var st playerStats
	if p.in != nil {
		st.Bytes = p.in.end.bytesRead()
	} else {
		st.Bytes = p.client.Stats().BytesRead
	}
	if p.dec != nil {
		ds := p.dec.Stats()
		st.Frames, st.SkippedBytes = ds.Frames, ds.SkippedBytes
	}
	if p.pngs != nil {
		st.PNGs = p.pngs.written()
	}
	return st
}

// noClose hides the Close of a writer (os.Stdout) from a SimpleFileWriter,
// which closes what it writes to when it ends.
type noClose struct{ io.Writer }

// frameWriter writes every n'th video frame it is sent as a PNG file in a
// directory, named by the frame's place in the stream (frame-0000.png ...).
//
//	inbox    *frame.Video  decoded frames
//	control  any           ProducerFinished: write what waits and end; Shutdown: end at once
//	signal   any           its outcome: a file that cannot be written is a failure
type frameWriter struct {
	axon.Core
	In *axon.Inbox[*frame.Video]

	dir   string
	every int

	mu    sync.Mutex
	paths []string
}

func newFrameWriter(dir string, every int) *frameWriter {
	w := &frameWriter{dir: dir, every: max(every, 1)}
	w.In = axon.NewInbox[*frame.Video](w, "inbox")
	return w
}

// Main writes the frames.
func (w *frameWriter) Main(ctx context.Context) error {
	n := 0
	for v := range w.In.Messages(ctx) {
		if n%w.every == 0 {
			path := filepath.Join(w.dir, fmt.Sprintf("frame-%04d.png", n))
			if err := pngfile.Write(path, v.ToRGBA()); err != nil {
				return err
			}
			w.mu.Lock()
			w.paths = append(w.paths, path)
			w.mu.Unlock()
		}
		n++
	}
	return ctx.Err()
}

// written returns the paths of the PNGs written so far.
func (w *frameWriter) written() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.paths...)
}
