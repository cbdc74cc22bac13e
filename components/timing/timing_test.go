package timing

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*MessageRateLimit[int])(nil),
	(*Clock)(nil),
	(*ByteRateRequestControl)(nil),
}

// at is a message and when it came, as an offset from the start of the
// test's bubble.
type at[T any] struct {
	T time.Duration
	V T
}

// collect takes every message h's component sends on box, stamped with the
// fake time it came, until the component has finished.
func collect[T any](t *testing.T, ctx context.Context, h *axon.Handle, box string, start time.Time) []at[T] {
	t.Helper()
	var got []at[T]
	for {
		v, err := h.Get(ctx, box)
		if errors.Is(err, axon.ErrFinished) {
			return got
		}
		require.NoError(t, err)
		got = append(got, at[T]{time.Since(start), v.(T)})
	}
}

// collectAsync starts collecting h's box in a goroutine of the bubble, so
// that messages are stamped as they come while the test moves time on; the
// returned func waits for the component to finish and returns them.
func collectAsync[T any](t *testing.T, ctx context.Context, h *axon.Handle, box string, start time.Time) func() []at[T] {
	t.Helper()
	ch := make(chan []at[T], 1)
	go func() { ch <- collect[T](t, ctx, h, box, start) }()
	return func() []at[T] { return <-ch }
}

// advance moves the bubble's fake clock on by d: every goroutine of the
// bubble runs until it blocks, then time jumps. No real time passes.
func advance(d time.Duration) { <-time.After(d) }

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func newHandle(t *testing.T, c axon.Component) *axon.Handle {
	t.Helper()
	h, err := axon.NewHandle(axon.NewScheduler(), c)
	require.NoError(t, err)
	return h
}

func TestMessageRateLimitPrerollsThenSendsAtTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		m := NewMessageRateLimit[int](10, 3)
		h := newHandle(t, m)
		require.NoError(t, h.Put(ctx, "inbox", 0))
		require.NoError(t, h.Put(ctx, "inbox", 1))
		synctest.Wait()
		_, sent := h.TryGet("outbox")
		assert.False(t, sent, "nothing goes before the pre-roll is full")
		advance(time.Second)
		_, sent = h.TryGet("outbox")
		assert.False(t, sent, "nor a second later")
		for i := 2; i < 8; i++ {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		require.NoError(t, h.Finish(ctx))
		got := collect[int](t, ctx, h, "outbox", start)
		var want []at[int]
		for i := range 8 {
			want = append(want, at[int]{time.Second + ms(100*i), i})
		}
		assert.Equal(t, want, got)
		sig := collect[any](t, ctx, h, "signal", start)
		assert.Equal(t, []at[any]{{time.Second + ms(700), axon.ProducerFinished{}}}, sig)
	})
}

// Input that comes slower than the rate goes out as it comes; input that
// comes faster waits its turn: never two sends closer than 1/rate.
func TestMessageRateLimitNeverFasterThanTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewMessageRateLimit[string](10, 0))
		outputs := collectAsync[string](t, ctx, h, "outbox", start)
		require.NoError(t, h.Put(ctx, "inbox", "a")) // t=0: out at 0
		advance(ms(50))
		require.NoError(t, h.Put(ctx, "inbox", "b")) // t=50: out at 100
		advance(ms(300))
		require.NoError(t, h.Put(ctx, "inbox", "c")) // t=350: out at 350 (late: the schedule restarts)
		require.NoError(t, h.Put(ctx, "inbox", "d")) // t=350: out at 450
		require.NoError(t, h.Finish(ctx))
		got := outputs()
		assert.Equal(t, []at[string]{{0, "a"}, {ms(100), "b"}, {ms(350), "c"}, {ms(450), "d"}}, got)
	})
}

// The period is 1/3 s, which is no whole number of nanoseconds: over a run
// on time the schedule does not drift, and no gap is shorter than the
// period rounded.
func TestMessageRateLimitOddRateDoesNotDrift(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewMessageRateLimit[int](3, 100))
		for i := range 31 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		require.NoError(t, h.Finish(ctx))
		got := collect[int](t, ctx, h, "outbox", start)
		require.Len(t, got, 31)
		assert.Equal(t, 10*time.Second, got[30].T, "31 messages at 3/s span exactly 10 s")
		for i := 1; i < len(got); i++ {
			assert.GreaterOrEqual(t, got[i].T-got[i-1].T, time.Second/3)
		}
	})
}

