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

// demoSetup is what both demos start from: the player's settings and a
// clip encoded for it.
type demoSetup struct {
	pc      playerConfig
	clip    string
	size    int64   // the clip's bytes
	bitrate float64 // what the source sends it at
}

// prepareDemo resolves the player's output and encodes the test clip into
// it, showing its progress.
func prepareDemo(ctx context.Context, cfg config, stdout io.Writer) (demoSetup, error) {
	pc, err := resolveShow(cfg.Player)
	if err != nil {
		return demoSetup{}, err
	}
	if pc.OutDir == "" {
		if pc.OutDir, err = os.MkdirTemp("", "p2pvideo-"); err != nil {
			return demoSetup{}, err
		}
	} else if err := os.MkdirAll(pc.OutDir, 0o755); err != nil {
		return demoSetup{}, err
	}
	if pc.Show == showWindow && pc.Screenshot == "" {
		pc.Screenshot = filepath.Join(pc.OutDir, "window.png")
	}

	clip := filepath.Join(pc.OutDir, "clip.drc")
	size := pc.Size
	fmt.Fprintf(stdout, "p2pvideo demo: encoding %d frames of a %dx%d test pattern with DiracEncoder into %s\n",
		cfg.Frames, size.X, size.Y, clip)
	if err := encodeClip(ctx, clip, cfg.Frames, cfg.FPS, size.X, size.Y, stdout); err != nil {
		return demoSetup{}, fmt.Errorf("encoding the clip: %w", err)
	}
	fi, err := os.Stat(clip)
	if err != nil {
		return demoSetup{}, err
	}
	seconds := float64(cfg.Frames) / float64(cfg.FPS)
	pc.Frames = cfg.Frames
	return demoSetup{pc: pc, clip: clip, size: fi.Size(), bitrate: demoSpeedUp * float64(fi.Size()) * 8 / seconds}, nil
}

// demo encodes a test clip, then streams it from a source through
// cfg.Peers relay peers to a player, all on loopback in this process, and
// reports.
func demo(ctx context.Context, cfg config, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, demoLimit)
	defer cancel()
	d, err := prepareDemo(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	pc := d.pc

	// The chain, built from its source to its player; every node starts
	// its source when the next has subscribed, so nothing is lost
	// whatever order they start in.
	var nodes []*node
	src, err := newNode(roleSource, file.NewReadFileAdaptor(file.WithFilename(d.clip), file.WithBitrate(d.bitrate)), "127.0.0.1:0")
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
	pc.Progress = stdout
	play, err := newPlayer(pc, stdout, stdout)
	if err != nil {
		closeNodes(nodes)
		return err
	}

	fmt.Fprintf(stdout, "p2pvideo demo: streaming %d bytes at %.0f bit/s:", d.size, d.bitrate)
	for _, n := range nodes {
		fmt.Fprintf(stdout, " %s (%s) ->", n.name, n.where())
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

	figs := make([]figures, len(nodes))
	for i, n := range nodes {
		figs[i] = n.figures()
	}
	report(stdout, figs)
	reportPlayer(stdout, pc, play.stats())
	fmt.Fprintf(stdout, "p2pvideo demo: the output (the clip, and the frames or the window's last picture) is in %s\n", pc.OutDir)
	return demoErr(errors.Join(errs...))
}

// demoErr says a demo that was cut short by its time limit was.
func demoErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the demo did not end within %s: %w", demoLimit, err)
	}
	return err
}

// closeNodes frees the listeners of nodes that will never run.
func closeNodes(nodes []*node) {
	for _, n := range nodes {
		n.close()
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

// figures are what went through a node, by its name: a row of the report,
// and what a node in a process of its own hands the demo (-stats).
type figures struct {
	Name string
	throughput
}

// report prints what went through each node.
func report(stdout io.Writer, nodes []figures) {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "node\tbytes\tmessages\tseconds\tbytes/s\t")
	for _, t := range nodes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.0f\t\n", t.Name, t.Bytes, t.Messages, t.Elapsed.Seconds(), t.BytesPerSecond())
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
