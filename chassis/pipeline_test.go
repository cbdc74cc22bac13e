package chassis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPipelineLinksStagesInOrder(t *testing.T) {
	s := axontest.NewScheduler(t)
	p := chassis.Pipeline(newAdder(1), newAdder(10), newAdder(100))
	require.NoError(t, p.SetupErr())
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 1, 2, 3)
	require.Equal(t, []any{112, 113, 114}, getN(t, h, "outbox", 3))
	require.NoError(t, h.Finish(axontest.Context(t)))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "signal")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestPipelineBoxesTakeTheTypesOfItsEnds(t *testing.T) {
	p := chassis.Pipeline(newSource[string](), newRelay[string](), newAdder(0))
	require.Error(t, p.SetupErr())
	p = chassis.Pipeline(newRelay[string](), newAdder(0))
	require.Error(t, p.SetupErr())
	q := chassis.Pipeline(newRelay[string](), newRelay[string]())
	require.NoError(t, q.SetupErr())
	in, _ := q.Inbox("inbox")
	out, _ := q.Outbox("outbox")
	assert.Equal(t, "string", in.Type().String())
	assert.Equal(t, "string", out.Type().String())
	// Linking to the Pipe is checked as linking to its stages would be.
	_, err := axon.Link(newSource[int]().out, in)
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
}

func TestPipelineActivatesStagesOnlyWhenActivated(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newAdder(1), newAdder(2)
	p := chassis.Pipeline(a, b)
	assert.Equal(t, axon.Initialised, a.State())
	assert.Equal(t, axon.Initialised, b.State())
	assert.Empty(t, p.Children(), "stages become children when the Pipe runs")
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 0)
	require.Equal(t, 3, get(t, h, "outbox")) // both stages ran
	assert.Len(t, p.Children(), 2)
}

func TestPipelineTypeMismatchIsAnErrorAtConstruction(t *testing.T) {
	src, sum := newSource("a"), newAdder(0)
	src.SetName("Lines")
	sum.SetName("Sum")
	p, err := chassis.NewPipeline(src, sum)
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	for _, want := range []string{"stage 1 (Lines)", "stage 2 (Sum)", "string", "int"} {
		assert.Contains(t, err.Error(), want)
	}
	require.Equal(t, err, p.SetupErr())
	assert.Empty(t, p.Links(), "a failed wiring leaves no link behind")
	_, err = axon.Link(newRelay[int]().Out, sum.in)
	require.NoError(t, err, "the stages are free to be linked elsewhere")

	// Activated anyway, the Pipe fails at once with the same error.
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, p)
	werr := h.Wait(axontest.Context(t))
	require.ErrorIs(t, werr, axon.ErrTypeMismatch)
	var f *axon.Failure
	require.ErrorAs(t, get(t, h, "signal").(error), &f)
	assert.Equal(t, axon.Initialised, src.State(), "stages of a broken Pipe are never started")
}

func TestPipelineWithoutStagesIsAnError(t *testing.T) {
	_, err := chassis.NewPipeline()
	require.ErrorIs(t, err, chassis.ErrNoChildren)
}

func TestPipelineGivenAStageTwiceIsAnError(t *testing.T) {
	a := newAdder(1)
	_, err := chassis.NewPipeline(a, newAdder(2), a)
	require.ErrorIs(t, err, axon.ErrAlreadyLinked)
}

func TestPipelineEndsWhenAllStagesEndAndRemovesItsLinks(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b, c := newAdder(1), newAdder(1), newAdder(1)
	p := chassis.Pipeline(a, b, c)
	assert.Len(t, p.Links(), 8, "4 links between stages, 4 passthroughs")
	h := axontest.NewHandle(t, s, p)
	require.NoError(t, h.Finish(axontest.Context(t)))
	require.NoError(t, h.Wait(axontest.Context(t)))
	for _, st := range []*adder{a, b, c} {
		assert.True(t, hasEnded(st))
	}
	assert.Empty(t, p.Links())
	// The links between stages are gone: their boxes can be linked anew.
	_, err := axon.Link(a.out, newRelay[int]().In)
	require.NoError(t, err)
	_, err = axon.Link(a.Signal(), newRelay[int]().Control())
	require.NoError(t, err)
}