func TestMessageRateLimitProducerFinishedFlushesAtTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewMessageRateLimit[int](4, 5))
		for i := range 3 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		advance(time.Second) // the pre-roll is not full: nothing yet
		require.NoError(t, h.Finish(ctx))
		got := collect[int](t, ctx, h, "outbox", start)
		assert.Equal(t, []at[int]{{time.Second, 0}, {ms(1250), 1}, {ms(1500), 2}}, got)
		assert.Equal(t, []at[any]{{ms(1500), axon.ProducerFinished{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

func TestMessageRateLimitShutdownStopsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewMessageRateLimit[int](10, 0))
		outputs := collectAsync[int](t, ctx, h, "outbox", start)
		for i := range 5 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		advance(ms(150)) // two sent, at 0 and 100 ms
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		got := outputs()
		assert.Equal(t, []at[int]{{0, 0}, {ms(100), 1}}, got)
		assert.Equal(t, []at[any]{{ms(150), axon.Shutdown{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

// The pre-roll is held by the component, so it may be larger than the
// inbox.
func TestMessageRateLimitPrerollLargerThanInbox(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		m := NewMessageRateLimit[int](100, 6)
		m.In.SetCapacity(2)
		h := newHandle(t, m)
		for i := range 7 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		require.NoError(t, h.Finish(ctx))
		got := collect[int](t, ctx, h, "outbox", start)
		require.Len(t, got, 7)
		for i, g := range got {
			assert.Equal(t, at[int]{ms(10 * i), i}, g)
		}
	})
}

// TestMessageRateLimitRefusesAHugePreroll: a buffer of 1.1 billion
// messages, as a mistyped launch property might give, fails Main at once
// with an error naming it, instead of asking for gigabytes; MaxPreroll is
// taken.
func TestMessageRateLimitRefusesAHugePreroll(t *testing.T) {
	for _, n := range []int{1_100_000_000, MaxPreroll + 1} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res := axontest.Run[[]byte, []byte](t, NewMessageRateLimit[[]byte](1000, n), []byte("a"))
		runtime.ReadMemStats(&after)
		require.ErrorIs(t, res.Err, ErrPrerollTooLarge, "%d", n)
		assert.ErrorContains(t, res.Err, fmt.Sprintf("timing: pre-roll too large: %d messages, at most 1048576", n))
		assert.Empty(t, res.Outputs)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "allocated for a pre-roll of %d", n)
		assert.ErrorIs(t, CheckPreroll(n), ErrPrerollTooLarge)
	}
	assert.NoError(t, CheckPreroll(MaxPreroll))
	assert.NoError(t, CheckPreroll(0))
}

// TestMessageRateLimitPrerollGrowsAsMessagesCome: the largest pre-roll of
// 64-byte messages would be 64 MiB if it were taken at the start; a stream
// of three messages costs three.
func TestMessageRateLimitPrerollGrowsAsMessagesCome(t *testing.T) {
	type msg [64]byte
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := axontest.Run[msg, msg](t, NewMessageRateLimit[msg](1000, MaxPreroll), msg{1}, msg{2}, msg{3})
	runtime.ReadMemStats(&after)
	require.NoError(t, res.Err)
	assert.Equal(t, []msg{{1}, {2}, {3}}, res.Outputs)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("a pre-roll of %d messages of 64 bytes, 3 sent: %d bytes allocated", MaxPreroll, allocated)
	assert.Less(t, allocated, uint64(4<<20))
}

func TestMessageRateLimitRejectsBadRate(t *testing.T) {
	assert.PanicsWithValue(t, "timing: message rate must be positive and finite, not 0", func() { NewMessageRateLimit[int](0, 1) })
	assert.Panics(t, func() { NewClock(0) })
	assert.Panics(t, func() { NewByteRateRequestControl(-1) })
}

func TestClockTicksEveryIntervalAndStopsOnProducerFinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewClock(time.Second))
		for k := 1; k <= 3; k++ {
			v, err := h.Get(ctx, "outbox")
			require.NoError(t, err)
			assert.Equal(t, start.Add(time.Duration(k)*time.Second), v.(time.Time))
			assert.Equal(t, time.Duration(k)*time.Second, time.Since(start))
		}
		advance(ms(500))
		require.NoError(t, h.Finish(ctx)) // at 3.5 s: ends at once
		assert.Empty(t, collect[time.Time](t, ctx, h, "outbox", start))
		assert.Equal(t, []at[any]{{ms(3500), axon.ProducerFinished{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

func TestClockShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewClock(time.Second))
		outputs := collectAsync[time.Time](t, ctx, h, "outbox", start)
		advance(ms(2500))
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		got := outputs()
		require.Len(t, got, 2)
		assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, []time.Duration{got[0].T, got[1].T})
		assert.Equal(t, []at[any]{{ms(2500), axon.Shutdown{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

// gate is a slow consumer: its inbox holds one message, and it takes none
// until the test opens it; then it records what it takes, and when.
type gate[T any] struct {
	axon.Core
	In    *axon.Inbox[T]
	open  chan struct{}
	start time.Time

	mu  sync.Mutex
	got []at[T]
}

func newGate[T any](start time.Time) *gate[T] {
	g := &gate[T]{open: make(chan struct{}), start: start}
	g.In = axon.NewInbox[T](g, "inbox")
	g.In.SetCapacity(1)
	return g
}

func (g *gate[T]) Main(ctx context.Context) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	for v := range g.In.Messages(ctx) {
		g.mu.Lock()
		g.got = append(g.got, at[T]{time.Since(g.start), v})
		g.mu.Unlock()
	}
	return ctx.Err()
}

func (g *gate[T]) taken() []at[T] {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]at[T](nil), g.got...)
}

// runWithGate links c's outbox into a gate and runs both; stop shuts them
// down and waits.
func runWithGate[T any](t *testing.T, c axon.Component, out *axon.Outbox[T], start time.Time) (*gate[T], func()) {
	t.Helper()
	g := newGate[T](start)
	axon.MustLink(out, g.In)
	s := axon.NewScheduler()
	s.Activate(g, c)
	return g, func() {
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(t.Context()))
	}
}

// A clock whose consumer is slow waits for room, then skips the ticks it
// missed instead of sending a burst of stale ones.
func TestClockSkipsTicksMissedWhileBlocked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		c := NewClock(time.Second)
		g, stop := runWithGate(t, c, c.Out, start)
		advance(ms(3500))
		close(g.open)
		advance(ms(700)) // to 4.2 s
		stop()
		got := g.taken()
		require.Len(t, got, 3)
		// Tick 1 waited in the box, tick 2 waited to be sent: both taken at
		// 3.5 s; tick 3 was skipped; tick 4 came on time.
		assert.Equal(t, at[time.Duration]{ms(3500), time.Second}, at[time.Duration]{got[0].T, got[0].V.Sub(start)})
		assert.Equal(t, at[time.Duration]{ms(3500), 2 * time.Second}, at[time.Duration]{got[1].T, got[1].V.Sub(start)})
		assert.Equal(t, at[time.Duration]{4 * time.Second, 4 * time.Second}, at[time.Duration]{got[2].T, got[2].V.Sub(start)})
	})
}

func TestByteRateRequestControlRequestsAtTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewByteRateRequestControl(1000, WithChunkSize(100)))
		for k := range 5 {
			v, err := h.Get(ctx, "outbox")
			require.NoError(t, err)
			assert.Equal(t, at[int]{ms(100 * k), 100}, at[int]{time.Since(start), v.(int)})
		}
		require.NoError(t, h.Finish(ctx))
		assert.Empty(t, collect[int](t, ctx, h, "outbox", start))
		assert.Equal(t, []at[any]{{ms(400), axon.ProducerFinished{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

// 10 units a second in 4 requests a second: 2.5 units each, rounded with
// the remainder carried.
func TestByteRateRequestControlCarriesRemainders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		h := newHandle(t, NewByteRateRequestControl(10, WithChunkRate(4)))
		var got []at[int]
		for range 8 {
			v, err := h.Get(ctx, "outbox")
			require.NoError(t, err)
			got = append(got, at[int]{time.Since(start), v.(int)})
		}
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		assert.Equal(t, []at[int]{
			{0, 2}, {ms(250), 3}, {ms(500), 2}, {ms(750), 3},
			{ms(1000), 2}, {ms(1250), 3}, {ms(1500), 2}, {ms(1750), 3},
		}, got)
		assert.Equal(t, []at[any]{{ms(1750), axon.Shutdown{}}}, collect[any](t, ctx, h, "signal", start))
	})
}

func TestByteRateRequestControlCatchesUp(t *testing.T) {
	for _, aggregate := range []bool{false, true} {
		t.Run(map[bool]string{false: "chunks", true: "aggregated"}[aggregate], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				opts := []RequestOption{WithChunkSize(1)}
				if aggregate {
					opts = append(opts, WithAggregation())
				}
				rc := NewByteRateRequestControl(10, opts...)
				g, stop := runWithGate(t, rc, rc.Out, start)
				advance(ms(350)) // request 0 waits in the box, request 1 to be sent
				close(g.open)
				advance(ms(60)) // to 410 ms
				stop()
				want := []at[int]{{ms(350), 1}, {ms(350), 1}, {ms(350), 1}, {ms(350), 1}, {ms(400), 1}}
				if aggregate {
					want = []at[int]{{ms(350), 1}, {ms(350), 1}, {ms(350), 2}, {ms(400), 1}}
				}
				assert.Equal(t, want, g.taken())
			})
		})
	}
}
