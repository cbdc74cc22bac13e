//go:build unix

package inspect_test

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/kamaelia-go/kamaelia/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errSettled ends a Watch once the system looks as a test wants it.
var errSettled = errors.New("settled")

// waitSettled follows the inspector's event stream until the system shows
// the deadlock, the full sink and the drops.
func waitSettled(t *testing.T, ctx context.Context, url string, sys *system) *axon.Snapshot {
	t.Helper()
	return settle(t, ctx, url, sys.ready)
}

// chromium runs headless Chromium (browsertest.Chromium).
func chromium(t *testing.T, ctx context.Context, args ...string) []byte {
	t.Helper()
	return browsertest.Chromium(t, ctx, args...)
}

// TestPageDrawsTheLiveSystemInChromium loads the page in headless Chromium
// against a live system and checks what it drew: every component, a fill
// level, the dropped count and the deadlocked pair in red; then it takes a
// screenshot for a person to look at.
func TestPageDrawsTheLiveSystemInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	// Chromium may take a while to start on a busy machine: this test has
	// a bound of its own, longer than axontest.Safety.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	sys := newSystem(t)
	srv, err := inspect.Start(sys.s, inspect.WithInterval(100*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	snap := waitSettled(t, ctx, srv.URL(), sys)

	// Headless Chromium's virtual time stands still while a request is
	// open, and the page's event stream stays open: with a time budget the
	// page is loaded in its polling mode, whose requests end. The first
	// drawing comes from the snapshot served in the page; "live" in the
	// status says that a later one, polled, was drawn too.
	polled := srv.URL() + "?poll=250"
	dom := string(chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled))
	assert.Regexp(t, `<span id="statustext">live `, dom)

	for _, c := range snap.Components {
		assert.Contains(t, dom, fmt.Sprintf(`data-id="%d" data-name="%s"`, c.ID, c.Name), "component %s is not drawn", c.Name)
	}
	// A fill level: the sink's inbox shows 5 of 8, with a bar.
	assert.Regexp(t, regexp.MustCompile(`data-box="inbox" data-fill="5/8"[^>]*>.*?<rect class="level"[^>]* width="23\.8"`), dom)
	assert.Contains(t, dom, ">5/8<")
	// The dropped count.
	assert.Contains(t, dom, fmt.Sprintf(`data-dropped="%d"`, dropCount))
	assert.Contains(t, dom, fmt.Sprintf(">dropped %d<", dropCount))
	// The deadlocked pair, highlighted, and the banner naming the cycle.
	for _, p := range []*part{sys.a, sys.b} {
		assert.Regexp(t, regexp.MustCompile(fmt.Sprintf(`<g class="comp[^"]* deadlock[^"]*" [^>]*data-id="%d"`, p.ID())), dom)
	}
	assert.Contains(t, dom, `class="link deadlock"`)
	assert.Contains(t, dom, "Deadlock: ping → pong → ping")
	// The header's counts.
	assert.Regexp(t, regexp.MustCompile(`<b id="ncomp">`+fmt.Sprint(len(snap.Components))+`</b>`), dom)
	assert.Contains(t, dom, `<b id="ndead">1</b>`)
	// A small system is drawn one column per layer, wider than tall: no
	// layer of it wraps.
	w, h := drawingSize(t, dom)
	assert.Greater(t, w, h, "the small system's drawing is %v wide and %v tall", w, h)
	assertNoOverlap(t, dom)

	// In its default mode the page draws the same at load, and opens the
	// event stream.
	dom = string(chromium(t, ctx, "--window-size=1400,900", "--dump-dom", srv.URL()))
	assert.Contains(t, dom, fmt.Sprintf(`data-dropped="%d"`, dropCount))
	assert.Contains(t, dom, "Deadlock: ping → pong → ping")

	dir := os.Getenv("KAMAELIA_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "inspect.png")
	chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--screenshot="+shot, polled)
	t.Logf("screenshot of the inspector: %s", shot)
	checkScreenshot(t, shot, 1400, 900)
}

// checkScreenshot fails unless the PNG at path is w x h and shows the
// page: many colours, the dark header among them.
func checkScreenshot(t *testing.T, path string, w, h int) {
	t.Helper()
	browsertest.CheckScreenshot(t, path, w, h, color.RGBA{0x2f, 0x3b, 0x52, 0xff})
}

// Sizes of the large system: a component that spreads work over fanWorkers
// workers, which a collector gathers, beside pipelines of pipeLen parts.
const (
	fanWorkers = 120
	pipelines  = 5
	pipeLen    = 6
)

// newLargeSystem starts a system too big for one column of the page:
// a spreader with an outbox per worker, fanWorkers workers and a collector
// that takes from them all, pipelines of pipeLen relays, and a composite of
// three. It returns the scheduler and how many components it has.
func newLargeSystem(t *testing.T) (*axon.Scheduler, int) {
	t.Helper()
	s := axontest.NewScheduler(t)
	spreader, collector := idle("spreader"), idle("collector")
	comps := []axon.Component{spreader, collector}
	for i := range fanWorkers {
		w := relay(fmt.Sprintf("worker %d", i))
		axon.MustLink(axon.NewOutbox[int](spreader, fmt.Sprintf("out.%d", i)), w.In)
		axon.MustLink(w.Out, collector.in)
		comps = append(comps, w)
	}
	for p := range pipelines {
		var prev *axontest.Relay[int]
		for i := range pipeLen {
			r := relay(fmt.Sprintf("stage %d.%d", p, i))
			if prev != nil {
				axon.MustLink(prev.Out, r.In)
				axon.MustLink(prev.Signal(), r.Control())
			}
			comps, prev = append(comps, r), r
		}
	}
	comps = append(comps, group("transcoder", relay("decode"), relay("scale"), relay("encode")))
	s.Activate(comps...)
	return s, len(comps) + 3
}

// TestPageDrawsALargeSystemToTheWindowsShapeInChromium draws a system of
// some 160 components, most of them one fan-out, and checks from the DOM
// that every component is drawn (compact, as there are more than 120),
// that none overlaps another, that the fan-out and fan-in are counts and
// marks, and that the drawing is about the shape of the window rather than
// one tall column, at a zoom where names can be read; then it takes a
// screenshot.
func TestPageDrawsALargeSystemToTheWindowsShapeInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s, n := newLargeSystem(t)
	require.Greater(t, n, 150)
	srv, err := inspect.Start(s, inspect.WithInterval(100*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	snap := settle(t, ctx, srv.URL(), func(snap *axon.Snapshot) bool { return len(snap.Components) == n })

	polled := srv.URL() + "?poll=250"
	dom := string(chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--dump-dom", polled))
	assert.Regexp(t, `<span id="statustext">live `, dom)
	for _, c := range snap.Components {
		assert.Contains(t, dom, fmt.Sprintf(`data-id="%d" data-name="%s"`, c.ID, c.Name), "component %s is not drawn", c.Name)
	}
	assert.Regexp(t, regexp.MustCompile(`<b id="ncomp">`+fmt.Sprint(n)+`</b>`), dom)
	// So many boxes are drawn compact, a name and a state each; the
	// spreader's fan-out and the collector's fan-in are counts and marks,
	// not 240 lines.
	assert.Contains(t, dom, `data-compact="true"`)
	assert.Contains(t, dom, fmt.Sprintf(`data-receivers="%d"`, fanWorkers))
	assert.Contains(t, dom, fmt.Sprintf(`data-senders="%d"`, fanWorkers))
	assert.Equal(t, 2*fanWorkers, strings.Count(dom, `class="fanmark"`))

	w, h := drawingSize(t, dom)
	aspect := w / h
	t.Logf("the drawing is %.0f by %.0f (aspect %.2f)", w, h, aspect)
	assert.GreaterOrEqual(t, aspect, 0.4, "the drawing is a tall column")
	assert.LessOrEqual(t, aspect, 4.0, "the drawing is a long row")
	assertNoOverlap(t, dom)
	// Fit shows it whole, at a scale where its structure can be seen.
	k := fitScale(t, dom)
	t.Logf("Fit draws it at scale %.3f", k)
	assert.LessOrEqual(t, w*k, 1400.0)
	assert.LessOrEqual(t, h*k, 900.0)
	assert.GreaterOrEqual(t, k, 0.7, "the system is drawn too small to read its names")

	dir := os.Getenv("KAMAELIA_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "inspect-large.png")
	chromium(t, ctx, "--virtual-time-budget=3000", "--window-size=1400,900", "--screenshot="+shot, polled)
	t.Logf("screenshot of the inspector drawing %d components: %s", n, shot)
	checkScreenshot(t, shot, 1400, 900)
}

var (
	worldTag  = regexp.MustCompile(`<g id="world"[^>]*>`)
	dataSize  = regexp.MustCompile(`data-width="(\d+)" data-height="(\d+)"`)
	worldZoom = regexp.MustCompile(`scale\(([\d.e-]+)\)`)
	// A component's group, where it is drawn and its frame's size.
	compFrame = regexp.MustCompile(`<g class="(comp[^"]*)" transform="translate\(([-\d.]+),([-\d.]+)\)" data-id="(\d+)"[^>]*><title>[^<]*</title><rect class="frame" width="([\d.]+)" height="([\d.]+)"`)
)

// drawingSize returns the size of the drawing the page laid out, from the
// data-width and data-height of its root group.
func drawingSize(t *testing.T, dom string) (w, h float64) {
	t.Helper()
	tag := worldTag.FindString(dom)
	m := dataSize.FindStringSubmatch(tag)
	require.NotNil(t, m, "the drawing's size is not in %q", tag)
	w, h = parseFloat(t, m[1]), parseFloat(t, m[2])
	require.Positive(t, w)
	require.Positive(t, h)
	return w, h
}

// fitScale returns the scale at which the page shows the drawing.
func fitScale(t *testing.T, dom string) float64 {
	t.Helper()
	tag := worldTag.FindString(dom)
	m := worldZoom.FindStringSubmatch(tag)
	require.NotNil(t, m, "no scale in %q", tag)
	return parseFloat(t, m[1])
}

// assertNoOverlap checks that no two components without children are drawn
// over each other.
func assertNoOverlap(t *testing.T, dom string) {
	t.Helper()
	type frame struct {
		id         string
		x, y, w, h float64
	}
	var leaves []frame
	for _, m := range compFrame.FindAllStringSubmatch(dom, -1) {
		if regexp.MustCompile(`\bgroup\b`).MatchString(m[1]) {
			continue
		}
		leaves = append(leaves, frame{m[4], parseFloat(t, m[2]), parseFloat(t, m[3]), parseFloat(t, m[5]), parseFloat(t, m[6])})
	}
	require.NotEmpty(t, leaves, "no component frames found in the DOM")
	for i, a := range leaves {
		for _, b := range leaves[i+1:] {
			apart := a.x+a.w <= b.x || b.x+b.w <= a.x || a.y+a.h <= b.y || b.y+b.h <= a.y
			assert.True(t, apart, "components #%s and #%s are drawn over each other", a.id, b.id)
		}
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return v
}
