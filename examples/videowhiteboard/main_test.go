//go:build cgo

package main

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs the program on SDL's offscreen video driver and the disk
// audio driver (silence in, a file out), so that it needs no screen and
// no sound card.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "videowhiteboard-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("SDL_VIDEODRIVER", "offscreen")
	os.Setenv("SDL_AUDIODRIVER", "disk")
	os.Setenv("SDL_DISKAUDIOFILEIN", "/dev/zero")
	os.Setenv("SDL_DISKAUDIOFILE", filepath.Join(dir, "speaker.raw"))
	os.Setenv("HOME", dir) // the default deck directory goes here
	defer os.RemoveAll(dir)
	axontest.VerifyTestMain(m)
}

// started runs the program with args until the test ends, and returns
// the address it serves on.
func started(t *testing.T, args ...string) string {
	t.Helper()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, strings.NewReader(""), outW, io.Discard)
		outW.Close()
		done <- err
	}()
	sc := bufio.NewScanner(outR)
	addr := ""
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "videowhiteboard: serving on "); ok {
			addr = a
		}
		if strings.Contains(line, "components live") {
			break
		}
	}
	require.NotEmpty(t, addr, "it serves")
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return addr
}

// join connects to addr as a plain peer, asks for the picture and
// returns the connection once it has come.
func join(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.Write(wb.PictureRequest.Line())
	require.NoError(t, err)
	r := bufio.NewReaderSize(c, 1<<20)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	for {
		line, err := r.ReadBytes('\n')
		require.NoError(t, err)
		l, err := wire.Unmarshal(line)
		require.NoError(t, err)
		if b, err := wire.BatchOf(l); err == nil && len(b) > 0 && b[0][0] == "SETIMG" {
			return c, r
		}
	}
}

// The Whiteboard with its window and sound serves peers: one joins and
// takes its picture.
func TestWhiteboardWithWindowAndSound(t *testing.T) {
	addr := started(t, "-serveport", "0", "-bind", "127.0.0.1")
	join(t, addr)
}

// The Video Whiteboard over a folder of pictures serves peers too.
func TestVideoWhiteboardOverAFolder(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		for p := range img.Pix {
			img.Pix[p] = uint8(60 * i)
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.png", i)))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, img))
		require.NoError(t, f.Close())
	}
	// One run at a time: a process has one Display.
	t.Run("notes keyed to frames", func(t *testing.T) {
		join(t, started(t, "-video", dir, "-serveport", "0", "-bind", "127.0.0.1", "-period", "-1s"))
	})
	// With -pages the notes are a page history of their own, in
	// Scribbles under the pages' directory.
	t.Run("pages", func(t *testing.T) {
		pages := t.TempDir()
		join(t, started(t, "-video", dir, "-pages", "-dir", pages, "-serveport", "0", "-bind", "127.0.0.1", "-period", "-1s"))
		st, err := os.Stat(filepath.Join(pages, "Scribbles"))
		require.NoError(t, err)
		assert.True(t, st.IsDir())
	})
}

func TestFlags(t *testing.T) {
	for args, want := range map[string]string{
		"-pages":             "-pages is for -video",
		"-serveport 70000":   "not a port",
		"-connectto nowhere": "missing port",
		"stray":              "unexpected arguments",
	} {
		_, err := parseFlags(strings.Fields(args), io.Discard)
		assert.ErrorContains(t, err, want, args)
	}
	err := run(t.Context(), []string{"-video", filepath.Join(t.TempDir(), "none")}, strings.NewReader(""), io.Discard, io.Discard)
	assert.ErrorContains(t, err, "no such file")
}
