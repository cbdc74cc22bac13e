package axon

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Snapshot is a picture of a live system: its components, their boxes and
// the links between them. It marshals to JSON as it is.
type Snapshot struct {
	Components []ComponentInfo `json:"components"`
	Boxes      []BoxInfo       `json:"boxes"`
	Links      []LinkInfo      `json:"links"`
	// Deadlocks lists cycles of components that are all waiting to send
	// into a full inbox of the next one: none of them can ever move again.
	Deadlocks [][]uint64 `json:"deadlocks,omitempty"`
}

// ComponentInfo describes one component in a Snapshot.
type ComponentInfo struct {
	ID     uint64 `json:"id"`
	Name   string `json:"name"`
	State  string `json:"state"`
	Parent uint64 `json:"parent,omitempty"` // 0: none
	// BlockedOn is "component.box" of the full inbox it waits to send into.
	BlockedOn string `json:"blockedOn,omitempty"`
}

// BoxInfo describes one box in a Snapshot.
type BoxInfo struct {
	Component uint64 `json:"component"`
	Name      string `json:"name"`
	Inbox     bool   `json:"inbox"`
	Type      string `json:"type"`
	Len       int    `json:"len"`               // messages waiting (inboxes)
	Cap       int    `json:"cap"`               // capacity, -1 for unbounded (inboxes)
	Dropped   uint64 `json:"dropped,omitempty"` // sent while linked to nothing (outboxes)
}

// LinkInfo describes one link in a Snapshot.
type LinkInfo struct {
	FromComponent uint64 `json:"fromComponent"`
	FromBox       string `json:"fromBox"`
	ToComponent   uint64 `json:"toComponent"`
	ToBox         string `json:"toBox"`
	Kind          string `json:"kind"`
	Owner         uint64 `json:"owner,omitempty"` // 0: no component
}

// Snapshot takes a picture of the components running on s, their children,
// and every component their boxes link to, with boxes and links. It is
// consistent per box, not across the system: the system keeps running.
func (s *Scheduler) Snapshot() *Snapshot {
	s.mu.Lock()
	var roots []*Core
	for c := s.head; c != nil; c = c.next {
		roots = append(roots, c)
	}
	s.mu.Unlock()
	return snapshotOf(roots)
}

