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

// names returns the names of the parked components of a deadlock.
func parkedNames(d *axon.DeadlockError) []string {
	var out []string
	for _, p := range d.Parked {
		out = append(out, p.Name)
	}
	return out
}

// A Graphline whose linkages carry data but not the end: SINK is never
// told ProducerFinished, so it and the Graphline would wait for ever. Run
// reports it instead of hanging.
func TestDeadlockGraphlineWithoutSignalToControl(t *testing.T) {
	s := axontest.NewScheduler(t)
	sink := newRelay[int]()
	sink.SetName("SINK")
	g := chassis.Graphline(chassis.Components{
		"SRC":  newCount(3),
		"SINK": sink,
	}, chassis.Linkages{
		{"SRC", "outbox"}: {"SINK", "inbox"},
	})
	g.SetName("graph")
	ctx := axontest.Context(t)
	err := s.RunContext(ctx, g)
	require.NoError(t, ctx.Err(), "Run waited until the test's safety timeout")
	var d *axon.DeadlockError
	require.ErrorAs(t, err, &d)
	assert.Contains(t, parkedNames(d), "SINK")
	assert.Contains(t, parkedNames(d), "graph")
	for _, p := range d.Parked {
		if p.Name == "SINK" {
			assert.Equal(t, "SINK.inbox", p.Box)
		}
	}
	assert.Equal(t, axon.Finished, g.State(), "Run shuts a deadlocked system down")
}

// Subscribers of a Backplane whose publishers have all ended: nothing more
// will ever be published. Either the Backplane ends with its publishers
// (and its subscribers with it), or Run reports the subscribers and the
// Backplane deadlocked; it never hangs.
func TestDeadlockSubscribersOfABackplaneWithNoPublishers(t *testing.T) {
	s := axontest.NewScheduler(t)
	bp := chassis.NewBackplane[int]("DEADLOCK-NOPUB", chassis.OnScheduler(s))
	require.NoError(t, bp.SetupErr())
	sub := chassis.SubscribeTo[int]("DEADLOCK-NOPUB")
	sub.SetName("subscriber")
	sink := newRelay[int]()
	listener := chassis.Pipeline(sub, sink)
	s.Activate(bp, listener)
	<-sub.Subscribed()
	pub := chassis.PublishTo[int]("DEADLOCK-NOPUB")
	ctx := axontest.Context(t)
	err := s.RunContext(ctx, chassis.Pipeline(newCount(3), pub))
	require.NoError(t, ctx.Err(), "Run waited until the test's safety timeout")
	var d *axon.DeadlockError
	if errors.As(err, &d) {
		assert.Contains(t, parkedNames(d), "subscriber")
	} else {
		require.NoError(t, err)
	}
	assert.Equal(t, axon.Finished, listener.State())
}

// An unactivated Backplane is not covered here: its subscribers wait for it
// to take their join, outside the runtime's waits, so it is not a deadlock
// by the scheduler's rule; PublishTo and SubscribeTo are to activate it or
// fail instead.
