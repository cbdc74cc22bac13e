package chassis_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deaf ignores its context: it ends only when release is closed.
type deaf struct {
	axon.Core
	release chan struct{}
}

func (d *deaf) Main(context.Context) error {
	<-d.release
	return nil
}

// TestAllForOneRestartGivesUpOnAChildThatWillNotStop: A fails, so every
// child is to be restarted; B ignores the Shutdown. The supervisor backs off,
// then waits the scheduler's grace period for it, not for ever, and fails
// naming it.
func TestAllForOneRestartGivesUpOnAChildThatWillNotStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axon.NewScheduler()
		s.SetLogger(slog.New(slog.DiscardHandler))
		s.SetGracePeriod(time.Second)
		release := make(chan struct{})
		g := chassis.SupervisedGraphline(chassis.Factories{
			"A": func() axon.Component { return newFlaky(1) },
			"B": func() axon.Component { d := &deaf{release: release}; d.SetName("B"); return d },
		}, chassis.Linkages{{Component: "self", Box: "inbox"}: {Component: "A", Box: "inbox"}},
			chassis.Restart{Strategy: chassis.AllForOne, MaxRestarts: 5, Period: time.Minute})
		h, err := axon.NewHandle(s, g, "inbox")
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, h.Put(context.Background(), "inbox", "fail"))
		<-g.Done()
		assert.Equal(t, chassis.DefaultBackoffInitial+time.Second, time.Since(start),
			"the first restart's back-off, then the grace period")
		var stuck *axon.StuckError
		require.ErrorAs(t, g.Err(), &stuck)
		assert.Equal(t, []string{"B"}, stuck.Components)

		close(release)
		err = s.Wait(context.Background())
		require.ErrorAs(t, err, &stuck, "the supervisor's failure")
		assert.Equal(t, 1, strings.Count(err.Error(), "still running"), "reported once: %v", err)
		require.ErrorAs(t, h.Close(), &stuck, "Close returns the failure")
	})
}
