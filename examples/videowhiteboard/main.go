//go:build cgo

// Command videowhiteboard is Kamaelia's Whiteboard with its window and
// its sound, and, with -video, the Video Whiteboard: a see-through canvas
// over video.
//
// Without -video it opens the Whiteboard's window (1024×768: the eraser,
// ten colour swatches, the page and deck buttons, the canvas and the
// ticker), draws with the mouse, and talks: the microphone's sound goes to
// every other peer as Speex, and every other peer's sound is mixed and
// played (-noaudio for none). -serveport and -connectto join peers as
// kamaeliawhiteboard does; the two programs, and Kamaelia 1.x peers, share
// one session.
//
// With -video FILE (any video FFmpeg reads) or -video DIR (a folder of
// .png, .gif and .jpg pictures) the video plays in a loop beneath the
// canvas, a frame every 20 ms for a folder (-period), and it steps: n or a
// click of the left button on, p or the right button back, the middle
// button to the first frame, the wheel back and on, the space bar pauses,
// q quits. What is drawn is kept for the frame it was drawn on and shows
// whenever that frame does (-pages for Kamaelia's way: one page whatever
// the frame). ~~<<~~ and ~~>>~~ step here and on every peer. The Video
// Whiteboard has no sound.
//
// -music FILE plays a sound file (any FFmpeg reads) to every peer, as
// Kamaelia's MP3Player did.
//
// Usage:
//
//	go run ./examples/videowhiteboard -serveport 1500
//	go run ./examples/videowhiteboard -connectto 127.0.0.1:1500
//	go run ./examples/videowhiteboard -video clip.mp4 -serveport 1600
//	go run ./examples/videowhiteboard -video frames/ -connectto 127.0.0.1:1600
package main

import (
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
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
)

func main() { cli.Main("videowhiteboard", run) }

