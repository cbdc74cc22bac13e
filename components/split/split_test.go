package split

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The components here hide none of the methods of axon.Core, which chassis
// (Pipeline, Graphline) use.
var _ = []axon.CoreComponent{
	(*Fanout[int])(nil),
	(*TwoWaySplitter[int])(nil),
	(*Splitter[int])(nil),
	(*PlugSplitter[int])(nil),
	(*Plug[int])(nil),
}

// collector records what it is sent; it ends as the uniform rule says, or
// by itself after limit messages (limit > 0).
type collector[T any] struct {
	axon.Core
	In    *axon.Inbox[T]
	Out   *axon.Outbox[T]
	limit int

	mu  sync.Mutex
	got []T
}

func newCollector[T any](limit int) *collector[T] {
	c := &collector[T]{limit: limit}
	c.In = axon.NewInbox[T](c, "inbox")
	c.Out = axon.NewOutbox[T](c, "outbox")
	return c
}

func (c *collector[T]) Main(ctx context.Context) error {
	for v := range c.In.Messages(ctx) {
		c.mu.Lock()
		c.got = append(c.got, v)
		n := len(c.got)
		c.mu.Unlock()
		if err := c.Out.Send(ctx, v); err != nil {
			return err
		}
		if c.limit > 0 && n == c.limit {
			return nil
		}
	}
	return ctx.Err()
}

func (c *collector[T]) taken() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]T(nil), c.got...)
}

func getAll(t *testing.T, ctx context.Context, h *axon.Handle, box string) []any {
	t.Helper()
	got, err := axontest.Collect[any](ctx, h, box)
	require.NoError(t, err)
	return got
}

func TestFanoutSendsToEveryNamedBox(t *testing.T) {
	ctx := axontest.Context(t)
	f := NewFanout[int]("toA", "toB")
	require.NotNil(t, f.Box("toA"))
	assert.Nil(t, f.Box("nope"))
	h, err := axon.NewHandle(axontest.NewScheduler(t), f)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, []any{0, 1, 2}, getAll(t, ctx, h, "toA"))
	assert.Equal(t, []any{0, 1, 2}, getAll(t, ctx, h, "toB"))
	assert.Empty(t, getAll(t, ctx, h, "outbox"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
}

func TestFanoutRejectsBadNames(t *testing.T) {
	assert.Panics(t, func() { NewFanout[int]("a", "a") })
	assert.Panics(t, func() { NewFanout[int]("signal") })
}

func TestFanoutShutdown(t *testing.T) {
	res := axontest.RunControl[int, any](t, NewFanout[int]("x"), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestTwoWaySplitter(t *testing.T) {
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(axontest.NewScheduler(t), NewTwoWaySplitter[string]())
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", "a"))
	require.NoError(t, h.Put(ctx, "inbox", "b"))
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, []any{"a", "b"}, getAll(t, ctx, h, "outbox"))
	assert.Equal(t, []any{"a", "b"}, getAll(t, ctx, h, "outbox2"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal2"))
}

func TestTwoWaySplitterShutdownReachesBothSignals(t *testing.T) {
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(axontest.NewScheduler(t), NewTwoWaySplitter[string]())
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, []any{axon.Shutdown{}}, getAll(t, ctx, h, "signal"))
	assert.Equal(t, []any{axon.Shutdown{}}, getAll(t, ctx, h, "signal2"))
}

// Destinations come and go at run time. The test waits for each message
// to reach the destinations before it changes them, so what each gets is
// certain.
func TestSplitterAddAndRemoveSinksWhileRunning(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	a, b := newCollector[string](0), newCollector[string](0)
	ha, err := axon.NewHandle(s, a)
	require.NoError(t, err)
	hb, err := axon.NewHandle(s, b)
	require.NoError(t, err)
	sp := NewSplitter[string]()
	h, err := axon.NewHandle(s, sp)
	require.NoError(t, err)
	got := func(hc *axon.Handle, want string) {
		t.Helper()
		v, err := hc.Get(ctx, "outbox") // the collector echoes what it took
		require.NoError(t, err)
		require.Equal(t, want, v)
	}

	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In}))
	require.NoError(t, h.Put(ctx, "inbox", "1"))
	got(ha, "1")
	require.NoError(t, h.Put(ctx, "configuration", &AddSink{Inbox: b.In}))
	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: b.In})) // twice: no-op
	require.NoError(t, h.Put(ctx, "inbox", "2"))
	got(ha, "2")
	got(hb, "2")
	require.NoError(t, h.Put(ctx, "configuration", RemoveSink{Inbox: a.In}))
	require.NoError(t, h.Put(ctx, "configuration", &RemoveSink{Inbox: a.In})) // gone already: no-op
	require.NoError(t, h.Put(ctx, "inbox", "3"))
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
	assert.Empty(t, getAll(t, ctx, h, "outbox"), "a Splitter does not use its outbox")

	require.NoError(t, ha.Finish(ctx))
	require.NoError(t, hb.Finish(ctx))
	require.NoError(t, ha.Wait(ctx))
	require.NoError(t, hb.Wait(ctx))
	assert.Equal(t, []string{"1", "2"}, a.taken())
	assert.Equal(t, []string{"2", "3"}, b.taken(), "b got nothing twice")
	assert.Empty(t, sp.Links(), "its links to the destinations went with it")
}

