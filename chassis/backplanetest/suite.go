// Package backplanetest is the conformance suite of chassis Backplanes: one
// set of tests that a Backplane passes whatever carries it, in one process
// or on a chassis.Transport. The package's tests (chassis, natsplane) call
// Test with the features their transport claims.
//
//	func TestConformance(t *testing.T) {
//		backplanetest.Test(t, backplanetest.Setup{
//			Options:  func(t *testing.T) []chassis.BackplaneOption { return []chassis.BackplaneOption{chassis.WithTransport(tr)} },
//			Features: backplanetest.Features{Transport: true, Restart: restart},
//		})
//	}
package backplanetest

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Features are what a Backplane's carrier claims, beyond what every
// Backplane does (fan-out, order per publisher, leaving, ProducerFinished
// and Shutdown, the three slow-subscriber policies).
type Features struct {
	// Transport: the Backplane is on a chassis.Transport, so its messages
	// are encoded: codec failures and a codec of the wrong type are tested.
	Transport bool
	// Restart, when set, stops the broker and starts it again on the same
	// address, returning once the new one takes connections: Backplanes
	// must reconnect and go on.
	Restart func(t *testing.T)
}

// Setup says how to make Backplanes on the carrier under test.
type Setup struct {
	// Options returns the options that put a Backplane on the carrier
	// (none for one in a single process). The suite adds OnScheduler.
	Options func(t *testing.T) []chassis.BackplaneOption
	Features
}

// Test runs the suite, each check as a subtest.
func Test(t *testing.T, s Setup) {
	t.Run("FanOutInOrder", s.fanOut)
	t.Run("OrderPerPublisher", s.orderPerPublisher)
	t.Run("SubscriberThatLeftGetsNothing", s.leave)
	t.Run("ProducerFinishedDeliversFirst", s.finish)
	t.Run("ShutdownEndsEveryone", s.shutdown)
	t.Run("BlockLosesNothing", s.block)
	t.Run("DropOldestKeepsTheNewest", s.dropOldest)
	t.Run("DisconnectEndsTheSlowOne", s.disconnect)
	if s.Transport {
		t.Run("CodecFailureIsReported", s.codecFailure)
		t.Run("CodecOfAnotherTypeIsASetupError", s.wrongCodec)
	}
	if s.Restart != nil {
		t.Run("SurvivesABrokerRestart", s.restart)
	}
}

var names atomic.Uint64

// backplane makes a Backplane of T with a name of its own and runs it.
func backplane[T any](t *testing.T, s Setup, sched *axon.Scheduler, extra ...chassis.BackplaneOption) (*chassis.Backplane[T], *axon.Handle, string) {
	t.Helper()
	name := fmt.Sprintf("conformance.%d", names.Add(1))
	var opts []chassis.BackplaneOption
	if s.Options != nil {
		opts = s.Options(t)
	}
	opts = append(opts, chassis.OnScheduler(sched))
	opts = append(opts, extra...)
	b := chassis.NewBackplane[T](name, opts...)
	require.NoError(t, b.SetupErr())
	return b, axontest.NewHandle(t, sched, b), name
}

// subscribe starts a subscriber and waits until it has joined.
func subscribe[T any](t *testing.T, sched *axon.Scheduler, name string, opts ...chassis.SubscribeOption) (*chassis.Subscriber[T], *axon.Handle) {
	t.Helper()
	sub := chassis.SubscribeTo[T](name, opts...)
	h := axontest.NewHandle(t, sched, sub)
	select {
	case <-sub.Subscribed():
	case <-h.Done():
		t.Fatalf("subscriber ended before it joined: %v", h.Wait(axontest.Context(t)))
	}
	return sub, h
}

func get(t *testing.T, h *axon.Handle, box string) any {
	t.Helper()
	v, err := h.Get(axontest.Context(t), box)
	require.NoError(t, err, "getting from %s", box)
	return v
}

func put(t *testing.T, h *axon.Handle, box string, vs ...any) {
	t.Helper()
	for _, v := range vs {
		require.NoError(t, h.Put(axontest.Context(t), box, v))
	}
}

