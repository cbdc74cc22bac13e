package topology

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Particle types a node may have (the last token of ADD NODE): TypeDefault
// is TopologyViewer's plain blob; the others are the AxonVisualiser's.
const (
	TypeDefault   = "-"
	TypeComponent = "component"
	TypeInbox     = "inbox"
	TypeOutbox    = "outbox"
)

// Node is one node of the graph as a Snapshot shows it.
type Node struct {
	ID   string
	Name string
	Type string
	// X and Y are the node's position on the unbounded plane.
	X, Y float64
	// Selected says whether the node is the selected one.
	Selected bool
}

// Link is a directed link between two nodes.
type Link struct{ From, To string }

// Snapshot is a copy of the graph at one moment: nodes in the order they
// were added, links in the order they were made.
type Snapshot struct {
	Nodes  []Node
	Links  []Link
	Frozen bool
}

// Reply is what the graph says back: Kind is "SELECT", "ERROR", "TOPOLOGY"
// or "UPDATE_NAME", as TopologyViewer's outbox tuples.
type Reply struct {
	Kind string
	// ID is the node of a SELECT (empty with None: nothing selected) or of
	// an UPDATE_NAME.
	ID string
	// None is true for ("SELECT", "NODE", None): the selection was cleared.
	None bool
	// Name is the node's name in an UPDATE_NAME.
	Name string
	// Text is an ERROR's message.
	Text string
	// Topology is a TOPOLOGY's commands, "DEL ALL" first, each a token list.
	Topology [][]string
}

// Lines renders the reply in the text protocol, one line per element
// (without "\n"): "SELECT NODE id", "SELECT NODE" alone for None, ERROR
// and its text, UPDATE_NAME NODE id name, and "TOPOLOGY n" followed by the
// n command lines.
func (r Reply) Lines() []string {
	switch r.Kind {
	case "SELECT":
		if r.None {
			return []string{"SELECT NODE"}
		}
		return []string{"SELECT NODE " + Quote(r.ID)}
	case "ERROR":
		return []string{"ERROR " + Quote(r.Text)}
	case "UPDATE_NAME":
		return []string{"UPDATE_NAME NODE " + Quote(r.ID) + " " + Quote(r.Name)}
	case "TOPOLOGY":
		lines := []string{"TOPOLOGY " + strconv.Itoa(len(r.Topology))}
		for _, c := range r.Topology {
			lines = append(lines, FormatLine(c))
		}
		return lines
	}
	return []string{"ERROR " + Quote("unknown reply kind "+r.Kind)}
}

// particle is a node with its physics state.
type particle struct {
	Node
	vx, vy float64
	bonds  map[*particle]struct{} // linked either way: what the bond law acts on
	held   bool                   // being dragged: the physics leaves it where the pointer puts it
}

// Graph is the TopologyViewer's model: nodes and directed links changed by
// the command protocol, a particle-physics layout that keeps moving them,
// and the selection. It is safe for concurrent use: a server applies
// commands while a renderer draws and a clock steps the physics.
type Graph struct {
	mu       sync.Mutex
	laws     Laws
	nodes    map[string]*particle
	order    []*particle
	links    []Link
	linkSet  map[Link]struct{}
	selected *particle
	frozen   bool
	rng      *rand.Rand
	// area is where "randompos" places new nodes.
	area      [2]float64
	border    float64
	left, top float64
	grid      map[[2]int][]*particle
	pairs     map[[2]string]*Laws
	radius    float64 // the grid's cell size; 0: work it out again
	version   uint64
}

// NewGraph returns an empty graph under laws, placing random nodes within
// a width x height area (TopologyViewer's screen size) less a 100-pixel
// border. The seed makes random placement repeatable.
func NewGraph(laws Laws, width, height int, seed uint64) *Graph {
	border := 100.0
	if float64(width) <= 2*border || float64(height) <= 2*border {
		border = 0
	}
	return &Graph{
		laws:    laws,
		nodes:   map[string]*particle{},
		linkSet: map[Link]struct{}{},
		rng:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		area:    [2]float64{float64(max(width, 1)), float64(max(height, 1))},
		border:  border,
		grid:    map[[2]int][]*particle{},
	}
}