// A message sent after an AddSink was delivered always reaches the new
// destination, however the two race inside the splitter.
func TestSplitterAddSinkBeforeMessageIsAlwaysInForce(t *testing.T) {
	ctx := axontest.Context(t)
	for range 50 {
		s := axon.NewScheduler()
		a := newCollector[int](0)
		ha, err := axon.NewHandle(s, a)
		require.NoError(t, err)
		h, err := axon.NewHandle(s, NewSplitter[int]())
		require.NoError(t, err)
		require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In}))
		require.NoError(t, h.Put(ctx, "inbox", 7))
		v, err := ha.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, 7, v)
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(ctx))
	}
}

func TestSplitterBadConfigurationIsAFailure(t *testing.T) {
	ctx := axontest.Context(t)
	for name, msg := range map[string]any{
		"not a config message": "add me",
		"wrong type":           AddSink{Inbox: newCollector[int](0).In},
		"no inbox":             AddSink{},
	} {
		t.Run(name, func(t *testing.T) {
			sp := NewSplitter[string]()
			h, err := axon.NewHandle(axontest.NewScheduler(t), sp)
			require.NoError(t, err)
			require.NoError(t, h.Put(ctx, "configuration", msg))
			// A message makes it read the configuration, if it has not yet
			// (then the Put is refused: it has already failed).
			if err := h.Put(ctx, "inbox", "x"); err != nil {
				require.ErrorIs(t, err, axon.ErrFinished)
			}
			sig := getAll(t, ctx, h, "signal")
			require.Len(t, sig, 1)
			f, ok := sig[0].(*axon.Failure)
			require.True(t, ok, "%T", sig[0])
			assert.Contains(t, f.Error(), "split:")
		})
	}
}

func TestSplitterAddSinkOfWrongTypeNamesTheTypes(t *testing.T) {
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(axontest.NewScheduler(t), NewSplitter[string]())
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: newCollector[int](0).In}))
	if err := h.Put(ctx, "inbox", "x"); err != nil {
		require.ErrorIs(t, err, axon.ErrFinished)
	}
	require.ErrorIs(t, h.Wait(ctx), axon.ErrTypeMismatch)
}

func TestSplitterShutdown(t *testing.T) {
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(axontest.NewScheduler(t), NewSplitter[string]())
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, []any{axon.Shutdown{}}, getAll(t, ctx, h, "signal"))
}

