//go:build cgo

// Command videoserve is "Simplistic Video Serving" from Kamaelia's article:
// a server that sends a Dirac file down a socket at a fixed bit rate, and a
// client that decodes it and shows it in a window.
//
//	server:  ReadFileAdaptor(clip, bitrate 400000) --> SingleServer(port)
//	client:  TCPClient(host:port) --> DiracDecoder --> MessageRateLimit(15, 15) --> VideoOverlay
//
// With -serve it is the server, with -play the client; with neither it is
// both in one process, playing a clip it makes first (a moving test card,
// encoded with the project's DiracEncoder), so it needs nothing from
// outside.
//
// The server sends the file as a broadcast would, whether or not a client is
// there (SingleServer discards what comes while none is connected), so a
// client that connects late starts at the next whole picture: the decoder
// skips what it cannot use yet. At the end of the file the server closes
// the connection, the client's pipeline drains and stops from its head, and
// the window closes (after writing its last picture to -screenshot, if
// given). Ctrl-C (SIGINT) or SIGTERM stops everything at once.
//
// Usage:
//
//	go run ./examples/videoserve [-bitrate 400000] [-frames 100]
//	go run ./examples/videoserve -serve clip.drc [-listen 127.0.0.1:1601] [-bitrate 400000]
//	go run ./examples/videoserve -play 127.0.0.1:1601 [-fps 15] [-preroll 15] [-screenshot FILE]
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
	"path/filepath"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
)

// config is what the command line asks for.
type config struct {
	Serve      string      // the clip to serve; "" for none
	Play       string      // the server to play from; "" for none
	Listen     string      // where to serve
	Bitrate    float64     // bits a second the clip is sent at
	FPS        float64     // frames a second shown
	Preroll    int         // frames gathered before the first is shown
	Size       image.Point // the window's size (and the made clip's)
	Frames     int         // frames in the made clip
	Screenshot string      // a PNG of the window once the stream has ended
}

func main() { cli.Main("videoserve", run) }

// run serves, plays, or both, as args say, until the clip has been sent or
// shown, or ctx is done. It reports on stdout; flag errors go to stderr.
// Standard input is not read.
func run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	astiav.SetLogLevel(astiav.LogLevelError)
	s := axon.NewScheduler()
	// Failures are returned, and printed once by main.
	s.SetLogger(slog.New(slog.DiscardHandler))

	var parts []axon.CoreComponent
	serve, play := cfg.Serve, cfg.Play
	both := serve == "" && play == ""
	if both {
		dir, err := os.MkdirTemp("", "videoserve-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		serve = filepath.Join(dir, "clip.drc")
		fmt.Fprintf(stdout, "videoserve: encoding %d frames of a test card\n", cfg.Frames)
		if err := makeClip(ctx, serve, cfg.Frames, cfg.Size.X, cfg.Size.Y); err != nil {
			return fmt.Errorf("making the clip: %w", err)
		}
	}
	if serve != "" {
		srv, err := chassis.SingleServer(cfg.Listen)
		if err != nil {
			return err
		}
		p, err := chassis.NewPipeline(
			file.NewReadFileAdaptor(file.WithFilename(serve), file.WithBitrate(cfg.Bitrate)),
			srv,
		)
		if err != nil {
			srv.Close()
			return err
		}
		fmt.Fprintf(stdout, "videoserve: serving %s at %g bit/s on %s\n", serve, cfg.Bitrate, srv.Addr())
		parts = append(parts, p)
		if both {
			play = srv.Addr().String()
		} else {
			defer func() { fmt.Fprintf(stdout, "videoserve: served %d clients\n", srv.Clients()) }()
		}
	}
	var pl *player
	if play != "" {
		if pl, err = newPlayer(s, play, cfg); err != nil {
			return err
		}
		parts = append(parts, pl.parts...)
		defer func() { pl.report(stdout, cfg) }()
	}
	return runAll(ctx, s, parts)
}

// runAll runs parts on s until they have all ended; the first that fails
// stops the others, and its failure is the error.
func runAll(ctx context.Context, s *axon.Scheduler, parts []axon.CoreComponent) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	comps := make([]axon.Component, len(parts))
	for i, p := range parts {
		comps[i] = p
		go func() {
			select {
			case <-p.Done():
				if p.Err() != nil {
					cancel()
				}
			case <-ctx.Done():
			}
		}()
	}
	err := s.RunContext(ctx, comps...)
	for _, p := range parts {
		if err == nil {
			err = p.Err()
		}
	}
	return err
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("videoserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.Serve, "serve", "", "serve the Dirac `file`")
	fs.StringVar(&cfg.Play, "play", "", "play the stream of the server at `host:port`")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:1601", "serve on `address` (port 0 picks one; ignored when playing a made clip)")
	fs.Float64Var(&cfg.Bitrate, "bitrate", 400000, "send the clip at `bits` a second")
	fs.Float64Var(&cfg.FPS, "fps", 15, "show `n` frames a second")
	fs.IntVar(&cfg.Preroll, "preroll", 15, "gather `n` frames before showing the first")
	size := fs.String("size", "320x240", "the window's `size` (and the made clip's)")
	fs.IntVar(&cfg.Frames, "frames", 100, "frames in the clip made when neither -serve nor -play is given")
	fs.StringVar(&cfg.Screenshot, "screenshot", "", "write the window as a PNG `file` when the stream ends")
	if err := cli.Parse(fs, args); err != nil {
		return config{}, err
	}
	var err error
	if cfg.Size, err = cli.ParseSize(*size, videoSize); err != nil {
		return config{}, err
	}
	switch {
	case cfg.Bitrate <= 0:
		return config{}, fmt.Errorf("-bitrate %g: want a positive number", cfg.Bitrate)
	case cfg.FPS <= 0:
		return config{}, fmt.Errorf("-fps %g: want a positive number", cfg.FPS)
	case cfg.Preroll < 0:
		return config{}, fmt.Errorf("-preroll %d: want 0 or more", cfg.Preroll)
	case cfg.Frames <= 0:
		return config{}, fmt.Errorf("-frames %d: want a positive number", cfg.Frames)
	case cfg.Serve != "" && cfg.Play != "":
		return config{}, errors.New("give -serve or -play, not both (neither serves and plays a clip of its own)")
	}
	if cfg.Serve == "" && cfg.Play == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	return cfg, nil
}

// videoSize bounds the pictures' sides: even (the pictures are 4:2:0), from
// 16 to 4096.
var videoSize = cli.SizeBounds{Min: 16, Max: 4096, Even: true}