// Laws returns the graph's physics laws.
func (g *Graph) Laws() Laws { return g.laws }

// Version counts the changes to the graph (commands, steps that moved
// something, selection, drags): a renderer redraws when it changes.
func (g *Graph) Version() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.version
}

// ApplyLine tokenizes one line of the text protocol and applies it.
func (g *Graph) ApplyLine(line string) []Reply {
	toks, err := Tokenize(line)
	if err != nil {
		return []Reply{{Kind: "ERROR", Text: fmt.Sprintf("bad line %q: %v", line, err)}}
	}
	if len(toks) == 0 {
		return nil
	}
	return g.Apply(toks)
}

// Apply carries out one command (a token list) and returns its replies:
// TOPOLOGY for GET ALL, UPDATE_NAME for GET_NAME, SELECT when deleting a
// node clears the selection, and ERROR, naming the command, for a command
// that is unknown, malformed or refers to a node or link that does not
// exist. The command words are case-insensitive, as in TopologyViewer.
func (g *Graph) Apply(cmd []string) []Reply {
	g.mu.Lock()
	defer g.mu.Unlock()
	replies, err := g.apply(cmd)
	if err != nil {
		return append(replies, Reply{Kind: "ERROR", Text: fmt.Sprintf("%v in command %s", err, FormatLine(cmd))})
	}
	return replies
}

var posPattern = regexp.MustCompile(`^\(?([+-]?\d+),([+-]?\d+)\)?$`)

func (g *Graph) apply(cmd []string) ([]Reply, error) {
	if len(cmd) == 0 {
		return nil, errEmpty
	}
	if len(cmd) < 2 {
		return nil, fmt.Errorf("unknown command")
	}
	verb := strings.ToUpper(cmd[0]) + " " + strings.ToUpper(cmd[1])
	want := map[string]int{
		"ADD NODE": 6, "DEL NODE": 3, "ADD LINK": 4, "DEL LINK": 4, "DEL ALL": 2, "GET ALL": 2,
		"UPDATE_NAME NODE": 4, "GET_NAME NODE": 3, "FREEZE ALL": 2, "UNFREEZE ALL": 2,
	}
	n, ok := want[verb]
	if !ok {
		return nil, fmt.Errorf("unknown command")
	}
	if len(cmd) != n {
		return nil, fmt.Errorf("%s takes %d arguments, not %d", verb, n-2, len(cmd)-2)
	}
	g.version++
	switch verb {
	case "ADD NODE":
		id, name, pos, typ := cmd[2], cmd[3], cmd[4], cmd[5]
		if _, dup := g.nodes[id]; dup {
			return nil, fmt.Errorf("node %q exists already", id)
		}
		switch typ {
		case TypeDefault, TypeComponent, TypeInbox, TypeOutbox:
		default:
			return nil, fmt.Errorf("unknown particle type %q (known: -, component, inbox, outbox)", typ)
		}
		x, y, err := g.position(pos)
		if err != nil {
			return nil, err
		}
		p := &particle{Node: Node{ID: id, Name: name, Type: typ, X: x, Y: y}, bonds: map[*particle]struct{}{}}
		g.nodes[id] = p
		g.order = append(g.order, p)
	case "DEL NODE":
		p, ok := g.nodes[cmd[2]]
		if !ok {
			return nil, fmt.Errorf("no node %q", cmd[2])
		}
		return g.removeNode(p), nil
	case "ADD LINK", "DEL LINK":
		from, ok1 := g.nodes[cmd[2]]
		to, ok2 := g.nodes[cmd[3]]
		if !ok1 {
			return nil, fmt.Errorf("no node %q", cmd[2])
		}
		if !ok2 {
			return nil, fmt.Errorf("no node %q", cmd[3])
		}
		l := Link{from.ID, to.ID}
		_, has := g.linkSet[l]
		if verb == "ADD LINK" {
			if !has {
				g.linkSet[l] = struct{}{}
				g.links = append(g.links, l)
				g.rebond(from, to)
			}
			return nil, nil
		}
		if !has {
			return nil, fmt.Errorf("no link from %q to %q", l.From, l.To)
		}
		delete(g.linkSet, l)
		g.links = slices.DeleteFunc(g.links, func(k Link) bool { return k == l })
		g.rebond(from, to)
	case "DEL ALL":
		var replies []Reply
		if g.selected != nil {
			g.selected = nil
			replies = append(replies, Reply{Kind: "SELECT", None: true})
		}
		g.nodes = map[string]*particle{}
		g.order = nil
		g.links = nil
		g.linkSet = map[Link]struct{}{}
		return replies, nil
	case "GET ALL":
		return []Reply{{Kind: "TOPOLOGY", Topology: g.topology()}}, nil
	case "UPDATE_NAME NODE":
		p, ok := g.nodes[cmd[2]]
		if !ok {
			return nil, fmt.Errorf("no node %q", cmd[2])
		}
		p.Name = cmd[3]
	case "GET_NAME NODE":
		p, ok := g.nodes[cmd[2]]
		if !ok {
			return nil, fmt.Errorf("no node %q", cmd[2])
		}
		return []Reply{{Kind: "UPDATE_NAME", ID: p.ID, Name: p.Name}}, nil
	case "FREEZE ALL":
		g.frozen = true
		for _, p := range g.order {
			p.vx, p.vy = 0, 0
		}
	case "UNFREEZE ALL":
		g.frozen = false
	}
	return nil, nil
}

