package chassis_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// factories makes flaky children and reports each one made, by name.
type factories struct {
	made map[string]chan *flaky
}

func newFactories(names ...string) *factories {
	f := &factories{made: map[string]chan *flaky{}}
	for _, n := range names {
		f.made[n] = make(chan *flaky, 32)
	}
	return f
}

func (f *factories) of(name string) chassis.Factory {
	n := 0
	return func() axon.Component {
		n++
		k := newFlaky(n)
		k.SetName(fmt.Sprintf("%s#%d", name, n))
		f.made[name] <- k
		return k
	}
}

// twoLanes is a Graphline of two flaky relays, each with its own way in and
// out: self.a -> A -> self.outA and self.b -> B -> self.outB.
func twoLanes(f *factories, policy chassis.Restart) *chassis.Graph {
	return chassis.SupervisedGraphline(chassis.Factories{"A": f.of("A"), "B": f.of("B")}, chassis.Linkages{
		{"self", "a"}:   {"A", "inbox"},
		{"A", "outbox"}: {"self", "outA"},
		{"self", "b"}:   {"B", "inbox"},
		{"B", "outbox"}: {"self", "outB"},
	}, policy)
}

var lenient = chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 10, Period: time.Minute}

func TestSupervisedGraphlineOneForOneRestartsOnlyTheFailedChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := twoLanes(f, lenient)
	require.NoError(t, g.SetupErr())
	a1, b1 := recv(t, f.made["A"]), recv(t, f.made["B"])
	h := axontest.NewHandle(t, s, g)
	put(t, h, "a", "one")
	require.Equal(t, "one", get(t, h, "outA"))
	put(t, h, "a", "boom")
	a2 := recv(t, f.made["A"])
	waitDone(t, a1)
	put(t, h, "a", "two")
	require.Equal(t, "two", get(t, h, "outA"), "the new A is linked as the old one was")
	put(t, h, "b", "still")
	require.Equal(t, "still", get(t, h, "outB"))
	assert.True(t, a2 == g.Child("A"))
	assert.True(t, b1 == g.Child("B"), "B was not restarted")
	assert.Empty(t, f.made["B"])
	assert.Equal(t, axon.Running, b1.State())
}

func TestSupervisedGraphlineAllForOneRestartsEveryChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := twoLanes(f, chassis.Restart{Strategy: chassis.AllForOne, MaxRestarts: 10, Period: time.Minute})
	a1, b1 := recv(t, f.made["A"]), recv(t, f.made["B"])
	h := axontest.NewHandle(t, s, g)
	put(t, h, "a", "boom")
	a2, b2 := recv(t, f.made["A"]), recv(t, f.made["B"])
	waitDone(t, a1)
	waitDone(t, b1)
	assert.NoError(t, b1.Err(), "B was shut down, not failed")
	put(t, h, "a", "x")
	put(t, h, "b", "y")
	require.Equal(t, "x", get(t, h, "outA"))
	require.Equal(t, "y", get(t, h, "outB"))
	assert.True(t, a2 == g.Child("A"))
	assert.True(t, b2 == g.Child("B"))
}

// topology returns the links of g's children, with the children named as in
// the Graphline, so that two instances linked alike give the same lines.
func topology(s *axon.Scheduler, g *chassis.Graph, names ...string) []string {
	snap := s.Snapshot()
	byID := map[uint64]string{}
	for _, n := range names {
		byID[g.Child(n).(interface{ ID() uint64 }).ID()] = n
	}
	byID[g.ID()] = "self"
	var out []string
	for _, l := range snap.Links {
		from, ok1 := byID[l.FromComponent]
		to, ok2 := byID[l.ToComponent]
		if ok1 || ok2 {
			out = append(out, fmt.Sprintf("%s.%s -> %s.%s (%s)", from, l.FromBox, to, l.ToBox, l.Kind))
		}
	}
	slices.Sort(out)
	return out
}

