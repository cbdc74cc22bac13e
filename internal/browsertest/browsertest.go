//go:build unix

// Package browsertest runs Debian's headless Chromium for the tests that
// check what a web page of the project draws: its DOM after the page's
// scripts ran, or a screenshot.
//
//	browsertest.SkipWithout(t)
//	dom := browsertest.Chromium(t, ctx, "--virtual-time-budget=3000", "--dump-dom", url)
package browsertest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Path is where Debian's chromium package puts the browser.
const Path = "/usr/bin/chromium"

// SkipWithout skips the test when Chromium is not installed.
func SkipWithout(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		t.Skipf("%s not found: `make setup` installs Debian's chromium package, which this test drives", Path)
	}
}

// Chromium runs headless Chromium with args (besides its own: no sandbox,
// no GPU, no network of its own, a fresh profile) in a process group of
// its own, killed whole when ctx ends, and returns its standard output. It
// fails the test if Chromium fails, with Chromium's standard error, and
// logs what the page wrote to its console (a script's errors among it).
func Chromium(t testing.TB, ctx context.Context, args ...string) []byte {
	t.Helper()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
	}
	cmd := exec.CommandContext(ctx, Path, append(base, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// Helpers Chromium forked may outlive it: end the whole group.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	require.NoError(t, err, "chromium failed; its stderr:\n%s", stderr.String())
	for _, l := range consoleLine.FindAllString(stderr.String(), -1) {
		t.Log(l)
	}
	return stdout.Bytes()
}

// consoleLine matches the lines of Chromium's log that carry the page's
// console messages.
var consoleLine = regexp.MustCompile(`(?m)^.*CONSOLE.*$`)

// CheckScreenshot decodes the PNG at path and fails the test unless it is
// w x h pixels and not blank: it holds more than 50 colours, and the pixel
// 5 from the top right corner (where the project's pages draw their
// header) is header.
func CheckScreenshot(t testing.TB, path string, w, h int, header color.RGBA) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, w, h), img.Bounds())
	colours := map[color.RGBA]int{}
	for y := 0; y < h; y += 2 {
		for x := 0; x < w; x += 2 {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	assert.Greater(t, len(colours), 50, "the screenshot is (nearly) blank")
	assert.Equal(t, header, color.RGBAModel.Convert(img.At(w-5, 5)).(color.RGBA), "the header is not drawn")
}