// position reads an ADD NODE posSpec: "randompos" or "auto" (a random
// point of the area, within its border, offset by the scroll), or "x,y"
// (also "(x,y)") in whole units.
func (g *Graph) position(spec string) (float64, float64, error) {
	switch strings.ToLower(spec) {
	case "randompos", "auto":
		w, h := g.area[0]-2*g.border, g.area[1]-2*g.border
		// Whole units, as Kamaelia's randrange gives.
		return math.Round(g.left + g.border + g.rng.Float64()*w), math.Round(g.top + g.border + g.rng.Float64()*h), nil
	}
	m := posPattern.FindStringSubmatch(spec)
	if m == nil {
		return 0, 0, fmt.Errorf("position %q is neither randompos, auto nor x,y", spec)
	}
	x, err1 := strconv.Atoi(m[1])
	y, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("position %q is out of range", spec)
	}
	return float64(x), float64(y), nil
}

// rebond makes the bond between a and b match the links between them
// (either way).
func (g *Graph) rebond(a, b *particle) {
	_, ab := g.linkSet[Link{a.ID, b.ID}]
	_, ba := g.linkSet[Link{b.ID, a.ID}]
	if ab || ba {
		a.bonds[b] = struct{}{}
		b.bonds[a] = struct{}{}
		return
	}
	delete(a.bonds, b)
	delete(b.bonds, a)
}

// removeNode deletes p and its links.
func (g *Graph) removeNode(p *particle) []Reply {
	delete(g.nodes, p.ID)
	g.order = slices.DeleteFunc(g.order, func(q *particle) bool { return q == p })
	g.links = slices.DeleteFunc(g.links, func(l Link) bool {
		if l.From == p.ID || l.To == p.ID {
			delete(g.linkSet, l)
			return true
		}
		return false
	})
	for q := range p.bonds {
		delete(q.bonds, p)
	}
	if g.selected == p {
		g.selected = nil
		return []Reply{{Kind: "SELECT", None: true}}
	}
	return nil
}

