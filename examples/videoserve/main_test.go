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
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/examples/internal/exampletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs SDL on its offscreen driver (real windows, drawn by SDL's
// software renderer and read back), keeps FFmpeg quiet, and checks that no
// goroutine outlives the tests.
func TestMain(m *testing.M) { exampletest.VerifyTestMain(m) }

const testTimeout = 45 * time.Second

// checkLastFrame checks that the PNG at path shows frame i of the test
// card, w x h: the middle of every bar has the bar's colour.
func checkLastFrame(t *testing.T, path string, i, w, h int) {
	t.Helper()
	img := exampletest.ReadPNG(t, path)
	require.Equal(t, image.Rect(0, 0, w, h), img.Bounds())
	barW := w / len(bars)
	first := (barW - (3*i)%barW + barW/2) % barW // the middle of the first whole bar
	for x := first; x < w; x += barW {
		want := barAt(x, i, w)
		r, g, b, _ := img.At(x, h/2).RGBA()
		d := func(a uint8, b uint32) int { return max(int(a)-int(b>>8), int(b>>8)-int(a)) }
		assert.True(t, d(want.R, r) <= 24 && d(want.G, g) <= 24 && d(want.B, b) <= 24,
			"x=%d: want about %v, got %v", x, want, color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255})
	}
}

// TestServesAndPlaysItsOwnClip runs both halves in one process, on a clip
// it makes: the window's last picture is the clip's last frame.
func TestServesAndPlaysItsOwnClip(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	shot := filepath.Join(t.TempDir(), "window.png")
	var out bytes.Buffer
	err := run(ctx, []string{"-frames", "30", "-size", "160x120", "-bitrate", "2000000", "-fps", "50", "-preroll", "5",
		"-screenshot", shot}, nil, &out, io.Discard)
	t.Log(out.String())
	require.NoError(t, err)
	assert.Regexp(t, `played \d+ frames`, out.String())
	checkLastFrame(t, shot, 29, 160, 120)
}

// TestServerAndClientApart runs the server and the client as the article
// does, as two programs: the client connects to the address the server
// prints, shows the stream, and both end when the file has been sent.
func TestServerAndClientApart(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.drc")
	require.NoError(t, makeClip(ctx, clip, 40, 160, 120))

	pr, pw := io.Pipe()
	srvErr := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"-serve", clip, "-listen", "127.0.0.1:0", "-bitrate", "1000000"}, nil, pw, io.Discard)
		pw.Close()
		srvErr <- err
	}()
	sc := bufio.NewScanner(pr)
	require.True(t, sc.Scan(), "the server says where it serves")
	m := regexp.MustCompile(` on (127\.0\.0\.1:\d+)$`).FindStringSubmatch(sc.Text())
	require.NotNil(t, m, sc.Text())
	srvOut := make(chan string, 1)
	go func() {
		var rest bytes.Buffer
		for sc.Scan() {
			fmt.Fprintln(&rest, sc.Text())
		}
		srvOut <- rest.String()
	}()

	shot := filepath.Join(dir, "window.png")
	var out bytes.Buffer
	err := run(ctx, []string{"-play", m[1], "-size", "160x120", "-fps", "50", "-preroll", "5", "-screenshot", shot},
		nil, &out, io.Discard)
	t.Log(out.String())
	require.NoError(t, err)
	checkLastFrame(t, shot, 39, 160, 120)

	select {
	case err := <-srvErr:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("the server did not end with its file")
	}
	assert.Contains(t, <-srvOut, "served 1 clients")
}

func TestServingAMissingFileFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	err := run(ctx, []string{"-serve", filepath.Join(t.TempDir(), "absent.drc"), "-listen", "127.0.0.1:0"}, nil, io.Discard, io.Discard)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-serve", "a", "-play", "b:1"}, "not both"},
		{[]string{"-bitrate", "0"}, "-bitrate"},
		{[]string{"-fps", "-1"}, "-fps"},
		{[]string{"-preroll", "-1"}, "-preroll"},
		{[]string{"-frames", "0"}, "-frames"},
		{[]string{"-size", "big"}, "WIDTHxHEIGHT"},
		{[]string{"x"}, "unexpected arguments"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		assert.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
	cfg, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 400000.0, cfg.Bitrate, "the article's bit rate")
	assert.Equal(t, 15.0, cfg.FPS, "the article's MessageRateLimit(15, 15)")
	assert.Equal(t, 15, cfg.Preroll)
	assert.Equal(t, "127.0.0.1:0", cfg.Listen, "serving its own clip picks a free port")
}
