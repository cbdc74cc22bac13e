package topology_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newGraph() *topology.Graph { return topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1) }

func apply(t *testing.T, g *topology.Graph, lines ...string) {
	t.Helper()
	for _, l := range lines {
		require.Empty(t, g.ApplyLine(l), l)
	}
}

// Scenario 1: commands, GET ALL rebuilding exactly, DEL NODE taking its
// links, an unknown command an ERROR.
func TestCommands(t *testing.T) {
	g := newGraph()
	apply(t, g, `ADD NODE 1 "1st node" randompos -`, `ADD NODE 2 "2nd node" 10,20 -`, `ADD LINK 1 2`)

	r := g.ApplyLine("GET ALL")
	require.Len(t, r, 1)
	require.Equal(t, "TOPOLOGY", r[0].Kind)
	top := r[0].Topology
	require.Len(t, top, 4)
	assert.Equal(t, []string{"DEL", "ALL"}, top[0])
	assert.Equal(t, []string{"ADD", "NODE", "2", "2nd node", "10,20", "-"}, top[2])
	assert.Equal(t, []string{"ADD", "LINK", "1", "2"}, top[3])

	// The reply rebuilds the graph exactly in another viewer.
	h := newGraph()
	for _, c := range top {
		require.Empty(t, h.Apply(c))
	}
	assert.Equal(t, g.Snapshot(), h.Snapshot())

	apply(t, g, "DEL NODE 1")
	n, l := g.Len()
	assert.Equal(t, 1, n)
	assert.Equal(t, 0, l)

	r = g.ApplyLine("FLY AWAY")
	require.Len(t, r, 1)
	assert.Equal(t, "ERROR", r[0].Kind)
	assert.Contains(t, r[0].Text, "unknown command")
	assert.Contains(t, r[0].Text, "FLY AWAY")
}

func TestCommandErrorsAndNames(t *testing.T) {
	g := newGraph()
	apply(t, g, `add node a "A" 0,0 component`, `ADD NODE b B (5,-5) inbox`)
	for line, want := range map[string]string{
		`ADD NODE a again 0,0 -`:   "exists already",
		`ADD NODE c C 0,0 teapot`:  "unknown particle type",
		`ADD NODE c C somewhere -`: "neither randompos",
		`ADD LINK a zz`:            `no node "zz"`,
		`DEL LINK a b`:             "no link",
		`DEL NODE zz`:              `no node "zz"`,
		`UPDATE_NAME NODE zz name`: `no node "zz"`,
		`GET_NAME NODE zz`:         `no node "zz"`,
		`ADD NODE x`:               "takes 4 arguments, not 1",
		`"unterminated`:            "unterminated",
		`ADD`:                      "unknown command",
	} {
		r := g.ApplyLine(line)
		require.Len(t, r, 1, line)
		assert.Equal(t, "ERROR", r[0].Kind, line)
		assert.Contains(t, r[0].Text, want, line)
	}
	n, _ := g.Len()
	assert.Equal(t, 2, n, "no bad command added anything")

	apply(t, g, "UPDATE_NAME NODE a \"tab\there\"")
	r := g.ApplyLine("GET_NAME NODE a")
	require.Len(t, r, 1)
	assert.Equal(t, topology.Reply{Kind: "UPDATE_NAME", ID: "a", Name: "tab\there"}, r[0])
	assert.Equal(t, []string{"UPDATE_NAME NODE \"a\" \"tab\there\""}, r[0].Lines())

	// Deleting the selected node clears the selection, and says so.
	_, err := g.Select("a")
	require.NoError(t, err)
	r = g.ApplyLine("DEL ALL")
	assert.Equal(t, []topology.Reply{{Kind: "SELECT", None: true}}, r)
	n, _ = g.Len()
	assert.Zero(t, n)
}

// distance between two nodes of g.
func distance(t *testing.T, g *topology.Graph, a, b string) float64 {
	t.Helper()
	na, ok := g.Node(a)
	require.True(t, ok)
	nb, ok := g.Node(b)
	require.True(t, ok)
	return math.Hypot(na.X-nb.X, na.Y-nb.Y)
}

// Scenario 2: linked nodes settle at the bond length; unlinked ones come
// apart; FREEZE ALL stops everything.
func TestPhysics(t *testing.T) {
	g := newGraph()
	apply(t, g, "ADD NODE 1 one 100,100 -", "ADD NODE 2 two 400,130 -", "ADD LINK 1 2")
	g.Step(300)
	assert.InDelta(t, 100, distance(t, g, "1", "2"), 5)

	h := newGraph()
	apply(t, h, "ADD NODE 1 one 300,300 -", "ADD NODE 2 two 310,300 -")
	for range 500 {
		if !h.Step(1) {
			break
		}
	}
	d := distance(t, h, "1", "2")
	assert.True(t, d >= h.Laws().MaxRepelRadius || !h.Step(1), "unlinked nodes end %v apart and still moving", d)
	assert.Greater(t, d, 100.0)

	f := newGraph()
	apply(t, f, "ADD NODE 1 one 300,300 -", "ADD NODE 2 two 310,300 -", "FREEZE ALL")
	before := f.Snapshot()
	assert.False(t, f.Step(50))
	assert.Equal(t, before, f.Snapshot())
	assert.True(t, f.Snapshot().Frozen)
	apply(t, f, "UNFREEZE ALL")
	assert.True(t, f.Step(1))
}

// Scenario 4: a click on a node's position selects it; a click on empty
// space clears the selection; a drag moves the node.
func TestSelectionAndDrag(t *testing.T) {
	g := newGraph()
	apply(t, g, "ADD NODE n1 one 100,100 -", "ADD NODE n2 two 300,100 -")
	assert.Equal(t, []topology.Reply{{Kind: "SELECT", ID: "n2"}}, g.Press(303, 98))
	assert.Nil(t, g.Press(303, 98), "the same node again changes nothing")
	assert.True(t, g.Release(250, 250))
	n, _ := g.Node("n2")
	assert.Equal(t, [2]float64{250, 250}, [2]float64{n.X, n.Y})
	assert.True(t, n.Selected)
	assert.Equal(t, []topology.Reply{{Kind: "SELECT", None: true}}, g.Press(600, 500))
	assert.Equal(t, []string{"SELECT NODE"}, topology.Reply{Kind: "SELECT", None: true}.Lines())
	assert.False(t, g.Release(0, 0), "nothing held, nothing moves")
}

// BenchmarkStep1000 steps 1,000 nodes, each linked to one before it (a
// random tree), after they have spread out.
func BenchmarkStep1000(b *testing.B) {
	g := topology.NewGraph(topology.SimpleLaws(100), 3000, 3000, 7)
	for i := range 1000 {
		g.ApplyLine(fmt.Sprintf("ADD NODE %d n%d randompos -", i, i))
		if i > 0 {
			g.ApplyLine(fmt.Sprintf("ADD LINK %d %d", i, (i*7919)%i))
		}
	}
	g.Step(50)
	b.ResetTimer()
	for b.Loop() {
		g.Step(1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}