func snapshotOf(roots []*Core) *Snapshot {
	seen := map[*Core]bool{}
	var order []*Core
	var add func(c *Core)
	add = func(c *Core) {
		if c == nil || seen[c] {
			return
		}
		seen[c] = true
		order = append(order, c)
		for _, k := range c.childList() {
			add(k)
		}
	}
	for _, c := range roots {
		add(c)
	}
	// Follow links to components not found yet, under the topology lock so
	// every link is seen whole.
	topo.Lock()
	var links []*Linkage
	for i := 0; i < len(order); i++ {
		c := order[i]
		c.mu.Lock()
		boxes := make([]*boxCore, 0, len(c.inboxes)+len(c.outboxes))
		for _, b := range c.inboxes {
			boxes = append(boxes, b.boxCore())
		}
		for _, b := range c.outboxes {
			boxes = append(boxes, b.boxCore())
		}
		c.mu.Unlock()
		for _, b := range boxes {
			if b.next != nil {
				links = append(links, b.next)
				add(b.next.to.owner)
			}
			for up := b.ups; up != nil; up = up.nextUp {
				add(up.from.owner)
			}
		}
	}
	var li []LinkInfo
	for _, l := range links {
		info := LinkInfo{
			FromComponent: l.from.owner.id, FromBox: l.from.name,
			ToComponent: l.to.owner.id, ToBox: l.to.name, Kind: l.kind.String(),
		}
		if l.owner != nil {
			info.Owner = l.owner.id
		}
		li = append(li, info)
	}
	topo.Unlock()

	snap := &Snapshot{Links: li}
	waits := map[uint64]uint64{}
	for _, c := range order {
		c.mu.Lock()
		ci := ComponentInfo{ID: c.id, Name: c.nameLocked(), State: c.State().String()}
		if p := c.parentLocked(); p != nil {
			ci.Parent = p.id
		}
		inboxes, outboxes := slices.Clone(c.inboxes), slices.Clone(c.outboxes)
		c.mu.Unlock()
		if b := c.blockedOn.Load(); b != nil {
			ci.BlockedOn = b.label()
			waits[c.id] = b.owner.id
		}
		snap.Components = append(snap.Components, ci)
		snap.Boxes = append(snap.Boxes, boxInfos(c.id, listBoxes(inboxes), true)...)
		snap.Boxes = append(snap.Boxes, boxInfos(c.id, listBoxes(outboxes), false)...)
	}
	slices.SortFunc(snap.Components, func(a, b ComponentInfo) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortStableFunc(snap.Boxes, func(a, b BoxInfo) int { return cmp.Compare(a.Component, b.Component) })
	slices.SortFunc(snap.Links, func(a, b LinkInfo) int {
		return cmp.Or(cmp.Compare(a.FromComponent, b.FromComponent), cmp.Compare(a.FromBox, b.FromBox))
	})
	snap.Deadlocks = findCycles(waits)
	return snap
}

// boxInfos describes a component's inboxes or outboxes, default boxes first.
// A default box not made yet (see Core) is shown as it would be: empty, of
// any, with the default capacity.
func boxInfos(comp uint64, boxes []Box, inboxes bool) []BoxInfo {
	defaults := []string{"outbox", "signal"}
	if inboxes {
		defaults = []string{"inbox", "control"}
	}
	anyType := reflect.TypeFor[any]().String()
	var infos []BoxInfo
	for _, name := range defaults {
		if !slices.ContainsFunc(boxes, func(b Box) bool { return b.Name() == name }) {
			infos = append(infos, BoxInfo{Component: comp, Name: name, Inbox: inboxes, Type: anyType, Cap: DefaultCapacity})
		}
	}
	for _, b := range boxes {
		info := BoxInfo{Component: comp, Name: b.Name(), Inbox: inboxes, Type: b.Type().String()}
		if inboxes {
			info.Len, info.Cap = b.(inbox).Len(), b.(inbox).Cap()
		} else {
			info.Dropped = b.(outbox).Dropped()
		}
		infos = append(infos, info)
	}
	slices.SortStableFunc(infos, func(a, b BoxInfo) int { return boxRank(a.Name) - boxRank(b.Name) })
	if !inboxes {
		for i := range infos {
			infos[i].Cap = 0
		}
	}
	return infos
}

// findCycles returns the cycles of a waits-for graph in which each node waits
// for at most one other, each cycle starting at its smallest id.
func findCycles(waits map[uint64]uint64) [][]uint64 {
	var cycles [][]uint64
	done := map[uint64]bool{}
	keys := make([]uint64, 0, len(waits))
	for k := range waits {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, start := range keys {
		pos := map[uint64]int{}
		var path []uint64
		n := start
		for {
			if done[n] {
				break
			}
			if i, ok := pos[n]; ok {
				cyc := slices.Clone(path[i:])
				m := slices.Index(cyc, slices.Min(cyc))
				cycles = append(cycles, append(cyc[m:], cyc[:m]...))
				break
			}
			next, ok := waits[n]
			if !ok {
				break
			}
			pos[n] = len(path)
			path = append(path, n)
			n = next
		}
		for _, p := range path {
			done[p] = true
		}
	}
	return cycles
}

// DOT renders the snapshot as a Graphviz digraph: one cluster per component
// holding its boxes, and an edge per link.
func (s *Snapshot) DOT() string {
	var b strings.Builder
	b.WriteString("digraph axon {\n\trankdir=LR;\n\tnode [shape=box, fontsize=10];\n")
	for _, c := range s.Components {
		fmt.Fprintf(&b, "\tsubgraph cluster_%d {\n\t\tlabel=%s;\n", c.ID, strconv.Quote(c.Name+" ("+c.State+")"))
		for _, bx := range s.Boxes {
			if bx.Component != c.ID {
				continue
			}
			shape := "invhouse"
			label := bx.Name
			if bx.Inbox {
				shape = "house"
				label = fmt.Sprintf("%s %d/%s", bx.Name, bx.Len, capString(bx.Cap))
			} else if bx.Dropped > 0 {
				label = fmt.Sprintf("%s dropped %d", bx.Name, bx.Dropped)
			}
			fmt.Fprintf(&b, "\t\t%s [label=%s, shape=%s];\n", dotID(c.ID, bx.Name), strconv.Quote(label), shape)
		}
		b.WriteString("\t}\n")
	}
	for _, l := range s.Links {
		style := ""
		if l.Kind != Normal.String() {
			style = " [style=dashed]"
		}
		fmt.Fprintf(&b, "\t%s -> %s%s;\n", dotID(l.FromComponent, l.FromBox), dotID(l.ToComponent, l.ToBox), style)
	}
	b.WriteString("}\n")
	return b.String()
}

func capString(c int) string {
	if c < 0 {
		return "inf"
	}
	return strconv.Itoa(c)
}

func dotID(comp uint64, box string) string {
	return strconv.Quote(strconv.FormatUint(comp, 10) + "." + box)
}

// IntrospectorDiff returns the lines of Axon's introspector protocol that
// turn the topology of prev into that of next, so Kamaelia's own visualiser
// (AxonVisualiser) can watch a Go system. With prev nil it starts with
// "DEL ALL" and adds everything. Nodes are components (id "<id>") and boxes
// (id "<id>.<box>"); a link joins a component to each of its boxes and each
// linked outbox or inbox to its destination. Deletions come first (links,
// then nodes), then additions (nodes, then links), each sorted.
func IntrospectorDiff(prev, next *Snapshot) []string {
	var lines []string
	pn, pl := introspectorGraph(prev)
	nn, nl := introspectorGraph(next)
	if prev == nil {
		lines = append(lines, "DEL ALL")
	}
	for _, l := range sortedKeys(pl) {
		if _, ok := nl[l]; !ok {
			lines = append(lines, "DEL LINK "+l)
		}
	}
	for _, id := range sortedKeys(pn) {
		if _, ok := nn[id]; !ok {
			lines = append(lines, "DEL NODE "+id)
		}
	}
	for _, id := range sortedKeys(nn) {
		if _, ok := pn[id]; !ok {
			lines = append(lines, "ADD NODE "+id+" "+nn[id])
		}
	}
	for _, l := range sortedKeys(nl) {
		if _, ok := pl[l]; !ok {
			lines = append(lines, "ADD LINK "+l)
		}
	}
	return lines
}

// introspectorGraph returns the nodes (quoted id -> "name randompos kind")
// and links ("quoted-id quoted-id") of a snapshot.
func introspectorGraph(s *Snapshot) (map[string]string, map[string]struct{}) {
	nodes, links := map[string]string{}, map[string]struct{}{}
	if s == nil {
		return nodes, links
	}
	q := IntrospectorQuote
	for _, c := range s.Components {
		id := strconv.FormatUint(c.ID, 10)
		nodes[q(id)] = q(c.Name) + " randompos component"
	}
	for _, b := range s.Boxes {
		comp := strconv.FormatUint(b.Component, 10)
		id := q(comp + "." + b.Name)
		kind := "outbox"
		if b.Inbox {
			kind = "inbox"
		}
		nodes[id] = q(b.Name) + " randompos " + kind
		links[q(comp)+" "+id] = struct{}{}
	}
	for _, l := range s.Links {
		from := q(strconv.FormatUint(l.FromComponent, 10) + "." + l.FromBox)
		to := q(strconv.FormatUint(l.ToComponent, 10) + "." + l.ToBox)
		links[from+" "+to] = struct{}{}
	}
	return nodes, links
}

// IntrospectorQuote quotes s as one token of Axon's introspector protocol,
// which Kamaelia reads with lines_to_tokenlists: inside double quotes a
// backslash makes the next character literal, so only a backslash and a
// double quote are escaped, and a tab or other control character is
// written as itself (strconv.Quote's \t would arrive as the letter t).
// Kamaelia splits the stream into lines at "\n" after removing every
// "\r", so those two cannot cross: they become the symbols U+240D and
// U+240A. Tokens of the TopologyViewer's replies are quoted alike.
func IntrospectorQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString("\u240D")
		case '\n':
			b.WriteString("\u240A")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
