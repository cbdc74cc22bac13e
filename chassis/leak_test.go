package chassis_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// measure and assertBack are axontest's, named short for the tests here.
var (
	measure    = axontest.Measure
	assertBack = axontest.AssertBack
)

// rounds returns how many rounds a leak test runs, and after how many it
// takes its baseline: 20,000 and 1,000 (a tenth of that with -short).
func rounds() (total, base int) {
	if testing.Short() {
		return 2000, 100
	}
	return 20000, 1000
}

// TestServerFreesFinishedConnections serves connections one after another
// (connect, a line, its echo, close) and checks that the Server holds on
// to nothing of those that have ended.
func TestServerFreesFinishedConnections(t *testing.T) {
	total, baseAt := rounds()
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	addr := srv.Addr().String()
	ctx := axontest.Context(t) // one: each registers a cleanup, which the heap would count

	line := []byte("hello, server\n")
	buf := make([]byte, len(line))
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = measure(s)
		}
		nc, err := net.Dial("tcp", addr)
		require.NoError(t, err, "connection %d", i)
		_, err = nc.Write(line)
		require.NoError(t, err)
		_, err = io.ReadFull(nc, buf)
		require.NoError(t, err)
		require.NoError(t, nc.Close())
		// The Server says when it has removed the connection.
		_, err = h.Get(ctx, "disconnected")
		require.NoError(t, err, "connection %d", i)
	}
	assertBack(t, fmt.Sprintf("%d connections", total), base, measure(s))
	assert.Zero(t, srv.Stats().Connections)
}

// TestCarouselFreesFinishedChildren has a Carousel make thousands of
// children one after another, each replacing the last, and checks that it
// holds on to none of those that have ended.
func TestCarouselFreesFinishedChildren(t *testing.T) {
	total, baseAt := rounds()
	total, baseAt = total/4, baseAt/4 // four messages a round, against one connection
	s := axontest.NewScheduler(t)
	kids := make(chan *adder, 1)
	c := chassis.NewCarousel[int, int, int](func(n int) axon.Component {
		a := newAdder(n)
		kids <- a
		return a
	})
	h := axontest.NewHandle(t, s, c)
	ctx := axontest.Context(t)
	var base axontest.Footprint
	var prev *adder
	for i := range total {
		if i == baseAt {
			base = measure(s)
		}
		require.NoError(t, h.Put(ctx, "next", i))
		if prev != nil {
			within(t, ctx, prev.Done()) // replaced: what comes now goes to the new child
		}
		prev = recvWithin(t, ctx, kids)
		require.NoError(t, h.Put(ctx, "inbox", 1))
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i+1, v, "round %d: the new child has the boxes", i)
	}
	assertBack(t, fmt.Sprintf("%d children", total), base, measure(s))
}

// TestSupervisedPARFreesRestartedChildren has a supervised PAR restart a
// failing child thousands of times and checks that it holds on to none of
// the children it replaced.
func TestSupervisedPARFreesRestartedChildren(t *testing.T) {
	total, baseAt := rounds()
	total, baseAt = total/4, baseAt/4
	s := axontest.NewScheduler(t)
	// The policy counts restarts within its Period, keeping the time of
	// each: a short Period keeps few (a thousand restarts in 10ms would
	// take 10µs each, which restarting a component cannot).
	// No back-off: a restart at once each time.
	policy := chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 1000, Period: 10 * time.Millisecond,
		Backoff: chassis.Backoff{Initial: -1}}
	kids := make(chan *flaky, 1)
	p := chassis.SupervisedPAR(policy, func() axon.Component {
		k := newFlaky(0)
		kids <- k
		return k
	})
	require.NoError(t, p.SetupErr())
	prev := recv(t, kids)
	h := axontest.NewHandle(t, s, p)
	ctx := axontest.Context(t)
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = measure(s)
		}
		before := p.Child(0)
		require.NoError(t, h.Put(ctx, "inbox", "fail"))
		fresh := recvWithin(t, ctx, kids)
		within(t, ctx, prev.Done())
		prev = fresh
		require.NoError(t, h.Put(ctx, "inbox", "after"))
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, "after", v, "round %d", i)
		require.True(t, before != p.Child(0), "round %d: the child was not replaced", i)
	}
	assertBack(t, fmt.Sprintf("%d restarts", total), base, measure(s))
}

// TestBackplaneFreesSubscribersThatLeft has thousands of subscribers join
// a Backplane one after another, each take a message and leave, and checks
// that the Backplane holds on to none of them.
func TestBackplaneFreesSubscribersThatLeft(t *testing.T) {
	total, baseAt := rounds()
	total, baseAt = total/4, baseAt/4
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("leak", chassis.OnScheduler(s))
	require.NoError(t, b.SetupErr())
	axontest.NewHandle(t, s, b)
	pub := axontest.NewHandle(t, s, chassis.PublishTo[int]("leak"))
	ctx := axontest.Context(t)
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = measure(s)
		}
		sub := chassis.SubscribeTo[int]("leak")
		h, err := axon.NewHandle(s, sub)
		require.NoError(t, err)
		within(t, ctx, sub.Subscribed())
		require.NoError(t, pub.Put(ctx, "inbox", i))
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, i, v)
		require.NoError(t, h.Finish(ctx))
		require.NoError(t, h.Wait(ctx))
		require.NoError(t, h.Close())
	}
	after := measure(s)
	// The Backplane forgets a subscriber when it handles its leaving, which
	// may come after the subscriber has ended: one more message settles it.
	require.NoError(t, pub.Put(ctx, "inbox", -1))
	assert.Empty(t, b.Stats().Subscribers)
	assertBack(t, fmt.Sprintf("%d subscribers", total), base, after)
}

// within waits for ch to close, as waitDone does, under ctx: a leak test
// makes one context, as each axontest.Context registers a cleanup, which
// the heap would count.
func within(t testing.TB, ctx context.Context, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatal("it did not happen")
	}
}

// recvWithin takes the next value from ch, as recv does, under ctx.
func recvWithin[T any](t testing.TB, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}
