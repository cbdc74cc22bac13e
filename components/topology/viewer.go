package topology

import (
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Viewer is the TopologyViewer as a component: it applies each command
// (a token list, as Tokenize makes from a line) it is sent to its Graph
// and sends the replies on. Kamaelia's TopologyViewerServer is a server
// whose protocol is lines, then tokens, then this; a renderer draws the
// same Graph.
//
// Boxes:
//
//	inbox   []string  commands
//	control any       ProducerFinished, Shutdown
//	outbox  Reply     TOPOLOGY, UPDATE_NAME and ERROR replies, in order
//	signal  any       how it ended
//
// Example:
//
//	g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
//	v := topology.NewViewer(g)
//	axon.MustLink(tokens.Out, v.In)
//
// Shutdown: ProducerFinished applies the commands already sent, then it
// returns nil; Shutdown returns at once with ctx's error. The Graph stays.
type Viewer struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc.
	In *axon.Inbox[[]string]
	// Out is the outbox called "outbox": see the type's doc.
	Out   *axon.Outbox[Reply]
	graph *Graph
}

// NewViewer returns a Viewer of g.
func NewViewer(g *Graph) *Viewer {
	v := &Viewer{graph: g}
	v.In = axon.NewInbox[[]string](v, "inbox")
	v.Out = axon.NewOutbox[Reply](v, "outbox")
	v.SetName("TopologyViewer")
	return v
}

// Main applies commands until told to stop.
func (v *Viewer) Main(ctx context.Context) error {
	for cmd := range v.In.Messages(ctx) {
		for _, r := range v.graph.Apply(cmd) {
			if err := v.Out.Send(ctx, r); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
