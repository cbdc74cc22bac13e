package axon_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stubborn is a component whose Main ignores its context: it returns only
// when the test closes release (at its end, so that no goroutine outlives it).
func stubborn(name string, release <-chan struct{}) *funcComp {
	c := &funcComp{main: func(context.Context) error {
		<-release
		return nil
	}}
	c.SetName(name)
	return c
}

// quietScheduler returns a scheduler that logs nowhere.
func quietScheduler() *axon.Scheduler {
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	return s
}

func TestRunContextGivesUpOnAComponentThatIgnoresItsContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		release := make(chan struct{})
		polite := newFunc()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := s.RunContext(ctx, stubborn("mule", release), polite)

		assert.Equal(t, time.Second+axon.DefaultGracePeriod, time.Since(start), "returns after exactly the grace period")
		var stuck *axon.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.Equal(t, []string{"mule"}, stuck.Components)
		assert.Equal(t, axon.DefaultGracePeriod, stuck.Grace)
		assert.Contains(t, err.Error(), "mule")
		assert.Equal(t, axon.Finished, polite.State(), "the component that heeded Shutdown ended")

		close(release)
		require.NoError(t, s.Wait(context.Background()))
	})
}

func TestSetGracePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		s.SetGracePeriod(250 * time.Millisecond)
		assert.Equal(t, 250*time.Millisecond, s.GracePeriod())
		release := make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		start := time.Now()
		err := s.RunContext(ctx, stubborn("mule", release))
		assert.Equal(t, 250*time.Millisecond, time.Since(start))
		var stuck *axon.StuckError
		require.ErrorAs(t, err, &stuck)
		close(release)
		require.NoError(t, s.Wait(context.Background()))

		s.SetGracePeriod(0)
		assert.Equal(t, axon.DefaultGracePeriod, s.GracePeriod(), "not positive: the default")
	})
}

func TestRunContextWaitsNoGraceForComponentsThatStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		require.NoError(t, s.RunContext(ctx, newFunc(), newFunc()))
		assert.Equal(t, time.Second, time.Since(start))
	})
}

func TestAParentWhoseChildIgnoresShutdownFailsNamingIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		release := make(chan struct{})
		kid := stubborn("kid", release)
		parent := &funcComp{}
		parent.SetName("parent")
		parent.main = func(ctx context.Context) error {
			parent.AddChildren(kid)
			parent.ActivateChildren()
			<-ctx.Done()
			return ctx.Err()
		}
		s.Activate(parent)
		synctest.Wait()
		start := time.Now()
		require.NoError(t, parent.Tell(axon.Shutdown{}))
		<-parent.Done()
		assert.Equal(t, axon.DefaultGracePeriod, time.Since(start), "the parent waited the grace period for its child")
		var stuck *axon.StuckError
		require.ErrorAs(t, parent.Err(), &stuck)
		assert.Equal(t, []string{"kid"}, stuck.Components)
		assert.Equal(t, axon.Running, kid.State())

		close(release)
		err := s.Wait(context.Background())
		require.ErrorAs(t, err, &stuck, "the parent's failure is returned")
	})
}

// failing is a component that fails at once.
func failing(err error) *funcComp {
	return &funcComp{main: func(context.Context) error { return err }}
}

// lineCounter is a slog.Handler counting the records it is given.
type lineCounter struct {
	mu    sync.Mutex
	lines []string
}

func (h *lineCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *lineCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.lines = append(h.lines, r.Message)
	h.mu.Unlock()
	return nil
}
func (h *lineCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *lineCounter) WithGroup(string) slog.Handler      { return h }

func (h *lineCounter) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

func TestFailuresAreKeptAndLoggedWithinBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 20000
		s := axon.NewScheduler()
		log := &lineCounter{}
		s.SetLogger(slog.New(log))
		errBroken := errors.New("connection broken")
		comps := make([]axon.Component, n)
		for i := range comps {
			comps[i] = failing(errBroken)
		}
		err := s.Run(comps...)

		require.ErrorIs(t, err, errBroken)
		joined, ok := err.(interface{ Unwrap() []error })
		require.True(t, ok, "a joined error: %T", err)
		kept := joined.Unwrap()
		require.Len(t, kept, axon.DefaultFailureLimit+1, "the first failures kept, and the count of the rest")
		var more *axon.OmittedFailuresError
		require.ErrorAs(t, err, &more)
		assert.Equal(t, n-axon.DefaultFailureLimit, more.Count)
		assert.Contains(t, err.Error(), "and 19900 more failures")

		lines := log.all()
		require.Len(t, lines, axon.DefaultLogLimit+1, "at most DefaultLogLimit lines in the second, then a summary")
		assert.Equal(t, "19990 more failures not logged", lines[len(lines)-1])
	})
}

func TestFailureLogIsRateLimitedPerSecond(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axon.NewScheduler()
		log := &lineCounter{}
		s.SetLogger(slog.New(log))
		s.SetFailureLimits(5, 3)
		errBroken := errors.New("broken")
		burst := func() {
			for range 7 {
				s.Activate(failing(errBroken))
			}
			synctest.Wait()
		}
		burst()
		assert.Len(t, log.all(), 3, "three logged in the first second")
		time.Sleep(time.Second)
		synctest.Wait() // the summary's timer fires at this instant too
		lines := log.all()
		require.Len(t, lines, 4, "the summary when the second is over: %q", lines)
		assert.Equal(t, "4 more failures not logged", lines[3])
		time.Sleep(500 * time.Millisecond)
		burst()
		assert.Len(t, log.all(), 7, "three more in the next second")

		err := s.Wait(context.Background())
		lines = log.all()
		require.Len(t, lines, 8, "%q", lines)
		assert.Equal(t, "4 more failures not logged", lines[7], "the rest summed up when Wait returns")
		var more *axon.OmittedFailuresError
		require.ErrorAs(t, err, &more)
		assert.Equal(t, 14-5, more.Count)
		assert.Contains(t, err.Error(), "and 9 more failures")
	})
}

