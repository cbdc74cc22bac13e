package axon_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A component that sends its outcome early (a connection whose peer has
// closed, still writing) is heard once: the runtime adds nothing when Main
// returns.
func TestSendOutcomeIsTheOnlyOutcome(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	early := errors.New("peer closed")
	sent := make(chan bool, 2)
	release := make(chan struct{})
	c := newFunc()
	c.main = func(context.Context) error {
		sent <- c.SendOutcome(axon.ProducerFinished{Reason: early})
		sent <- c.SendOutcome(axon.ProducerFinished{Reason: errors.New("second")})
		<-release
		return nil // would be ProducerFinished{} without SendOutcome
	}
	h := axontest.NewHandle(t, s, c)
	assert.True(t, <-sent, "the first call sends")
	assert.False(t, <-sent, "a second call does not")
	m, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	pf, ok := m.(axon.ProducerFinished)
	require.True(t, ok, "got %T %v", m, m)
	assert.ErrorIs(t, pf.Reason, early, "sent while Main still runs")
	close(release)
	require.NoError(t, h.Wait(ctx))
	_, ok = h.TryGet("signal")
	assert.False(t, ok, "nothing more on signal after Main returned")
}

// A failure after the early outcome is still reported.
func TestSendOutcomeDoesNotHideAFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	boom := errors.New("boom")
	c := newFunc()
	c.main = func(context.Context) error {
		c.SendOutcome(axon.ProducerFinished{})
		return boom
	}
	h := axontest.NewHandle(t, s, c)
	m, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, m)
	m, err = h.Get(ctx, "signal")
	require.NoError(t, err)
	f, ok := m.(*axon.Failure)
	require.True(t, ok, "got %T %v", m, m)
	assert.ErrorIs(t, f, boom)
	assert.ErrorIs(t, s.Wait(ctx), boom)
}

// EndedChildren names each child once, in the order they ended, and
// forgets a child removed before it was asked.
func TestEndedChildrenNamesEachEndOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	kids := []*funcComp{newFunc(), newFunc(), newFunc()}
	got := make(chan []axon.Component, 1)
	parent := newFunc()
	parent.main = func(ctx context.Context) error {
		for _, k := range kids {
			require.NoError(t, parent.AddChildren(k))
		}
		parent.ActivateChildren()
		assert.Empty(t, parent.EndedChildren(), "none has ended yet")
		var ended []axon.Component
		require.NoError(t, kids[1].Tell(axon.Shutdown{}))
		<-kids[1].Done()
		require.NoError(t, kids[0].Tell(axon.Shutdown{}))
		<-kids[0].Done()
		require.NoError(t, parent.RemoveChild(kids[2]))
		require.NoError(t, kids[2].Tell(axon.Shutdown{}))
		<-kids[2].Done()
		ended = append(ended, parent.EndedChildren()...)
		ended = append(ended, parent.EndedChildren()...) // asked again: nothing new
		got <- ended
		return nil
	}
	s.Activate(parent)
	ended := <-got
	assert.Equal(t, []axon.Component{kids[1], kids[0]}, ended)
	require.NoError(t, s.Wait(ctx))
}

// A loop that only sends, on an outbox linked to nothing, drops what it
// sends until its component is told to stop now; from then on the send
// fails with the context's error, so the loop ends instead of spinning.
func TestUnlinkedSendFailsOnceToldToStop(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(ctx context.Context, out *axon.Outbox[int], v int) error
	}{
		{"Send", func(ctx context.Context, out *axon.Outbox[int], v int) error { return out.Send(ctx, v) }},
		{"TrySend", func(_ context.Context, out *axon.Outbox[int], v int) error { return out.TrySend(v) }},
		{"SendBatch", func(ctx context.Context, out *axon.Outbox[int], v int) error { return out.SendBatch(ctx, []int{v}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := axontest.NewScheduler(t)
			ctx := axontest.Context(t)
			c := newFunc()
			out := axon.NewOutbox[int](c, "outbox")
			started := make(chan struct{})
			var sendErr error
			c.main = func(ctx context.Context) error {
				for i := 0; ; i++ {
					if err := tc.send(ctx, out, i); err != nil {
						sendErr = err
						return err
					}
					if i == 0 {
						close(started)
					}
				}
			}
			s.Activate(c)
			<-started
			require.NoError(t, c.Tell(axon.Shutdown{}))
			select {
			case <-c.Done():
			case <-ctx.Done():
				t.Fatal("the send-only loop did not end after Shutdown")
			}
			assert.ErrorIs(t, sendErr, context.Canceled)
			assert.Positive(t, out.Dropped(), "sends before the Shutdown were dropped and counted")
			require.NoError(t, s.Wait(ctx), "ending on the context's error is the answer to Shutdown, not a failure")
		})
	}
}

// A Send on an outbox linked to nothing with a context that has ended
// returns the context's error rather than dropping the message.
func TestUnlinkedSendWithEndedContextFails(t *testing.T) {
	c := newFunc()
	out := axon.NewOutbox[int](c, "outbox")
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, out.Send(ctx, 1), "dropped while ctx is live")
	cancel()
	assert.ErrorIs(t, out.Send(ctx, 2), context.Canceled)
	assert.Equal(t, uint64(1), out.Dropped())
}

// hidesDone has a field that hides Core's Done.
type hidesDone struct {
	axon.Core
	Done chan struct{}
	ran  bool
}

func (h *hidesDone) Main(context.Context) error { h.ran = true; return nil }

// renamesName has a method Name of another signature than Core's.
type renamesName struct{ axon.Core }

func (*renamesName) Name() int                      { return 0 }
func (*renamesName) Main(ctx context.Context) error { return nil }

// overridesString overrides a method of Core with the same signature, which
// is allowed.
type overridesString struct{ axon.Core }

func (*overridesString) String() string                 { return "mine" }
func (*overridesString) Main(ctx context.Context) error { return nil }

// A component whose type hides a method of Core fails at activation,
// naming the method, without running its Main.
func TestActivateRefusesAComponentThatHidesACoreMethod(t *testing.T) {
	ctx := axontest.Context(t)
	s := axon.NewScheduler()
	h := &hidesDone{}
	s.Activate(h)
	err := s.Wait(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "hides Core's Done")
	assert.False(t, h.ran, "its Main did not run")
	var f *axon.Failure
	require.ErrorAs(t, err, &f)

	s.Activate(&renamesName{})
	err = s.Wait(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Name (by a method func() int, not func() string)")

	s.Activate(&overridesString{})
	require.NoError(t, s.Wait(ctx), "an override with Core's signature is fine")
}
