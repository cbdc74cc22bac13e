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
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

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
// fails the test if Chromium fails, with Chromium's standard error.
func Chromium(t testing.TB, ctx context.Context, args ...string) []byte {
	t.Helper()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
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
	return stdout.Bytes()
}