// config is what the command line asks for.
type config struct {
	ServePort  int
	Bind       string
	ConnectTo  []string
	Dir        string
	Decks      string
	Video      string
	Period     time.Duration
	Pages      bool
	NoAudio    bool
	Microphone string
	Music      string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("videowhiteboard", flag.ContinueOnError)
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
	fs.StringVar(&cfg.Dir, "dir", "", "the `directory` of the pages (default: a new temporary one)")
	fs.StringVar(&cfg.Decks, "decks", "", "the `directory` of the decks (default ~/Whiteboard/Decks, made if need be)")
	fs.StringVar(&cfg.Video, "video", "", "the Video Whiteboard over this video `file` or folder of pictures")
	fs.DurationVar(&cfg.Period, "period", 0, "how long a frame shows (default 20ms; negative: step only)")
	fs.BoolVar(&cfg.Pages, "pages", false, "with -video: one page of notes whatever the frame, as Kamaelia had")
	fs.BoolVar(&cfg.NoAudio, "noaudio", false, "no microphone and no speaker")
	fs.StringVar(&cfg.Microphone, "mic", "", "the capture `device` (default: the default one)")
	fs.StringVar(&cfg.Music, "music", "", "play the sound `file` to every peer (any sound FFmpeg reads)")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	if cfg.ServePort > 65535 {
		return config{}, fmt.Errorf("-serveport %d: not a port", cfg.ServePort)
	}
	if cfg.Pages && cfg.Video == "" {
		return config{}, errors.New("-pages is for -video")
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	// The video first: a file that cannot be read stops the program before
	// it serves anyone.
	var frames []*frame.Video
	if cfg.Video != "" {
		if frames, err = whiteboard.LoadFrames(ctx, cfg.Video); err != nil {
			return err
		}
	}
	dir := cfg.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "whiteboard-pages-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	s := axon.NewScheduler()
	s.SetLogger(log)
	peer, err := wb.NewPeer(wb.Config{Dir: dir, Scheduler: s, Logger: log})
	if err != nil {
		return err
	}
	if cfg.ServePort >= 0 {
		srv, err := peer.Serve(net.JoinHostPort(cfg.Bind, strconv.Itoa(cfg.ServePort)))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "videowhiteboard: serving on %s\n", srv.Addr())
	}
	for _, addr := range cfg.ConnectTo {
		if _, err := peer.Connect(addr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "videowhiteboard: joining %s\n", addr)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var comps []axon.Component
	if cfg.Video != "" {
		comps, err = videoBoard(peer, s, frames, cfg, dir, log, cancel)
	} else {
		comps, err = board(peer, s, cfg, cancel)
	}
	if err != nil {
		return err
	}
	if cfg.Music != "" {
		music, err := whiteboard.NewSoundFile(cfg.Music)
		if err != nil {
			return err
		}
		voice, err := whiteboard.NewPeerVoice(peer, music)
		if err != nil {
			return err
		}
		comps = append(comps, voice)
	}
	s.Activate(peer)
	s.Activate(comps...)
	fmt.Fprintf(stdout, "videowhiteboard: peer %s, %d components live\n", peer.Origin(), len(s.Snapshot().Components))
	err = s.RunContext(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// board is the Whiteboard's window and sound.
func board(peer *wb.Peer, s *axon.Scheduler, cfg config, quit func()) ([]axon.Component, error) {
	decks := cfg.Decks
	if decks == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		decks = filepath.Join(home, "Whiteboard", "Decks")
		if err := os.MkdirAll(decks, 0o755); err != nil {
			return nil, err
		}
	}
	return whiteboard.NewFrontEnd(s, peer, whiteboard.FrontEnd{
		Client: len(cfg.ConnectTo) > 0, Decks: decks, Audio: !cfg.NoAudio, Microphone: cfg.Microphone, Quit: quit,
	})
}

// videoBoard is the Video Whiteboard, a member of the peer's mesh.
func videoBoard(peer *wb.Peer, s *axon.Scheduler, frames []*frame.Video, cfg config, dir string, log *slog.Logger, quit func()) ([]axon.Component, error) {
	d := sdl.NewDisplay(sdl.DisplayConfig{Width: wb.WindowWidth, Height: wb.WindowHeight, Title: "Video Whiteboard", FontSize: 10})
	if err := d.Publish(s.Services()); err != nil {
		return nil, err
	}
	// The notes are saved beside the peer's pages; with -pages they are a
	// page history of their own, in Scribbles as Kamaelia's were (the
	// peer's own pages have the same names).
	scribbles := dir
	if cfg.Pages {
		scribbles = filepath.Join(dir, "Scribbles")
		if err := os.MkdirAll(scribbles, 0o755); err != nil {
			return nil, err
		}
	}
	vw, err := whiteboard.NewVideoWhiteboard(frames, whiteboard.VideoOptions{Period: cfg.Period, Pages: cfg.Pages, Scribbles: scribbles})
	if err != nil {
		return nil, err
	}
	errs := newErrLog(log)
	if _, err := axon.LinkByName(vw, "errors", errs, "inbox"); err != nil {
		return nil, err
	}
	member, err := whiteboard.VideoMember(peer, vw)
	if err != nil {
		return nil, err
	}
	q := newQuitter(quit)
	if _, err := axon.LinkByName(vw, "quit", q, "inbox"); err != nil {
		return nil, err
	}
	return append([]axon.Component{d, vw, q, errs}, member...), nil
}

// errLog logs what the Video Whiteboard could not do (a peer's bad
// command, a page file) and goes on.
type errLog struct {
	axon.Core
	in  *axon.Inbox[error]
	log *slog.Logger
}

func newErrLog(log *slog.Logger) *errLog {
	e := &errLog{log: log}
	e.in = axon.NewInbox[error](e, "inbox")
	return e
}

// Main logs each error until told to stop.
func (e *errLog) Main(ctx context.Context) error {
	for err := range e.in.Messages(ctx) {
		e.log.Warn("video whiteboard", "error", err)
	}
	return ctx.Err()
}

// quitter stops the program when told "quit".
type quitter struct {
	axon.Core
	in   *axon.Inbox[string]
	quit func()
}

func newQuitter(quit func()) *quitter {
	q := &quitter{quit: quit}
	q.in = axon.NewInbox[string](q, "inbox")
	return q
}

// Main calls quit for each message until told to stop.
func (q *quitter) Main(ctx context.Context) error {
	for range q.in.Messages(ctx) {
		q.quit()
	}
	return ctx.Err()
}
