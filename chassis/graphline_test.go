package chassis_test

import (
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeMocks returns Components A, B and C, each a mock.
func threeMocks() (chassis.Components, *mock, *mock, *mock) {
	a, b, c := newMock(), newMock(), newMock()
	return chassis.Components{"A": a, "B": b, "C": c}, a, b, c
}

func TestGraphlineWithNoLinkagesOrComponentsIsValid(t *testing.T) {
	comps, _, _, _ := threeMocks()
	g, err := chassis.NewGraphline(comps, nil)
	require.NoError(t, err)
	require.NoError(t, g.SetupErr())

	s := axontest.NewScheduler(t)
	empty, err := chassis.NewGraphline(nil, chassis.Linkages{})
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, empty)
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"), "no children: it ends at once")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestGraphlineChildrenBecomeChildrenWhenActivated(t *testing.T) {
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, nil)
	assert.Empty(t, g.Children())
	s := axontest.NewScheduler(t)
	axontest.NewHandle(t, s, g)
	for _, m := range []*mock{a, b, c} {
		recv(t, m.started)
	}
	assert.ElementsMatch(t, []axon.Component{a, b, c}, g.Children())
}

func TestGraphlineActivatesChildrenOnlyWhenActivated(t *testing.T) {
	for _, linked := range []bool{false, true} {
		comps, a, b, c := threeMocks()
		var links chassis.Linkages
		if linked {
			links = chassis.Linkages{
				{"A", "outbox"}: {"B", "inbox"},
				{"B", "outbox"}: {"C", "inbox"},
				{"C", "outbox"}: {"A", "inbox"},
			}
		}
		g := chassis.Graphline(comps, links)
		require.NoError(t, g.SetupErr())
		for _, m := range []*mock{a, b, c} {
			assert.Equal(t, axon.Initialised, m.State(), "linked=%v", linked)
		}
		s := axontest.NewScheduler(t)
		axontest.NewHandle(t, s, g)
		for _, m := range []*mock{a, b, c} {
			recv(t, m.started) // even those with no linkage
		}
	}
}

func TestGraphlineLinkagesBetweenComponents(t *testing.T) {
	s := axontest.NewScheduler(t)
	g := chassis.Graphline(chassis.Components{
		"A": newAdder(1), "B": newAdder(10), "C": newAdder(100),
	}, chassis.Linkages{
		{"self", "inbox"}: {"A", "inbox"},
		{"A", "outbox"}:   {"B", "inbox"},
		{"B", "outbox"}:   {"self", "outbox"},
		{"self", "other"}: {"C", "inbox"},
		{"C", "outbox"}:   {"self", "otherOut"},
	})
	require.NoError(t, g.SetupErr())
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", 0)
	put(t, h, "other", 0)
	require.Equal(t, 11, get(t, h, "outbox"))
	require.Equal(t, 100, get(t, h, "otherOut"))
	// Data flows only along the linkages.
	_, leaked := h.TryGet("outbox")
	assert.False(t, leaked)
	_, leaked = h.TryGet("otherOut")
	assert.False(t, leaked)
	assert.Len(t, g.Links(), 5+3, "the linkages and the Graph's control outbox to each child")
}

func TestGraphlineTerminatesWhenAllChildrenHaveTerminated(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{{"A", "outbox"}: {"B", "inbox"}})
	h := axontest.NewHandle(t, s, g)
	for _, m := range []*mock{a, b} {
		recv(t, m.started)
		pokeInto(t, m.Control())("stop")
		waitDone(t, m)
	}
	assert.Equal(t, axon.Running, g.State(), "C still runs")
	_, sent := h.TryGet("signal")
	assert.False(t, sent, "nothing is signalled before every child has ended")
	pokeInto(t, c.Control())("stop")
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.Empty(t, g.Links(), "every link the Graph made is gone")
}

func TestGraphlineSelfInboxesPassThrough(t *testing.T) {
	s := axontest.NewScheduler(t)
	a := newMock()
	g := chassis.Graphline(chassis.Components{"A": a, "B": newRelay[any]()}, chassis.Linkages{
		{"self", "inbox"}:   {"A", "control"},
		{"self", "control"}: {"B", "inbox"},
		{"B", "outbox"}:     {"self", "outbox"},
	})
	require.NoError(t, g.SetupErr())
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "to A's control")
	require.Equal(t, "to A's control", recv(t, a.seen))
	put(t, h, "control", "to B's inbox")
	require.Equal(t, "to B's inbox", get(t, h, "outbox"))
}

