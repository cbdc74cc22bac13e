//go:build cgo

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
	"github.com/kamaelia-go/kamaelia/examples/internal/exampletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs SDL on its offscreen driver (real windows, drawn by SDL's
// software renderer and read back), keeps FFmpeg quiet, and checks that no
// goroutine outlives the tests.
//
// Run by the demo with -nats as one of its nodes (childEnv set), the test
// binary plays that node, as the p2pvideo command would.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		cli.Main("p2pvideo", run)
		os.Exit(0)
	}
	exampletest.VerifyTestMain(m)
}

// testTimeout bounds each test; a demo of a few frames takes a second or two.
const testTimeout = 45 * time.Second

// near checks that two colours are within what Dirac's 4:2:0 coding changes.
func near(t *testing.T, want color.RGBA, got color.Color, what string) {
	t.Helper()
	r, g, b, _ := got.RGBA()
	d := func(a uint8, b uint32) int { return max(int(a)-int(b>>8), int(b>>8)-int(a)) }
	assert.True(t, d(want.R, r) <= 24 && d(want.G, g) <= 24 && d(want.B, b) <= 24,
		"%s: want about %v, got %v", what, want, got)
}

// checkPattern checks the four quadrants of picture img, which should be
// frame i of the test pattern (fps frames a second).
func checkPattern(t *testing.T, img image.Image, i, fps int, what string) {
	t.Helper()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	for q, at := range []image.Point{{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}} {
		near(t, quadrantColour(q, i, fps), img.At(b.Min.X+at.X, b.Min.Y+at.Y), fmt.Sprintf("%s, quadrant %d", what, q))
	}
}

// nodeLine matches a line of the throughput table: name, bytes, messages.
var nodeLine = regexp.MustCompile(`(?m)^\s*(source|peer \d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+\d+\s*$`)

// runHeadlessDemo runs the demo with extra flags, writing every 10th of 30
// frames as a PNG into a new directory, and checks what every demo must do:
// every node passed on the whole clip, once; the player decoded all 30
// frames; the PNGs show the pattern at their place in the stream. It
// returns the demo's output and directory.
func runHeadlessDemo(t *testing.T, extra ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	var buf bytes.Buffer
	start := time.Now()
	args := append([]string{"-demo", "-show", "png", "-out", dir, "-frames", "30", "-size", "160x120", "-every", "10"}, extra...)
	err := run(ctx, args, nil, &buf, io.Discard)
	out := buf.String()
	t.Logf("demo took %s:\n%s", time.Since(start), out)
	require.NoError(t, err)

	clip, err := os.ReadFile(filepath.Join(dir, "clip.drc"))
	require.NoError(t, err)
	require.NotEmpty(t, clip)
	rows := nodeLine.FindAllStringSubmatch(out, -1)
	require.Len(t, rows, 4, "the source and three peers")
	for i, r := range rows {
		assert.Equal(t, []string{"source", "peer 1", "peer 2", "peer 3"}[i], r[1])
		assert.Equal(t, fmt.Sprint(len(clip)), r[2], "%s: bytes", r[1])
	}
	assert.Contains(t, out, fmt.Sprintf("player: 30 frames received (%d bytes)", len(clip)))
	assert.Contains(t, out, "encoding: 30/30 (100%)")
	assert.Contains(t, out, "frames received: 30/30 (100%)")
	assert.Contains(t, out, dir)

	for _, i := range []int{0, 10, 20} {
		path := filepath.Join(dir, fmt.Sprintf("frame-%04d.png", i))
		assert.Contains(t, out, path)
		img := exampletest.ReadPNG(t, path)
		require.Equal(t, image.Rect(0, 0, 160, 120), img.Bounds())
		checkPattern(t, img, i, 25, filepath.Base(path))
	}
	_, err = os.Stat(filepath.Join(dir, "frame-0030.png"))
	assert.ErrorIs(t, err, os.ErrNotExist, "30 frames: the last is 29")
	return out, dir
}

// TestDemoHeadless is `make demo` on a machine with no display: a clip of
// the test pattern is encoded, streamed from a source through three relay
// peers to a player on loopback, and a few decoded frames are written as
// PNGs, which show the pattern at their place in the stream.
func TestDemoHeadless(t *testing.T) {
	out, _ := runHeadlessDemo(t)
	assert.Contains(t, out, "source (127.0.0.1:")
}

