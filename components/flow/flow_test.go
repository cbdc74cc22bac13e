package flow

import (
	"context"
	"strconv"
	"strings"
	"testing"
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
	(*PureTransformer[int, string])(nil),
	(*Filter[int])(nil),
	(*PassThrough[int])(nil),
	(*Collate[int])(nil),
	(*Detupler[int])(nil),
	(*TagWithSequenceNumber[int])(nil),
	(*NullSink)(nil),
}

var finished = []any{axon.ProducerFinished{}}

func TestPureTransformer(t *testing.T) {
	res := axontest.Run[int, string](t, NewPureTransformer(strconv.Itoa), 1, 0, 22)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"1", "0", "22"}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestPureTransformerKeepsZeroUnlessAsked(t *testing.T) {
	blank := func(s string) string {
		if s == "skip" {
			return ""
		}
		return s
	}
	res := axontest.Run[string, string](t, NewPureTransformer(blank), "a", "skip", "b")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a", "", "b"}, res.Outputs)

	res = axontest.Run[string, string](t, NewPureTransformer(blank, DropZero()), "a", "skip", "b")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"a", "b"}, res.Outputs)

	ptr := func(n int) *int {
		if n < 0 {
			return nil
		}
		return &n
	}
	resp := axontest.Run[int, *int](t, NewPureTransformer(ptr, DropZero()), 1, -1, 2)
	require.NoError(t, resp.Err)
	require.Len(t, resp.Outputs, 2)
	assert.Equal(t, []int{1, 2}, []int{*resp.Outputs[0], *resp.Outputs[1]})
}

func TestFilter(t *testing.T) {
	res := axontest.Run[int, int](t, NewFilter(func(n int) bool { return n%2 == 0 }), 1, 2, 3, 4, 6)
	require.NoError(t, res.Err)
	assert.Equal(t, []int{2, 4, 6}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestPassThrough(t *testing.T) {
	res := axontest.Run[string, string](t, NewPassThrough[string](), "x", "y")
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"x", "y"}, res.Outputs)
}

func TestCollateSendsEverythingOnceAtTheEnd(t *testing.T) {
	res := axontest.Run[string, []string](t, NewCollate[string](), "a", "b", "c")
	require.NoError(t, res.Err)
	assert.Equal(t, [][]string{{"a", "b", "c"}}, res.Outputs)
	assert.Equal(t, finished, res.Signals)

	res = axontest.Run[string, []string](t, NewCollate[string]())
	require.NoError(t, res.Err)
	assert.Equal(t, [][]string{{}}, res.Outputs, "an empty slice, still sent")
}

func TestCollateShutdownSendsNothing(t *testing.T) {
	res := axontest.RunControl[string, []string](t, NewCollate[string](), []string{"a", "b"}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestDetupler(t *testing.T) {
	res := axontest.Run[[]string, string](t, NewDetupler[string](1), []string{"a", "b"}, []string{"c", "d", "e"})
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"b", "d"}, res.Outputs)

	res = axontest.Run[[]string, string](t, NewDetupler[string](-1), []string{"a", "b"}, []string{"c"})
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"b", "c"}, res.Outputs)
}

func TestDetuplerShortMessageIsAFailure(t *testing.T) {
	res := axontest.Run[[]int, int](t, NewDetupler[int](2), []int{1, 2, 3}, []int{1})
	assert.Equal(t, []int{3}, res.Outputs)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "index 2 out of range for a message of length 1")
	require.Len(t, res.Signals, 1)
	assert.IsType(t, &axon.Failure{}, res.Signals[0])
}

func TestTagWithSequenceNumber(t *testing.T) {
	res := axontest.Run[string, Tagged[string]](t, NewTagWithSequenceNumber[string](), "a", "b", "c")
	require.NoError(t, res.Err)
	assert.Equal(t, []Tagged[string]{{0, "a"}, {1, "b"}, {2, "c"}}, res.Outputs)
}

func TestNullSinkTakesEverything(t *testing.T) {
	in := make([]any, 500)
	for i := range in {
		in[i] = i
	}
	n := NewNullSink()
	res := axontest.Run[any, any](t, n, in...)
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, finished, res.Signals)
	assert.Zero(t, n.In.Len(), "every message was taken")
}

func TestNullSinkShutdown(t *testing.T) {
	res := axontest.RunControl[any, any](t, NewNullSink(), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
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

func newStuck[T any]() *stuck[T] {
	s := &stuck[T]{took: make(chan struct{})}
	s.In = axon.NewInbox[T](s, "inbox")
	s.In.SetCapacity(1)
	return s
}

// Shutdown in the middle of work: a component whose consumer has stopped
// taking (so that it blocks sending) stops at once when told Shutdown, and
// says so on signal; it does not wait for room that never comes.
func TestShutdownInTheMiddleOfWork(t *testing.T) {
	for name, mk := range map[string]func() (axon.Component, axon.Box){
		"PureTransformer": func() (axon.Component, axon.Box) {
			p := NewPureTransformer(strings.ToUpper)
			return p, p.Out
		},
		"Filter": func() (axon.Component, axon.Box) {
			f := NewFilter(func(string) bool { return true })
			return f, f.Out
		},
		"PassThrough": func() (axon.Component, axon.Box) {
			p := NewPassThrough[string]()
			return p, p.Out
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			c, out := mk()
			sink := newStuck[string]()
			axon.MustLink(out, sink.In)
			s := axon.NewScheduler()
			s.Activate(sink)
			h, err := axon.NewHandle(s, c)
			require.NoError(t, err)
			for _, v := range []string{"a", "b", "c", "d", "e"} {
				require.NoError(t, h.Put(ctx, "inbox", v))
			}
			select { // "a" taken; "b" fills the box; the component holds "c"
			case <-sink.took:
			case <-ctx.Done():
				t.Fatal("the consumer never got a message")
			}
			require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
			sig, err := h.Get(ctx, "signal")
			require.NoError(t, err)
			assert.Equal(t, axon.Shutdown{}, sig)
			require.NoError(t, h.Close())
			s.ShutdownAll(axon.Shutdown{})
			require.NoError(t, s.Wait(ctx))
		})
	}
}
