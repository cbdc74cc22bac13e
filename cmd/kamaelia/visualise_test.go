package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pageGraph fetches the graph a visualiser's page draws.
func pageGraph(t *testing.T, page string) (names map[string]string, links int) {
	t.Helper()
	res, err := http.Get(page + "graph.json")
	require.NoError(t, err)
	defer res.Body.Close()
	var g struct {
		Nodes []struct{ Name, Type string }
		Links [][2]int
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&g))
	names = map[string]string{}
	for _, n := range g.Nodes {
		if n.Type == "component" {
			names[n.Name] = n.Type
		}
	}
	return names, len(g.Links)
}

// `kamaelia visualise` listens; `kamaelia inspect -demo -axon-connect`
// connects to it and its page shows the demo's components, as a person
// running the two in two terminals would see.
func TestVisualiseShowsAnInspectedSystem(t *testing.T) {
	vis, _ := startCommand(t, runVisualise, "-port", "0", "-http", "127.0.0.1:0")
	addr := strings.TrimSpace(strings.TrimPrefix(readUntil(t, vis, "visualiser: "), "visualiser: listening for topology commands on "))
	page := strings.TrimSpace(strings.TrimPrefix(readUntil(t, vis, "page: "), "page: "))
	require.True(t, strings.HasPrefix(page, "http://127.0.0.1:"), page)

	names, _ := pageGraph(t, page)
	assert.Empty(t, names, "nothing before an introspector connects")

	demo, _ := startCommand(t, runInspect, "-demo", "-addr", "127.0.0.1:0", "-axon-connect", addr)
	readUntil(t, demo, "inspector: ")
	require.Eventually(t, func() bool {
		names, links := pageGraph(t, page)
		_, rec := names["recorder"]
		_, ping := names["ping"]
		return rec && ping && links > 0
	}, axontest.Safety, 10*time.Millisecond)
}

func TestVisualiseFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-resolution", "big"},
		{"-resolution", "10x10"},
		{"-port", "70000"},
		{"extra"},
	} {
		err := runVisualise(t.Context(), args, nil, &strings.Builder{})
		var u usageError
		assert.ErrorAs(t, err, &u, "%q", args)
	}
}

// `kamaelia launch --axon-connect` sends the system it runs to a viewer.
func TestLaunchAxonConnect(t *testing.T) {
	g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
	viewer, err := topology.Listen("127.0.0.1:0", g)
	require.NoError(t, err)
	defer viewer.Close()
	launchCmd := func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return tool(stdout, stderr).Launch(ctx, args)
	}
	_, stop := startCommand(t, launchCmd, "--axon-connect", viewer.Addr().String(), "SingleServer", "port=0", "!", "ConsoleEchoer")
	require.Eventually(t, func() bool {
		for _, n := range g.Snapshot().Nodes {
			if n.Type == topology.TypeComponent && strings.Contains(n.Name, "ConsoleEchoer") {
				return true
			}
		}
		return false
	}, axontest.Safety, 10*time.Millisecond)
	require.NoError(t, stop())

	err = tool(io.Discard, io.Discard).Launch(t.Context(), []string{"--axon-connect"})
	var u usageError
	require.ErrorAs(t, err, &u)
	assert.Contains(t, err.Error(), "flag needs an argument: -axon-connect")
}

// Without cgo there is no SDL: -window says so rather than failing later.
func TestVisualiseWindowNeedsCgo(t *testing.T) {
	if windowOpener != nil {
		t.Skip("this build has the SDL window")
	}
	err := runVisualise(t.Context(), []string{"-window", "-port", "0"}, io.Discard, io.Discard)
	var u usageError
	require.ErrorAs(t, err, &u)
	assert.Contains(t, err.Error(), "needs the cgo build")
}
