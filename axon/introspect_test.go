package axon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoComponents is a small live system: producer.outbox -> consumer.inbox
// (a package-level link) and producer.signal -> consumer.control (a link
// made by the consumer). Neither component takes messages, so the numbers
// in a snapshot are known: consumer.inbox holds 3 messages and
// consumer.outbox, linked to nothing, dropped 1.
type twoComponents struct {
	s                  *axon.Scheduler
	producer, consumer *box[int]
	data, sig          *axon.Linkage
}

func newTwoComponents(t *testing.T) *twoComponents {
	t.Helper()
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	p, c := newBox[int]("producer"), newBox[int]("consumer")
	p.in.SetCapacity(5)
	c.in.SetCapacity(axon.Unbounded)
	data, err := axon.Link(p.out, c.in)
	require.NoError(t, err)
	sig, err := c.Link(p.Signal(), c.Control())
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, p.out.Send(ctx, i))
	}
	require.NoError(t, c.out.Send(ctx, 99))
	s.Activate(p, c)
	return &twoComponents{s: s, producer: p, consumer: c, data: data, sig: sig}
}

func TestSnapshotDescribesComponentsBoxesAndLinks(t *testing.T) {
	sys := newTwoComponents(t)
	snap := sys.s.Snapshot()
	p, c := sys.producer.ID(), sys.consumer.ID()
	assert.ElementsMatch(t, []axon.ComponentInfo{
		{ID: p, Name: "producer", State: "running"},
		{ID: c, Name: "consumer", State: "running"},
	}, snap.Components)
	assert.ElementsMatch(t, []axon.BoxInfo{
		{Component: p, Name: "inbox", Inbox: true, Type: "int", Len: 0, Cap: 5},
		{Component: p, Name: "control", Inbox: true, Type: "interface {}", Len: 0, Cap: axon.DefaultCapacity},
		{Component: p, Name: "outbox", Type: "int"},
		{Component: p, Name: "signal", Type: "interface {}"},
		{Component: c, Name: "inbox", Inbox: true, Type: "int", Len: 3, Cap: axon.Unbounded},
		{Component: c, Name: "control", Inbox: true, Type: "interface {}", Len: 0, Cap: axon.DefaultCapacity},
		{Component: c, Name: "outbox", Type: "int", Dropped: 1},
		{Component: c, Name: "signal", Type: "interface {}"},
	}, snap.Boxes)
	assert.ElementsMatch(t, []axon.LinkInfo{
		{FromComponent: p, FromBox: "outbox", ToComponent: c, ToBox: "inbox", Kind: "normal"},
		{FromComponent: p, FromBox: "signal", ToComponent: c, ToBox: "control", Kind: "normal", Owner: c},
	}, snap.Links)
	assert.Empty(t, snap.Deadlocks)
}

func TestSnapshotDOTIsExact(t *testing.T) {
	sys := newTwoComponents(t)
	dot := sys.s.Snapshot().DOT()

	// Components in id order, each one's boxes in the order the component
	// lists them (Inboxes, then Outboxes), links in order of source.
	labels := map[string]string{
		"producer.inbox":   `label="inbox 0/5", shape=house`,
		"producer.control": `label="control 0/64", shape=house`,
		"producer.outbox":  `label="outbox", shape=invhouse`,
		"producer.signal":  `label="signal", shape=invhouse`,
		"consumer.inbox":   `label="inbox 3/inf", shape=house`,
		"consumer.control": `label="control 0/64", shape=house`,
		"consumer.outbox":  `label="outbox dropped 1", shape=invhouse`,
		"consumer.signal":  `label="signal", shape=invhouse`,
	}
	var want strings.Builder
	want.WriteString("digraph axon {\n\trankdir=LR;\n\tnode [shape=box, fontsize=10];\n")
	for _, c := range []*box[int]{sys.producer, sys.consumer} {
		fmt.Fprintf(&want, "\tsubgraph cluster_%d {\n\t\tlabel=\"%s (running)\";\n", c.ID(), c.Name())
		for _, b := range append(c.Inboxes(), c.Outboxes()...) {
			fmt.Fprintf(&want, "\t\t\"%d.%s\" [%s];\n", c.ID(), b.Name(), labels[b.String()])
		}
		want.WriteString("\t}\n")
	}
	p, c := sys.producer.ID(), sys.consumer.ID()
	fmt.Fprintf(&want, "\t\"%d.outbox\" -> \"%d.inbox\";\n", p, c)
	fmt.Fprintf(&want, "\t\"%d.signal\" -> \"%d.control\";\n", p, c)
	want.WriteString("}\n")
	assert.Equal(t, want.String(), dot)
}