// Without a source, a PlugSplitter sends to its outbox and its sinks, and
// its end to the sinks' control boxes: a sink added with its control ends
// by itself.
func TestPlugSplitterTellsSinksHowItEnded(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	a := newCollector[int](0)
	s.Activate(a)
	sp := NewPlugSplitter[int]()
	h, err := axon.NewHandle(s, sp)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In, Control: a.Control()}))
	for i := range 3 {
		require.NoError(t, h.Put(ctx, "inbox", i))
	}
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, []any{0, 1, 2}, getAll(t, ctx, h, "outbox"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
	<-a.Done() // it heard ProducerFinished from the splitter
	assert.Equal(t, []int{0, 1, 2}, a.taken())
	assert.NoError(t, a.Err())
}

func TestPlugSplitterShutdownTellsSinks(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	a := newCollector[int](0)
	ha, err := axon.NewHandle(s, a)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, NewPlugSplitter[int]())
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In, Control: a.Control()}))
	require.NoError(t, h.Put(ctx, "inbox", 1)) // the configuration is in force once this is sent
	v, err := ha.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, []any{axon.Shutdown{}}, getAll(t, ctx, h, "signal"))
	assert.Equal(t, []any{axon.Shutdown{}}, getAll(t, ctx, ha, "signal"), "the sink was told Shutdown")
}

// counter is a source: when poked on its inbox it sends 0..n-1 and ends,
// or fails with err after sending them if err is set.
type counter struct {
	axon.Core
	In  *axon.Inbox[string]
	Out *axon.Outbox[int]
	n   int
	err error
}

func newCounter(n int, err error) *counter {
	c := &counter{n: n, err: err}
	c.In = axon.NewInbox[string](c, "inbox")
	c.Out = axon.NewOutbox[int](c, "outbox")
	return c
}

func (c *counter) Main(ctx context.Context) error {
	if _, err := c.In.Recv(ctx); err != nil {
		if errors.Is(err, axon.ErrFinished) {
			return nil
		}
		return err
	}
	for i := range c.n {
		if err := c.Out.Send(ctx, i); err != nil {
			return err
		}
	}
	return c.err
}

// Kamaelia's example: PlugSplitter(producer()) with two Plug(splitter,
// consumer()). The producer is the splitter's child, poked through the
// splitter's inbox; both consumers get everything and end when it ends.
func TestPlugSplitterOfSourceWithPlugs(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	sp, err := NewPlugSplitterOf[int](newCounter(5, nil))
	require.NoError(t, err)
	a, b := newCollector[int](0), newCollector[int](0)
	pa, err := NewPlug(sp, a)
	require.NoError(t, err)
	pb, err := NewPlug(sp, b)
	require.NoError(t, err)
	hpa, err := axon.NewHandle(s, pa)
	require.NoError(t, err)
	hpb, err := axon.NewHandle(s, pb)
	require.NoError(t, err)
	h, err := axon.NewHandle(s, sp)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "inbox", "go")) // forwarded to the counter; the Plugs are in

	assert.Equal(t, []any{0, 1, 2, 3, 4}, getAll(t, ctx, h, "outbox"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
	assert.Equal(t, []any{0, 1, 2, 3, 4}, getAll(t, ctx, hpa, "outbox"), "a Plug's outbox carries its component's")
	assert.Equal(t, []any{0, 1, 2, 3, 4}, getAll(t, ctx, hpb, "outbox"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, hpa, "signal"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, hpb, "signal"))
}

func TestPlugSplitterSourceFailure(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	s.SetLogger(slog.New(slog.DiscardHandler))
	boom := errors.New("source broke")
	sp, err := NewPlugSplitterOf[int](newCounter(2, boom))
	require.NoError(t, err)
	a := newCollector[int](0)
	s.Activate(a)
	h, err := axon.NewHandle(s, sp)
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In, Control: a.Control()}))
	require.NoError(t, h.Put(ctx, "inbox", "go"))
	sig := getAll(t, ctx, h, "signal")
	require.Len(t, sig, 1)
	f, ok := sig[0].(*axon.Failure)
	require.True(t, ok, "%T", sig[0])
	assert.ErrorIs(t, f, boom)
	<-a.Done() // told ProducerFinished{Reason: the failure}
	assert.Equal(t, []int{0, 1}, a.taken())
}

