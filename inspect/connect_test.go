package inspect_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countTypes returns the number of nodes of each type in g.
func countTypes(g *topology.Graph) map[string]int {
	n := map[string]int{}
	for _, node := range g.Snapshot().Nodes {
		n[node.Type]++
	}
	return n
}

// The inspector connects out to a viewer that listens, as Kamaelia's
// Introspector does to the AxonVisualiser: the viewer shows one component
// node per component and one link per axon link (besides each box's link
// to its component), follows a component's removal, and reads a tab in a
// name as a tab. The viewer may start after the inspector: it keeps trying.
func TestAxonConnectFeedsAViewer(t *testing.T) {
	s, p, c := twoParts(t)
	tabbed := idle("tab\tname")
	h := axontest.NewHandle(t, s, tabbed)

	// Reserve a port, then start the viewer on it after the inspector.
	g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
	first, err := topology.Listen("127.0.0.1:0", g)
	require.NoError(t, err)
	addr := first.Addr().String()
	require.NoError(t, first.Close())

	srv, err := inspect.Start(s, inspect.WithAxonConnect(addr), inspect.WithInterval(10*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()

	viewer, err := topology.Listen(addr, g)
	require.NoError(t, err)
	defer viewer.Close()

	// The viewer shows what the scheduler's snapshot holds: a node per
	// component and box, a link per box to its component and per axon
	// link, as the protocol describes them.
	matches := func() bool {
		snap := s.Snapshot()
		var wantNodes, wantLinks int
		for _, l := range axon.IntrospectorDiff(nil, snap) {
			switch {
			case strings.HasPrefix(l, "ADD NODE "):
				wantNodes++
			case strings.HasPrefix(l, "ADD LINK "):
				wantLinks++
			}
		}
		nodes, links := g.Len()
		return countTypes(g)["component"] == len(snap.Components) && nodes == wantNodes && links == wantLinks
	}
	require.Eventually(t, matches, axontest.Safety, 5*time.Millisecond)
	assert.GreaterOrEqual(t, srv.AxonConnections(), 1)
	assert.Equal(t, 1, viewer.Clients())
	comps := countTypes(g)["component"]

	n, ok := g.Node(fmt.Sprint(tabbed.ID()))
	require.True(t, ok)
	assert.Equal(t, "tab\tname", n.Name, "the tab arrives as a tab")

	require.NoError(t, h.Close())
	require.Eventually(t, func() bool { return countTypes(g)["component"] < comps && matches() }, axontest.Safety, 5*time.Millisecond)
	_, ok = g.Node(fmt.Sprint(tabbed.ID()))
	assert.False(t, ok, "the closed component is gone from the viewer")
	_, ok = g.Node(fmt.Sprint(p.ID()))
	assert.True(t, ok)
	_, ok = g.Node(fmt.Sprint(c.ID()))
	assert.True(t, ok)
}

// When the viewer goes, the inspector connects again to the one that
// comes back at the same address, and sends it the whole graph.
func TestAxonConnectReconnects(t *testing.T) {
	s, p, _ := twoParts(t)
	g1 := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
	v1, err := topology.Listen("127.0.0.1:0", g1)
	require.NoError(t, err)
	addr := v1.Addr().String()
	srv, err := inspect.Start(s, inspect.WithAxonConnect(addr), inspect.WithInterval(10*time.Millisecond))
	require.NoError(t, err)
	defer func() { require.NoError(t, srv.Close()) }()
	has := func(g *topology.Graph) func() bool {
		return func() bool { _, ok := g.Node(fmt.Sprint(p.ID())); return ok }
	}
	require.Eventually(t, has(g1), axontest.Safety, 5*time.Millisecond)
	require.NoError(t, v1.Close())

	g2 := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
	v2, err := topology.Listen(addr, g2)
	require.NoError(t, err)
	defer v2.Close()
	require.Eventually(t, has(g2), axontest.Safety, 5*time.Millisecond)
	assert.GreaterOrEqual(t, srv.AxonConnections(), 2)
}
