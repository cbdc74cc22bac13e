package main

import (
	"bufio"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLaunchDrainsOnInterrupt runs `kamaelia launch -e` as a user would. The
// system is a process that says "ready", copies its standard input, and says
// "drained" when that input ends. Without -e, Ctrl-C stops it now: the
// process is killed and never says "drained". With -e, the first Ctrl-C
// tells the source ProducerFinished: the process's input is closed, it says
// "drained", and that reaches the console before the command exits; a
// second Ctrl-C stops what a drain cannot.
func TestLaunchDrainsOnInterrupt(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kamaelia")
	build := exec.CommandContext(axontest.Context(t), "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	const system = `UnixProcess command="echo ready; cat; echo drained" ! ToString ! ConsoleEchoer`

	// start runs the command and waits for the process to say it is ready.
	start := func(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader, *bufio.Reader) {
		cmd := exec.CommandContext(axontest.Context(t), bin, args...)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\n", line)
		return cmd, r, bufio.NewReader(stderr)
	}

	t.Run("without -e Ctrl-C stops now", func(t *testing.T) {
		cmd, stdout, _ := start(t, "launch", system)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		rest, err := io.ReadAll(stdout)
		require.NoError(t, err)
		require.NoError(t, cmd.Wait(), "a clean exit on SIGINT")
		assert.Empty(t, string(rest), "the process was killed before it could drain")
	})

	t.Run("with -e Ctrl-C drains", func(t *testing.T) {
		cmd, stdout, stderr := start(t, "launch", "-e", system)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		rest, err := io.ReadAll(stdout)
		require.NoError(t, err)
		errs, err := io.ReadAll(stderr)
		require.NoError(t, err)
		require.NoError(t, cmd.Wait(), "a clean exit after the drain: %s", errs)
		assert.Equal(t, "drained\n", string(rest))
		assert.Contains(t, string(errs), "finishing; interrupt again to stop now")
	})

	t.Run("with -e a second Ctrl-C stops now", func(t *testing.T) {
		// This process ignores the end of its input: only a stop ends it.
		cmd, stdout, stderr := start(t, "launch", "-e", `UnixProcess command="echo ready; exec sleep 600" ! ToString ! ConsoleEchoer`)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		line, err := stderr.ReadString('\n')
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(line, "finishing; interrupt again to stop now\n"), line)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		_, err = io.ReadAll(stdout)
		require.NoError(t, err)
		require.NoError(t, cmd.Wait(), "a clean exit after the stop")
	})
}
