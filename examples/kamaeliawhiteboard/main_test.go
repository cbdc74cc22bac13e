package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// instance is the program running in this process, as a user runs it.
type instance struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string
	done  chan error
}

func start(t *testing.T, args ...string) *instance {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	in := &instance{t: t, in: inW, lines: make(chan string, 100), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			in.lines <- sc.Text()
		}
		close(in.lines)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		err := run(ctx, args, inR, outW, io.Discard)
		outW.Close()
		in.done <- err
	}()
	t.Cleanup(func() {
		cancel()
		<-in.done
		for range in.lines {
		}
	})
	return in
}

// expect returns the first line of standard output that starts with prefix.
func (in *instance) expect(prefix string) string {
	in.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-in.lines:
			require.True(in.t, ok, "output ended before %q", prefix)
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			in.t.Fatalf("no %q on standard output", prefix)
		}
	}
}

func (in *instance) say(line string) {
	in.t.Helper()
	_, err := io.WriteString(in.in, line+"\n")
	require.NoError(in.t, err)
}

// listen reads the address an instance serves on.
func (in *instance) listen() string {
	l := in.expect("kamaeliawhiteboard: serving on ")
	return strings.TrimPrefix(l, "kamaeliawhiteboard: serving on ")
}

// watch connects a raw client and returns a function that gives the next
// drawing message it hears (MSGID lines and pictures left out).
func watch(t *testing.T, addr string) func() wire.List { return watchAll(t, addr, false) }

// watchAll is watch that gives the pictures (SETIMG) too, if pictures.
func watchAll(t *testing.T, addr string, pictures bool) func() wire.List {
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	r := bufio.NewReader(c)
	// Joined once the peer has answered a picture request: from then on
	// the connection hears everything.
	_, err = c.Write(whiteboard.PictureRequest.Line())
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		line, err := r.ReadBytes('\n')
		require.NoError(t, err)
		if bytes.Contains(line, []byte("SETIMG")) {
			break
		}
	}
	return func() wire.List {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		for {
			line, err := r.ReadBytes('\n')
			require.NoError(t, err)
			l, err := wire.Unmarshal(line)
			require.NoError(t, err)
			if _, isID := whiteboard.ParseID(l); isID {
				continue
			}
			if c, ok := l[0].(wire.List); ok && c[0] == "SETIMG" && !pictures {
				continue
			}
			return l
		}
	}
}

// Two whiteboards started as the README says draw on each other; the
// console's commands work; quit stops one.
func TestTwoWhiteboardsDrawOnEachOther(t *testing.T) {
	a := start(t, "-serveport", "0", "-bind", "127.0.0.1", "-dir", t.TempDir())
	addrA := a.listen()
	b := start(t, "-connectto", addrA, "-serveport", "0", "-bind", "127.0.0.1", "-dir", t.TempDir())
	addrB := b.listen()
	b.expect("kamaeliawhiteboard: peer ")
	onA, onB := watch(t, addrA), watch(t, addrB)

	b.say("LINE 192 0 0 10 10 100 100")
	want, _ := wire.Unmarshal([]byte("[ LINE 192 0 0 10 10 100 100 ] "))
	assert.Equal(t, want, onA(), "B's stroke reached A")
	assert.Equal(t, want, onB())
	a.say(`WRITE 10 10 24 0 0 255 "hello there"`)
	want, _ = wire.Unmarshal(wire.Batch{{"WRITE", "10", "10", "24", "0", "0", "255", "hello there"}}.Line())
	assert.Equal(t, want, onB(), "A's text reached B")

	// Pages: a checkpoint writes slide.1.png; the ticker says so.
	a.say("checkpoint")
	assert.Equal(t, "ticker: Checkpoint: page 2 of 2", a.expect("ticker: "))
	a.say("quit")
	require.NoError(t, <-a.done)
	a.done <- nil // for the cleanup
}

func TestSaveWritesThePicture(t *testing.T) {
	dir := t.TempDir()
	a := start(t, "-serveport", "0", "-bind", "127.0.0.1", "-dir", dir)
	addr := a.listen()
	a.expect("kamaeliawhiteboard: peer ")
	onA := watchAll(t, addr, true)
	out := filepath.Join(dir, "out.png")
	a.say("CIRCLE 0 0 255 50 50 10")
	onA() // the circle, once drawn here
	a.say("save " + out)
	// A LOAD sends the picture to the peers once the canvas has carried it
	// out, and so the SAVE before it.
	a.say("load " + out)
	msg := onA()
	b, err := wire.BatchOf(msg)
	require.NoError(t, err)
	assert.Equal(t, "SETIMG", b[0][0])
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("\x89PNG")))
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-record", "x", "-play", "y", "-connectto", "h:1"},
		{"-record", "x"},
		{"-connectto", "nocolon"},
		{"-serveport", "70000"},
		{"-serveport", "0", "stray"},
		{"-serveport", "0", "-dir", "/no/such/dir"},
	} {
		err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard)
		assert.Error(t, err, "%q", args)
	}
}
