//go:build cgo

package main

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/examples/internal/exampletest"
	"github.com/kamaelia-go/kamaelia/examples/internal/pngfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs SDL on its offscreen driver (real windows, drawn by SDL's
// software renderer and read back) and checks that no goroutine outlives
// the tests.
func TestMain(m *testing.M) { exampletest.VerifyTestMain(m) }

const testTimeout = 30 * time.Second

// presentation is run running in the background, driven through pipes.
type presentation struct {
	keys  io.WriteCloser
	lines <-chan string
	err   chan error
}

func start(ctx context.Context, args ...string) *presentation {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	p := &presentation{keys: inW, lines: lines, err: make(chan error, 1)}
	go func() {
		err := run(ctx, args, inR, outW, io.Discard)
		outW.Close()
		inW.Close()
		p.err <- err
	}()
	return p
}

var showing = regexp.MustCompile(`^showing (.+) \(window in (.+)\)$`)

// next waits for the next slide shown and returns its path and the
// screenshot of the window then.
func (p *presentation) next(ctx context.Context, t *testing.T) (string, image.Image) {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("the presentation ended: %v", <-p.err)
		}
		m := showing.FindStringSubmatch(l)
		require.NotNil(t, m, l)
		return m[1], exampletest.ReadPNG(t, m[2])
	case <-ctx.Done():
		t.Fatal("no slide shown")
	}
	return "", nil
}

func near(t *testing.T, want color.RGBA, got color.Color, what string) {
	t.Helper()
	r, g, b, _ := got.RGBA()
	d := func(a uint8, b uint32) int { return max(int(a)-int(b>>8), int(b>>8)-int(a)) }
	assert.True(t, d(want.R, r) <= 8 && d(want.G, g) <= 8 && d(want.B, b) <= 8, "%s: want about %v, got %v", what, want, got)
}

// slides writes n PNGs of solid colours and returns their paths and colours.
func slides(t *testing.T, n int) (string, []string, []color.RGBA) {
	dir := t.TempDir()
	var paths []string
	var cols []color.RGBA
	for i := range n {
		c := color.RGBA{uint8(60 * i), uint8(255 - 60*i), uint8(100 + 40*i), 255}
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for p := 0; p < len(img.Pix); p += 4 {
			copy(img.Pix[p:], []byte{c.R, c.G, c.B, 255})
		}
		p := filepath.Join(dir, fmt.Sprintf("slide%c.png", 'a'+i))
		require.NoError(t, pngfile.Write(p, img))
		paths, cols = append(paths, p), append(cols, c)
	}
	return dir, paths, cols
}

// TestRemoteControlStepsThroughSlides drives the Graphline from standard
// input: each key goes through SDL's event queue to its button, the button
// tells the Chooser, the Chooser the Image, and the window read back shows
// the slide and the buttons.
func TestRemoteControlStepsThroughSlides(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	dir, paths, cols := slides(t, 3)
	p := start(ctx, "-dir", dir, "-shots", t.TempDir())
	for i, step := range []struct {
		key  string
		want int
	}{
		{"", 0}, // the Chooser shows the first as it starts
		{"Right", 1},
		{"End", 2},
		{"Left", 1},
		{"Home", 0},
	} {
		if step.key != "" {
			_, err := fmt.Fprintln(p.keys, step.key)
			require.NoError(t, err)
		}
		path, shot := p.next(ctx, t)
		require.Equal(t, paths[step.want], path, "step %d (%s)", i, step.key)
		near(t, cols[step.want], shot.At(windowW/2, slideH/2), fmt.Sprintf("step %d: the slide", i))
		near(t, color.RGBA{0xdd, 0xdd, 0xdd, 255}, shot.At(480+4, buttonY+4), fmt.Sprintf("step %d: the NEXT button", i))
		near(t, color.RGBA{0, 0, 0, 255}, shot.At(300, buttonY+16), fmt.Sprintf("step %d: between the buttons", i))
	}
	// "quit" closes the window, which ends the presentation.
	_, err := fmt.Fprintln(p.keys, "quit")
	require.NoError(t, err)
	select {
	case err := <-p.err:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("quit did not end the presentation")
	}
}

// TestDrawsItsOwnSlides runs with no directory: four slides of its own, the
// first shown at once; cancelling the context stops everything.
func TestDrawsItsOwnSlides(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	p := start(runCtx, "-shots", t.TempDir())
	path, shot := p.next(ctx, t)
	assert.Equal(t, "slide1.png", filepath.Base(path))
	near(t, slideColours[0], shot.At(10, 10), "slide 1's colour")
	near(t, color.RGBA{250, 250, 250, 255}, shot.At(2*80+40, 10), "slide 1's white band")
	stop()
	select {
	case err := <-p.err:
		require.NoError(t, err, "a shutdown is not a failure")
	case <-ctx.Done():
		t.Fatal("cancel did not end the presentation")
	}
}

func TestNoImagesIsAnError(t *testing.T) {
	err := run(t.Context(), []string{"-dir", t.TempDir()}, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "no images")
	err = run(t.Context(), []string{"-dir", t.TempDir(), "extra"}, nil, io.Discard, io.Discard)
	require.ErrorContains(t, err, "unexpected arguments")
}