func TestPipelineProducerFinishingDrainsTenStagesLosingNothing(t *testing.T) {
	s := axontest.NewScheduler(t)
	const n = 1000
	vals := make([]int, n)
	for i := range vals {
		vals[i] = i
	}
	stages := []axon.Component{newSource(vals...)}
	for range 10 {
		stages = append(stages, newRelay[int]())
	}
	p := chassis.Pipeline(stages...)
	h := axontest.NewHandle(t, s, p)
	require.Equal(t, ints(n), getN(t, h, "outbox", n))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "outbox")
	require.NoError(t, h.Wait(axontest.Context(t)))
	for _, st := range stages {
		assert.True(t, hasEnded(st.(axon.CoreComponent)))
	}
}

func TestPipelineShutdownStopsEveryStageAtOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	stages := []axon.Component{}
	for range 9 {
		stages = append(stages, newRelay[any]())
	}
	last := newMock() // reads only its control: what reaches its inbox waits
	stages = append(stages, last)
	p := chassis.Pipeline(stages...)
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", ints(100)...) // more than the last stage would ever take
	why := errors.New("stop now")
	put(t, h, "control", axon.Shutdown{Reason: why})
	// The Shutdown went down the chain, stage by stage, to the last, which
	// never reads its inbox: it stopped without draining anything.
	require.Equal(t, axon.Shutdown{Reason: why}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.Empty(t, last.seen, "the last stage was stopped, not handed a message")
}

func TestPipelineShutdownOfThePipeStopsAllStages(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newMock(), newMock()
	p := chassis.Pipeline(a, b)
	h := axontest.NewHandle(t, s, p)
	recv(t, a.started)
	recv(t, b.started)
	require.NoError(t, h.Close())
	assert.True(t, hasEnded(a))
	assert.True(t, hasEnded(b))
}

func TestPipelineStageFailureFailsThePipe(t *testing.T) {
	s := axontest.NewScheduler(t)
	first, bad, last := newRelay[string](), newFlaky(1), newRelay[string]()
	p := chassis.Pipeline(first, bad, last)
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", "a")
	require.Equal(t, "a", get(t, h, "outbox"))
	put(t, h, "inbox", "fail")
	err := h.Wait(axontest.Context(t))
	var ce *chassis.ChildError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "stage 2", ce.Child)
	require.ErrorIs(t, err, errFlaky)
	assert.True(t, hasEnded(first))
	assert.True(t, hasEnded(last))
}

func TestPipelinePanickingStageFailsThePipe(t *testing.T) {
	s := axontest.NewScheduler(t)
	p := chassis.Pipeline(newRelay[string](), newFlaky(1))
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", "boom")
	err := h.Wait(axontest.Context(t))
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
}

func TestPipelinesNest(t *testing.T) {
	s := axontest.NewScheduler(t)
	inner := chassis.Pipeline(newAdder(2), chassis.Pipeline(newAdder(3)))
	p := chassis.Pipeline(newAdder(1), inner, chassis.Pipeline(chassis.Pipeline(newAdder(4))))
	require.NoError(t, p.SetupErr())
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 0, 100)
	require.Equal(t, []any{10, 110}, getN(t, h, "outbox", 2))
	require.NoError(t, h.Finish(axontest.Context(t)))
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))

	_, err := chassis.NewPipeline(chassis.Pipeline(newRelay[string]()), newAdder(1))
	require.ErrorIs(t, err, axon.ErrTypeMismatch, "a nested Pipe is typed like its stages")
}

// until passes on ints below limit; the first at or above it it reports on
// reached, and ends.
type until struct {
	stage[int]
	limit   int
	reached chan int
}

func (u *until) Main(ctx context.Context) error {
	for v := range u.in.Messages(ctx) {
		if v >= u.limit {
			u.reached <- v
			return nil
		}
		if err := u.out.Send(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func TestCircularPipelineLoopsBackToTheFirstStage(t *testing.T) {
	s := axontest.NewScheduler(t)
	u := &until{limit: 5, reached: make(chan int, 1)}
	u.in = axon.NewInbox[int](u, "inbox")
	u.out = axon.NewOutbox[int](u, "outbox")
	p := chassis.CircularPipeline(newAdder(1), u)
	require.NoError(t, p.SetupErr())
	h := axontest.NewHandle(t, s, p)
	put(t, h, "inbox", 0)
	require.Equal(t, 5, recv(t, u.reached), "0 went round the ring five times")
	// until's end went round to the first stage, which finished: the ring
	// ends with the Pipe's own outcome.
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	ended(t, h, "outbox")
	require.NoError(t, h.Wait(axontest.Context(t)))
}
