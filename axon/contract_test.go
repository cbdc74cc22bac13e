package axon_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seqMsg is a message that says who sent it and its place in that sender's
// sequence.
type seqMsg struct{ from, seq int }

func TestRelinkLosesNoBlockedSend(t *testing.T) {
	// Three senders each wait for room in one full inbox, through their own
	// outboxes passed out of a composite's outbox. The composite's link to
	// the consumer is cut and made again before the consumer takes anything:
	// every message still arrives, once, in each sender's order.
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		const senders, each = 3, 5
		composite, consumer := newBox[seqMsg]("composite"), newBox[seqMsg]("consumer")
		consumer.in.SetCapacity(2)
		middle, err := axon.Link(composite.out, consumer.in)
		require.NoError(t, err)
		results := make(chan error, senders)
		for i := range senders {
			src := newBox[seqMsg](fmt.Sprintf("src%d", i))
			_, err := axon.Link(src.out, composite.out)
			require.NoError(t, err)
			go func() {
				for j := range each {
					if err := src.out.Send(ctx, seqMsg{i, j}); err != nil {
						results <- err
						return
					}
				}
				results <- nil
			}()
			t.Cleanup(func() { assert.Zero(t, src.out.Dropped(), "%s dropped", src.out) })
		}
		synctest.Wait() // two messages in the box, every sender waiting for room
		require.Equal(t, 2, consumer.in.Len())

		require.NoError(t, axon.Unlink(middle))
		synctest.Wait() // the senders wait for a route now
		select {
		case err := <-results:
			t.Fatalf("a sender returned (%v) while its route was cut", err)
		default:
		}
		_, err = axon.Link(composite.out, consumer.in)
		require.NoError(t, err)

		next := make([]int, senders)
		for range senders * each {
			v, err := consumer.in.Recv(ctx)
			require.NoError(t, err)
			require.Equal(t, next[v.from], v.seq, "sender %d out of order", v.from)
			next[v.from]++
		}
		for range senders {
			require.NoError(t, <-results)
		}
		assert.Zero(t, consumer.in.Len(), "a message arrived twice")
		assert.Equal(t, []int{each, each, each}, next)
	})
}

func TestRelinkLosesNoBlockedSendBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		src, composite, consumer := newBox[int]("src"), newBox[int]("composite"), newBox[int]("consumer")
		consumer.in.SetCapacity(2)
		_, err := axon.Link(src.out, composite.out)
		require.NoError(t, err)
		middle, err := axon.Link(composite.out, consumer.in)
		require.NoError(t, err)
		sent := make(chan error, 1)
		go func() { sent <- src.out.SendBatch(ctx, []int{1, 2, 3, 4, 5}) }()
		synctest.Wait()
		require.NoError(t, axon.Unlink(middle))
		synctest.Wait()
		select {
		case err := <-sent:
			t.Fatalf("SendBatch returned (%v) while its route was cut", err)
		default:
		}
		_, err = axon.Link(composite.out, consumer.in)
		require.NoError(t, err)
		var got []int
		for len(got) < 5 {
			v, err := consumer.in.Recv(ctx)
			require.NoError(t, err)
			got = append(got, v)
		}
		require.NoError(t, <-sent)
		assert.Equal(t, []int{1, 2, 3, 4, 5}, got)
		assert.Zero(t, src.out.Dropped())
	})
}

func TestSendWaitingForARouteReturnsWhenCtxEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, consumer := newBox[int]("src"), newBox[int]("consumer")
		consumer.in.SetCapacity(1)
		l, err := axon.Link(src.out, consumer.in)
		require.NoError(t, err)
		require.NoError(t, src.out.TrySend(1))
		ctx, cancel := context.WithCancel(axontest.Context(t))
		sent := make(chan error, 1)
		go func() { sent <- src.out.Send(ctx, 2) }()
		synctest.Wait()
		require.NoError(t, axon.Unlink(l))
		synctest.Wait()
		select {
		case err := <-sent:
			t.Fatalf("the send returned (%v) when its route was cut", err)
		default:
		}
		cancel()
		require.ErrorIs(t, <-sent, context.Canceled)
		assert.Zero(t, src.out.Dropped(), "a send that returned an error is not a drop")
		assert.Equal(t, 1, consumer.in.Len())
	})
}