// TestDemoProcessesOverNATS is the demo with -nats embedded: a NATS server
// in this process, and the source, three relay peers and the player each in
// an OS process of its own (this test binary, re-executed), the hops going
// through NATS Backplanes. Every node passes the whole clip, the player
// decodes every frame, and the output is the demo's.
func TestDemoProcessesOverNATS(t *testing.T) {
	out, dir := runHeadlessDemo(t, "-nats", "embedded")
	assert.Regexp(t, `other processes use -nats nats://127\.0\.0\.1:\d+`, out)
	assert.Contains(t, out, "source (VIDEO.source) -> peer 1 (VIDEO.peer1) -> peer 2 (VIDEO.peer2) -> peer 3 (VIDEO.peer3) -> player (png)")
	// Each node was a process of its own, and said where it published.
	pids := map[string]bool{}
	for _, name := range []string{"source", "peer1", "peer2", "peer3"} {
		log, err := os.ReadFile(filepath.Join(dir, name+".log"))
		require.NoError(t, err)
		assert.Contains(t, string(log), "on VIDEO."+name+" on nats://127.0.0.1:", name)
		m := regexp.MustCompile(`pid (\d+)`).FindStringSubmatch(string(log))
		require.NotNil(t, m, "%s: %s", name, log)
		pids[m[1]] = true
	}
	assert.Len(t, pids, 4, "four processes")
	assert.NotContains(t, pids, fmt.Sprint(os.Getpid()))
}

// TestDemoWindow is the demo with a display: the player shows the stream in
// an SDL window and, once it has ended, reads the window's pixels back
// (sdl.Screenshot) into window.png, which must show the last frame.
func TestDemoWindow(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(ctx, []string{"-demo", "-show", "window", "-out", dir, "-frames", "30", "-size", "160x120", "-peers", "1", "-fps", "50"},
		nil, &out, io.Discard)
	t.Log(out.String())
	require.NoError(t, err)
	assert.Contains(t, out.String(), "player: 30 frames received")
	shot := filepath.Join(dir, "window.png")
	assert.Contains(t, out.String(), shot)
	img := exampletest.ReadPNG(t, shot)
	require.Equal(t, image.Rect(0, 0, 160, 120), img.Bounds())
	checkPattern(t, img, 29, 50, "the window after the last frame")
}

// lines reads r line by line into a channel, until r ends.
func lines(r io.Reader) <-chan string {
	c := make(chan string, 256)
	go func() {
		defer close(c)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			c <- sc.Text()
		}
	}()
	return c
}

// started runs run with args in a goroutine and returns the address it
// says it serves on, its later output and its error.
type started struct {
	addr string
	out  <-chan string
	err  chan error
}

func start(ctx context.Context, t *testing.T, args ...string) started {
	t.Helper()
	pr, pw := io.Pipe()
	s := started{out: lines(pr), err: make(chan error, 1)}
	go func() {
		err := run(ctx, args, nil, pw, io.Discard)
		pw.Close()
		s.err <- err
	}()
	serving := regexp.MustCompile(` on (127\.0\.0\.1:\d+)$`)
	for {
		select {
		case l, ok := <-s.out:
			if !ok {
				t.Fatalf("%v ended before serving: %v", args, <-s.err)
			}
			if m := serving.FindStringSubmatch(l); m != nil {
				s.addr = m[1]
				return s
			}
		case <-ctx.Done():
			t.Fatalf("%v: not serving", args)
		}
	}
}

// wait waits for a node started with start to end by itself.
func (s started) wait(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var rest []string
	for l := range s.out {
		rest = append(rest, l)
	}
	select {
	case err := <-s.err:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("did not end")
	}
	return rest
}

