package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/launch/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// TestProgram builds the program and runs a launch line with its own
// component, as a user would, and asks for its help.
func TestProgram(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "customlaunch")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	run := func(args ...string) (string, string, int) {
		cmd := exec.CommandContext(axontest.Context(t), bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else {
			require.NoError(t, err)
		}
		return stdout.String(), stderr.String(), code
	}
	stdout, stderr, code := run("launch", `DataSource items={"Hello, World"} ! Rotate ! ConsoleEchoer eol="\n"`)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "Uryyb, Jbeyq\n", stdout)

	stdout, _, code = run("launch", "--help", "Rotate")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "Rotate: turns each letter shift places on")
	assert.Regexp(t, `(?m)^  shift +int +default 13 +places to turn each letter`, stdout)

	stdout, _, code = run("launch", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "usage: customlaunch launch DESCRIPTION...")
	assert.Regexp(t, `(?m)^  Rotate +string -> string +turns each letter`, stdout)

	_, stderr, code = run("launch", "DataSource items={a} ! Rotate shift=30 ! ConsoleEchoer")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "customlaunch launch: 1:37: shift of Rotate: must be from 0 to 25")

	stdout, _, code = run("--version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(stdout, "customlaunch "), stdout)
}

// TestCompose serves Compose for the program's registry: its own
// component is in the palette, and a design with it runs.
func TestCompose(t *testing.T) {
	ctx, cancel := context.WithCancel(axontest.Context(t))
	defer cancel()
	echoed := &axontest.Buffer{}
	r := registry(catalog.Env{Stdin: strings.NewReader(""), Stdout: echoed, Stderr: io.Discard})
	printed, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- (&cli.Tool{Registry: r, Name: "customlaunch", Stdout: w, Stderr: io.Discard}).Run(ctx, []string{"compose"})
		w.Close()
	}()
	line, err := bufio.NewReader(printed).ReadString('\n')
	require.NoError(t, err)
	url := strings.Fields(line)[3]
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), line)
	go func() { _, _ = io.Copy(io.Discard, printed) }() // the rest, until the command ends

	resp, err := http.Get(url + "api/palette")
	require.NoError(t, err)
	var pal []compose.PaletteEntry
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&pal))
	require.NoError(t, resp.Body.Close())
	found := false
	for _, e := range pal {
		if e.Name == "Rotate" {
			found = true
			assert.Equal(t, []compose.PaletteArg{{Name: "shift", Kind: "int", Default: "13", Doc: "places to turn each letter, 0 to 25"}}, e.Params)
		}
	}
	assert.True(t, found, "Rotate is in Compose's palette")

	post := func(path, body string) {
		resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
	}
	post("api/add", `{"type": "DataSource"}`)
	post("api/set", `{"uid": 1, "prop": "items", "value": "{hello}"}`)
	post("api/add", `{"type": "Rotate"}`)
	post("api/add", `{"type": "ConsoleEchoer"}`)
	post("api/link", `{"from": {"uid": 1, "box": "outbox"}, "to": {"uid": 2, "box": "inbox"}}`)
	post("api/link", `{"from": {"uid": 2, "box": "outbox"}, "to": {"uid": 3, "box": "inbox"}}`)
	post("api/run", ``)
	resp, err = http.Get(url + "api/run?wait=1")
	require.NoError(t, err)
	var st compose.RunStatus
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, compose.Finished, st.State, st.Error)
	assert.Equal(t, "uryyb", echoed.String())
	cancel()
	assert.Equal(t, 0, <-done)
}

// TestRotate turns letters and leaves the rest.
func TestRotate(t *testing.T) {
	assert.Equal(t, "Uryyb, Jbeyq!", rotate("Hello, World!", 13))
	assert.Equal(t, "Hello", rotate(rotate("Hello", 13), 13))
	assert.Equal(t, "abc", rotate("abc", 0))
	assert.Equal(t, "zab", rotate("abc", 25))
}