func TestSendToAnOutboxUnlinkedWhenCalledDropsAndCounts(t *testing.T) {
	// The rule kept from Axon: an outbox that leads nowhere when a send
	// starts drops the message and counts it, without waiting.
	ctx := axontest.Context(t)
	src := newBox[int]("src")
	require.NoError(t, src.out.Send(ctx, 1))
	require.NoError(t, src.out.SendBatch(ctx, []int{2, 3}))
	assert.Equal(t, uint64(3), src.out.Dropped())
}

func TestSendWaitingForARouteFailsWhenItsOutboxIsRemoved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		src, consumer := newBox[int]("src"), newBox[int]("consumer")
		extra := axon.NewOutbox[int](src, "extra")
		consumer.in.SetCapacity(1)
		l, err := axon.Link(extra, consumer.in)
		require.NoError(t, err)
		require.NoError(t, extra.TrySend(1))
		sent := make(chan error, 1)
		go func() { sent <- extra.Send(ctx, 2) }()
		synctest.Wait()
		require.NoError(t, axon.Unlink(l))
		synctest.Wait()
		require.NoError(t, src.RemoveBox(extra))
		err = <-sent
		require.ErrorIs(t, err, axon.ErrNoSuchBox)
		assert.Contains(t, err.Error(), "src.extra")
		assert.Zero(t, extra.Dropped())
	})
}

// axonStyleProducer is a producer ported literally from Axon: it sends with
// a non-blocking send and, when the box is full, pauses until woken, then
// tries again (Axon's "if noSpaceInBox: self.pause(); yield 1").
type axonStyleProducer struct {
	axon.Core
	out     *axon.Outbox[int]
	n       int
	waitFor bool // pause with WaitFor(out) rather than Wait
	pauses  int
}

func newAxonStyleProducer(n int, waitFor bool) *axonStyleProducer {
	p := &axonStyleProducer{n: n, waitFor: waitFor}
	p.out = axon.NewOutbox[int](p, "outbox")
	return p
}

func (p *axonStyleProducer) Main(ctx context.Context) error {
	for i := 0; i < p.n; {
		err := p.out.TrySend(i)
		if errors.Is(err, axon.ErrBoxFull) {
			p.pauses++
			if p.waitFor {
				err = p.WaitFor(ctx, p.out)
			} else {
				err = p.Wait(ctx)
			}
			if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		i++
	}
	return nil
}

func TestAxonStylePauseWhenFullIsWokenByRoom(t *testing.T) {
	for _, waitFor := range []bool{false, true} {
		t.Run(map[bool]string{false: "Wait", true: "WaitFor"}[waitFor], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := axontest.Context(t)
				s := axontest.NewScheduler(t)
				const n = 50
				p := newAxonStyleProducer(n, waitFor)
				consumer := newBox[int]("consumer")
				consumer.in.SetCapacity(3)
				_, err := axon.Link(p.out, consumer.in)
				require.NoError(t, err)
				s.Activate(p)
				for i := range n {
					// A slow consumer: it takes each message only once the
					// producer has filled the box and paused.
					synctest.Wait()
					v, err := consumer.in.Recv(ctx)
					require.NoError(t, err, "the paused producer was not woken by room")
					require.Equal(t, i, v)
				}
				<-p.Done()
				require.NoError(t, p.Err())
				assert.Greater(t, p.pauses, n/2, "the producer did not pause on a full box")
				assert.Zero(t, p.out.Dropped())
			})
		})
	}
}

func TestWaitForAnOutboxReturnsWhenItsDestinationHasRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		src, dst := newBox[int]("src"), newBox[int]("dst")
		dst.in.SetCapacity(1)
		_, err := axon.Link(src.out, dst.in)
		require.NoError(t, err)
		// Room now: WaitFor returns at once, without a failed send first.
		require.NoError(t, src.WaitFor(ctx, src.out))
		require.NoError(t, src.out.TrySend(1))
		waited := make(chan error, 1)
		go func() { waited <- src.WaitFor(ctx, src.out) }()
		synctest.Wait()
		select {
		case err := <-waited:
			t.Fatalf("WaitFor returned (%v) while the box was full", err)
		default:
		}
		_, ok := dst.in.TryRecv()
		require.True(t, ok)
		require.NoError(t, <-waited)
		require.NoError(t, src.out.TrySend(2))
	})
}