// TestRolesChainToAPlayerCommand runs the roles as a user would run them
// as processes: a source serving a clip, a peer relaying it, and a player
// that pipes the stream into a command (here cat, writing it to a file),
// which must get the clip byte for byte. When the clip ends, every node
// stops by itself.
func TestRolesChainToAPlayerCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	clipPath := filepath.Join(dir, "clip.drc")
	require.NoError(t, encodeClip(ctx, clipPath, 20, 25, 160, 120, io.Discard))
	clip, err := os.ReadFile(clipPath)
	require.NoError(t, err)

	src := start(ctx, t, "-role", "source", "-clip", clipPath, "-bitrate", "4000000", "-listen", "127.0.0.1:0")
	peer := start(ctx, t, "-role", "peer", "-from", src.addr, "-listen", "127.0.0.1:0")
	got := filepath.Join(dir, "got.drc")
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-role", "player", "-from", peer.addr, "-cmd", "cat > " + got}, nil, &out, io.Discard))
	assert.Contains(t, out.String(), fmt.Sprintf("player: %d bytes received", len(clip)))
	b, err := os.ReadFile(got)
	require.NoError(t, err)
	require.Equal(t, clip, b, "the command got the clip as the source read it")

	for _, n := range []started{peer, src} {
		rest := strings.Join(n.wait(ctx, t), "\n")
		assert.Regexp(t, fmt.Sprintf(`(source|peer) +%d +\d+`, len(clip)), rest)
	}
}

// TestPlayerJoiningMidStream connects a player to a source whose stream
// is already flowing to another peer: the player starts at the next whole
// picture (VC-2 repeats its sequence header before each) and decodes from
// there, without failing on the partial picture it joined in.
func TestPlayerJoiningMidStream(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	clipPath := filepath.Join(dir, "clip.drc")
	const frames = 40
	require.NoError(t, encodeClip(ctx, clipPath, frames, 25, 160, 120, io.Discard))

	src := start(ctx, t, "-role", "source", "-clip", clipPath, "-bitrate", "1000000", "-listen", "127.0.0.1:0")
	// The first player starts the source; its command says when it
	// has had the first kilobyte, so the stream is flowing.
	pr, pw := io.Pipe()
	firstOut := lines(pr)
	firstErr := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-role", "player", "-from", src.addr,
			"-cmd", "head -c 1000 >/dev/null; echo flowing; exec cat >/dev/null"}, nil, pw, io.Discard)
		pw.Close()
		firstErr <- err
	}()
	select {
	case l := <-firstOut:
		require.Equal(t, "flowing", l)
	case <-ctx.Done():
		t.Fatal("the stream did not start")
	}

	var out bytes.Buffer
	err := run(ctx, []string{"-role", "player", "-show", "png", "-out", dir, "-every", "1000", "-from", src.addr}, nil, &out, io.Discard)
	t.Log(out.String())
	require.NoError(t, err)
	m := regexp.MustCompile(`player: (\d+) frames received`).FindStringSubmatch(out.String())
	require.NotNil(t, m)
	var got int
	fmt.Sscan(m[1], &got)
	assert.Greater(t, got, 0, "decodes once it has a whole picture")
	assert.Less(t, got, frames, "joined after the first picture had begun")

	for range firstOut {
	}
	require.NoError(t, <-firstErr)
	src.wait(ctx, t)
}

// TestPeerWithNoUpstreamFails starts a peer whose upstream does not exist
// (nothing listens on port 1): when a peer subscribes, it connects, fails
// with the dial error, and stops.
func TestPeerWithNoUpstreamFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	peer := start(ctx, t, "-role", "peer", "-from", "127.0.0.1:1", "-listen", "127.0.0.1:0")
	go func() {
		for range peer.out {
		}
	}()
	conn, err := net.Dial("tcp", peer.addr)
	require.NoError(t, err)
	defer conn.Close()
	select {
	case err := <-peer.err:
		require.Error(t, err)
		assert.ErrorContains(t, err, "127.0.0.1:1")
	case <-ctx.Done():
		t.Fatal("the peer did not stop")
	}
}