func TestGraphlineMakesNewSelfBoxesOnThisGraphlineOnly(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	g := chassis.Graphline(chassis.Components{"A": a, "B": b, "C": newRelay[any](), "D": newRelay[any]()}, chassis.Linkages{
		{"self", "novel-inbox"}:         {"A", "control"},
		{"self", "another-novel-inbox"}: {"B", "control"},
		{"C", "outbox"}:                 {"self", "novel-boxname"},
		{"D", "outbox"}:                 {"self", "another-novel-boxname"},
		{"self", "inbox"}:               {"C", "inbox"},
		{"self", "control"}:             {"D", "inbox"},
	})
	require.NoError(t, g.SetupErr())
	h := axontest.NewHandle(t, s, g)
	put(t, h, "novel-inbox", 1)
	put(t, h, "another-novel-inbox", 2)
	require.Equal(t, 1, recv(t, a.seen))
	require.Equal(t, 2, recv(t, b.seen))
	put(t, h, "inbox", 3)
	put(t, h, "control", 4)
	require.Equal(t, 3, get(t, h, "novel-boxname"))
	require.Equal(t, 4, get(t, h, "another-novel-boxname"))

	other := chassis.Graphline(chassis.Components{"A": newMock()}, nil)
	_, ok := other.Inbox("novel-inbox")
	assert.False(t, ok, "boxes made for one Graphline do not appear on another")
	_, ok = other.Outbox("novel-boxname")
	assert.False(t, ok)
}

func TestGraphlineSelfBoxesTakeTheirChildsType(t *testing.T) {
	g := chassis.Graphline(chassis.Components{"A": newAdder(1)}, chassis.Linkages{
		{"self", "numbers"}: {"A", "inbox"},
		{"A", "outbox"}:     {"self", "sums"},
	})
	require.NoError(t, g.SetupErr())
	in, _ := g.Inbox("numbers")
	out, _ := g.Outbox("sums")
	assert.Equal(t, "int", in.Type().String())
	assert.Equal(t, "int", out.Type().String())
}

func TestGraphlineUnknownNamesAndBoxesAreErrorsListingWhatExists(t *testing.T) {
	comps := func() chassis.Components {
		return chassis.Components{"READ": newRelay[int](), "SUM": newAdder(0)}
	}
	_, err := chassis.NewGraphline(comps(), chassis.Linkages{{"READ", "outbox"}: {"WRITE", "inbox"}})
	require.Error(t, err)
	for _, want := range []string{`"WRITE"`, "READ, SUM", `"self"`} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = chassis.NewGraphline(comps(), chassis.Linkages{{"READ", "output"}: {"SUM", "inbox"}})
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	assert.Contains(t, err.Error(), `"output"`)
	assert.Contains(t, err.Error(), "outbox, signal")
	_, err = chassis.NewGraphline(comps(), chassis.Linkages{{"READ", "outbox"}: {"SUM", "input"}})
	require.ErrorIs(t, err, axon.ErrNoSuchBox)
	assert.Contains(t, err.Error(), "inbox, control")
	_, err = chassis.NewGraphline(comps(), chassis.Linkages{{"self", "inbox"}: {"self", "outbox"}})
	require.Error(t, err)
	_, err = chassis.NewGraphline(chassis.Components{"self": newMock()}, nil)
	require.Error(t, err)
}

func TestGraphlineTypeMismatchNamesBothComponentsAndTypes(t *testing.T) {
	r, a := newRelay[string](), newAdder(0)
	r.SetName("Words")
	a.SetName("Sum")
	g, err := chassis.NewGraphline(chassis.Components{"W": r, "S": a}, chassis.Linkages{{"W", "outbox"}: {"S", "inbox"}})
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	for _, want := range []string{"Words.outbox", "Sum.inbox", "string", "int"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Empty(t, g.Links(), "a failed wiring leaves no link behind")
}

func TestGraphlineEmitsProducerFinishedWhenChildrenEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{{"A", "outbox"}: {"B", "inbox"}})
	h := axontest.NewHandle(t, s, g)
	for _, m := range []*mock{a, b, c} {
		recv(t, m.started)
	}
	_, sent := h.TryGet("signal")
	assert.False(t, sent)
	for _, m := range []*mock{a, b, c} {
		pokeInto(t, m.Control())("stop")
	}
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
}

func TestGraphlineEmitsTheShutdownItWasTold(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, _, _, _ := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{{"A", "outbox"}: {"B", "inbox"}})
	h := axontest.NewHandle(t, s, g)
	why := errors.New("closing time")
	put(t, h, "control", axon.Shutdown{Reason: why})
	require.Equal(t, axon.Shutdown{Reason: why}, get(t, h, "signal"))
	ended(t, h, "signal")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestGraphlineControlWiredPassesThroughOnly(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{{"self", "control"}: {"A", "control"}})
	h := axontest.NewHandle(t, s, g)
	for _, m := range []*mock{a, b, c} {
		recv(t, m.started)
	}
	put(t, h, "control", "hello")
	require.Equal(t, "hello", recv(t, a.seen))
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, recv(t, a.seen))
	waitDone(t, a)
	assert.Empty(t, b.seen, "only A is wired to the Graph's control")
	assert.Empty(t, c.seen)
	assert.True(t, running(b) && running(c))
	_, sent := h.TryGet("signal")
	assert.False(t, sent)
	pokeInto(t, b.Control())("stop")
	pokeInto(t, c.Control())("stop")
	// The user wired control: whatever it was told, the Graph says it finished.
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
}

