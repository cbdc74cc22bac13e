package chassis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/backplanetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowSink is never activated: its inbox fills and stays full until the
// test takes from it.
type slowSink[T any] struct {
	axon.Core
	in *axon.Inbox[T]
}

func (*slowSink[T]) Main(context.Context) error { return nil }

func newSlowSink[T any](capacity int) *slowSink[T] {
	k := &slowSink[T]{}
	k.in = axon.NewInbox[T](k, "inbox")
	k.in.SetCapacity(capacity)
	return k
}

func TestBackplaneDuplicateNameIsAnError(t *testing.T) {
	s := axontest.NewScheduler(t)
	a := chassis.NewBackplane[int]("dup", chassis.OnScheduler(s))
	require.NoError(t, a.SetupErr())
	b := chassis.NewBackplane[int]("dup", chassis.OnScheduler(s))
	require.ErrorIs(t, b.SetupErr(), axon.ErrServiceExists)
	assert.Contains(t, b.SetupErr().Error(), `"dup"`)
	h := axontest.NewHandle(t, s, b)
	require.ErrorIs(t, h.Wait(axontest.Context(t)), axon.ErrServiceExists)
	svc, err := s.Services().Lookup(chassis.BackplaneService("dup"))
	require.NoError(t, err)
	assert.True(t, a == svc.Component, "the failed one did not take the name away")
}

func TestPublishAndSubscribeNeedTheBackplaneToExist(t *testing.T) {
	s := axontest.NewScheduler(t)
	for _, c := range []axon.Component{chassis.PublishTo[int]("nowhere"), chassis.SubscribeTo[int]("nowhere")} {
		h := axontest.NewHandle(t, s, c)
		err := h.Wait(axontest.Context(t))
		require.ErrorIs(t, err, chassis.ErrNoBackplane)
		require.ErrorIs(t, err, axon.ErrServiceUnknown)
		assert.Contains(t, err.Error(), `"nowhere"`)
	}
}

func TestBackplaneLookupChecksTheType(t *testing.T) {
	s := axontest.NewScheduler(t)
	chassis.NewBackplane[string]("words", chassis.OnScheduler(s))
	h := axontest.NewHandle(t, s, chassis.SubscribeTo[int]("words"))
	err := h.Wait(axontest.Context(t))
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	assert.Contains(t, err.Error(), `backplane "words" carries string, not int`)
}

func TestBackplaneMustRunOnTheSchedulerItIsRegisteredWith(t *testing.T) {
	s, other := axontest.NewScheduler(t), axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("elsewhere", chassis.OnScheduler(other))
	h := axontest.NewHandle(t, s, b)
	require.ErrorContains(t, h.Wait(axontest.Context(t)), "OnScheduler")
}

func TestBackplanePublishersAndSubscribersMayStartInAnyOrder(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("any-order", chassis.OnScheduler(s))
	sub := chassis.SubscribeTo[int]("any-order")
	hs := axontest.NewHandle(t, s, sub) // before the Backplane runs
	pub := chassis.PublishTo[int]("any-order")
	hp := axontest.NewHandle(t, s, pub)
	// After both: the subscriber has activated the Backplane, which may be
	// making its outbox to the subscriber's control as the Handle is made.
	// That outbox is the Backplane's private wiring: the Handle must leave
	// it alone, or the subscriber is never told the Backplane's end.
	hb := axontest.NewHandle(t, s, b)
	<-sub.Subscribed()
	put(t, hp, "inbox", 1, 2, 3)
	assert.Equal(t, []any{1, 2, 3}, getN(t, hs, "outbox", 3))
	for _, box := range b.Outboxes() {
		switch box.Name() {
		case "outbox", "signal", "disconnected":
		default:
			assert.True(t, strings.HasPrefix(box.Name(), "_"), "%s is made while the Backplane runs: private", box.Name())
		}
	}
	// The Publisher joins a moment after it has linked its inbox (so 1, 2, 3
	// may arrive before): a Backplane that ends before it joins makes it
	// fail, as one that comes too late.
	<-pub.Joined()
	require.NoError(t, hb.Finish(axontest.Context(t)))
	require.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	require.Equal(t, axon.ProducerFinished{}, get(t, hp, "signal"))
}

