package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kamaelia runs the binary bin with args and returns its output and exit
// status, within the test's time bound.
func kamaelia(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(axontest.Context(t), bin, args...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), errs.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errs.String(), 0
}

// TestCommand builds the kamaelia binary once and runs it as a user would.
func TestCommand(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kamaelia")
	// The build is bounded by the test's own deadline, not the short bound
	// of a step: on a loaded machine a cold build takes longer than that.
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	t.Run("usage", func(t *testing.T) {
		_, errs, code := kamaelia(t, bin)
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "usage: kamaelia <command> [arguments]")
		assert.Contains(t, errs, "  launch  ")
		for _, h := range []string{"help", "-h"} {
			out, _, code := kamaelia(t, bin, h)
			assert.Equal(t, 0, code)
			assert.Contains(t, out, "commands:\n")
		}
		_, errs, code = kamaelia(t, bin, "lunch")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `kamaelia: no command "lunch"`)
	})

	t.Run("launch --help", func(t *testing.T) {
		out, _, code := kamaelia(t, bin, "launch", "--help")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "usage: kamaelia launch DESCRIPTION...")
		assert.Regexp(t, `(?m)^  ReadFileAdaptor +- -> \[\]uint8 +reads a file`, out)
		assert.Regexp(t, `(?m)^  SingleServer +\[\]uint8 -> \[\]uint8 +a TCP server`, out)
		assert.Contains(t, out, "  -inspect string\n", "the flags are listed, by flag.FlagSet")

		out, _, code = kamaelia(t, bin, "help", "launch")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "usage: kamaelia launch DESCRIPTION...")

		out, _, code = kamaelia(t, bin, "launch", "--help", "SingleServer")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "SingleServer: a TCP server for one client at a time")
		assert.Regexp(t, `(?m)^  port +int +default 1601 +the port to listen on`, out)
		assert.Regexp(t, `(?m)^  inbox +\[\]uint8 +bytes for the client`, out)

		_, errs, code := kamaelia(t, bin, "launch", "--help", "SingleSever")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `unknown component "SingleSever" (did you mean SingleServer?)`)

		_, errs, code = kamaelia(t, bin, "launch", "--help", "Nope")
		assert.Equal(t, 2, code)
		assert.Regexp(t, `unknown component "Nope" \(the nearest names are \w+, \w+, \w+\)`, errs)
	})

	t.Run("version and help on stdout", func(t *testing.T) {
		out, _, code := kamaelia(t, bin, "--version")
		assert.Equal(t, 0, code)
		assert.Regexp(t, `^kamaelia \S+ \(.*go1\.\d+`, out)
		for _, cmd := range []string{"launch", "compose", "inspect"} {
			out, errs, code := kamaelia(t, bin, cmd, "--help")
			assert.Equal(t, 0, code, cmd)
			assert.Contains(t, out, "usage: kamaelia "+cmd, cmd)
			assert.Empty(t, errs, cmd)
		}
	})

	t.Run("launch a pipeline", func(t *testing.T) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.txt")
		require.NoError(t, os.WriteFile(in, []byte("kamaelia\ngo\n"), 0o600))
		// The arguments are joined into one description, as gst-launch does.
		out, errs, code := kamaelia(t, bin, "launch", "ReadFileAdaptor", "filename="+in, "!", "ToString", "!", "Upper", "!", "ConsoleEchoer", `tag=>`)
		assert.Equal(t, 0, code, errs)
		assert.Equal(t, ">KAMAELIA\n>GO\n", out)
	})

	t.Run("launch errors", func(t *testing.T) {
		_, errs, code := kamaelia(t, bin, "launch", "ReadFileAdaptor filename=x ! Upper ! ConsoleEchoer")
		assert.Equal(t, 2, code)
		assert.Equal(t, "kamaelia launch: 1:28: cannot link ReadFileAdaptor0 to Upper0: axon: box types do not match: ReadFileAdaptor0.outbox carries []uint8 but Upper0.inbox takes string\n"+
			"  ReadFileAdaptor filename=x ! Upper ! ConsoleEchoer\n"+
			"                             ^\n"+
			"(ToString and ToBytes turn []uint8 into string and back)\n", errs)

		_, errs, code = kamaelia(t, bin, "launch", "Clock interval=soon")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `1:16: interval of Clock: "soon" is not a duration (such as 40ms, 1.5s or 2m)`)

		_, errs, code = kamaelia(t, bin, "launch")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "no description")

		_, errs, code = kamaelia(t, bin, "launch", "--inspect", "127.0.0.1:notaport", "Clock")
		assert.Equal(t, 1, code, "an inspector that cannot listen is a failure")
		assert.Contains(t, errs, "kamaelia launch: --inspect:")

		_, errs, code = kamaelia(t, bin, "launch", "--inspect")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "kamaelia launch: flag needs an argument: -inspect (kamaelia launch --help says how to use it)")

		_, errs, code = kamaelia(t, bin, "launch", "--verbose", "Clock")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, "flag provided but not defined: -verbose")

		_, errs, code = kamaelia(t, bin, "launch", `UnixProcess command="echo oops >&2; exit 3"`)
		assert.Equal(t, 1, code, "a failure while running")
		assert.Contains(t, errs, "exit status 3")
		assert.Contains(t, errs, "oops")
	})

	for _, addr := range []string{"127.0.0.1:0", ":0"} {
		t.Run("launch --inspect "+addr, func(t *testing.T) { launchInspect(t, bin, addr) })
	}
	t.Run("launch stops on SIGINT", func(t *testing.T) { launchStopsOnSIGINT(t, bin) })
	t.Run("compose", func(t *testing.T) { composeServes(t, bin) })
}

