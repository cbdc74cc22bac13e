package chassis_test

import (
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// droppedOn returns the dropped count the Snapshot shows on comp's box.
func droppedOn(t testing.TB, s *axon.Scheduler, comp axon.Component, box string) uint64 {
	t.Helper()
	id := comp.(interface{ ID() uint64 }).ID()
	for _, b := range s.Snapshot().Boxes {
		if b.Component == id && b.Name == box && !b.Inbox {
			return b.Dropped
		}
	}
	t.Fatalf("the Snapshot has no outbox %q of %v", box, comp)
	return 0
}

// A child that sends one message into an inbox other children feed too
// (fan-in), and ends at once, loses nothing: every link of a Graphline is
// made when it is built, before any child runs, and a send is delivered
// before it returns. The Snapshot's "dropped 1" on such a child is on its
// signal: the ProducerFinished the runtime sends there when it ends, which
// no linkage leads anywhere.
func TestGraphlineChildThatSendsOnceIntoAFanInAndEndsLosesNothing(t *testing.T) {
	for i := range 50 {
		s := axontest.NewScheduler(t)
		hello := newSource("welcome")
		g := chassis.Graphline(chassis.Components{
			"HELLO": hello,
			"LINES": newRelay[string](),
			"FRAME": newRelay[string](),
		}, chassis.Linkages{
			{"self", "inbox"}:   {"LINES", "inbox"},
			{"HELLO", "outbox"}: {"FRAME", "inbox"},
			{"LINES", "outbox"}: {"FRAME", "inbox"},
			{"FRAME", "outbox"}: {"self", "outbox"},
		})
		require.NoError(t, g.SetupErr())
		h := axontest.NewHandle(t, s, g)
		waitDone(t, hello)
		put(t, h, "inbox", "line")
		require.Equal(t, []any{"welcome", "line"}, getN(t, h, "outbox", 2), "run %d", i)
		assert.Zero(t, hello.out.Dropped(), "the welcome was delivered")
		assert.Zero(t, droppedOn(t, s, hello, "outbox"))
		assert.Equal(t, uint64(1), droppedOn(t, s, hello, "signal"), "its outcome, which nothing hears")
	}
}

// The same per connection of a SimpleServer: a protocol Graphline whose
// HELLO child writes a line and ends, fanned in with what ECHO sends, both
// into the connection's inbox through the Graphline's outbox.
func TestSimpleServerProtocolChildThatWelcomesAndEndsLosesNothing(t *testing.T) {
	for _, into := range []chassis.Port{{"self", "outbox"}, {"ECHO", "inbox"}} {
		t.Run(into.String(), func(t *testing.T) {
			s := axontest.NewScheduler(t)
			protocol := func() axon.Component {
				return chassis.Graphline(chassis.Components{
					"HELLO": newSource([]byte("welcome\n")),
					"ECHO":  newRelay[[]byte](),
				}, chassis.Linkages{
					{"self", "inbox"}:   {"ECHO", "inbox"},
					{"HELLO", "outbox"}: into,
					{"ECHO", "outbox"}:  {"self", "outbox"},
				})
			}
			srv, err := chassis.SimpleServer(protocol, "127.0.0.1:0")
			require.NoError(t, err)
			axontest.NewHandle(t, s, srv)
			for range 20 {
				nc := dialTCP(t, srv.Addr())
				assert.Equal(t, "welcome\n", readN(t, nc, len("welcome\n")))
				roundTrip(t, nc, "ping\n")
				require.NoError(t, nc.Close())
			}
		})
	}
}

// A child's outbox linked to the Graphline's "inbox" or "control" (or its
// "outbox" or "signal" to a child's inbox) is a setup error, as in Axon. It
// used to make a new box of that name the other way round (an outbox called
// "inbox"), which nothing outside links, so every message the child sent
// there was dropped.
func TestGraphlineSelfBoxOfTheWrongDirectionIsAnError(t *testing.T) {
	for _, l := range []chassis.Linkages{
		{{"A", "outbox"}: {"self", "inbox"}},
		{{"A", "signal"}: {"self", "control"}},
		{{"self", "outbox"}: {"A", "inbox"}},
		{{"self", "signal"}: {"A", "control"}},
	} {
		_, err := chassis.NewGraphline(chassis.Components{"A": newRelay[string]()}, l)
		require.Error(t, err, "%v", l)
		assert.ErrorIs(t, err, axon.ErrNoSuchBox)
		for from, to := range l {
			msg := err.Error()
			assert.True(t, strings.Contains(msg, from.String()) && strings.Contains(msg, to.String()), msg)
		}
	}
}