func TestBackplaneOnePublisherHundredSubscribersJoiningOverTime(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("hundred", chassis.OnScheduler(s))
	hb := axontest.NewHandle(t, s, b)
	hp := axontest.NewHandle(t, s, chassis.PublishTo[int]("hundred"))
	const subs, step, total = 100, 5, 600
	hs := make([]*axon.Handle, subs)
	ctx := axontest.Context(t)
	next := 0
	publish := func(n int) {
		for range n {
			if err := hp.Put(ctx, "inbox", next); err != nil {
				t.Fatal(err)
			}
			next++
		}
	}
	// expect takes the next message of subscriber k's outbox: it must be want.
	expect := func(k, want int) {
		v, err := hs[k].Get(ctx, "outbox")
		if err != nil || v != want {
			t.Fatalf("subscriber %d: got %v (%v), want %d", k, v, err, want)
		}
	}
	for k := range subs {
		sub := chassis.SubscribeTo[int]("hundred")
		hs[k] = axontest.NewHandle(t, s, sub)
		<-sub.Subscribed()
		first := next
		publish(step)
		// The first subscriber has everything: once it has this step's
		// messages, the Backplane has taken them all, and the next
		// subscriber joins after them.
		for want := first; want < next; want++ {
			expect(0, want)
		}
	}
	publish(total - next)
	for want := subs * step; want < total; want++ {
		expect(0, want)
	}
	for k := 1; k < subs; k++ {
		for want := k * step; want < total; want++ {
			expect(k, want)
		}
	}
	st := b.Stats()
	assert.Equal(t, uint64(total), st.Published)
	require.Len(t, st.Subscribers, subs)
	for k, ss := range st.Subscribers {
		assert.Equal(t, uint64(total-k*step), ss.Delivered, "subscriber %d", k)
		assert.Equal(t, chassis.Block, ss.Policy)
	}
	why := errors.New("lights out")
	put(t, hb, "control", axon.Shutdown{Reason: why})
	for k := range subs {
		require.Equal(t, axon.Shutdown{Reason: why}, get(t, hs[k], "signal"), "subscriber %d ends with the Backplane's message", k)
		ended(t, hs[k], "outbox")
	}
	require.Equal(t, axon.Shutdown{Reason: why}, get(t, hp, "signal"))
	require.NoError(t, hb.Wait(axontest.Context(t)))
	_, err := s.Services().Lookup(chassis.BackplaneService("hundred"))
	require.ErrorIs(t, err, axon.ErrServiceUnknown, "an ended Backplane leaves the services")
}

func TestBackplaneFansInPublishersAndOutlivesThem(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[string]("news", chassis.OnScheduler(s))
	axontest.NewHandle(t, s, b)
	sub := chassis.SubscribeTo[string]("news")
	hs := axontest.NewHandle(t, s, sub)
	<-sub.Subscribed()
	p1 := axontest.NewHandle(t, s, chassis.PublishTo[string]("news"))
	p2 := axontest.NewHandle(t, s, chassis.PublishTo[string]("news"))
	put(t, p1, "inbox", "a1")
	require.Equal(t, "a1", get(t, hs, "outbox"))
	put(t, p2, "inbox", "b1")
	require.Equal(t, "b1", get(t, hs, "outbox"))
	require.NoError(t, p1.Finish(axontest.Context(t)))
	require.NoError(t, p1.Wait(axontest.Context(t)))
	put(t, p2, "inbox", "b2")
	require.Equal(t, "b2", get(t, hs, "outbox"), "the Backplane goes on for the other publisher")
	assert.Equal(t, axon.Running, b.State())
}

func TestBackplaneStopsDeliveringToASubscriberThatLeft(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("leave", chassis.OnScheduler(s))
	axontest.NewHandle(t, s, b)
	stay, leave := chassis.SubscribeTo[int]("leave"), chassis.SubscribeTo[int]("leave")
	hStay, hLeave := axontest.NewHandle(t, s, stay), axontest.NewHandle(t, s, leave)
	<-stay.Subscribed()
	<-leave.Subscribed()
	hp := axontest.NewHandle(t, s, chassis.PublishTo[int]("leave"))
	put(t, hp, "inbox", 1)
	require.Equal(t, 1, get(t, hStay, "outbox"))
	require.Equal(t, 1, get(t, hLeave, "outbox"))
	require.NoError(t, hLeave.Finish(axontest.Context(t)))
	require.Equal(t, axon.ProducerFinished{}, get(t, hLeave, "signal"))
	put(t, hp, "inbox", 2)
	require.Equal(t, 2, get(t, hStay, "outbox"))
	ended(t, hLeave, "outbox")
	// Once the Backplane has handled the leave, only one subscriber is left.
	put(t, hp, "inbox", 3)
	require.Equal(t, 3, get(t, hStay, "outbox"))
	st := b.Stats()
	require.Len(t, st.Subscribers, 1)
	assert.Equal(t, stay.Name(), st.Subscribers[0].Subscriber)
}

func TestBackplaneProducerFinishedDeliversWhatItHasThenEndsSubscribers(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("pf", chassis.OnScheduler(s))
	hb := axontest.NewHandle(t, s, b)
	sub := chassis.SubscribeTo[int]("pf")
	hs := axontest.NewHandle(t, s, sub)
	<-sub.Subscribed()
	put(t, hb, "inbox", 1, 2, 3) // straight into the Backplane's inbox
	require.NoError(t, hb.Finish(axontest.Context(t)))
	require.Equal(t, []any{1, 2, 3}, getN(t, hs, "outbox", 3))
	require.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	require.Equal(t, axon.ProducerFinished{}, get(t, hb, "signal"))
}

