package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/launch/cli"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// tool is a Tool over the standard catalogue, its output in buffers.
func tool() (*cli.Tool, *bytes.Buffer, *bytes.Buffer) {
	var out, errs bytes.Buffer
	r := catalog.New(catalog.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs})
	return &cli.Tool{Registry: r, Name: "prog", Stdout: &out, Stderr: &errs}, &out, &errs
}

// TestRun runs the commands in-process: usage, help, version, a launch
// line and its mistakes, with their exit statuses.
func TestRun(t *testing.T) {
	ctx := axontest.Context(t)
	for _, c := range []struct {
		args          []string
		code          int
		out, errs     string
		outNot, errs2 string
	}{
		{args: nil, code: 2, errs: "usage: prog <command> [arguments]"},
		{args: []string{"help"}, code: 0, out: "  compose  design a system in the browser"},
		{args: []string{"--version"}, code: 0, out: "prog "},
		{args: []string{"help", "launch"}, code: 0, out: "usage: prog launch DESCRIPTION..."},
		{args: []string{"compose", "--help"}, code: 0, out: "usage: prog compose [--addr HOST:PORT]"},
		{args: []string{"nope"}, code: 2, errs: `prog: no command "nope"`},
		{args: []string{"launch", `DataSource items={a, b} ! ConsoleEchoer eol=";"`}, code: 0, out: "a;b;"},
		{args: []string{"launch", "--", `DataSource items={a} ! ConsoleEchoer`}, code: 0, out: "a"},
		{args: []string{"launch", "DataSource items={a} ! ToBytes ! Upper"}, code: 2,
			errs: "prog launch: 1:32: cannot link ToBytes0 to Upper0: axon: box types do not match: ToBytes0.outbox carries []uint8 but Upper0.inbox takes string\n" +
				"  DataSource items={a} ! ToBytes ! Upper\n                                 ^\n(ToString and ToBytes turn []uint8 into string and back)\n"},
		{args: []string{"launch", "--help", "a", "b"}, code: 2, errs: "--help takes one component name at most"},
		{args: []string{"launch"}, code: 2, errs: "no description"},
		{args: []string{"compose", "extra"}, code: 2, errs: "compose takes no arguments"},
		{args: []string{"compose", "--load", "/nonexistent/design.json"}, code: 1, errs: "no such file"},
	} {
		tl, out, errs := tool()
		code := tl.Run(ctx, c.args)
		assert.Equal(t, c.code, code, "%q: %s", c.args, errs)
		assert.Contains(t, out.String(), c.out, "%q", c.args)
		assert.Contains(t, errs.String(), c.errs, "%q", c.args)
	}
}

// TestExcerpt checks the caret under an error's place.
func TestExcerpt(t *testing.T) {
	src := "A ! B\n\tC ! Dee"
	_, err := launch.Parse(src + " =")
	require.Error(t, err)
	assert.Equal(t, "  \tC ! Dee =\n  \t        ^", cli.Excerpt(src+" =", err))
	assert.Equal(t, "", cli.Excerpt(src, context.Canceled))
	assert.Equal(t, "", cli.Hint(context.Canceled))
}

// TestVersion names the Go release at least.
func TestVersion(t *testing.T) {
	assert.Contains(t, cli.Version(), "go1.")
}

// TestComposeLoad serves Compose with a design loaded from a file, and
// stops when its context ends.
func TestComposeLoad(t *testing.T) {
	ctx, cancel := context.WithCancel(axontest.Context(t))
	defer cancel()
	file := filepath.Join(t.TempDir(), "design.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"components":[{"uid":4,"type":"Clock","props":{"interval":"10ms"}}]}`), 0o600))
	tl, _, _ := tool()
	printed, w := io.Pipe()
	tl.Stdout = w
	done := make(chan int, 1)
	go func() {
		done <- tl.Run(ctx, []string{"compose", "--load", file})
		_ = w.Close()
	}()
	line, err := bufio.NewReader(printed).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, printed) }()
	url := strings.Fields(line)[3]
	resp, err := http.Get(url + "api/state")
	require.NoError(t, err)
	var v compose.View
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, map[int]string{4: "C4"}, v.Labels)
	assert.Equal(t, 5, v.Design.NextUID)
	cancel()
	assert.Equal(t, 0, <-done)

	require.NoError(t, os.WriteFile(file, []byte(`{"components":[{"uid":1,"type":"Nope"}]}`), 0o600))
	tl, _, errs := tool()
	assert.Equal(t, 1, tl.Run(axontest.Context(t), []string{"compose", "--load", file}))
	assert.Contains(t, errs.String(), `no component "Nope" in the palette`)
}
