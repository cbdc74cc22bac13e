package choose

import (
	"iter"
	"slices"
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
	(*Chooser[int])(nil),
	(*ForwardIteratingChooser[int])(nil),
}

var finished = []any{axon.ProducerFinished{}}

func choose(t *testing.T, items []string, loop bool, cmds ...string) []string {
	t.Helper()
	var opts []Option
	if loop {
		opts = append(opts, WithLoop())
	}
	res := axontest.Run[string, string](t, NewChooser(items, opts...), cmds...)
	require.NoError(t, res.Err)
	assert.Equal(t, finished, res.Signals)
	return res.Outputs
}

var abc = []string{"a", "b", "c"}

func TestChooserSendsFirstItemAtStart(t *testing.T) {
	assert.Equal(t, []string{"a"}, choose(t, abc, false))
}

func TestChooserNextAndPrev(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "c", "b", "a"}, choose(t, abc, false, Next, Next, Prev, Prev))
}

func TestChooserStopsAtTheEndsWithoutLoop(t *testing.T) {
	// NEXT at the last item and PREV at the first send nothing (Kamaelia's
	// PREV at the start sent the first item again).
	assert.Equal(t, []string{"a", "b", "c", "b"}, choose(t, abc, false, Prev, Next, Next, Next, Prev))
}

func TestChooserLoopsRound(t *testing.T) {
	// Kamaelia's looping PREV at the start sent nothing and left the index
	// past the end.
	assert.Equal(t, []string{"a", "c", "a", "b"}, choose(t, abc, true, Prev, Next, Next))
}

func TestChooserFirstLastSameAndUnknown(t *testing.T) {
	assert.Equal(t, []string{"a", "c", "c", "a", "a", "a"}, choose(t, abc, false, Last, Last, First, "JUMP", First, Same))
}

func TestChooserEmptySendsNothing(t *testing.T) {
	assert.Empty(t, choose(t, nil, true, Next, Prev, First, Last, Same))
}

func TestChooserSingleItem(t *testing.T) {
	assert.Equal(t, []string{"x", "x", "x"}, choose(t, []string{"x"}, true, Next, Prev))
	assert.Equal(t, []string{"x"}, choose(t, []string{"x"}, false, Next, Prev))
}

func TestChooserShutdown(t *testing.T) {
	res := axontest.RunControl[string, string](t, NewChooser(abc), nil, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
}

func TestForwardIteratingChooser(t *testing.T) {
	res := axontest.Run[string, int](t, NewForwardIteratingChooser(slices.Values([]int{1, 2, 3})), Same, Next, "PREV", Next)
	require.NoError(t, res.Err)
	assert.Equal(t, []int{1, 1, 2, 3}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestForwardIteratingChooserEndsPastTheEnd(t *testing.T) {
	res := axontest.RunControl[string, int](t, NewForwardIteratingChooser(slices.Values([]int{1, 2})), []string{Next, Next, Next, Next})
	require.NoError(t, res.Err)
	assert.Equal(t, []int{1, 2}, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

func TestForwardIteratingChooserEmpty(t *testing.T) {
	res := axontest.RunControl[string, int](t, NewForwardIteratingChooser(slices.Values([]int(nil))), []string{Same, Next})
	require.NoError(t, res.Err)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, finished, res.Signals)
}

// An endless sequence is pulled one item at a time, and stopped (its
// deferred calls run) when the chooser ends.
func TestForwardIteratingChooserEndlessSequenceIsStopped(t *testing.T) {
	stopped := false
	naturals := func(yield func(int) bool) {
		defer func() { stopped = true }()
		for i := 0; ; i++ {
			if !yield(i) {
				return
			}
		}
	}
	var seq iter.Seq[int] = naturals
	res := axontest.RunControl[string, int](t, NewForwardIteratingChooser(seq), []string{Next, Next}, axon.Shutdown{})
	require.NoError(t, res.Err)
	assert.Equal(t, []any{axon.Shutdown{}}, res.Signals)
	assert.LessOrEqual(t, len(res.Outputs), 3)
	assert.Equal(t, []int{0, 1, 2}[:len(res.Outputs)], res.Outputs)
	assert.True(t, stopped, "the sequence was stopped")

	res = axontest.Run[string, int](t, NewForwardIteratingChooser(seq), Next, Next)
	require.NoError(t, res.Err)
	assert.Equal(t, []int{0, 1, 2}, res.Outputs)
}