func TestBackplaneBlockPolicyHoldsThePublisherBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		b := chassis.NewBackplane[int]("block", chassis.OnScheduler(s))
		hb := axontest.NewHandle(t, s, b)
		sub := chassis.SubscribeTo[int]("block")
		sink := newSlowSink[int](2)
		s.Activate(sub)
		_, err := axon.Link(subOutbox(sub), sink.in)
		require.NoError(t, err)
		<-sub.Subscribed()
		put(t, hb, "inbox", 1, 2, 3, 4)
		synctest.Wait()
		var blocked string
		for _, c := range s.Snapshot().Components {
			if c.ID == b.ID() {
				blocked = c.BlockedOn
			}
		}
		assert.Equal(t, sink.Name()+".inbox", blocked, "the Backplane waits for room")
		assert.Equal(t, 2, sink.in.Len())
		for want := 1; want <= 4; want++ {
			synctest.Wait()
			v, ok := sink.in.TryRecv()
			require.True(t, ok)
			require.Equal(t, want, v, "nothing dropped")
		}
		assert.Zero(t, sub.Dropped())
	})
}

func subOutbox[T any](sub *chassis.Subscriber[T]) axon.Box {
	b, _ := sub.Outbox("outbox")
	return b
}

func TestBackplaneDropOldestKeepsTheNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		b := chassis.NewBackplane[int]("drop", chassis.OnScheduler(s))
		hb := axontest.NewHandle(t, s, b)
		sub := chassis.SubscribeTo[int]("drop", chassis.WithDropOldest(4))
		sink := newSlowSink[int](1)
		_, err := axon.Link(subOutbox(sub), sink.in)
		require.NoError(t, err)
		s.Activate(sub)
		<-sub.Subscribed()
		const n = 50
		for i := range n {
			put(t, hb, "inbox", i)
			synctest.Wait() // the Backplane hands each on before the next
		}
		var got []int
		for len(got) == 0 || got[len(got)-1] != n-1 {
			synctest.Wait()
			v, ok := sink.in.TryRecv()
			require.True(t, ok, "got %v", got)
			got = append(got, v)
		}
		require.IsIncreasing(t, got, "what arrives is in publish order")
		dropped := sub.Dropped()
		assert.Positive(t, dropped)
		assert.Equal(t, uint64(n), uint64(len(got))+dropped, "each message arrived or was counted as dropped")
		st := b.Stats()
		require.Len(t, st.Subscribers, 1)
		assert.Equal(t, dropped, st.Subscribers[0].Dropped)
		assert.Equal(t, chassis.DropOldest, st.Subscribers[0].Policy)
		// The drops show in introspection, on the subscriber's "dropped" box.
		var seen uint64
		for _, bx := range s.Snapshot().Boxes {
			if bx.Component == sub.ID() && bx.Name == "dropped" {
				seen = bx.Dropped
			}
		}
		assert.Equal(t, dropped, seen)
	})
}

func TestBackplaneDisconnectEndsASlowSubscriber(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("disc", chassis.OnScheduler(s))
	hb := axontest.NewHandle(t, s, b)
	fast, slow := chassis.SubscribeTo[int]("disc", chassis.WithDisconnect()), chassis.SubscribeTo[int]("disc", chassis.WithDisconnect())
	sink := newSlowSink[int](2)
	_, err := axon.Link(subOutbox(slow), sink.in)
	require.NoError(t, err)
	hFast, hSlow := axontest.NewHandle(t, s, fast), axontest.NewHandle(t, s, slow)
	<-fast.Subscribed()
	<-slow.Subscribed()
	put(t, hb, "inbox", 1, 2, 3, 4)
	require.Equal(t, axon.ProducerFinished{Reason: chassis.ErrSlowSubscriber}, get(t, hSlow, "signal"))
	require.NoError(t, hSlow.Wait(axontest.Context(t)))
	require.Equal(t, slow.Name(), get(t, hb, "disconnected"))
	require.Equal(t, []any{1, 2, 3, 4}, getN(t, hFast, "outbox", 4), "the others go on")
	assert.Equal(t, uint64(1), b.Stats().Disconnected)
	assert.Equal(t, 2, sink.in.Len(), "the slow one got what fitted")
	put(t, hb, "inbox", 5)
	require.Equal(t, 5, get(t, hFast, "outbox"))
	assert.Equal(t, 2, sink.in.Len(), "and nothing after")
}

func TestSlowPolicyNames(t *testing.T) {
	for p, want := range map[chassis.SlowPolicy]string{chassis.Block: "block", chassis.DropOldest: "drop-oldest", chassis.Disconnect: "disconnect"} {
		assert.Equal(t, want, p.String())
	}
	assert.Equal(t, "backplane/x", chassis.BackplaneService("x"))
}

// The in-process Backplane passes the conformance suite that Backplanes on a
// Transport pass too (chassis/natsplane).
func TestBackplaneConformance(t *testing.T) {
	backplanetest.Test(t, backplanetest.Setup{})
}