// composeServes runs `kamaelia compose`, reads the palette from the address
// it prints, and stops it with SIGINT.
func composeServes(t *testing.T, bin string) {
	ctx := axontest.Context(t)
	cmd := exec.CommandContext(ctx, bin, "compose")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the page's address is printed")
	fields := strings.Fields(line)
	require.GreaterOrEqual(t, len(fields), 4, line)
	url := fields[3]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"api/palette", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var palette []struct{ Name string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&palette))
	require.NoError(t, resp.Body.Close())
	var names []string
	for _, e := range palette {
		names = append(names, e.Name)
	}
	assert.Equal(t, newCatalog(catalog.Env{}).Names(), names, "the palette is the catalogue of kamaelia launch")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait(), "a clean exit on SIGINT")
}

// launchInspect runs `kamaelia launch --inspect addr` and reaches the
// inspector at the address it prints.
func launchInspect(t *testing.T, bin, addr string) {
	ctx := axontest.Context(t)
	cmd := exec.CommandContext(ctx, bin, "launch", "--inspect", addr, `Clock interval=10ms ! NullSink`)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stderr).ReadString('\n')
	require.NoError(t, err, "the inspector's address is printed")
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "kamaelia launch: inspector at ")
	require.True(t, ok, "unexpected line %q", line)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"snapshot.json", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var snap axon.Snapshot
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&snap))
	require.NoError(t, resp.Body.Close())
	var names []string
	for _, c := range snap.Components {
		names = append(names, c.Name)
	}
	assert.Contains(t, names, "Clock0", "the launched system is what the inspector shows")
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Wait(), "a clean exit on SIGINT")
}

// launchStopsOnSIGINT runs a system that never ends and stops it.
func launchStopsOnSIGINT(t *testing.T, bin string) {
	ctx := axontest.Context(t)
	cmd := exec.CommandContext(ctx, bin, "launch", `Clock interval=10ms ! ConsoleEchoer eol="\n"`)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "a tick was printed")
	assert.NotEmpty(t, strings.TrimSpace(line))
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err = cmd.Wait()
	require.NoError(t, err, "a clean exit on SIGINT")
	require.NoError(t, context.Cause(ctx), "it stopped before the time bound")
}
