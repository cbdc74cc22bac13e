//go:build cgo

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// childEnv is set in the environment of the processes the demo starts, so
// that a program re-executed for a role knows it is one: this command
// ignores it, a test binary (which has its own main) plays the role its
// arguments give instead of running its tests.
const childEnv = "P2PVIDEO_DEMO_CHILD"

// childStopGrace is how long a child told to stop (SIGTERM) has before it
// is killed.
const childStopGrace = 5 * time.Second

// child is one node of the demo run as an OS process.
type child struct {
	name  string // in the report: "source", "peer 1", ..., "player"
	hop   string // the Backplane it publishes on; "" for the player
	args  []string
	stats string // where it writes its figures; "" for the player
	log   string // where its output goes; "" for the player's standard output
}

// demoProcesses is the demo with every node in an OS process of its own,
// this program run again with role flags, the hops going through the NATS
// server nn: it encodes the clip, starts the source, the peers and the
// player, waits for them all, and prints the same figures as the demo in one
// process. The player's output (its progress and what it received) is the
// demo's; the source's and the peers' go to NAME.log files in the output
// directory. The first process to fail stops the others (SIGTERM, then
// SIGKILL after childStopGrace), as does the demo's time limit.
func demoProcesses(ctx context.Context, cfg config, nn *natsNet, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, demoLimit)
	defer cancel()
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program to run its nodes: %w", err)
	}
	d, err := prepareDemo(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	pc := d.pc
	children := demoChildren(cfg, nn.url, d)

	fmt.Fprintf(stdout, "p2pvideo demo: streaming %d bytes at %.0f bit/s through NATS at %s, a process a node:", d.size, d.bitrate, nn.url)
	for _, c := range children[:len(children)-1] {
		fmt.Fprintf(stdout, " %s (%s) ->", c.name, c.hop)
	}
	fmt.Fprintf(stdout, " player (%s)\n", pc.Show)

	// Like an errgroup: the first failure stops every process.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make([]error, len(children))
	began := time.Now()
	for i, c := range children {
		wg.Go(func() {
			if errs[i] = c.run(ctx, exe, stdout); errs[i] != nil {
				stop()
			}
		})
	}
	wg.Wait()
	fmt.Fprintf(stdout, "p2pvideo demo: the stream took %.1f s through %d peers\n", time.Since(began).Seconds(), cfg.Peers)

	var figs []figures
	for i, c := range children[:len(children)-1] {
		f, err := readFigures(c.stats)
		if err != nil {
			if errs[i] == nil { // a node that failed has said why already
				errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
			}
			continue
		}
		f.Name = c.name
		figs = append(figs, f)
	}
	report(stdout, figs)
	fmt.Fprintf(stdout, "p2pvideo demo: the output (the clip, and the frames or the window's last picture) is in %s; each node's own output is in its .log file there\n", pc.OutDir)
	return demoErr(errors.Join(errs...))
}

// demoChildren lays out the chain: a source, cfg.Peers peers, a player,
// each reading the hop of the one before.
func demoChildren(cfg config, url string, d demoSetup) []child {
	pc := d.pc
	nodeChild := func(display, name string, args ...string) child {
		c := child{name: display, hop: hopName(name),
			stats: filepath.Join(pc.OutDir, name+".json"), log: filepath.Join(pc.OutDir, name+".log")}
		c.args = append([]string{"-nats", url, "-name", name, "-stats", c.stats}, args...)
		return c
	}
	children := []child{nodeChild(roleSource, roleSource, "-role", roleSource, "-clip", d.clip,
		"-bitrate", strconv.FormatFloat(d.bitrate, 'f', -1, 64))}
	prev := roleSource
	for i := range cfg.Peers {
		name := fmt.Sprintf("peer%d", i+1)
		children = append(children, nodeChild(fmt.Sprintf("peer %d", i+1), name, "-role", rolePeer, "-from", prev))
		prev = name
	}
	player := child{name: rolePlayer, args: []string{"-nats", url, "-role", rolePlayer, "-from", prev,
		"-show", pc.Show, "-out", pc.OutDir, "-every", strconv.Itoa(pc.Every), "-fps", strconv.Itoa(cfg.FPS),
		"-size", fmt.Sprintf("%dx%d", pc.Size.X, pc.Size.Y), "-frames", strconv.Itoa(pc.Frames)}}
	if pc.Screenshot != "" {
		player.args = append(player.args, "-screenshot", pc.Screenshot)
	}
	return append(children, player)
}

// run runs the child's process until it ends. A source's or a peer's
// output and errors go to its log file; the player's go to stdout, as they
// would in the demo in one process. Cancelling ctx stops the process.
func (c child) run(ctx context.Context, exe string, stdout io.Writer) error {
	cmd := exec.CommandContext(ctx, exe, c.args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = childStopGrace
	if c.log == "" {
		cmd.Stdout, cmd.Stderr = stdout, stdout
	} else {
		f, err := os.Create(c.log)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w%s", c.name, err, c.lastWords())
	}
	return nil
}

// lastWords is the last line of a failed child's log: its error.
func (c child) lastWords() string {
	if c.log == "" {
		return ""
	}
	f, err := os.Open(c.log)
	if err != nil {
		return ""
	}
	defer f.Close()
	last := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if sc.Text() != "" {
			last = sc.Text()
		}
	}
	if last == "" {
		return ""
	}
	return fmt.Sprintf(" (%s: %q)", c.log, last)
}

// writeFigures writes a node's figures to path as JSON (-stats).
func writeFigures(path string, f figures) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// readFigures reads what writeFigures wrote.
func readFigures(path string) (figures, error) {
	var f figures
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}