func ints(from, to int) []any {
	out := make([]any, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func (s Setup) fanOut(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, hb, name := backplane[int](t, s, sched)
	const subs, n = 3, 300
	hs := make([]*axon.Handle, subs)
	for k := range hs {
		_, hs[k] = subscribe[int](t, sched, name)
	}
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	put(t, hp, "inbox", ints(0, n)...)
	for k, h := range hs {
		for want := range n {
			require.Equal(t, want, get(t, h, "outbox"), "subscriber %d", k)
		}
	}
	st := b.Stats()
	assert.Equal(t, uint64(n), st.Published)
	require.Len(t, st.Subscribers, subs)
	for _, ss := range st.Subscribers {
		assert.Equal(t, uint64(n), ss.Delivered)
	}
	require.NoError(t, hb.Finish(axontest.Context(t)))
	require.NoError(t, hb.Wait(axontest.Context(t)))
}

// Tagged is a message that says who published it: the suite's test of
// order per publisher.
type Tagged struct {
	Publisher, Seq int
}

func (s Setup) orderPerPublisher(t *testing.T) {
	sched := axontest.NewScheduler(t)
	_, _, name := backplane[Tagged](t, s, sched)
	_, hs := subscribe[Tagged](t, sched, name)
	const pubs, n = 4, 250
	ctx := axontest.Context(t)
	errs := make(chan error, pubs)
	for p := range pubs {
		hp := axontest.NewHandle(t, sched, chassis.PublishTo[Tagged](name))
		go func() {
			for i := range n {
				if err := hp.Put(ctx, "inbox", Tagged{p, i}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	next := make([]int, pubs)
	for range pubs * n {
		m := get(t, hs, "outbox").(Tagged)
		require.Equal(t, next[m.Publisher], m.Seq, "publisher %d's messages in order, none lost", m.Publisher)
		next[m.Publisher]++
	}
	for range pubs {
		require.NoError(t, <-errs)
	}
}

func (s Setup) leave(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, _, name := backplane[int](t, s, sched)
	stay, hStay := subscribe[int](t, sched, name)
	_, hLeave := subscribe[int](t, sched, name)
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	put(t, hp, "inbox", 1)
	require.Equal(t, 1, get(t, hStay, "outbox"))
	require.Equal(t, 1, get(t, hLeave, "outbox"))
	require.NoError(t, hLeave.Finish(axontest.Context(t)))
	require.NoError(t, hLeave.Wait(axontest.Context(t)))
	put(t, hp, "inbox", 2)
	require.Equal(t, 2, get(t, hStay, "outbox"))
	_, err := hLeave.Get(axontest.Context(t), "outbox")
	require.ErrorIs(t, err, axon.ErrFinished, "nothing reaches a subscriber that left")
	put(t, hp, "inbox", 3)
	require.Equal(t, 3, get(t, hStay, "outbox"))
	st := b.Stats()
	require.Len(t, st.Subscribers, 1)
	assert.Equal(t, stay.Name(), st.Subscribers[0].Subscriber)
}

func (s Setup) finish(t *testing.T) {
	sched := axontest.NewScheduler(t)
	_, hb, name := backplane[int](t, s, sched)
	_, hs := subscribe[int](t, sched, name)
	put(t, hb, "inbox", 1, 2, 3) // straight into the Backplane's inbox
	require.NoError(t, hb.Finish(axontest.Context(t)))
	for want := 1; want <= 3; want++ {
		require.Equal(t, want, get(t, hs, "outbox"), "what it was sent is delivered before it ends")
	}
	require.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	require.Equal(t, axon.ProducerFinished{}, get(t, hb, "signal"))
	require.NoError(t, hb.Wait(axontest.Context(t)))
}

func (s Setup) shutdown(t *testing.T) {
	sched := axontest.NewScheduler(t)
	_, hb, name := backplane[int](t, s, sched)
	_, hs := subscribe[int](t, sched, name)
	pub := chassis.PublishTo[int](name)
	hp := axontest.NewHandle(t, sched, pub)
	put(t, hp, "inbox", 1)
	require.Equal(t, 1, get(t, hs, "outbox"))
	// A message through shows the publisher linked, not joined: a Backplane
	// that ends before a publisher joins fails it with ErrBackplaneEnded.
	select {
	case <-pub.Joined():
	case <-hp.Done():
		t.Fatalf("publisher ended before it joined: %v", hp.Wait(axontest.Context(t)))
	}
	why := errors.New("lights out")
	put(t, hb, "control", axon.Shutdown{Reason: why})
	require.Equal(t, axon.Shutdown{Reason: why}, get(t, hs, "signal"))
	require.Equal(t, axon.Shutdown{Reason: why}, get(t, hp, "signal"))
	_ = hb.Wait(axontest.Context(t)) // its outcome is the runtime's business: it has ended
	_, err := sched.Services().Lookup(chassis.BackplaneService(name))
	require.ErrorIs(t, err, axon.ErrServiceUnknown, "an ended Backplane leaves the services")
}

// slowSubscriber starts a subscriber whose outbox leads to a stalled relay.
func slowSubscriber[T any](t *testing.T, sched *axon.Scheduler, name string, capacity int, opts ...chassis.SubscribeOption) (*chassis.Subscriber[T], *axon.Handle, *axontest.Relay[T]) {
	t.Helper()
	sub := chassis.SubscribeTo[T](name, opts...)
	sink := axontest.NewRelay[T](capacity)
	out, _ := sub.Outbox("outbox")
	_, err := axon.Link(out, sink.In)
	require.NoError(t, err)
	// The Handle leaves "dropped" unlinked: the runtime counts its drops.
	h := axontest.NewHandle(t, sched, sub, "control", "signal")
	<-sub.Subscribed()
	return sub, h, sink
}

func (s Setup) block(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, _, name := backplane[int](t, s, sched)
	_, _, sink := slowSubscriber[int](t, sched, name, 2)
	_, hFast := subscribe[int](t, sched, name)
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	const n = 20
	put(t, hp, "inbox", ints(0, n)...)
	hSink := axontest.NewHandle(t, sched, sink) // the slow one catches up
	for want := range n {
		require.Equal(t, want, get(t, hSink, "outbox"), "the slow subscriber gets everything, in order")
		require.Equal(t, want, get(t, hFast, "outbox"))
	}
	assert.Zero(t, b.Stats().Lost)
}

func (s Setup) dropOldest(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, _, name := backplane[int](t, s, sched)
	const limit, n = 4, 200
	slow, _, sink := slowSubscriber[int](t, sched, name, 1, chassis.WithDropOldest(limit))
	_, hFast := subscribe[int](t, sched, name) // joined second: served after slow
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	put(t, hp, "inbox", ints(0, n)...)
	for want := range n {
		require.Equal(t, want, get(t, hFast, "outbox"))
	}
	// The fast one has the last message: the slow one has been offered it.
	hSink := axontest.NewHandle(t, sched, sink)
	var got []int
	for len(got) == 0 || got[len(got)-1] != n-1 {
		got = append(got, get(t, hSink, "outbox").(int))
	}
	require.IsIncreasing(t, got, "what arrives is in publish order")
	dropped := slow.Dropped()
	assert.Positive(t, dropped)
	assert.Equal(t, uint64(n), uint64(len(got))+dropped, "each message arrived or was counted as dropped")
	st := b.Stats()
	require.Len(t, st.Subscribers, 2)
	assert.Equal(t, dropped, st.Subscribers[0].Dropped)
	assert.Equal(t, chassis.DropOldest, st.Subscribers[0].Policy)
	var seen uint64
	for _, bx := range sched.Snapshot().Boxes {
		if bx.Component == slow.ID() && bx.Name == "dropped" {
			seen = bx.Dropped
		}
	}
	assert.Equal(t, dropped, seen, "the drops show in introspection")
}

func (s Setup) disconnect(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, hb, name := backplane[int](t, s, sched)
	slow, hSlow, sink := slowSubscriber[int](t, sched, name, 2, chassis.WithDisconnect())
	_, hFast := subscribe[int](t, sched, name, chassis.WithDisconnect())
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	put(t, hp, "inbox", 1, 2, 3, 4)
	require.Equal(t, axon.ProducerFinished{Reason: chassis.ErrSlowSubscriber}, get(t, hSlow, "signal"))
	require.Equal(t, slow.Name(), get(t, hb, "disconnected"))
	for want := 1; want <= 4; want++ {
		require.Equal(t, want, get(t, hFast, "outbox"), "the others go on")
	}
	assert.Equal(t, uint64(1), b.Stats().Disconnected)
	assert.Equal(t, 2, sink.In.Len(), "the slow one got what fitted")
	put(t, hp, "inbox", 5)
	require.Equal(t, 5, get(t, hFast, "outbox"))
	assert.Equal(t, 2, sink.In.Len(), "and nothing after")
}

// unregistered is a type gob cannot send as an interface value: it is
// never registered with gob.Register.
type unregistered struct{ X int }

func (s Setup) codecFailure(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, hb, name := backplane[any](t, s, sched) // gob, by default
	_, hs := subscribe[any](t, sched, name)
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[any](name))
	put(t, hp, "inbox", 1, unregistered{7}, 3)
	require.Equal(t, 1, get(t, hs, "outbox"))
	require.Equal(t, 3, get(t, hs, "outbox"), "the Backplane goes on after a message it cannot encode")
	err, ok := get(t, hb, "errors").(error)
	require.True(t, ok)
	require.ErrorIs(t, err, chassis.ErrTransport)
	var ce *framing.CodecError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, int64(1), ce.Index, "the second message published")
	assert.Contains(t, err.Error(), "unregistered", "the error names the trouble")
	st := b.Stats()
	assert.Equal(t, uint64(1), st.EncodeErrors)
	assert.Equal(t, uint64(2), st.Sent)
	assert.Equal(t, axon.Running, b.State())
}

func (s Setup) wrongCodec(t *testing.T) {
	sched := axontest.NewScheduler(t)
	opts := append(s.Options(t), chassis.OnScheduler(sched), chassis.WithCodec[string](framing.JSON[string]{}))
	b := chassis.NewBackplane[int]("conformance.wrong-codec", opts...)
	require.ErrorIs(t, b.SetupErr(), axon.ErrTypeMismatch)
	assert.Contains(t, b.SetupErr().Error(), "int")
	h := axontest.NewHandle(t, sched, b)
	require.ErrorIs(t, h.Wait(axontest.Context(t)), axon.ErrTypeMismatch)
}

func (s Setup) restart(t *testing.T) {
	sched := axontest.NewScheduler(t)
	b, hb, name := backplane[int](t, s, sched)
	_, hs := subscribe[int](t, sched, name)
	hp := axontest.NewHandle(t, sched, chassis.PublishTo[int](name))
	const n = 100
	put(t, hp, "inbox", ints(0, n)...)
	for want := range n {
		require.Equal(t, want, get(t, hs, "outbox"))
	}
	s.Restart(t)
	// Messages published while either end was disconnected are lost: send
	// probes until one arrives, each waited for a moment.
	next := n
	var first int
	for {
		put(t, hp, "inbox", next)
		next++
		ctx, cancel := context.WithTimeout(axontest.Context(t), 100*time.Millisecond)
		v, err := hs.Get(ctx, "outbox")
		cancel()
		if err == nil {
			first = v.(int)
			break
		}
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	// Later probes may still be on their way: they come first, in order.
	want := first + 1
	from := next
	put(t, hp, "inbox", ints(from, from+n)...)
	for want < from+n {
		require.Equal(t, want, get(t, hs, "outbox"), "after the reconnect, everything, in order")
		want++
	}
	assert.Positive(t, b.Stats().Problems, "the disconnection was reported")
	err, ok := get(t, hb, "errors").(error)
	require.True(t, ok)
	require.ErrorIs(t, err, chassis.ErrTransport)
}

func init() {
	// Tagged crosses gob-encoded Backplanes as itself; registered so that
	// a Backplane of any can carry it too.
	gob.Register(Tagged{})
}