func TestRemoveBoxOfADefaultBoxFailsWithErrDefaultBox(t *testing.T) {
	for _, name := range []string{"inbox", "control", "outbox", "signal"} {
		t.Run(name, func(t *testing.T) {
			b := newBox[int]("b")
			box, ok := b.Inbox(name)
			if !ok {
				box, ok = b.Outbox(name)
			}
			require.True(t, ok)
			if in, ok := box.(*axon.Inbox[int]); ok {
				src := newBox[int]("src")
				_, err := axon.Link(src.out, in)
				require.NoError(t, err)
				require.NoError(t, src.out.TrySend(7))
				axon.UnlinkBox(in)
			}
			err := b.RemoveBox(box)
			require.ErrorIs(t, err, axon.ErrDefaultBox)
			assert.Contains(t, err.Error(), "b."+name)
			// The box is still there, the very same one, with what it held.
			again, ok := b.Inbox(name)
			if !ok {
				again, ok = b.Outbox(name)
			}
			require.True(t, ok)
			assert.Same(t, box, again)
			if in, ok := box.(*axon.Inbox[int]); ok {
				v, ok := in.TryRecv()
				require.True(t, ok, "the message queued in %s was lost", name)
				assert.Equal(t, 7, v)
			}
		})
	}
}

func TestRemoveBoxOfAnInboxHoldingMessagesFailsWithErrBoxNotEmpty(t *testing.T) {
	d := newBox[int]("d")
	extra := axon.NewInbox[int](d, "extra")
	src := newBox[int]("src")
	l, err := axon.Link(src.out, extra)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(1))
	require.NoError(t, src.out.TrySend(2))
	require.NoError(t, axon.Unlink(l))

	err = d.RemoveBox(extra)
	require.ErrorIs(t, err, axon.ErrBoxNotEmpty)
	assert.Contains(t, err.Error(), "d.extra")
	assert.Contains(t, err.Error(), "2 messages")
	_, ok := d.Inbox("extra")
	require.True(t, ok, "a refused removal removed the box")

	// Once taken, the box can go.
	assert.Equal(t, []int{1, 2}, extra.TryRecvBatch(nil, 10))
	require.NoError(t, d.RemoveBox(extra))
	_, ok = d.Inbox("extra")
	assert.False(t, ok)
}

func TestRemoveBoxOfAFinishedComponentsInboxKeepsItsLeftovers(t *testing.T) {
	s := axontest.NewScheduler(t)
	d := newBox[int]("d")
	extra := axon.NewInbox[int](d, "extra")
	src, feed := newBox[int]("src"), newBox[any]("feed")
	l, err := axon.Link(src.out, extra)
	require.NoError(t, err)
	require.NoError(t, src.out.TrySend(1))
	require.NoError(t, axon.Unlink(l))
	_, err = axon.Link(feed.out, d.Control())
	require.NoError(t, err)
	s.Activate(d)
	require.NoError(t, feed.out.TrySend(axon.Shutdown{}))
	<-d.Done()
	require.ErrorIs(t, d.RemoveBox(extra), axon.ErrBoxNotEmpty)
	left, err := axon.Leftovers(extra)
	require.NoError(t, err)
	assert.Equal(t, []any{1}, left)
	require.NoError(t, d.RemoveBox(extra))
}