// topology is the command list that rebuilds the graph: DEL ALL, each node
// at its present position, then each link.
func (g *Graph) topology() [][]string {
	cmds := [][]string{{"DEL", "ALL"}}
	for _, p := range g.order {
		pos := strconv.Itoa(int(math.Round(p.X))) + "," + strconv.Itoa(int(math.Round(p.Y)))
		cmds = append(cmds, []string{"ADD", "NODE", p.ID, p.Name, pos, p.Type})
	}
	for _, l := range g.links {
		cmds = append(cmds, []string{"ADD", "LINK", l.From, l.To})
	}
	return cmds
}

// Snapshot returns a copy of the graph.
func (g *Graph) Snapshot() Snapshot {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := Snapshot{Nodes: make([]Node, len(g.order)), Links: slices.Clone(g.links), Frozen: g.frozen}
	for i, p := range g.order {
		s.Nodes[i] = p.Node
		s.Nodes[i].Selected = p == g.selected
	}
	return s
}

// Len returns the numbers of nodes and links.
func (g *Graph) Len() (nodes, links int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.order), len(g.links)
}

// Node returns the node called id.
func (g *Graph) Node(id string) (Node, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.nodes[id]
	if !ok {
		return Node{}, false
	}
	n := p.Node
	n.Selected = p == g.selected
	return n, true
}

// Frozen says whether FREEZE ALL stopped the physics.
func (g *Graph) Frozen() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.frozen
}

// Select makes the node called id the selected one ("" clears the
// selection) and returns the SELECT reply to send, or none when the
// selection did not change, as TopologyViewer's selectParticle does.
func (g *Graph) Select(id string) ([]Reply, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var p *particle
	if id != "" {
		var ok bool
		if p, ok = g.nodes[id]; !ok {
			return nil, fmt.Errorf("topology: no node %q to select", id)
		}
	}
	return g.selectParticle(p), nil
}

func (g *Graph) selectParticle(p *particle) []Reply {
	if g.selected == p {
		return nil
	}
	g.selected = p
	g.version++
	if p == nil {
		return []Reply{{Kind: "SELECT", None: true}}
	}
	return []Reply{{Kind: "SELECT", ID: p.ID}}
}

// Hit returns the node whose blob (NodeRadius, scaled by its type) covers
// the point (x, y) of the plane: the one added last when blobs overlap.
func (g *Graph) Hit(x, y float64) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p := g.hit(x, y); p != nil {
		return p.ID, true
	}
	return "", false
}

func (g *Graph) hit(x, y float64) *particle {
	for i := len(g.order) - 1; i >= 0; i-- {
		p := g.order[i]
		r := radius(p.Type)
		if dx, dy := p.X-x, p.Y-y; dx*dx+dy*dy <= r*r {
			return p
		}
	}
	return nil
}

// Press is a click at (x, y) on the plane: it selects the node under it
// (or clears the selection on empty space) and starts dragging that node.
// It returns the SELECT reply, if the selection changed.
func (g *Graph) Press(x, y float64) []Reply {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.hit(x, y)
	for _, q := range g.order {
		q.held = false
	}
	if p != nil {
		p.held = true
	}
	return g.selectParticle(p)
}

// Drag moves the node being dragged, if any, to (x, y) of the plane; the
// physics keeps acting on everything else.
func (g *Graph) Drag(x, y float64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.order {
		if p.held {
			p.X, p.Y, p.vx, p.vy = x, y, 0, 0
			g.version++
			return true
		}
	}
	return false
}

// Release drops the node being dragged at (x, y): the physics moves it
// from there on.
func (g *Graph) Release(x, y float64) bool {
	moved := g.Drag(x, y)
	g.mu.Lock()
	for _, p := range g.order {
		p.held = false
	}
	g.mu.Unlock()
	return moved
}

// Scroll moves where "randompos" places new nodes by (dx, dy): a window
// that pans calls it, so that new nodes appear in view, as in Kamaelia.
func (g *Graph) Scroll(dx, dy float64) {
	g.mu.Lock()
	g.left += dx
	g.top += dy
	g.mu.Unlock()
}
