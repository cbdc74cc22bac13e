package chassis_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crasher fails after living for its lifetime (at once when it is 0).
type crasher struct {
	axon.Core
	life time.Duration
}

func (c *crasher) Main(ctx context.Context) error {
	if c.life > 0 {
		select {
		case <-time.After(c.life):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("crash")
}

// stubborn ignores its context: it ends only when release is closed.
type stubborn struct {
	axon.Core
	release <-chan struct{}
}

func (s *stubborn) Main(context.Context) error {
	<-s.release
	return nil
}

func TestSupervisorBacksOffACrashLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		var made atomic.Int64
		g := chassis.SupervisedGraphline(chassis.Factories{"C": func() axon.Component {
			made.Add(1)
			return &crasher{}
		}}, chassis.Linkages{}, chassis.Restart{Strategy: chassis.OneForOne, MaxRestarts: 1_000_000, Period: time.Minute})
		require.NoError(t, g.SetupErr())
		s.Activate(g)
		time.Sleep(time.Minute) // the bubble's fake clock
		restarts := made.Load() - 1
		// 10 ms doubling: 9 restarts in the first 5.11 s, then one every
		// 5 s: 10 more within the minute.
		t.Logf("restarts in a minute of a child that fails at once: %d", restarts)
		assert.Equal(t, int64(19), restarts)
		assert.Equal(t, axon.Running, g.State())
	})
}

func TestSupervisorBackOffResetsAfterAChildStaysUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		var starts []time.Time
		made := make(chan struct{}, 16)
		g := chassis.SupervisedGraphline(chassis.Factories{"C": func() axon.Component {
			starts = append(starts, time.Now())
			made <- struct{}{}
			return &crasher{life: 30 * time.Second}
		}}, chassis.Linkages{}, chassis.Restart{
			Strategy: chassis.OneForOne, MaxRestarts: 100, Period: time.Hour,
			Backoff: chassis.Backoff{Initial: 100 * time.Millisecond, Reset: 20 * time.Second},
		})
		require.NoError(t, g.SetupErr())
		<-made
		s.Activate(g)
		for range 5 {
			<-made
		}
		for i := 1; i < len(starts); i++ {
			assert.Equal(t, 30*time.Second+100*time.Millisecond, starts[i].Sub(starts[i-1]),
				"restart %d waits only the first back-off: the child stayed up", i)
		}
	})
}

func TestBackoffIsChecked(t *testing.T) {
	g := chassis.SupervisedGraphline(chassis.Factories{"C": func() axon.Component { return &crasher{} }}, chassis.Linkages{},
		chassis.Restart{MaxRestarts: 1, Period: time.Second, Backoff: chassis.Backoff{Initial: time.Second, Max: time.Millisecond}})
	require.ErrorContains(t, g.SetupErr(), "bad restart back-off")
}

// put1 is one message a test puts on a box of a component.
type put1 struct {
	box string
	v   any
}

// tellShutdown is what stuckFails sends unless told otherwise.
var tellShutdown = []put1{{"control", axon.Shutdown{}}}

// stuckFails activates comp, puts the messages (each once the system is
// idle again), and checks that comp then fails, the grace period after the
// last, naming the child that would not stop; then lets the child end.
func stuckFails(t *testing.T, comp axon.Component, release chan struct{}, child string, msgs []put1) {
	t.Helper()
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, comp)
	var start time.Time
	for _, m := range msgs {
		synctest.Wait()
		start = time.Now()
		put(t, h, m.box, m.v)
	}
	err := h.Wait(axontest.Context(t))
	var se *axon.StuckError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, []string{child}, se.Components)
	assert.Equal(t, axon.DefaultGracePeriod, se.Grace)
	assert.Equal(t, axon.DefaultGracePeriod, time.Since(start), "it waited the grace period")
	assert.Contains(t, err.Error(), child)
	close(release)
}

func TestGraphlineGivesUpOnAChildThatIgnoresShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		g := chassis.Graphline(chassis.Components{"STUCK": &stubborn{release: release}, "FINE": newRelay[int]()},
			chassis.Linkages{})
		stuckFails(t, g, release, "STUCK", tellShutdown)
	})
}

func TestPARGivesUpOnAChildThatIgnoresShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		stuckFails(t, chassis.PAR(newRelay[any](), &stubborn{release: release}), release, "2", tellShutdown)
	})
}

func TestSeqGivesUpOnAStepThatIgnoresShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		stuckFails(t, chassis.Seq(&stubborn{release: release}), release, "step 1", tellShutdown)
	})
}

func TestCarouselGivesUpOnAChildThatIgnoresShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		c := chassis.NewCarousel[int, any, any](func(int) axon.Component { return &stubborn{release: release} })
		stuckFails(t, c, release, "child 1", []put1{{"next", 1}, {"control", axon.Shutdown{}}})
	})
}

func TestAllForOneRestartGivesUpOnASiblingThatIgnoresShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		g := chassis.SupervisedGraphline(chassis.Factories{
			"A": func() axon.Component { return &crasher{} },
			"B": func() axon.Component { return &stubborn{release: release} },
		}, chassis.Linkages{}, chassis.Restart{Strategy: chassis.AllForOne, MaxRestarts: 5, Period: time.Minute})
		s := axontest.NewScheduler(t)
		h := axontest.NewHandle(t, s, g)
		err := h.Wait(axontest.Context(t))
		var se *axon.StuckError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, []string{"B"}, se.Components)
		close(release)
	})
}

func TestCarouselGivesUpOnAChildThatIgnoresItsReplacement(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		c := chassis.NewCarousel[int, any, any](func(int) axon.Component { return &stubborn{release: release} })
		// The second replaces child 1, which does not stop.
		stuckFails(t, c, release, "child 1", []put1{{"next", 1}, {"next", 2}})
	})
}