func TestRemoveChildUndoesTheParentsLinksWithTheChild(t *testing.T) {
	parent, child := newBox[int]("parent"), newBox[int]("child")
	sibling, other := newBox[int]("sibling"), newBox[int]("other")
	require.NoError(t, parent.AddChildren(child, sibling))
	in, err := parent.Link(parent.in, child.in) // passthrough in
	require.NoError(t, err)
	out, err := parent.Link(child.out, parent.out) // passthrough out
	require.NoError(t, err)
	fromSibling, err := parent.Link(sibling.out, child.Control()) // sibling -> child
	require.NoError(t, err)
	toSibling, err := parent.Link(child.Signal(), sibling.Control()) // child -> sibling
	require.NoError(t, err)
	// Links that do not touch the child, or are not the parent's, stay.
	keep, err := parent.Link(parent.Signal(), other.Control())
	require.NoError(t, err)
	notParents, err := axon.Link(other.out, child.in)
	require.NoError(t, err)

	require.NoError(t, parent.RemoveChild(child))
	assert.Equal(t, []*axon.Linkage{keep}, parent.Links())
	for _, l := range []*axon.Linkage{in, out, fromSibling, toSibling} {
		require.ErrorIs(t, axon.Unlink(l), axon.ErrNotLinked, "%s is still linked", l)
	}
	assert.False(t, child.out.Linked())
	assert.False(t, sibling.out.Linked())
	assert.False(t, child.Signal().Linked())
	assert.True(t, parent.Signal().Linked())
	assert.True(t, other.out.Linked(), "a link the parent did not make was removed")
	require.NoError(t, axon.Unlink(notParents))
	assert.Equal(t, []axon.Component{sibling}, parent.Children())

	// The parent's inbox holds what it is sent again: it no longer
	// forwards to the removed child.
	feed := newBox[int]("feed")
	_, err = axon.Link(feed.out, parent.in)
	require.NoError(t, err)
	require.NoError(t, feed.out.TrySend(1))
	assert.Equal(t, 1, parent.in.Len())
	assert.Zero(t, child.in.Len())
}