// TestRolesOverNATSInAnyOrder runs the roles as processes would, each on
// its own schedulers and Backplanes, over a NATS server: started from the
// player back to the source, the reverse of the stream, they still find each
// other (the ready/hello handshake), the player's command gets the clip
// byte for byte, and every node stops by itself at the end of the stream.
func TestRolesOverNATSInAnyOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	require.NoError(t, err)
	defer srv.Shutdown()
	dir := t.TempDir()
	clipPath := filepath.Join(dir, "clip.drc")
	require.NoError(t, encodeClip(ctx, clipPath, 20, 25, 160, 120, io.Discard))
	clip, err := os.ReadFile(clipPath)
	require.NoError(t, err)
	got := filepath.Join(dir, "got.drc")

	url := srv.ClientURL()
	roles := [][]string{
		{"-role", "player", "-nats", url, "-from", "relay", "-cmd", "cat > " + got},
		{"-role", "peer", "-nats", url, "-from", "origin", "-name", "relay"},
		{"-role", "source", "-nats", url, "-name", "origin", "-clip", clipPath, "-bitrate", "4000000"},
	}
	outs := make([]bytes.Buffer, len(roles))
	errs := make(chan error, len(roles))
	for i, args := range roles {
		go func() { errs <- run(ctx, args, nil, &outs[i], io.Discard) }()
	}
	for range roles {
		require.NoError(t, <-errs)
	}
	b, err := os.ReadFile(got)
	require.NoError(t, err)
	require.Equal(t, clip, b, "the command got the clip as the source read it")
	assert.Contains(t, outs[0].String(), fmt.Sprintf("player: %d bytes received", len(clip)))
	assert.Contains(t, outs[1].String(), "relay: relaying VIDEO.origin on VIDEO.relay on "+url)
	assert.Contains(t, outs[2].String(), "origin: serving "+clipPath+" on VIDEO.origin on "+url)
	for _, o := range outs[1:] {
		assert.Regexp(t, fmt.Sprintf(`(origin|relay) +%d +\d+`, len(clip)), o.String())
	}
}

// TestNATSNodeWaitsForAReaderAndStopsWhenTold starts a peer of the demo as a
// process, over a server where no one reads its hop and nothing feeds it:
// it waits, and when the demo's context ends the process is stopped
// (SIGTERM, which it obeys well before the kill) and ends, with an error.
func TestNATSNodeWaitsForAReaderAndStopsWhenTold(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	require.NoError(t, err)
	defer srv.Shutdown()
	exe, err := os.Executable()
	require.NoError(t, err)
	c := child{name: "peer 1", hop: "VIDEO.peer1",
		args: []string{"-role", "peer", "-nats", srv.ClientURL(), "-from", "nobody", "-name", "peer1"}}
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	pr, pw := io.Pipe()
	out := lines(pr)
	done := make(chan error, 1)
	go func() {
		err := c.run(ctx, exe, pw)
		pw.Close()
		done <- err
	}()
	select {
	case l := <-out:
		require.Contains(t, l, "peer1: relaying VIDEO.nobody on VIDEO.peer1", "it runs, and waits")
	case <-ctx.Done():
		t.Fatal("the peer did not start")
	}
	cancel()
	stopped := time.Now()
	for range out {
	}
	require.Error(t, <-done)
	assert.Less(t, time.Since(stopped), childStopGrace, "ended on SIGTERM, before the kill")
}

