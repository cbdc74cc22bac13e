//go:build unix

package inspect_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const chromiumPath = "/usr/bin/chromium"

// errSettled ends a Watch once the system looks as a test wants it.
var errSettled = errors.New("settled")

// waitSettled follows the inspector's event stream until the system shows
// the deadlock, the full sink and the drops.
func waitSettled(t *testing.T, ctx context.Context, url string, sys *system) *axon.Snapshot {
	t.Helper()
	var got *axon.Snapshot
	err := inspect.Watch(ctx, url, func(snap *axon.Snapshot) error {
		got = snap
		if sys.ready(snap) {
			return errSettled
		}
		return nil
	})
	require.ErrorIs(t, err, errSettled, "the system did not settle; last snapshot: %+v", got)
	return got
}

// chromium runs headless Chromium with args in a process group of its own,
// killed whole when ctx ends, and returns its standard output.
func chromium(t *testing.T, ctx context.Context, args ...string) []byte {
	t.Helper()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// Helpers Chromium forked may outlive it: end the whole group.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	require.NoError(t, err, "chromium failed; its stderr:\n%s", stderr.String())
	return stdout.Bytes()
}

// TestPageDrawsTheLiveSystemInChromium loads the page in headless Chromium
// against a live system and checks what it drew: every component, a fill
// level, the dropped count and the deadlocked pair in red; then it takes a
// screenshot for a person to look at.
func TestPageDrawsTheLiveSystemInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not found: `make setup` installs Debian's chromium package, which this test drives", chromiumPath)
	}
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

// checkScreenshot decodes the PNG at path and fails unless it has the size
// asked for and is not blank: it must hold many colours, the page's dark
// header among them.
func checkScreenshot(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, w, h), img.Bounds())
	colours := map[[3]uint32]int{}
	for y := 0; y < h; y += 2 {
		for x := 0; x < w; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, b >> 8}]++
		}
	}
	assert.Greater(t, len(colours), 50, "the screenshot is (nearly) blank")
	r, g, b, _ := img.At(w-5, 5).RGBA()
	assert.Equal(t, [3]uint32{0x2f, 0x3b, 0x52}, [3]uint32{r >> 8, g >> 8, b >> 8}, "the header is not drawn")
}