func TestSupervisedGraphlineRelinksExactlyAsBefore(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := chassis.SupervisedGraphline(chassis.Factories{"A": f.of("A"), "B": f.of("B")}, chassis.Linkages{
		{"self", "inbox"}: {"A", "inbox"},
		{"A", "outbox"}:   {"B", "inbox"},
		{"B", "outbox"}:   {"self", "outbox"},
		{"A", "signal"}:   {"B", "control"},
		{"B", "signal"}:   {"self", "signal"},
	}, lenient)
	require.NoError(t, g.SetupErr())
	recv(t, f.made["A"])
	recv(t, f.made["B"])
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "warm")
	require.Equal(t, "warm", get(t, h, "outbox"))
	before := topology(s, g, "A", "B")
	for _, l := range []string{
		"self.inbox -> A.inbox (passthrough-in)",
		"A.outbox -> self._proxy.B.inbox (normal)",
		"self._proxy.B.inbox -> B.inbox (passthrough-in)",
		"B.outbox -> self.outbox (passthrough-out)",
		"A.signal -> self._signal.A (normal)",
		"self._signal.A.out -> B.control (normal)",
		"B.signal -> self._signal.B (normal)",
		"self._signal.B.out -> self.signal (passthrough-out)",
		"self._control.A -> A.control (normal)",
		"self._control.B -> B.control (normal)",
	} {
		require.Contains(t, before, l)
	}
	for _, victim := range []string{"A", "B"} {
		old := g.Child(victim).(*flaky)
		put(t, h, "inbox", "boom "+victim) // A panics, or passes it to B which does
		fresh := recv(t, f.made[victim])
		waitDone(t, old)
		put(t, h, "inbox", "after "+victim)
		require.Equal(t, "after "+victim, get(t, h, "outbox"))
		assert.True(t, fresh == g.Child(victim))
		assert.Equal(t, before, topology(s, g, "A", "B"), "relinked exactly as before %s's restart", victim)
	}
	_, sent := h.TryGet("signal")
	assert.False(t, sent, "a restarted child's failure is not passed on")
}

func TestSupervisedGraphlineLosesNothingASiblingSendsDuringARestart(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := chassis.SupervisedGraphline(chassis.Factories{"A": f.of("A"), "B": f.of("B")}, chassis.Linkages{
		{"self", "inbox"}: {"A", "inbox"},
		{"A", "outbox"}:   {"B", "inbox"},
		{"B", "outbox"}:   {"self", "outbox"},
	}, lenient)
	recv(t, f.made["A"])
	b := recv(t, f.made["B"])
	h := axontest.NewHandle(t, s, g)
	for round := range 5 {
		put(t, h, "inbox", "boom B")
		waitDone(t, b)
		// B has failed and is being replaced: what A sends now reaches the
		// old B's inbox (handed over), or waits in front of it, or reaches
		// the new B, depending on how far the restart has gone. All arrive.
		want := []any{}
		for i := range 5 {
			want = append(want, fmt.Sprintf("%d.%d", round, i))
		}
		put(t, h, "inbox", want...)
		require.Equal(t, want, getN(t, h, "outbox", len(want)), "round %d", round)
		b = recv(t, f.made["B"])
		assert.True(t, b == g.Child("B"))
	}
}

func TestSupervisedGraphlineGivesUpPastItsIntensity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		f := newFactories("A", "B")
		g := twoLanes(f, chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 2, Period: time.Second})
		recv(t, f.made["A"])
		recv(t, f.made["B"])
		h := axontest.NewHandle(t, s, g)
		for range 2 {
			put(t, h, "a", "boom")
			recv(t, f.made["A"])
			<-time.After(100 * time.Millisecond) // on the bubble's fake clock
		}
		put(t, h, "a", "boom") // the third failure within a second
		err := h.Wait(axontest.Context(t))
		var se *chassis.SupervisionError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "A", se.Child)
		assert.Equal(t, 2, se.Restarts)
		assert.Equal(t, time.Second, se.Period)
		var pe *axon.PanicError
		require.ErrorAs(t, err, &pe, "the cause is the child's panic")
		assert.Contains(t, err.Error(), `child A failed after 2 restarts within 1s`)
		assert.True(t, hasEnded(g.Child("B").(*flaky)), "the others were shut down")
		sig := get(t, h, "signal")
		require.ErrorAs(t, sig.(error), &se)
	})
}

func TestSupervisedGraphlineRestartsForeverBelowItsIntensity(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		f := newFactories("A", "B")
		g := twoLanes(f, chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 2, Period: time.Second})
		recv(t, f.made["A"])
		recv(t, f.made["B"])
		h := axontest.NewHandle(t, s, g)
		for range 6 {
			put(t, h, "a", "boom")
			recv(t, f.made["A"])
			<-time.After(600 * time.Millisecond) // fake clock: two failures a second at most
		}
		put(t, h, "a", "alive")
		require.Equal(t, "alive", get(t, h, "outA"))
		assert.Equal(t, axon.Running, g.State())
	})
}

func TestSupervisedGraphlineWithNoRestartsFailsAtOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := twoLanes(f, chassis.Restart{Strategy: chassis.OneForOne})
	h := axontest.NewHandle(t, s, g)
	put(t, h, "a", "fail")
	var se *chassis.SupervisionError
	require.ErrorAs(t, h.Wait(axontest.Context(t)), &se)
	require.ErrorIs(t, se, errFlaky)
}

func TestSupervisedGraphlineDoesNotRestartACleanEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := twoLanes(f, lenient)
	h := axontest.NewHandle(t, s, g)
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.Len(t, f.made["A"], 1, "made once, never again")
}