// ProducerFinished to a PlugSplitter with a source goes to the source.
func TestPlugSplitterOfSourceProducerFinished(t *testing.T) {
	res := axontest.Run[string, int](t, mustPlugSplitterOf(t, newCounter(3, nil)))
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs, "the counter was never poked: it finished at once")
	assert.Equal(t, []any{axon.ProducerFinished{}}, res.Signals)

	res = axontest.Run[string, int](t, mustPlugSplitterOf(t, newCounter(3, nil)), "go")
	require.NoError(t, res.Err)
	assert.Equal(t, []int{0, 1, 2}, res.Outputs)
}

type notAComponent struct{ axon.Component }

func mustPlugSplitterOf(t *testing.T, src axon.Component) *PlugSplitter[int] {
	sp, err := NewPlugSplitterOf[int](src)
	require.NoError(t, err)
	return sp
}

func TestPlugSplitterOfWrongType(t *testing.T) {
	_, err := NewPlugSplitterOf[string](newCounter(1, nil))
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	_, err = NewPlug(NewPlugSplitter[string](), newCollector[int](0))
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	_, err = NewPlug(NewPlugSplitter[string](), notAComponent{})
	require.ErrorContains(t, err, "does not embed axon.Core")
	_, err = NewPlugSplitterOf[string](notAComponent{})
	require.ErrorContains(t, err, "does not embed axon.Core")
}

// A Plug whose component ends early unplugs: the splitter goes on sending
// to the others, and is not held up by the ended one, however much it
// sends.
func TestPlugUnplugsWhenItsComponentEnds(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	sp := NewPlugSplitter[string]()
	early, late := newCollector[string](1), newCollector[string](0)
	pe, err := NewPlug(sp, early)
	require.NoError(t, err)
	pl, err := NewPlug(sp, late)
	require.NoError(t, err)
	s.Activate(pe, pl)
	h, err := axon.NewHandle(s, sp)
	require.NoError(t, err)
	var want []any
	for i := range 300 {
		want = append(want, strconv.Itoa(i))
		require.NoError(t, h.Put(ctx, "inbox", strconv.Itoa(i)))
	}
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, want, getAll(t, ctx, h, "outbox"))
	assert.Equal(t, []any{axon.ProducerFinished{}}, getAll(t, ctx, h, "signal"))
	<-pe.Done()
	<-pl.Done()
	assert.Equal(t, []string{"0"}, early.taken())
	assert.Len(t, late.taken(), 300)
}

// ProducerFinished right behind the input: every message sent before it
// reaches the destinations, however the splitter's loop and the
// ProducerFinished race.
func TestSplitterProducerFinishedDrains(t *testing.T) {
	ctx := axontest.Context(t)
	for range 30 {
		s := axon.NewScheduler()
		a := newCollector[int](0)
		sp := NewSplitter[int]()
		axon.MustLink(sp.Signal(), a.Control())
		s.Activate(a)
		h, err := axon.NewHandle(s, sp)
		require.NoError(t, err)
		require.NoError(t, h.Put(ctx, "configuration", AddSink{Inbox: a.In}))
		for i := range 20 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		require.NoError(t, h.Finish(ctx))
		require.NoError(t, s.Wait(ctx))
		require.Len(t, a.taken(), 20)
	}
}

func TestPlugSplitterProducerFinishedDrains(t *testing.T) {
	ctx := axontest.Context(t)
	for range 30 {
		s := axon.NewScheduler()
		a := newCollector[int](0)
		sp := NewPlugSplitter[int]()
		pa, err := NewPlug(sp, a)
		require.NoError(t, err)
		s.Activate(pa)
		h, err := axon.NewHandle(s, sp)
		require.NoError(t, err)
		for i := range 20 {
			require.NoError(t, h.Put(ctx, "inbox", i))
		}
		require.NoError(t, h.Finish(ctx))
		require.NoError(t, s.Wait(ctx))
		require.Len(t, a.taken(), 20)
	}
}