func TestNilArgumentsAreErrorsNotPanics(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	a, b := newBox[int]("a"), newBox[int]("b")
	var nilIn *axon.Inbox[int]
	var nilOut *axon.Outbox[int]
	var nilComp *box[int]
	cases := []struct {
		name string
		arg  string // what the error must name
		call func() error
	}{
		{"Link nil from", "from", func() error { _, err := axon.Link(nil, b.in); return err }},
		{"Link nil to", "to", func() error { _, err := axon.Link(a.out, nil); return err }},
		{"Link typed nil from", "from", func() error { _, err := axon.Link(nilOut, b.in); return err }},
		{"Link typed nil to", "to", func() error { _, err := axon.Link(a.out, nilIn); return err }},
		{"Core.Link nil from", "from", func() error { _, err := a.Link(nil, b.in); return err }},
		{"Core.Link typed nil to", "to", func() error { _, err := a.Link(a.out, nilIn); return err }},
		{"Unlink nil", "link", func() error { return axon.Unlink(nil) }},
		{"UnlinkBox nil", "box", func() error { return axon.UnlinkBox(nil) }},
		{"UnlinkBox typed nil", "box", func() error { return axon.UnlinkBox(nilIn) }},
		{"LinkByName nil from", "from", func() error { _, err := axon.LinkByName(nil, "outbox", b, "inbox"); return err }},
		{"LinkByName nil to", "to", func() error { _, err := axon.LinkByName(a, "outbox", nil, "inbox"); return err }},
		{"LinkByName typed nil from", "from", func() error { _, err := axon.LinkByName(nilComp, "outbox", b, "inbox"); return err }},
		{"Core.LinkByName typed nil to", "to", func() error { _, err := a.LinkByName(a, "outbox", nilComp, "inbox"); return err }},
		{"Register nil", "component", func() error { return s.Services().Register("svc", nil, "inbox") }},
		{"Register typed nil", "component", func() error { return s.Services().Register("svc", nilComp, "inbox") }},
		{"NewHandle nil", "component", func() error { _, err := axon.NewHandle(s, nil); return err }},
		{"NewHandle typed nil", "component", func() error { _, err := axon.NewHandle(s, nilComp); return err }},
		{"AddChildren nil", "child", func() error { return a.AddChildren(b, nil) }},
		{"RemoveChild nil", "child", func() error { return a.RemoveChild(nil) }},
		{"RemoveChild typed nil", "child", func() error { return a.RemoveChild(nilComp) }},
		{"RemoveBox nil", "box", func() error { return a.RemoveBox(nil) }},
		{"RemoveBox typed nil", "box", func() error { return a.RemoveBox(nilOut) }},
		{"NewInboxLike nil component", "component", func() error { _, err := axon.NewInboxLike(nil, "x", b.in); return err }},
		{"NewInboxLike nil like", "like", func() error { _, err := axon.NewInboxLike(a, "x", nilIn); return err }},
		{"NewOutboxLike nil component", "component", func() error { _, err := axon.NewOutboxLike(nilComp, "x", b.out); return err }},
		{"NewOutboxLike nil like", "like", func() error { _, err := axon.NewOutboxLike(a, "x", nil); return err }},
		{"SendAny nil", "box", func() error { return axon.SendAny(ctx, nilOut, 1) }},
		{"Leftovers nil", "box", func() error { _, err := axon.Leftovers(nil); return err }},
		{"WaitFor nil", "box", func() error { return a.WaitFor(ctx, b.in, nilIn) }},
		{"DeclareInbox nil", "component", func() error { _, err := axon.DeclareInbox[int](nil, "x"); return err }},
		{"DeclareOutbox typed nil", "component", func() error { _, err := axon.DeclareOutbox[int](nilComp, "x"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			require.ErrorIs(t, err, axon.ErrNilArgument)
			assert.Contains(t, err.Error(), tc.arg)
		})
	}
	assert.Empty(t, a.Children(), "AddChildren with a nil among them added some")
	assert.False(t, a.out.Linked())
}

func TestDeclareBoxesReturnAnErrorWhereNewBoxesPanic(t *testing.T) {
	c := newBox[int]("c")
	in, err := axon.DeclareInbox[int](c, "inbox")
	require.NoError(t, err)
	assert.Same(t, c.in, in, "the same type gives the existing box")
	out, err := axon.DeclareOutbox[int](c, "outbox")
	require.NoError(t, err)
	assert.Same(t, c.out, out)

	extra, err := axon.DeclareInbox[string](c, "extra")
	require.NoError(t, err)
	assert.Same(t, extra, axon.NewInbox[string](c, "extra"))

	_, err = axon.DeclareInbox[string](c, "inbox")
	require.ErrorIs(t, err, axon.ErrBoxExists)
	assert.Contains(t, err.Error(), `c already has inbox "inbox" of type int, not string`)
	_, err = axon.DeclareOutbox[string](c, "outbox")
	require.ErrorIs(t, err, axon.ErrBoxExists)
	_, err = axon.DeclareInbox[string](c, "control")
	require.ErrorIs(t, err, axon.ErrBoxExists, "control always carries any")

	assert.PanicsWithValue(t,
		`axon: c already has inbox "inbox" of type int, not string (DeclareInbox returns this as an error)`,
		func() { axon.NewInbox[string](c, "inbox") })
	assert.PanicsWithValue(t,
		`axon: c already has outbox "outbox" of type int, not string (DeclareOutbox returns this as an error)`,
		func() { axon.NewOutbox[string](c, "outbox") })
}

func TestRegistryListsItsServicesAndTrackedValues(t *testing.T) {
	r := axontest.NewScheduler(t).Services()
	assert.Empty(t, r.Services())
	assert.Empty(t, r.Tracked())
	a, b := newBox[int]("a"), newBox[int]("b")
	require.NoError(t, r.Register("zeta", a, "inbox"))
	require.NoError(t, r.Register("alpha", b, "control"))
	require.NoError(t, r.Track("count", 3))
	require.NoError(t, r.Track("mode", "fast"))

	list := r.Services()
	require.Len(t, list, 2)
	assert.Equal(t, "alpha", list[0].Name, "sorted by name")
	assert.Same(t, b, list[0].Component)
	assert.Equal(t, "b.control", list[0].Inbox.String())
	assert.Equal(t, "zeta", list[1].Name)
	assert.Same(t, a, list[1].Component)
	looked, err := r.Lookup("zeta")
	require.NoError(t, err)
	assert.Equal(t, list[1], looked, "Lookup and Services agree, name included")

	vals := r.Tracked()
	assert.Equal(t, map[string]any{"count": 3, "mode": "fast"}, vals)
	vals["count"] = 99 // a copy: the registry is not changed through it
	v, err := r.Value("count")
	require.NoError(t, err)
	assert.Equal(t, 3, v)

	require.NoError(t, r.Deregister("alpha"))
	require.NoError(t, r.Untrack("mode"))
	assert.Len(t, r.Services(), 1)
	assert.Equal(t, map[string]any{"count": 3}, r.Tracked())
}