func TestSupervisionPolicyIsChecked(t *testing.T) {
	f := newFactories("A", "B")
	for _, bad := range []chassis.Restart{
		{MaxRestarts: -1},
		{MaxRestarts: 3},
		{Strategy: 7, MaxRestarts: 1, Period: time.Second},
	} {
		require.Error(t, twoLanes(f, bad).SetupErr(), "%+v", bad)
		require.Error(t, chassis.SupervisedPAR(bad, f.of("A")).SetupErr(), "%+v", bad)
	}
	require.Error(t, chassis.SupervisedGraphline(chassis.Factories{"A": nil}, nil, lenient).SetupErr())
}

func TestSupervisedPARRestartsAPanickingChild(t *testing.T) {
	for _, strategy := range []chassis.Strategy{chassis.OneForOne, chassis.AllForOne} {
		t.Run(strategy.String(), func(t *testing.T) {
			s := axontest.NewScheduler(t)
			f := newFactories("1", "2")
			p := chassis.SupervisedPAR(chassis.Restart{Strategy: strategy, MaxRestarts: 5, Period: time.Minute},
				f.of("1"), f.of("2")).RouteInbox(chassis.RoundRobin())
			require.NoError(t, p.SetupErr())
			first, second := recv(t, f.made["1"]), recv(t, f.made["2"])
			h := axontest.NewHandle(t, s, p)
			put(t, h, "inbox", "boom") // round robin: to the first child
			fresh := recv(t, f.made["1"])
			waitDone(t, first)
			if strategy == chassis.AllForOne {
				recv(t, f.made["2"])
				waitDone(t, second)
				require.NoError(t, second.Err())
			}
			put(t, h, "inbox", "x", "y")
			require.ElementsMatch(t, []any{"x", "y"}, getN(t, h, "outbox", 2))
			// Routed after the restart, so the PAR has its new children now.
			assert.True(t, fresh == p.Child(0))
			if strategy == chassis.OneForOne {
				assert.True(t, second == p.Child(1))
			}
			_, sent := h.TryGet("signal")
			assert.False(t, sent, "the failure was not passed on")
			put(t, h, "control", axon.ProducerFinished{})
			require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
			require.NoError(t, h.Wait(axontest.Context(t)))
		})
	}
}

func TestSupervisedPARGivesUpNamingTheChild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		f := newFactories("1", "2")
		p := chassis.SupervisedPAR(chassis.Restart{Strategy: chassis.AllForOne, MaxRestarts: 1, Period: time.Hour},
			f.of("1"), f.of("2")).RouteInbox(func(msg any, n int, dst []int) []int { return append(dst, 1) })
		h := axontest.NewHandle(t, s, p)
		put(t, h, "inbox", "fail")
		recv(t, f.made["2"])
		recv(t, f.made["2"])
		put(t, h, "inbox", "fail")
		err := h.Wait(axontest.Context(t))
		var se *chassis.SupervisionError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "2", se.Child)
		require.ErrorIs(t, err, errFlaky)
		assert.True(t, strings.Contains(err.Error(), "child 2"), err.Error())
	})
}

func TestStrategyNames(t *testing.T) {
	assert.Equal(t, "one-for-one", chassis.OneForOne.String())
	assert.Equal(t, "all-for-one", chassis.AllForOne.String())
	assert.True(t, errors.Is(&chassis.SupervisionError{Err: errFlaky}, errFlaky))
}

func TestSupervisedGraphlineRestartsAChildWhoseControlItForwards(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A")
	g := chassis.SupervisedGraphline(chassis.Factories{"A": f.of("A")}, chassis.Linkages{
		{"self", "inbox"}:   {"A", "inbox"},
		{"A", "outbox"}:     {"self", "outbox"},
		{"self", "control"}: {"A", "control"},
	}, lenient)
	old := recv(t, f.made["A"])
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "boom")
	recv(t, f.made["A"])
	waitDone(t, old)
	// The control messages A had were given back to the Graphline's control
	// as it ended; the new A gets them, and the passthrough, again.
	put(t, h, "inbox", "x")
	require.Equal(t, "x", get(t, h, "outbox"))
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestSupervisedGraphlineAllForOneWithForwardedControl(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFactories("A", "B")
	g := chassis.SupervisedGraphline(chassis.Factories{"A": f.of("A"), "B": f.of("B")}, chassis.Linkages{
		{"self", "inbox"}:   {"A", "inbox"},
		{"A", "outbox"}:     {"B", "inbox"},
		{"B", "outbox"}:     {"self", "outbox"},
		{"self", "control"}: {"B", "control"},
	}, chassis.Restart{Strategy: chassis.AllForOne, MaxRestarts: 5, Period: time.Minute})
	recv(t, f.made["A"])
	oldB := recv(t, f.made["B"])
	h := axontest.NewHandle(t, s, g)
	put(t, h, "inbox", "boom A") // A fails; B is shut down with a restart's Shutdown
	recv(t, f.made["A"])
	recv(t, f.made["B"])
	waitDone(t, oldB)
	put(t, h, "inbox", "x")
	require.Equal(t, "x", get(t, h, "outbox"), "the new B was not handed the restart's Shutdown")
}
