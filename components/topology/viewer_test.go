package topology_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Viewer component applies token lists and sends the replies on; an
// empty command is an ERROR, not a crash; ProducerFinished ends it.
func TestViewerComponent(t *testing.T) {
	g := newGraph()
	h, err := axon.NewHandle(axon.NewScheduler(), topology.NewViewer(g))
	require.NoError(t, err)
	ctx := t.Context()
	for _, c := range [][]string{
		{"ADD", "NODE", "1", "one", "5,5", "-"},
		{"GET_NAME", "NODE", "1"},
		{},
		{"GET", "ALL"},
	} {
		require.NoError(t, h.Put(ctx, "inbox", c))
	}
	require.NoError(t, h.Finish(ctx))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, topology.Reply{Kind: "UPDATE_NAME", ID: "1", Name: "one"}, v)
	v, err = h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, "ERROR", v.(topology.Reply).Kind)
	v, err = h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Len(t, v.(topology.Reply).Topology, 2)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	n, _ := g.Len()
	assert.Equal(t, 1, n)
}