func TestGraphlineControlWiredShutdownGoesOnlyWhereWired(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{
		{"self", "control"}: {"A", "control"},
		{"A", "outbox"}:     {"B", "control"},
	})
	h := axontest.NewHandle(t, s, g)
	for _, m := range []*mock{a, b, c} {
		recv(t, m.started)
	}
	put(t, h, "control", axon.Shutdown{})
	waitDone(t, a)
	assert.True(t, running(b) && running(c), "the Shutdown went to A only")
	pokeInto(t, b.Control())("stop")
	pokeInto(t, c.Control())("stop")
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
}

func TestGraphlineControlCopiedToChildrenWithUnwiredControl(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{
		{"A", "outbox"}: {"B", "control"}, // B's control is wired: it gets no copy
	})
	h := axontest.NewHandle(t, s, g)
	recv(t, b.started)
	put(t, h, "control", "flurble")
	require.Equal(t, "flurble", recv(t, a.seen))
	require.Equal(t, "flurble", recv(t, c.seen))
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, recv(t, a.seen))
	require.Equal(t, axon.ProducerFinished{}, recv(t, c.seen))
	waitDone(t, a)
	waitDone(t, c)
	assert.Empty(t, b.seen, "B's control is wired: it was copied nothing")
	assert.Equal(t, axon.Running, g.State(), "B still runs")
	pokeInto(t, b.Control())("stop")
	// It was told ProducerFinished, not Shutdown: it says it finished.
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
}

func TestGraphlineSignalWiredSendsNothingOfItsOwn(t *testing.T) {
	s := axontest.NewScheduler(t)
	comps, a, b, c := threeMocks()
	g := chassis.Graphline(comps, chassis.Linkages{
		{"A", "signal"}: {"self", "signal"},
		{"A", "outbox"}: {"B", "control"},
	})
	h := axontest.NewHandle(t, s, g)
	recv(t, b.started)
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, recv(t, a.seen))
	require.Equal(t, axon.ProducerFinished{}, recv(t, c.seen))
	// A's own outcome comes out of the Graph's signal.
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	pokeInto(t, b.Control())("stop")
	require.NoError(t, h.Wait(axontest.Context(t)))
	ended(t, h, "signal") // and nothing of the Graph's own after it
}

func TestGraphlineManuallyWiredShutdownOverrides(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b, c := newMock(), newRelay[any](), newRelay[any]()
	g := chassis.Graphline(chassis.Components{"A": a, "B": b, "C": c}, chassis.Linkages{
		{"self", "control"}: {"A", "control"},
		{"A", "signal"}:     {"self", "signal"},
		{"B", "outbox"}:     {"C", "inbox"},
		{"self", "inbox"}:   {"B", "inbox"},
		{"C", "outbox"}:     {"self", "outbox"},
	})
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "through B and C")
	require.Equal(t, "through B and C", get(t, h, "outbox"))
	put(t, h, "control", "stop")
	require.Equal(t, "stop", recv(t, a.seen))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"), "A's outcome")
	_, sent := h.TryGet("signal")
	assert.False(t, sent)
	assert.Equal(t, axon.Running, g.State(), "B and C were not told to stop")
	require.NoError(t, h.Close())
	ended(t, h, "signal")
}

func TestGraphlineChildFailureFailsTheGraphline(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newRelay[string](), newFlaky(1)
	g := chassis.Graphline(chassis.Components{"A": a, "B": b}, chassis.Linkages{
		{"self", "inbox"}: {"A", "inbox"},
		{"A", "outbox"}:   {"B", "inbox"},
	})
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "fail")
	err := h.Wait(axontest.Context(t))
	var ce *chassis.ChildError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "B", ce.Child)
	require.ErrorIs(t, err, errFlaky)
	assert.True(t, hasEnded(a), "the other children were shut down")
	sig := get(t, h, "signal")
	require.ErrorIs(t, sig.(error), errFlaky)
}

func TestGraphlineLeavesItsUnwiredInboxUnread(t *testing.T) {
	s := axontest.NewScheduler(t)
	a := newMock()
	g := chassis.Graphline(chassis.Components{"A": a}, nil)
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "kept", "also kept")
	recv(t, a.started)
	in, _ := g.Inbox("inbox")
	assert.Equal(t, 2, in.(interface{ Len() int }).Len(), "what it is sent waits there, as in Kamaelia")
	assert.Empty(t, a.seen)
	pokeInto(t, a.Control())("stop")
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"), "and does not keep it from ending")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestGraphlineChildReturnsTheNamedComponent(t *testing.T) {
	comps, a, _, _ := threeMocks()
	g := chassis.Graphline(comps, nil)
	assert.True(t, a == g.Child("A"))
	assert.Nil(t, g.Child("Z"))
}
