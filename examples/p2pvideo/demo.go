//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// demoLimit bounds a whole demo: it ends by itself well before, and fails
// (rather than hang) past it.
const demoLimit = 50 * time.Second

// demoSpeedUp is how much faster than real time the source sends the clip,
// so that the player's rate limit always has a frame ready.
const demoSpeedUp = 1.1

// demo encodes a test clip, then streams it from a source through
// cfg.Peers relay peers to a player, all on loopback, and reports.
func demo(ctx context.Context, cfg config, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, demoLimit)
	defer cancel()
	pc, err := resolveShow(cfg.Player)
	if err != nil {
		return err
	}
	if pc.OutDir == "" {
		if pc.OutDir, err = os.MkdirTemp("", "p2pvideo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(pc.OutDir, 0o755); err != nil {
		return err
	}
	if pc.Show == showWindow && pc.Screenshot == "" {
		pc.Screenshot = filepath.Join(pc.OutDir, "window.png")
	}

	clip := filepath.Join(pc.OutDir, "clip.drc")
	size := pc.Size
	fmt.Fprintf(stdout, "p2pvideo demo: encoding %d frames of a %dx%d test pattern with DiracEncoder into %s\n",
		cfg.Frames, size.X, size.Y, clip)
	if err := encodeClip(ctx, clip, cfg.Frames, cfg.FPS, size.X, size.Y, stdout); err != nil {
		return fmt.Errorf("encoding the clip: %w", err)
	}
	fi, err := os.Stat(clip)
	if err != nil {
		return err
	}
	seconds := float64(cfg.Frames) / float64(cfg.FPS)
	bitrate := demoSpeedUp * float64(fi.Size()) * 8 / seconds

	// The chain, built from its source to its player; every node starts
	// its source when the next has subscribed, so nothing is lost
	// whatever order they start in.
	var nodes []*node
	src, err := newNode(roleSource, file.NewReadFileAdaptor(file.WithFilename(clip), file.WithBitrate(bitrate)), "127.0.0.1:0")
	if err != nil {
		return err
	}
	nodes = append(nodes, src)
	for i := range cfg.Peers {
		prev := nodes[len(nodes)-1].server.Addr().String()
		n, err := newNode(fmt.Sprintf("peer %d", i+1), internet.NewTCPClient(prev), "127.0.0.1:0")
		if err != nil {
			closeNodes(nodes)
			return err
		}
		nodes = append(nodes, n)
	}
	pc.From = nodes[len(nodes)-1].server.Addr().String()
	pc.Progress, pc.Frames = stdout, cfg.Frames
	play, err := newPlayer(pc, stdout, stdout)
	if err != nil {
		closeNodes(nodes)
		return err
	}

	fmt.Fprintf(stdout, "p2pvideo demo: streaming %d bytes at %.0f bit/s:", fi.Size(), bitrate)
	for _, n := range nodes {
		fmt.Fprintf(stdout, " %s (%s) ->", n.name, n.server.Addr())
	}
	fmt.Fprintf(stdout, " player (%s)\n", pc.Show)

	// Like an errgroup: the first failure stops every node.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, len(nodes)+1)
	start := func(i int, run func(context.Context) error) {
		wg.Go(func() {
			if errs[i] = run(ctx); errs[i] != nil {
				stop()
			}
		})
	}
	for i, n := range nodes {
		start(i, n.run)
	}
	start(len(nodes), play.run)
	began := time.Now()
	wg.Wait()
	fmt.Fprintf(stdout, "p2pvideo demo: the stream took %.1f s through %d peers\n", time.Since(began).Seconds(), cfg.Peers)

	report(stdout, nodes)
	reportPlayer(stdout, pc, play.stats())
	fmt.Fprintf(stdout, "p2pvideo demo: the output (the clip, and the frames or the window's last picture) is in %s\n", pc.OutDir)
	if err := errors.Join(errs...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("the demo did not end within %s: %w", demoLimit, err)
		}
		return err
	}
	return nil
}

// closeNodes frees the listeners of nodes that will never run.
func closeNodes(nodes []*node) {
	for _, n := range nodes {
		_ = n.server.Close()
	}
}

// encodeClip writes a Dirac clip of n frames of the test pattern to path,
// showing its progress on stdout:
//
//	testPattern --> DiracEncoder --> progress --> SimpleFileWriter(path)
func encodeClip(ctx context.Context, path string, n, fps, w, h int, stdout io.Writer) error {
	enc := av.NewDiracEncoder()
	enc.FrameRate = frame.Rational{Num: fps, Den: 1}
	p, err := chassis.NewPipeline(
		newTestPattern(n, fps, w, h),
		enc,
		newProgress[[]byte](stdout, "encoding", n),
		file.NewSimpleFileWriter[[]byte](path, file.Truncate),
	)
	if err != nil {
		return err
	}
	return newScheduler().RunContext(ctx, p)
}

// report prints what went through each node.
func report(stdout io.Writer, nodes []*node) {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tbytes\tmessages\tseconds\tbytes/s\t")
	for _, n := range nodes {
		t := n.meter.stats()
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.0f\t\n", n.name, t.Bytes, t.Messages, t.Elapsed.Seconds(), t.BytesPerSecond())
	}
	tw.Flush()
}

// reportPlayer prints what the player received and where its output is.
func reportPlayer(stdout io.Writer, cfg playerConfig, st playerStats) {
	if cfg.Cmd != "" {
		fmt.Fprintf(stdout, "player: %d bytes received, fed to %q\n", st.Bytes, cfg.Cmd)
		return
	}
	fmt.Fprintf(stdout, "player: %d frames received (%d bytes", st.Frames, st.Bytes)
	if st.SkippedBytes > 0 {
		fmt.Fprintf(stdout, "; %d bytes skipped before the first whole picture", st.SkippedBytes)
	}
	fmt.Fprintln(stdout, ")")
	switch cfg.Show {
	case showPNG:
		fmt.Fprintf(stdout, "player: %d frames written as PNG files in %s\n", len(st.PNGs), cfg.OutDir)
		for _, p := range st.PNGs {
			fmt.Fprintf(stdout, "  %s\n", p)
		}
	case showWindow:
		if cfg.Screenshot != "" {
			fmt.Fprintf(stdout, "player: shown in a window; its last picture is in %s\n", cfg.Screenshot)
		} else {
			fmt.Fprintln(stdout, "player: shown in a window")
		}
	}
}
