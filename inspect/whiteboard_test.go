//go:build unix

package inspect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startWhiteboard builds and runs examples/whiteboard at its default size
// with the inspector on, and returns the inspector's address.
func startWhiteboard(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "whiteboard")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/kamaelia-go/kamaelia/examples/whiteboard")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	cmd := exec.CommandContext(ctx, bin, "-inspect", "127.0.0.1:0", "-listen", "127.0.0.1:0", "-out", filepath.Join(dir, "board.png"))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "whiteboard: inspector at "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return url
		}
	}
	t.Fatalf("the whiteboard never said where its inspector is: %v", sc.Err())
	return ""
}

var (
	// A component's group and, after its title and frame, its name label.
	compLabel = regexp.MustCompile(`<g class="(comp[^"]*)" transform="translate\(([-\d.]+),([-\d.]+)\)" data-id="(\d+)" data-name="([^"]*)"[^>]*><title>[^<]*</title><rect class="frame" width="([\d.]+)" height="([\d.]+)"[^>]*></rect>(?:<rect class="head"[^>]*></rect>)?<text x="[\d.]+" y="[\d.]+" class="name">([^<]*)</text>`)
	worldMove = regexp.MustCompile(`translate\(([-\d.]+),([-\d.]+)\) scale\(([\d.e-]+)\)`)
	renderMS  = regexp.MustCompile(`data-render-ms="([\d.]+)"`)
	viewSize  = regexp.MustCompile(`data-view="(\d+)x(\d+)"`)
)

// TestPageDrawsTheWhiteboardReadablyInChromium draws examples/whiteboard
// at its default size (some 775 components) and checks from the DOM that
// every top-level part is drawn inside the window, labelled, at a zoom
// where its label can be read; that the Backplane is a bus; and that
// searching for a painter opens the pipeline that holds it. It takes the
// screenshot in docs/images, and logs how long the page took to draw.
func TestPageDrawsTheWhiteboardReadablyInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	url := startWhiteboard(t, ctx)

	res, err := http.Get(url + "snapshot.json")
	require.NoError(t, err)
	var snap axon.Snapshot
	require.NoError(t, json.NewDecoder(res.Body).Decode(&snap))
	res.Body.Close()
	require.Greater(t, len(snap.Components), 700, "the whiteboard at its default size")
	var roots []axon.ComponentInfo
	for _, c := range snap.Components {
		if c.Parent == 0 {
			roots = append(roots, c)
		}
	}

	const header = 44
	polled := url + "?poll=500"
	dom := string(chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled))
	assert.Contains(t, dom, `data-compact="true"`)
	m := worldMove.FindStringSubmatch(worldTag.FindString(dom))
	require.NotNil(t, m, "no view transform")
	tx, ty, k := parseFloat(t, m[1]), parseFloat(t, m[2]), parseFloat(t, m[3])
	// The window the page laid the drawing out for (headless Chromium's
	// page is shorter than its --window-size when it dumps the DOM).
	vm := viewSize.FindStringSubmatch(worldTag.FindString(dom))
	require.NotNil(t, vm, "no view size")
	width, height := parseFloat(t, vm[1]), header+parseFloat(t, vm[2])
	t.Logf("%d components, %d at the top level, drawn at zoom %.2f", len(snap.Components), len(roots), k)
	assert.GreaterOrEqual(t, k*12, 8.0, "names (12px) drawn smaller than 8px cannot be read")

	drawn := map[string][]string{}
	for _, g := range compLabel.FindAllStringSubmatch(dom, -1) {
		drawn[g[4]] = g
	}
	for _, c := range roots {
		g, ok := drawn[itoa(c.ID)]
		if !assert.True(t, ok, "top-level %s is not drawn", c.Name) {
			continue
		}
		assert.Equal(t, c.Name, html.UnescapeString(g[5]))
		label := strings.TrimSuffix(html.UnescapeString(g[8]), "…")
		assert.GreaterOrEqual(t, len([]rune(label)), 4, "%s is labelled %q", c.Name, g[8])
		assert.Contains(t, c.Name, label, "the label names the component")
		x, y := tx+parseFloat(t, g[2])*k, header+ty+parseFloat(t, g[3])*k
		w, h := parseFloat(t, g[6])*k, parseFloat(t, g[7])*k
		assert.True(t, x >= 0 && y >= header && x+w <= width && y+h <= height,
			"%s is drawn at (%.0f,%.0f)-(%.0f,%.0f), outside the window", c.Name, x, y, x+w, y+h)
		if strings.HasPrefix(c.Name, "chassis.Pipe") {
			assert.Contains(t, g[1], "collapsed", "%s starts closed", c.Name)
		}
	}
	assert.Contains(t, dom, `class="comp compact bus"`, "the Backplane is a bus")
	assert.Contains(t, dom, `class="busline"`)
	assert.Regexp(t, `data-senders="25[0-9]"`, dom, "the painters' fan-in to the assembler is a count")

	// Searching for a painter opens its pipeline and shows it.
	dom = string(chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled+"&find=painter_771"))
	assert.Regexp(t, `<g class="comp group"[^>]*data-name="chassis.Pipe_772"`, dom, "the painter's pipeline is open")
	assert.Regexp(t, `<g class="comp[^"]*match found"[^>]*data-name="main.painter_771"`, dom, "the painter is drawn and marked")

	// Drawing time, in real (not virtual) time: the first drawing, from the
	// snapshot in the page.
	dom = string(chromium(t, ctx, "--window-size=1400,900", "--dump-dom", url))
	if ms := renderMS.FindStringSubmatch(dom); assert.NotNil(t, ms) {
		t.Logf("the page drew %d components in %s ms", len(snap.Components), ms[1])
	}

	dir := os.Getenv("KAMAELIA_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "inspect-whiteboard.png")
	chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--screenshot="+shot, polled)
	t.Logf("screenshot of the whiteboard in the inspector: %s", shot)
	checkScreenshot(t, shot, 1400, 900)
}

func itoa(id uint64) string { return strconv.FormatUint(id, 10) }
