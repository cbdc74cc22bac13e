package chassis_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPARRunsChildrenSideBySideAndFansTheirOutboxesIn(t *testing.T) {
	s := axontest.NewScheduler(t)
	p := chassis.PAR(newSource(1, 2), newSource(3, 4), newSource(5))
	require.NoError(t, p.SetupErr())
	h := axontest.NewHandle(t, s, p)
	require.ElementsMatch(t, []any{1, 2, 3, 4, 5}, getN(t, h, "outbox", 5))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"), "one outcome, for them all")
	ended(t, h, "signal")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestPARCopiesControlToEveryChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b, c := newMock(), newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.PAR(a, b, c))
	put(t, h, "control", "hello")
	for _, m := range []*mock{a, b, c} {
		require.Equal(t, "hello", recv(t, m.seen))
	}
	put(t, h, "control", axon.ProducerFinished{})
	for _, m := range []*mock{a, b, c} {
		require.Equal(t, axon.ProducerFinished{}, recv(t, m.seen))
	}
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
}

func TestPARShutdownStopsEveryChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newStubborn(), newStubborn()
	h := axontest.NewHandle(t, s, chassis.PAR(a, b))
	put(t, h, "control", axon.Shutdown{})
	require.Equal(t, axon.Shutdown{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.True(t, hasEnded(a))
	assert.True(t, hasEnded(b))
}

func TestPARBroadcastsItsInboxByDefault(t *testing.T) {
	s := axontest.NewScheduler(t)
	p := chassis.PAR(newAdder(1), newAdder(10), newAdder(100))
	in, _ := p.Inbox("inbox")
	assert.Equal(t, "int", in.Type().String(), "typed like the children's inboxes")
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 0)
	require.ElementsMatch(t, []any{1, 10, 100}, getN(t, h, "outbox", 3))
}

func TestPARRoutesItsInboxRoundRobin(t *testing.T) {
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, chassis.PAR(newAdder(1), newAdder(10)).RouteInbox(chassis.RoundRobin()))
	put(t, h, "inbox", 0, 0, 0, 0)
	require.ElementsMatch(t, []any{1, 10, 1, 10}, getN(t, h, "outbox", 4))
}

func TestPARCanDiscardItsInbox(t *testing.T) {
	s := axontest.NewScheduler(t)
	a := newAdder(1)
	h := axontest.NewHandle(t, s, chassis.PAR(a).RouteInbox(chassis.Discard))
	put(t, h, "inbox", 1, 2, 3)
	require.NoError(t, h.Finish(axontest.Context(t)))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "outbox")
}

func TestPARFansSignalMessagesInButGathersOutcomes(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.PAR(a, b))
	put(t, h, "control", "note")
	require.Equal(t, []any{"note", "note"}, getN(t, h, "signal", 2))
	pokeInto(t, a.Control())("stop")
	waitDone(t, a)
	_, sent := h.TryGet("signal")
	assert.False(t, sent, "a child's end is not passed on while the others run")
	pokeInto(t, b.Control())("stop")
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
}

func TestPARChildFailureFailsThePAR(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	h := axontest.NewHandle(t, s, chassis.PAR(a, b))
	recv(t, a.started)
	pokeInto(t, b.Control())("panic")
	err := h.Wait(axontest.Context(t))
	var ce *chassis.ChildError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "2", ce.Child)
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	assert.True(t, hasEnded(a))
}

func TestPARWithMixedTypesRoutesCheckedValues(t *testing.T) {
	s := axontest.NewScheduler(t)
	p := chassis.PAR(newAdder(1), newRelay[string]())
	in, _ := p.Inbox("inbox")
	assert.Equal(t, "interface {}", in.Type().String())
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 41)
	err := h.Wait(axontest.Context(t))
	require.ErrorIs(t, err, axon.ErrTypeMismatch, "41 cannot go to the string child")
	assert.Contains(t, err.Error(), "child 2")
}

func TestPARGivenAChildTwiceIsAnError(t *testing.T) {
	a := newMock()
	require.Error(t, chassis.PAR(a, a).SetupErr())
}
