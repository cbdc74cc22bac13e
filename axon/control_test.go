package axon_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Components that embed Core are CoreComponents.
var _ = []axon.CoreComponent{(*funcComp)(nil), (*axontest.Relay[int])(nil)}

// TestTakeControlReportsWhatControlSaid puts every kind of control message
// on a component's control and checks what TakeControl makes of them.
func TestTakeControlReportsWhatControlSaid(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	fail := &axon.Failure{Component: "up", Err: errors.New("boom")}
	c := newFunc()
	got := make(chan axon.ControlState, 1)
	var seen []any
	c.main = func(ctx context.Context) error {
		for c.Control().Len() < 5 {
			if err := c.WaitFor(context.Background(), c.Control()); err != nil {
				return err
			}
		}
		got <- c.TakeControl(func(m any) { seen = append(seen, m) })
		return nil
	}
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	for _, m := range []any{"hello", axon.ProducerFinished{Reason: io.EOF}, fail, &axon.ProducerFinished{}, fail} {
		require.NoError(t, h.Put(ctx, "control", m))
	}
	st := <-got
	assert.True(t, st.Finishing)
	assert.Equal(t, io.EOF, st.Reason, "the first reason given")
	assert.Same(t, fail, st.Failure)
	assert.Nil(t, st.Shutdown)
	require.NoError(t, h.Wait(ctx))
	assert.Equal(t, []any{"hello", axon.ProducerFinished{Reason: io.EOF}, fail, &axon.ProducerFinished{}, fail}, seen,
		"every message in order; the pointer is an ordinary message")
	assert.Equal(t, 0, c.Control().Len())
}

// TestTakeControlFromReadsAnyInbox checks the form for an inbox that holds
// control messages on another's behalf, and that a *Shutdown is an
// ordinary message there.
func TestTakeControlFromReadsAnyInbox(t *testing.T) {
	b := newBox[any]("holder")
	in := axon.NewInbox[any](b, "held")
	out := newBox[any]("sender")
	ctl := axon.NewOutbox[any](out, "ctl")
	axon.MustLink(ctl, in)
	require.NoError(t, ctl.TrySend(&axon.Shutdown{Reason: io.ErrClosedPipe}))
	require.NoError(t, ctl.TrySend(axon.Shutdown{}))
	var seen []any
	st := axon.TakeControlFrom(in, func(m any) { seen = append(seen, m) })
	require.NotNil(t, st.Shutdown)
	assert.Equal(t, axon.Shutdown{}, *st.Shutdown, "the last one")
	assert.False(t, st.Finishing)
	assert.Equal(t, []any{&axon.Shutdown{Reason: io.ErrClosedPipe}, axon.Shutdown{}}, seen)
}

func TestIsShutdownMessageKnowsTheCanonicalForms(t *testing.T) {
	for _, m := range []any{axon.ProducerFinished{}, axon.Shutdown{}, &axon.Failure{Err: io.EOF}} {
		assert.True(t, axon.IsShutdownMessage(m), "%#v", m)
	}
	for _, m := range []any{&axon.ProducerFinished{}, &axon.Shutdown{}, axon.Failure{}, "Shutdown", nil} {
		assert.False(t, axon.IsShutdownMessage(m), "%#v", m)
	}
}