func TestSnapshotDOTDrawsPassthroughsDashed(t *testing.T) {
	s := axontest.NewScheduler(t)
	parent, child := newBox[int]("parent"), newBox[int]("child")
	_, err := axon.Link(parent.in, child.in)
	require.NoError(t, err)
	_, err = axon.Link(child.out, parent.out)
	require.NoError(t, err)
	s.Activate(parent)
	dot := s.Snapshot().DOT()
	assert.Contains(t, dot, fmt.Sprintf("\t\"%d.inbox\" -> \"%d.inbox\" [style=dashed];\n", parent.ID(), child.ID()))
	assert.Contains(t, dot, fmt.Sprintf("\t\"%d.outbox\" -> \"%d.outbox\" [style=dashed];\n", child.ID(), parent.ID()))
}

// introspectorLines returns the lines IntrospectorDiff(nil, snap) should
// give for components with the four default boxes, and the given links.
func introspectorLines(comps []*box[int], links [][2]string) []string {
	var nodes, edges []string
	for _, c := range comps {
		id := fmt.Sprint(c.ID())
		nodes = append(nodes, fmt.Sprintf("ADD NODE %q %q randompos component", id, c.Name()))
		for _, b := range []string{"inbox", "control"} {
			nodes = append(nodes, fmt.Sprintf("ADD NODE %q %q randompos inbox", id+"."+b, b))
			edges = append(edges, fmt.Sprintf("ADD LINK %q %q", id, id+"."+b))
		}
		for _, b := range []string{"outbox", "signal"} {
			nodes = append(nodes, fmt.Sprintf("ADD NODE %q %q randompos outbox", id+"."+b, b))
			edges = append(edges, fmt.Sprintf("ADD LINK %q %q", id, id+"."+b))
		}
	}
	for _, l := range links {
		edges = append(edges, fmt.Sprintf("ADD LINK %q %q", l[0], l[1]))
	}
	slices.Sort(nodes)
	slices.Sort(edges)
	return append(append([]string{"DEL ALL"}, nodes...), edges...)
}

func TestIntrospectorDiffFromNothingAddsEverything(t *testing.T) {
	sys := newTwoComponents(t)
	p, c := sys.producer.ID(), sys.consumer.ID()
	want := introspectorLines([]*box[int]{sys.producer, sys.consumer}, [][2]string{
		{fmt.Sprint(p, ".outbox"), fmt.Sprint(c, ".inbox")},
		{fmt.Sprint(p, ".signal"), fmt.Sprint(c, ".control")},
	})
	assert.Equal(t, want, axon.IntrospectorDiff(nil, sys.s.Snapshot()))
}

func TestIntrospectorDiffAfterUnlinkDeletesTheLink(t *testing.T) {
	sys := newTwoComponents(t)
	before := sys.s.Snapshot()
	assert.Empty(t, axon.IntrospectorDiff(before, sys.s.Snapshot()), "no change, no lines")
	require.NoError(t, axon.Unlink(sys.data))
	after := sys.s.Snapshot()
	assert.Equal(t, []string{
		fmt.Sprintf("DEL LINK \"%d.outbox\" \"%d.inbox\"", sys.producer.ID(), sys.consumer.ID()),
	}, axon.IntrospectorDiff(before, after))
	// And back.
	assert.Equal(t, []string{
		fmt.Sprintf("ADD LINK \"%d.outbox\" \"%d.inbox\"", sys.producer.ID(), sys.consumer.ID()),
	}, axon.IntrospectorDiff(after, before))
}

func TestIntrospectorDiffAfterAComponentEndsDeletesItsNodes(t *testing.T) {
	sys := newTwoComponents(t)
	ctx := axontest.Context(t)
	require.NoError(t, axon.Unlink(sys.data))
	before := sys.s.Snapshot()
	// Shut the consumer down through the link it made; that link goes with it.
	require.NoError(t, sys.producer.Signal().Send(ctx, axon.Shutdown{}))
	<-sys.consumer.Done()
	after := sys.s.Snapshot()
	p, c := fmt.Sprint(sys.producer.ID()), fmt.Sprint(sys.consumer.ID())
	var links, nodes []string
	links = append(links, fmt.Sprintf("DEL LINK %q %q", p+".signal", c+".control"))
	nodes = append(nodes, fmt.Sprintf("DEL NODE %q", c))
	for _, b := range []string{"inbox", "control", "outbox", "signal"} {
		links = append(links, fmt.Sprintf("DEL LINK %q %q", c, c+"."+b))
		nodes = append(nodes, fmt.Sprintf("DEL NODE %q", c+"."+b))
	}
	slices.Sort(links)
	slices.Sort(nodes)
	assert.Equal(t, append(links, nodes...), axon.IntrospectorDiff(before, after))
}

func TestSnapshotIncludesComponentsLinkedToRunningOnes(t *testing.T) {
	s := axontest.NewScheduler(t)
	running, idle := newBox[int]("running"), newBox[int]("idle")
	_, err := axon.Link(running.out, idle.in)
	require.NoError(t, err)
	s.Activate(running)
	snap := s.Snapshot()
	assert.ElementsMatch(t, []axon.ComponentInfo{
		{ID: running.ID(), Name: "running", State: "running"},
		{ID: idle.ID(), Name: "idle", State: "initialised"},
	}, snap.Components)
}

