package source

import (
	"context"
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
	(*DataSource[int])(nil),
	(*OneShot[int])(nil),
	(*TriggeredOneShot[int])(nil),
	(*TriggeredSource[int])(nil),
}

var finished = []any{axon.ProducerFinished{}}

func TestDataSourceSendsAllThenFinishes(t *testing.T) {
	res := axontest.RunControl[any, string](t, NewDataSource([]string{"a", "b", "c"}), nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a", "b", "c"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestDataSourceProducerFinishedStillSendsAll(t *testing.T) {
	items := make([]int, 300) // more than an inbox holds: it waits for room
	for i := range items {
		items[i] = i
	}
	res := axontest.Run[any, int](t, NewDataSource(items))
	require.NoError(t, res.Err)
	assert.Equal(t, items, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestDataSourceEmpty(t *testing.T) {
	res := axontest.RunControl[any, string](t, NewDataSource[string](nil), nil)
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

// stuck is a consumer that takes one message, says so, and takes no more:
// its box (of one) fills, and its producer blocks.
type stuck[T any] struct {
	axon.Core
	In   *axon.Inbox[T]
	took chan struct{}
}

func (s *stuck[T]) Main(ctx context.Context) error {
	if _, err := s.In.Recv(ctx); err != nil {
		return err
	}
	close(s.took)
	<-ctx.Done()
	return ctx.Err()
}

// Shutdown while waiting for room: the source stops at once, with the
// messages it has not sent dropped.
func TestDataSourceShutdownWhileBlocked(t *testing.T) {
	ctx := axontest.Context(t)
	src := NewDataSource([]int{1, 2, 3, 4})
	sink := &stuck[int]{took: make(chan struct{})}
	sink.In = axon.NewInbox[int](sink, "inbox")
	sink.In.SetCapacity(1)
	axon.MustLink(src.Out, sink.In)
	s := axon.NewScheduler()
	s.Activate(sink)
	h, err := axon.NewHandle(s, src)
	require.NoError(t, err)
	<-sink.took // 1 taken; 2 fills the box (or is about to); 3 cannot go
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.Shutdown{}, sig)
	assert.LessOrEqual(t, sink.In.Len(), 1, "3 and 4 never got through")
	require.NoError(t, h.Close())
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(ctx))
}

func TestOneShot(t *testing.T) {
	res := axontest.RunControl[any, string](t, NewOneShot("go"), nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"go"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestTriggeredOneShotSendsOnceOnFirstTrigger(t *testing.T) {
	res := axontest.Run[any, string](t, NewTriggeredOneShot("bang"), 1, 2, 3)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"bang"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestTriggeredOneShotWaitsForTrigger(t *testing.T) {
	ctx := axontest.Context(t)
	h, err := axon.NewHandle(axon.NewScheduler(), NewTriggeredOneShot(42))
	require.NoError(t, err)
	_, got := h.TryGet("outbox")
	assert.False(t, got)
	require.NoError(t, h.Put(ctx, "inbox", "poke"))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 42, v)
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	assert.Equal(t, axon.ProducerFinished{}, sig)
	require.NoError(t, h.Close())
}

func TestTriggeredOneShotNoTriggerBeforeFinish(t *testing.T) {
	res := axontest.Run[any, string](t, NewTriggeredOneShot("bang"))
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestTriggeredOneShotShutdown(t *testing.T) {
	res := axontest.RunControl[any, string](t, NewTriggeredOneShot("bang"), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestTriggeredSourceAnswersEveryTrigger(t *testing.T) {
	res := axontest.Run[any, string](t, NewTriggeredSource("wibble"), "a", 2, nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"wibble", "wibble", "wibble"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestTriggeredSourceShutdown(t *testing.T) {
	res := axontest.RunControl[any, string](t, NewTriggeredSource("x"), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}
