package topology_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/components/topology"
)

// Build a graph with the viewer's commands, then ask for it back.
func ExampleGraph_ApplyLine() {
	g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
	g.ApplyLine(`ADD NODE 1 "1st node" 100,100 -`)
	g.ApplyLine(`ADD NODE 2 "2nd node" 250,100 -`)
	g.ApplyLine(`ADD LINK 1 2`)
	for _, r := range g.ApplyLine("GET ALL") {
		for _, l := range r.Lines() {
			fmt.Println(l)
		}
	}
	fmt.Println(g.ApplyLine("JUMP")[0].Lines()[0])
	// Output:
	// TOPOLOGY 4
	// DEL ALL
	// ADD NODE 1 "1st node" 100,100 -
	// ADD NODE 2 "2nd node" 250,100 -
	// ADD LINK 1 2
	// ERROR "unknown command in command JUMP"
}