// TestEndMarkerAndUntilEnd: the writer of a hop drops empty messages and
// marks the end with one; the reader passes what comes before the mark,
// asks its Backplane to finish at it, and fails if its input ends without it.
func TestEndMarkerAndUntilEnd(t *testing.T) {
	res := axontest.Run[[]byte, []byte](t, newEndMarker(), []byte("ab"), []byte{}, []byte("c"))
	require.NoError(t, res.Err)
	assert.Equal(t, [][]byte{[]byte("ab"), []byte("c"), {}}, res.Outputs)

	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	u := newUntilEnd()
	h := axontest.NewHandle(t, s, u)
	for _, b := range [][]byte{[]byte("ab"), []byte("c"), {}} {
		require.NoError(t, h.Put(ctx, "inbox", b))
	}
	// What comes after the marker is not passed on: it is refused if
	// untilEnd has already ended, left in its inbox if not.
	if err := h.Put(ctx, "inbox", []byte("after")); err != nil {
		require.ErrorIs(t, err, axon.ErrFinished)
	}
	for _, want := range []string{"ab", "c"} {
		got, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		assert.Equal(t, want, string(got.([]byte)))
	}
	fin, err := h.Get(ctx, "finish")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, fin)
	require.NoError(t, h.Wait(ctx))
	assert.Equal(t, uint64(3), u.bytesRead())

	cut := axontest.Run[[]byte, []byte](t, newUntilEnd(), []byte("ab"))
	assert.ErrorIs(t, cut.Err, errCutShort)
	assert.Equal(t, [][]byte{[]byte("ab")}, cut.Outputs)
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "give -demo, or -role"},
		{[]string{"-role", "relay"}, `-role "relay"`},
		{[]string{"-role", "source"}, "needs -clip"},
		{[]string{"-role", "peer"}, "needs -from"},
		{[]string{"-role", "player"}, "needs -from"},
		{[]string{"-demo", "-role", "peer"}, "not both"},
		{[]string{"-demo", "-frames", "0"}, "-frames 0"},
		{[]string{"-demo", "-size", "320"}, "WIDTHxHEIGHT"},
		{[]string{"-demo", "-show", "tv"}, `-show "tv"`},
		{[]string{"-demo", "extra"}, "unexpected arguments"},
		{[]string{"-role", "source", "-clip", "c.drc", "-bitrate", "-1"}, "-bitrate"},
		{[]string{"-role", "peer", "-nats", "nats://h:1"}, "needs -from NAME"},
		{[]string{"-role", "peer", "-nats", "nats://h:1", "-from", "peer"}, "-from peer -name peer"},
		{[]string{"-role", "peer", "-nats", "nats://h:1", "-from", "a", "-name", "a"}, "would loop"},
		{[]string{"-role", "peer", "-nats", "nats://h:1", "-from", "a.b", "-name", "c"}, `-from "a.b"`},
		{[]string{"-role", "peer", "-nats", "nats://h:1", "-from", "a", "-name", "c*"}, `-name "c*"`},
		{[]string{"-role", "peer", "-nats", "nats://h:1", "-from", "a", "-listen", "h:2"}, "-listen is for TCP"},
		{[]string{"-role", "player", "-nats", "nats://h:1", "-from", "a", "-name", "p"}, "a player publishes nothing"},
		{[]string{"-role", "peer", "-nats", "h:1", "-from", "a"}, "want a URL"},
		{[]string{"-role", "peer", "-from", "h:1", "-name", "a"}, "-name is for -nats"},
		{[]string{"-role", "player", "-from", "h:1", "-frames", "0"}, "-frames 0"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		assert.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
	cfg, err := parseFlags([]string{"-role", "player", "-from", "h:1", "-cmd", "ffplay -", "-fps", "15"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "h:1", cfg.Player.From)
	assert.Equal(t, "ffplay -", cfg.Player.Cmd)
	assert.Equal(t, 15.0, cfg.Player.FPS)
	assert.Equal(t, image.Pt(320, 240), cfg.Player.Size)
	assert.Zero(t, cfg.Player.Frames, "a player counts frames only when told how many")

	cfg, err = parseFlags([]string{"-role", "source", "-clip", "c.drc", "-nats", "embedded"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "source", cfg.Name, "named after its role")
	cfg, err = parseFlags([]string{"-role", "player", "-nats", "nats://h:1", "-from", "peer3", "-frames", "30"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 30, cfg.Player.Frames)
}

// TestProgress counts messages out of a total: on a terminal one line
// redrawn with \r, elsewhere a plain line at every tenth of the way.
func TestProgress(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var out bytes.Buffer
		p := newProgress[int](&out, "encoding", 4)
		p.terminal = terminal
		res := axontest.Run[int, int](t, p, 1, 2, 3, 4)
		require.NoError(t, res.Err)
		assert.Equal(t, []int{1, 2, 3, 4}, res.Outputs, "passed on unchanged")
		want := "encoding: 1/4 (25%)\nencoding: 2/4 (50%)\nencoding: 3/4 (75%)\nencoding: 4/4 (100%)\n"
		if terminal {
			want = "\rencoding: 1/4 (25%)\rencoding: 2/4 (50%)\rencoding: 3/4 (75%)\rencoding: 4/4 (100%)\n"
		}
		assert.Equal(t, want, out.String(), "terminal %v", terminal)
	}
	assert.False(t, isTerminal(&bytes.Buffer{}))
}
