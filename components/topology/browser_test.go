//go:build unix

package topology_test

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The web page draws the same model as Draw: Chromium loads it, reports
// the graph's counts in the DOM, and paints each node's blob where the
// model has it, in the colour of its type.
func TestPageDrawsTheGraphInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	g := newGraph()
	apply(t, g, "ADD NODE a A 100,100 -", "ADD NODE b B 300,200 component", "ADD NODE c C 500,120 inbox", "ADD LINK a b", "ADD LINK b c")
	srv := httptest.NewServer(topology.Handler(g, 20*time.Millisecond, nil))
	defer srv.Close()
	url := srv.URL + "/?poll=200"

	dom := string(browsertest.Chromium(t, ctx, "--force-device-scale-factor=1", "--virtual-time-budget=2000", "--window-size=800,600", "--dump-dom", url))
	assert.Contains(t, dom, `data-nodes="3"`)
	assert.Contains(t, dom, `data-links="2"`)
	assert.Contains(t, dom, "3 nodes, 2 links")

	shot := filepath.Join(t.TempDir(), "topology.png")
	browsertest.Chromium(t, ctx, "--force-device-scale-factor=1", "--virtual-time-budget=2000", "--window-size=800,600", "--screenshot="+shot, url)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	at := func(x, y int) color.RGBA {
		r, gr, b, _ := img.At(x, y).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(gr >> 8), uint8(b >> 8), 255}
	}
	require.Equal(t, image.Rect(0, 0, 800, 600), img.Bounds())
	assert.Equal(t, color.RGBA{255, 128, 128, 255}, at(100, 90), "the plain node, above its label")
	assert.Equal(t, color.RGBA{192, 192, 192, 255}, at(300, 185), "the component")
	assert.Equal(t, color.RGBA{160, 160, 255, 255}, at(494, 120), "the inbox, left of its label")
	assert.Equal(t, color.RGBA{255, 255, 255, 255}, at(700, 500), "the background")
}
