package chassis_test

import (
	"context"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// taker passes on one message, tagged, and ends.
type taker struct {
	stage[string]
	tag string
}

func newTaker(tag string) *taker {
	k := &taker{tag: tag}
	k.in = axon.NewInbox[string](k, "inbox")
	k.out = axon.NewOutbox[string](k, "outbox")
	return k
}

func (k *taker) Main(ctx context.Context) error {
	v, err := k.in.Recv(ctx)
	if err != nil {
		return nil // told to finish before it had anything
	}
	return k.out.Send(ctx, k.tag+":"+v)
}

func TestSeqRunsComponentsOneAfterAnother(t *testing.T) {
	s := axontest.NewScheduler(t)
	q := chassis.Seq(newSource(1, 2), newSource(3), newSource(4, 5))
	require.NoError(t, q.SetupErr())
	h := axontest.NewHandle(t, s, q)
	require.Equal(t, []any{1, 2, 3, 4, 5}, getN(t, h, "outbox", 5))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"), "one ProducerFinished, at the end")
	ended(t, h, "signal")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestSeqStartsEachComponentOnlyWhenTheOneBeforeHasEnded(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	axontest.NewHandle(t, s, chassis.Seq(a, b))
	recv(t, a.started)
	assert.Equal(t, axon.Initialised, b.State())
	pokeInto(t, a.Control())("stop")
	recv(t, b.started)
	assert.True(t, hasEnded(a))
}

func TestSeqPassesItsInboxToTheComponentRunning(t *testing.T) {
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, chassis.Seq(newTaker("first"), newTaker("second")))
	put(t, h, "inbox", "a", "b") // "b" waits in the Seq, or is left by the first and given back
	require.Equal(t, "first:a", get(t, h, "outbox"))
	require.Equal(t, "second:b", get(t, h, "outbox"), "what the first left goes to the second")
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
}

func TestSeqProducerFinishedReachesEveryLaterComponent(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b, c := newStubborn(), newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.Seq(a, b, c))
	recv(t, a.started)
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, recv(t, a.seen))
	pokeInto(t, a.Control())("stop")
	require.Equal(t, axon.ProducerFinished{}, recv(t, b.seen), "told as it starts")
	require.Equal(t, axon.ProducerFinished{}, recv(t, c.seen))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestSeqShutdownStopsTheRunningComponentAndStartsNoMore(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.Seq(a, b))
	recv(t, a.started)
	put(t, h, "control", axon.Shutdown{})
	require.Equal(t, axon.Shutdown{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.True(t, hasEnded(a))
	assert.Equal(t, axon.Initialised, b.State())
}

func TestSeqFailureStopsTheSequence(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.Seq(a, b))
	recv(t, a.started)
	pokeInto(t, a.Control())("fail")
	err := h.Wait(axontest.Context(t))
	var ce *chassis.ChildError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "step 1", ce.Child)
	require.ErrorIs(t, err, errFlaky)
	assert.Equal(t, axon.Initialised, b.State())
}

func TestSeqTypeMismatchIsAnErrorAtConstruction(t *testing.T) {
	q := chassis.Seq(newRelay[string](), newAdder(1))
	require.ErrorIs(t, q.SetupErr(), axon.ErrTypeMismatch)
	assert.Contains(t, q.SetupErr().Error(), "step 2")
	require.ErrorIs(t, chassis.Seq().SetupErr(), chassis.ErrNoChildren)
}