func TestSnapshotShowsChildrenWithTheirParent(t *testing.T) {
	s := axontest.NewScheduler(t)
	kid := newFunc()
	kid.SetName("kid")
	p := newFunc()
	p.SetName("parent")
	ready := make(chan struct{})
	p.main = func(ctx context.Context) error {
		p.AddChildren(kid)
		p.ActivateChildren()
		close(ready)
		<-ctx.Done()
		return nil
	}
	s.Activate(p)
	<-ready
	snap := s.Snapshot()
	assert.ElementsMatch(t, []axon.ComponentInfo{
		{ID: p.ID(), Name: "parent", State: "running"},
		{ID: kid.ID(), Name: "kid", State: "running", Parent: p.ID()},
	}, snap.Components)
}

// pusher sends 0, 1, 2, ... on its outbox for ever.
func newPusher(name string) (*funcComp, *axon.Inbox[int], *axon.Outbox[int]) {
	c := newFunc()
	c.SetName(name)
	in := axon.NewInbox[int](c, "inbox")
	out := axon.NewOutbox[int](c, "outbox")
	c.main = func(ctx context.Context) error {
		for i := 0; ; i++ {
			if err := out.Send(ctx, i); err != nil {
				return err
			}
		}
	}
	return c, in, out
}

func TestSnapshotReportsACycleOfFullBoxesAsDeadlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		a, aIn, aOut := newPusher("a")
		b, bIn, bOut := newPusher("b")
		aIn.SetCapacity(1)
		bIn.SetCapacity(1)
		_, err := axon.Link(aOut, bIn)
		require.NoError(t, err)
		_, err = axon.Link(bOut, aIn)
		require.NoError(t, err)
		s.Activate(a, b)
		synctest.Wait() // both are durably blocked sending into a full box

		snap := s.Snapshot()
		assert.Equal(t, [][]uint64{{a.ID(), b.ID()}}, snap.Deadlocks)
		blocked := map[uint64]string{}
		for _, ci := range snap.Components {
			blocked[ci.ID] = ci.BlockedOn
		}
		assert.Equal(t, map[uint64]string{a.ID(): "b.inbox", b.ID(): "a.inbox"}, blocked)

		data, err := json.Marshal(snap)
		require.NoError(t, err)
		assert.Contains(t, string(data), `"deadlocks":[[`)
		assert.Contains(t, string(data), `"blockedOn":"b.inbox"`)
	})
}

func TestSnapshotDoesNotReportASenderWaitingOnALiveConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		a, _, aOut := newPusher("a")
		sink := newBox[int]("sink") // waits for Shutdown, takes nothing
		sink.in.SetCapacity(1)
		_, err := axon.Link(aOut, sink.in)
		require.NoError(t, err)
		s.Activate(a, sink)
		synctest.Wait()
		snap := s.Snapshot()
		assert.Empty(t, snap.Deadlocks)
		for _, ci := range snap.Components {
			if ci.ID == a.ID() {
				assert.Equal(t, "sink.inbox", ci.BlockedOn)
			} else {
				assert.Empty(t, ci.BlockedOn)
			}
		}
	})
}

func TestSnapshotJSONRoundTrips(t *testing.T) {
	sys := newTwoComponents(t)
	snap := sys.s.Snapshot()
	data, err := json.Marshal(snap)
	require.NoError(t, err)
	for _, key := range []string{`"components":`, `"boxes":`, `"links":`, `"fromComponent":`, `"toBox":`, `"owner":`, `"dropped":1`} {
		assert.Contains(t, string(data), key)
	}
	var back axon.Snapshot
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, snap, &back)
}

func TestSnapshotOfAnEmptySchedulerIsEmpty(t *testing.T) {
	snap := axon.NewScheduler().Snapshot()
	assert.Empty(t, snap.Components)
	assert.Empty(t, snap.Boxes)
	assert.Empty(t, snap.Links)
	assert.Empty(t, snap.Deadlocks)
	assert.Equal(t, "digraph axon {\n\trankdir=LR;\n\tnode [shape=box, fontsize=10];\n}\n", snap.DOT())
	assert.Equal(t, []string{"DEL ALL"}, axon.IntrospectorDiff(nil, snap))
}

// A name with a tab, a control character, a quote, a backslash and a line
// break crosses the protocol as Kamaelia's lines_to_tokenlists reads it:
// the exact bytes.
func TestIntrospectorDiffQuotesAsKamaeliaReads(t *testing.T) {
	snap := &axon.Snapshot{Components: []axon.ComponentInfo{{ID: 7, Name: "a\tb\x01\"c\\d\ne"}}}
	lines := axon.IntrospectorDiff(nil, snap)
	require.Len(t, lines, 2)
	assert.Equal(t, []byte("ADD NODE \"7\" \"a\tb\x01\\\"c\\\\d\u240Ae\" randompos component"), []byte(lines[1]))
}