func TestWaitReturnsTheFailures(t *testing.T) {
	s := quietScheduler()
	errBroken := errors.New("broken")
	s.Activate(failing(errBroken), newFunc())
	s.ShutdownAll(axon.Shutdown{})
	require.ErrorIs(t, s.Wait(context.Background()), errBroken)
	require.NoError(t, s.Wait(context.Background()), "returned once")
}

// generator sends 0, 1, 2, ... until it is told to finish. It closes
// warm once it has sent 1000.
type generator struct {
	axon.Core
	out  *axon.Outbox[int]
	sent int
	warm chan struct{}
}

func newGenerator() *generator {
	g := &generator{warm: make(chan struct{})}
	g.out = axon.NewOutbox[int](g, "outbox")
	return g
}

func (g *generator) Main(ctx context.Context) error {
	for !g.Finishing() {
		if err := g.out.Send(ctx, g.sent); err != nil {
			return err
		}
		g.sent++
		if g.sent == 1000 {
			close(g.warm)
		}
	}
	return nil
}

// tally counts what it receives until it is told to finish, and checks
// it comes in order.
type tally struct {
	axon.Core
	in  *axon.Inbox[int]
	got int
}

func newTally() *tally {
	c := &tally{}
	c.in = axon.NewInbox[int](c, "inbox")
	return c
}

func (c *tally) Main(ctx context.Context) error {
	for v := range c.in.Messages(ctx) {
		if v != c.got {
			return errors.New("out of order")
		}
		c.got++
	}
	return ctx.Err()
}

func TestFinishAllDrainsFromTheSources(t *testing.T) {
	s := quietScheduler()
	g, c := newGenerator(), newTally()
	_, err := axon.Link(g.out, c.in)
	require.NoError(t, err)
	_, err = axon.Link(g.Signal(), c.Control())
	require.NoError(t, err)
	s.Activate(g, c)
	<-g.warm

	require.NoError(t, s.FinishAll(context.Background()))
	assert.Equal(t, axon.Finished, g.State())
	assert.Equal(t, axon.Finished, c.State())
	assert.GreaterOrEqual(t, g.sent, 1000)
	assert.Equal(t, g.sent, c.got, "everything sent was received: a drain, not a stop")
}

func TestFinishAllShutsDownWhatIgnoresProducerFinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		deaf := newFunc() // ends on Shutdown only
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Activate(deaf)
		start := time.Now()
		require.NoError(t, s.FinishAll(ctx))
		assert.Equal(t, time.Second, time.Since(start))
		assert.Equal(t, axon.Finished, deaf.State())
		sd, told := deaf.ShutdownReason()
		require.True(t, told)
		assert.ErrorIs(t, sd.Reason, context.DeadlineExceeded, "the Shutdown says why")
	})
}

func TestFinishAllNamesWhatIgnoresEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		release := make(chan struct{})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Activate(stubborn("mule", release))
		start := time.Now()
		err := s.FinishAll(ctx)
		assert.Equal(t, time.Second+axon.DefaultGracePeriod, time.Since(start))
		var stuck *axon.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.Equal(t, []string{"mule"}, stuck.Components)
		close(release)
		require.NoError(t, s.Wait(context.Background()))
	})
}

func TestShutdownStopsEverythingNow(t *testing.T) {
	s := quietScheduler()
	errBroken := errors.New("broken")
	a, b := newFunc(), newFunc()
	s.Activate(a, b, failing(errBroken))
	require.ErrorIs(t, s.Shutdown(context.Background()), errBroken, "failures are returned")
	assert.Equal(t, axon.Finished, a.State())
	assert.Equal(t, axon.Finished, b.State())
}

func TestShutdownNamesWhatIsStillRunningAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := quietScheduler()
		release := make(chan struct{})
		s.Activate(stubborn("mule", release), stubborn("ass", release), newFunc())
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		err := s.Shutdown(ctx)
		assert.Equal(t, time.Second, time.Since(start), "the deadline, not the longer grace period")
		var stuck *axon.StuckError
		require.ErrorAs(t, err, &stuck)
		assert.Equal(t, []string{"ass", "mule"}, stuck.Components)
		close(release)
		require.NoError(t, s.Wait(context.Background()))
	})
}

func TestTellStopsOneComponent(t *testing.T) {
	s := quietScheduler()
	g, c := newGenerator(), newTally()
	_, err := axon.Link(g.out, c.in)
	require.NoError(t, err)
	_, err = axon.Link(g.Signal(), c.Control())
	require.NoError(t, err)
	other := newFunc()
	s.Activate(g, c, other)
	<-g.warm

	require.NoError(t, g.Tell(axon.ProducerFinished{}))
	<-c.Done()
	assert.Equal(t, g.sent, c.got)
	assert.Equal(t, axon.Running, other.State(), "only the one told, and what it feeds, ended")

	require.NoError(t, other.Tell(axon.Shutdown{}))
	require.NoError(t, s.Wait(context.Background()))

	var rf *axon.ReceiverFinishedError
	require.ErrorAs(t, other.Tell(axon.Shutdown{}), &rf, "a finished component takes no more")
	err = other.Tell("stop")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a shutdown message")
}
