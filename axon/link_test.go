package axon_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counter sends 0..n-1 on its outbox, then ends cleanly.
func newCounter(n int) (*funcComp, *axon.Outbox[int]) {
	c := &funcComp{}
	out := axon.NewOutbox[int](c, "outbox")
	c.main = func(ctx context.Context) error {
		for i := range n {
			if err := out.Send(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	return c, out
}

func TestLinkDeliversInOrder10000Messages(t *testing.T) {
	const n = 10000
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	prod, out := newCounter(n)
	r := newRelay[int]()
	_, err := axon.Link(out, r.In)
	require.NoError(t, err)
	_, err = axon.Link(prod.Signal(), r.Control())
	require.NoError(t, err)
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	s.Activate(prod)
	for i := range n {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
	_, err = h.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	require.NoError(t, s.Wait(ctx))
}

type tagged struct{ src, i int }

func TestLinkFanInKeepsEachProducersOrder(t *testing.T) {
	const n = 5000
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	r := newRelay[tagged]()
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	var prods []axon.Component
	for src := range 2 {
		p := &funcComp{}
		out := axon.NewOutbox[tagged](p, "outbox")
		p.main = func(ctx context.Context) error {
			for i := range n {
				if err := out.Send(ctx, tagged{src, i}); err != nil {
					return err
				}
			}
			return nil
		}
		_, err := axon.Link(out, r.In)
		require.NoError(t, err)
		prods = append(prods, p)
	}
	s.Activate(prods...)
	next := [2]int{}
	for range 2 * n {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		m := v.(tagged)
		require.Equal(t, next[m.src], m.i, "producer %d out of order", m.src)
		next[m.src]++
	}
	assert.Equal(t, [2]int{n, n}, next)
}

func TestLinkFanInInterleavesInSendOrder(t *testing.T) {
	const n = 500
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	a, b := newBox[string]("a"), newBox[string]("b")
	r := newRelay[string]()
	r.In.SetCapacity(axon.Unbounded)
	_, err := axon.Link(a.out, r.In)
	require.NoError(t, err)
	_, err = axon.Link(b.out, r.In)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	var want []any
	for i := range n {
		require.NoError(t, a.out.Send(ctx, fmt.Sprint("a", i)))
		require.NoError(t, b.out.Send(ctx, fmt.Sprint("b", i)))
		want = append(want, fmt.Sprint("a", i), fmt.Sprint("b", i))
	}
	assert.Equal(t, want, getN(t, ctx, h, "outbox", 2*n))
}

func TestLinkFanOutFailsWithErrAlreadyLinked(t *testing.T) {
	a := newBox[int]("a")
	b, c := newBox[int]("b"), newBox[int]("c")
	first, err := axon.Link(a.out, b.in)
	require.NoError(t, err)
	_, err = axon.Link(a.out, c.in)
	require.ErrorIs(t, err, axon.ErrAlreadyLinked)
	assert.Contains(t, err.Error(), "a.outbox")

	// The first link is untouched.
	require.NoError(t, a.out.TrySend(1))
	assert.Equal(t, 1, b.in.Len())
	assert.Equal(t, 0, c.in.Len())

	// After Unlink the outbox may be linked elsewhere.
	require.NoError(t, axon.Unlink(first))
	_, err = axon.Link(a.out, c.in)
	require.NoError(t, err)
}

func TestLinkKeepsMessageIdentity(t *testing.T) {
	type payload struct{ data []byte }
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	src := newBox[*payload]("src")
	r := newRelay[*payload]()
	_, err := axon.Link(src.out, r.In)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	p := &payload{data: []byte("frame")}
	require.NoError(t, src.out.Send(ctx, p))
	got, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Same(t, p, got.(*payload))
}

func TestLinkKindFollowsTheBoxes(t *testing.T) {
	parent, child, peer := newBox[int]("parent"), newBox[int]("child"), newBox[int]("peer")
	l, err := axon.Link(parent.in, child.in)
	require.NoError(t, err)
	assert.Equal(t, axon.PassthroughIn, l.Kind())
	assert.Equal(t, "passthrough-in", l.Kind().String())
	l, err = axon.Link(child.out, parent.out)
	require.NoError(t, err)
	assert.Equal(t, axon.PassthroughOut, l.Kind())
	assert.Equal(t, "passthrough-out", l.Kind().String())
	l, err = axon.Link(parent.out, peer.in)
	require.NoError(t, err)
	assert.Equal(t, axon.Normal, l.Kind())
	assert.Equal(t, "normal", l.Kind().String())
	assert.Equal(t, "parent.outbox -> peer.inbox", l.String())
	assert.Same(t, parent.out, l.From().(*axon.Outbox[int]))
	assert.Same(t, peer.in, l.To().(*axon.Inbox[int]))
	assert.Nil(t, l.Owner())
}

func TestLinkPassthroughInDeliversToChildInbox(t *testing.T) {
	src, parent, child := newBox[int]("src"), newBox[int]("parent"), newBox[int]("child")
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	_, err = axon.Link(parent.in, child.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(7))
	assert.Equal(t, 0, parent.in.Len())
	v, ok := child.in.TryRecv()
	require.True(t, ok)
	assert.Equal(t, 7, v)
}

func TestLinkPassthroughOutDeliversFromChildOutbox(t *testing.T) {
	child, parent, peer := newBox[int]("child"), newBox[int]("parent"), newBox[int]("peer")
	_, err := axon.Link(child.out, parent.out)
	require.NoError(t, err)
	_, err = axon.Link(parent.out, peer.in)
	require.NoError(t, err)
	require.NoError(t, child.out.TrySend(7))
	v, ok := peer.in.TryRecv()
	require.True(t, ok)
	assert.Equal(t, 7, v)
}

func TestForwardedInboxHoldsNothing(t *testing.T) {
	src, parent, child := newBox[int]("src"), newBox[int]("parent"), newBox[int]("child")
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	_, err = axon.Link(parent.in, child.in)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, src.out.TrySend(i))
	}
	// Receiving on a forwarded inbox never takes the child's messages.
	assert.False(t, parent.in.DataReady())
	_, ok := parent.in.TryRecv()
	assert.False(t, ok)
	assert.Equal(t, 3, child.in.Len())
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := make([]int, 0, n)
			q = append(q, p[:i]...)
			q = append(q, n-1)
			q = append(q, p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func TestLinkPassthroughChainInAnyOrder(t *testing.T) {
	// producer.outbox -> grandparent.inbox -> parent.inbox -> child.inbox;
	// child.outbox -> parent.outbox -> grandparent.outbox -> consumer.inbox:
	// a composite of composites, three levels deep, whose six links are made
	// in every one of the 720 orders.
	perms := permutations(6)
	require.Len(t, perms, 720)
	for _, perm := range perms {
		ctx := axontest.Context(t)
		s := axon.NewScheduler()
		prod := newBox[int]("producer")
		gp, p := newBox[int]("grandparent"), newBox[int]("parent")
		child := newDoubler()
		consumer := newRelay[int]()
		links := []struct {
			from, to axon.Box
			kind     axon.LinkKind
		}{
			{prod.out, gp.in, axon.Normal},
			{gp.in, p.in, axon.PassthroughIn},
			{p.in, child.in, axon.PassthroughIn},
			{child.out, p.out, axon.PassthroughOut},
			{p.out, gp.out, axon.PassthroughOut},
			{gp.out, consumer.In, axon.Normal},
		}
		for _, i := range perm {
			l, err := axon.Link(links[i].from, links[i].to)
			require.NoError(t, err, "order %v", perm)
			require.Equal(t, links[i].kind, l.Kind(), "order %v: %s", perm, l)
		}
		h, err := axon.NewHandle(s, consumer)
		require.NoError(t, err)
		s.Activate(child)
		for i := 1; i <= 3; i++ {
			require.NoError(t, prod.out.Send(ctx, i))
		}
		require.Equal(t, []any{2, 4, 6}, getN(t, ctx, h, "outbox", 3), "order %v", perm)
		require.Zero(t, gp.in.Len()+p.in.Len(), "order %v: a middle inbox held a message", perm)
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(ctx))
	}
}

func TestLinkPassthroughChainMovesMessagesSentWhileIncomplete(t *testing.T) {
	// Messages sent before the chain is complete wait in the last inbox
	// reached so far, and move on, in order, as each hop is linked.
	for _, perm := range permutations(3) {
		prod := newBox[int]("producer")
		gp, p, child := newBox[int]("grandparent"), newBox[int]("parent"), newBox[int]("child")
		links := [][2]axon.Box{{prod.out, gp.in}, {gp.in, p.in}, {p.in, child.in}}
		next := 0
		for _, i := range perm {
			require.NoError(t, prod.out.TrySend(next))
			next++
			_, err := axon.Link(links[i][0], links[i][1])
			require.NoError(t, err)
		}
		require.NoError(t, prod.out.TrySend(next))
		next++
		var got []int
		for {
			v, ok := child.in.TryRecv()
			if !ok {
				break
			}
			got = append(got, v)
		}
		// What was sent while the producer's outbox led nowhere was dropped.
		dropped := int(prod.out.Dropped())
		want := make([]int, 0, next)
		for i := dropped; i < next; i++ {
			want = append(want, i)
		}
		assert.Equal(t, want, got, "order %v", perm)
		assert.Equal(t, slices.Index(perm, 0)+1, dropped, "order %v", perm)
	}
}

// nest is a composite: in its Main it adopts its child and forwards its own
// inbox, outbox and control to the child's, then waits for the child.
type nest struct {
	axon.Core
	in                          *axon.Inbox[int]
	out                         *axon.Outbox[int]
	child                       axon.Component
	childIn, childOut, childCtl axon.Box
}

func newNest(child axon.Component, childIn, childOut, childCtl axon.Box) *nest {
	n := &nest{child: child, childIn: childIn, childOut: childOut, childCtl: childCtl}
	n.in = axon.NewInbox[int](n, "inbox")
	n.out = axon.NewOutbox[int](n, "outbox")
	return n
}

func (n *nest) Main(ctx context.Context) error {
	n.AddChildren(n.child)
	for _, l := range [][2]axon.Box{{n.in, n.childIn}, {n.childOut, n.out}, {n.Control(), n.childCtl}} {
		if _, err := n.Link(l[0], l[1]); err != nil {
			return err
		}
	}
	n.ActivateChildren()
	return n.WaitChildren(ctx)
}

func TestLinkCompositeOfCompositesLinkedInMain(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	inner := newNest(d, d.in, d.out, d.Control())
	outer := newNest(inner, inner.in, inner.out, inner.Control())
	h, err := axon.NewHandle(s, outer)
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, []any{2, 4, 6, 8, 10}, getN(t, ctx, h, "outbox", 5))
	_, err = h.Get(ctx, "outbox")
	require.ErrorIs(t, err, axon.ErrFinished)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	require.NoError(t, h.Wait(ctx))
	for _, c := range []*axon.Core{&d.Core, &inner.Core, &outer.Core} {
		assert.Equal(t, axon.Finished, c.State(), c.Name())
		assert.Empty(t, c.Links(), c.Name())
	}
	assert.Equal(t, []axon.Component{inner}, outer.Children())
}

func TestLinkIdenticalTypesSucceeds(t *testing.T) {
	a, b := newBox[[]string]("a"), newBox[[]string]("b")
	_, err := axon.Link(a.out, b.in)
	require.NoError(t, err)
	_, err = axon.LinkByName(b, "outbox", a, "inbox")
	require.NoError(t, err)
}

type codedError struct{ code int }

func (e *codedError) Error() string { return fmt.Sprint("code ", e.code) }

func TestLinkInterfaceInboxTakesImplementingOutbox(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)

	src := newBox[*codedError]("src")
	r := newRelay[error]()
	_, err := axon.Link(src.out, r.In)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	e := &codedError{42}
	require.NoError(t, src.out.Send(ctx, e))
	got, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	require.IsType(t, &codedError{}, got)
	assert.Same(t, e, got.(*codedError))

	durations := newBox[time.Duration]("durations")
	sr := newRelay[fmt.Stringer]()
	_, err = axon.LinkByName(durations, "outbox", sr, "inbox")
	require.NoError(t, err)
	hs, err := axon.NewHandle(s, sr)
	require.NoError(t, err)
	require.NoError(t, durations.out.Send(ctx, 3*time.Second))
	got, err = hs.Get(ctx, "outbox")
	require.NoError(t, err)
	require.IsType(t, time.Duration(0), got)
	assert.Equal(t, 3*time.Second, got)
}

func TestLinkForwardingIntoInterfaceInboxMovesWaitingMessages(t *testing.T) {
	// Messages waiting in a concrete inbox move into an interface inbox
	// with their concrete type.
	parent := newBox[*codedError]("parent")
	child := newBox[error]("child")
	src := newBox[*codedError]("src")
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	e1, e2 := &codedError{1}, &codedError{2}
	require.NoError(t, src.out.TrySend(e1))
	_, err = axon.Link(parent.in, child.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(e2))
	for _, want := range []*codedError{e1, e2} {
		v, ok := child.in.TryRecv()
		require.True(t, ok)
		assert.Same(t, want, v.(*codedError))
	}
}

func TestLinkTypeMismatchNamesBoxesAndTypes(t *testing.T) {
	cases := []struct {
		name     string
		from, to axon.Box
		types    []string
	}{
		{"different types", newBox[int]("ints").out, newBox[string]("strings").in, []string{"int", "string"}},
		{"not implemented", newBox[int]("ints").out, newBox[fmt.Stringer]("stringers").in, []string{"int", "fmt.Stringer"}},
		{"interface to concrete", newBox[fmt.Stringer]("stringers").out, newBox[time.Duration]("durations").in, []string{"fmt.Stringer", "time.Duration"}},
		{"passthrough in", newBox[int]("ints").in, newBox[string]("strings").in, []string{"int", "string"}},
		{"passthrough out", newBox[int]("ints").out, newBox[string]("strings").out, []string{"int", "string"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := axon.Link(tc.from, tc.to)
			require.ErrorIs(t, err, axon.ErrTypeMismatch)
			msg := err.Error()
			assert.Contains(t, msg, tc.from.String())
			assert.Contains(t, msg, tc.to.String())
			for _, typ := range tc.types {
				assert.Contains(t, msg, typ)
			}
			// Nothing was linked.
			_, err = axon.Link(tc.from, newBox[any]("any").in)
			require.NoError(t, err, "a failed link left the source linked")
		})
	}
}

func TestLinkByNameChecksTypes(t *testing.T) {
	a, b := newBox[int]("a"), newBox[string]("b")
	_, err := axon.LinkByName(a, "outbox", b, "inbox")
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	assert.Contains(t, err.Error(), "a.outbox")
	assert.Contains(t, err.Error(), "b.inbox")
}

func TestLinkByNameUnknownBoxListsExistingBoxes(t *testing.T) {
	a, b := newBox[int]("a"), newBox[int]("b")
	axon.NewInbox[int](b, "extra")
	_, err := axon.LinkByName(a, "nosuch", b, "inbox")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	for _, s := range []string{"a", `"nosuch"`, "control", "inbox", "signal", "outbox"} {
		assert.Contains(t, err.Error(), s)
	}
	_, err = axon.LinkByName(a, "outbox", b, "missing")
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	for _, s := range []string{"b", `"missing"`, "control", "inbox", "extra", "signal", "outbox"} {
		assert.Contains(t, err.Error(), s)
	}
}

func TestLinkInboxToOutboxFails(t *testing.T) {
	a, b := newBox[int]("a"), newBox[int]("b")
	_, err := axon.Link(a.in, b.out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a.inbox")
	assert.Contains(t, err.Error(), "b.outbox")
	// Nothing was linked: the inbox may still be forwarded.
	_, err = axon.Link(a.in, b.in)
	require.NoError(t, err)
}

func TestLinkPassthroughCycleFailsWithErrLinkCycle(t *testing.T) {
	a, b, c := newBox[int]("a"), newBox[int]("b"), newBox[int]("c")
	_, err := axon.Link(a.in, a.in)
	require.ErrorIs(t, err, axon.ErrLinkCycle)
	_, err = axon.Link(a.in, b.in)
	require.NoError(t, err)
	_, err = axon.Link(b.in, c.in)
	require.NoError(t, err)
	_, err = axon.Link(c.in, a.in)
	require.ErrorIs(t, err, axon.ErrLinkCycle)
	_, err = axon.Link(a.out, b.out)
	require.NoError(t, err)
	_, err = axon.Link(b.out, a.out)
	require.ErrorIs(t, err, axon.ErrLinkCycle)

	// The chain still works.
	src := newBox[int]("src")
	_, err = axon.Link(src.out, a.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(1))
	assert.Equal(t, 1, c.in.Len())
}

func TestLinkForwardingAnInboxMovesWaitingMessagesInOrder(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	src, parent := newBox[int]("src"), newBox[int]("parent")
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		require.NoError(t, src.out.Send(ctx, i))
	}
	require.Equal(t, 3, parent.in.Len())
	r := newRelay[int]()
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	_, err = axon.Link(parent.in, r.In)
	require.NoError(t, err)
	assert.Equal(t, 0, parent.in.Len())
	for i := 4; i <= 5; i++ {
		require.NoError(t, src.out.Send(ctx, i))
	}
	assert.Equal(t, []any{1, 2, 3, 4, 5}, getN(t, ctx, h, "outbox", 5))
}

func TestLinkForwardingAnInboxWhileSendsArriveKeepsOrder(t *testing.T) {
	const n = 2000
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	src, parent := newBox[int]("src"), newBox[int]("parent")
	parent.in.SetCapacity(axon.Unbounded)
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	r := newRelay[int]()
	h, err := axon.NewHandle(s, r)
	require.NoError(t, err)
	sent := make(chan error, 1)
	half := make(chan struct{})
	go func() {
		for i := range n {
			if i == n/2 {
				close(half)
			}
			if err := src.out.Send(ctx, i); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	<-half // the link is made while the sender is running
	_, err = axon.Link(parent.in, r.In)
	require.NoError(t, err)
	for i := range n {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
	require.NoError(t, <-sent)
}

func TestUnlinkKeepsDeliveredMessages(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	l, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(1))
	require.NoError(t, src.out.TrySend(2))
	require.NoError(t, axon.Unlink(l))
	assert.False(t, src.out.Linked())
	require.NoError(t, src.out.TrySend(3))
	assert.Equal(t, 2, dst.in.Len())
	assert.Equal(t, []int{1, 2}, dst.in.TryRecvBatch(nil, 10))
}

func TestRelinkMovesMessagesHeldWhileUnlinked(t *testing.T) {
	src, parent := newBox[int]("src"), newBox[int]("parent")
	first, second := newBox[int]("first"), newBox[int]("second")
	_, err := axon.Link(src.out, parent.in)
	require.NoError(t, err)
	l, err := axon.Link(parent.in, first.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(1))
	require.NoError(t, axon.Unlink(l))
	// The unforwarded inbox holds what arrives now.
	require.NoError(t, src.out.TrySend(2))
	require.NoError(t, src.out.TrySend(3))
	assert.Equal(t, 2, parent.in.Len())
	_, err = axon.Link(parent.in, second.in)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(4))
	assert.Equal(t, []int{1}, first.in.TryRecvBatch(nil, 10), "delivered messages stay")
	assert.Equal(t, []int{2, 3, 4}, second.in.TryRecvBatch(nil, 10), "held messages move, in order")
	assert.Zero(t, src.out.Dropped(), "nothing is lost by relinking")
}

func TestUnlinkTwiceFailsWithErrNotLinked(t *testing.T) {
	a, b := newBox[int]("a"), newBox[int]("b")
	l, err := axon.Link(a.out, b.in)
	require.NoError(t, err)
	require.NoError(t, axon.Unlink(l))
	err = axon.Unlink(l)
	require.ErrorIs(t, err, axon.ErrNotLinked)
	assert.Contains(t, err.Error(), "a.outbox -> b.inbox")
}

func TestUnlinkedOutboxDropsAndCountsSends(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	src, dst := newBox[int]("src"), newBox[int]("dst")
	l, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	require.NoError(t, src.out.Send(ctx, 1))
	require.NoError(t, axon.Unlink(l))
	require.NoError(t, src.out.Send(ctx, 2))
	require.NoError(t, src.out.TrySend(3))
	require.NoError(t, src.out.SendBatch(ctx, []int{4, 5}))
	assert.Equal(t, uint64(4), src.out.Dropped())
	assert.Equal(t, 1, dst.in.Len())

	s.Activate(src)
	var found bool
	for _, b := range s.Snapshot().Boxes {
		if b.Component == src.ID() && b.Name == "outbox" {
			found = true
			assert.Equal(t, uint64(4), b.Dropped)
		}
	}
	assert.True(t, found, "snapshot lacks src.outbox")
}

func TestUnlinkBoxRemovesEveryLinkOfTheBox(t *testing.T) {
	a, b, mid, c := newBox[int]("a"), newBox[int]("b"), newBox[int]("mid"), newBox[int]("c")
	midIn := axon.NewInbox[int](mid, "mid") // not a default box: it can be removed
	_, err := axon.Link(a.out, midIn)
	require.NoError(t, err)
	_, err = axon.Link(b.out, midIn)
	require.NoError(t, err)
	l, err := axon.Link(midIn, c.in)
	require.NoError(t, err)
	axon.UnlinkBox(midIn)
	require.ErrorIs(t, axon.Unlink(l), axon.ErrNotLinked)
	assert.False(t, a.out.Linked())
	assert.False(t, b.out.Linked())
	require.NoError(t, mid.RemoveBox(midIn))
}

func TestMustLinkPanicsOnError(t *testing.T) {
	a, b := newBox[int]("a"), newBox[string]("b")
	assert.Panics(t, func() { axon.MustLink(a.out, b.in) })
	var l *axon.Linkage
	assert.NotPanics(t, func() { l = axon.MustLink(a.out, newBox[int]("c").in) })
	require.NotNil(t, l)
}

func TestLinkErrorsAreSentinels(t *testing.T) {
	// Every link error can be told apart with errors.Is.
	sentinels := []error{axon.ErrAlreadyLinked, axon.ErrTypeMismatch, axon.ErrNoSuchBox,
		axon.ErrBoxLinked, axon.ErrLinkCycle, axon.ErrNotLinked}
	for i, a := range sentinels {
		for j, b := range sentinels {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
	}
}

func TestRelinkWhileASenderWaitsForRoomLosesNothing(t *testing.T) {
	// A sender waiting for room in the final inbox of a chain follows the
	// chain when it is relinked: its message goes to the new destination.
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		src, parent := newBox[int]("src"), newBox[int]("parent")
		first, second := newBox[int]("first"), newBox[int]("second")
		first.in.SetCapacity(1)
		_, err := axon.Link(src.out, parent.in)
		require.NoError(t, err)
		l, err := axon.Link(parent.in, first.in)
		require.NoError(t, err)
		require.NoError(t, src.out.Send(ctx, 1))
		sent := make(chan error, 1)
		go func() { sent <- src.out.Send(ctx, 2) }()
		synctest.Wait() // the sender waits for room in first.inbox
		require.NoError(t, axon.Unlink(l))
		_, err = axon.Link(parent.in, second.in)
		require.NoError(t, err)
		require.NoError(t, <-sent, "the waiting send did not follow the relinked chain")
		require.NoError(t, src.out.Send(ctx, 3))
		assert.Equal(t, []int{1}, first.in.TryRecvBatch(nil, 10))
		assert.Equal(t, []int{2, 3}, second.in.TryRecvBatch(nil, 10))
		assert.Zero(t, src.out.Dropped())
	})
}
