package chassis_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// made records what a Carousel's factory made, and with what.
type made struct {
	args chan string
	kids chan *mock
}

// mockCarousel returns a Carousel of mocks (stubborn ones if asked).
func mockCarousel(stubborn bool, opts ...chassis.CarouselOption) (*chassis.Carousel[string, any, any], *made) {
	m := &made{args: make(chan string, 16), kids: make(chan *mock, 16)}
	c := chassis.NewCarousel[string, any, any](func(arg string) axon.Component {
		k := newMock()
		k.stubborn = stubborn
		m.args <- arg
		m.kids <- k
		return k
	}, opts...)
	return c, m
}

func TestCarouselByDefaultDoesNothing(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false)
	h := axontest.NewHandle(t, s, c)
	require.NoError(t, h.Put(axontest.Context(t), "inbox", "waits for a child"))
	for _, box := range []string{"outbox", "signal", "requestNext"} {
		_, sent := h.TryGet(box)
		assert.False(t, sent, box)
	}
	assert.Empty(t, m.kids)
	assert.Equal(t, axon.Running, c.State())
}

func TestCarouselCanMakeTheFirstRequest(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false, chassis.RequestFirst())
	h := axontest.NewHandle(t, s, c)
	require.Equal(t, chassis.Next, get(t, h, "requestNext"))
	assert.Empty(t, m.kids)
	_, more := h.TryGet("requestNext")
	assert.False(t, more)
}

func TestCarouselShutsDownWhenToldToAndIdle(t *testing.T) {
	for _, msg := range []any{axon.ProducerFinished{}, axon.Shutdown{}} {
		s := axontest.NewScheduler(t)
		c, _ := mockCarousel(false)
		h := axontest.NewHandle(t, s, c)
		put(t, h, "control", msg)
		require.Equal(t, msg, get(t, h, "signal"))
		ended(t, h, "signal")
		require.NoError(t, h.Wait(axontest.Context(t)))
	}
}

func TestCarouselNextRunsTheFactoryAndStartsTheChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "BLAH")
	require.Equal(t, "BLAH", recv(t, m.args))
	k := recv(t, m.kids)
	recv(t, k.started)
	assert.Equal(t, []axon.Component{k}, c.Children())
}

func TestCarouselChildEndingRequestsTheNext(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "BLAH")
	k := recv(t, m.kids)
	put(t, h, "control", "stop") // passed to the child, which ends
	require.Equal(t, "stop", recv(t, k.seen))
	require.Equal(t, chassis.Next, get(t, h, "requestNext"))
	_, more := h.TryGet("requestNext")
	assert.False(t, more, "a single NEXT")
	_, sent := h.TryGet("signal")
	assert.False(t, sent, "the child's own outcome is not passed on")
	assert.Equal(t, axon.Running, c.State())
}

func TestCarouselChildSignalMessagesDoNotTriggerARequest(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "BLAH")
	k := recv(t, m.kids)
	put(t, h, "control", "say") // the child sends ProducerFinished on signal, and goes on
	require.Equal(t, "say", recv(t, k.seen))
	put(t, h, "control", "stop")
	waitDone(t, k)
	require.Equal(t, chassis.Next, get(t, h, "requestNext"), "one NEXT, for the child's end only")
	_, more := h.TryGet("requestNext")
	assert.False(t, more)
	_, sent := h.TryGet("signal")
	assert.False(t, sent)
}

func TestCarouselPassesControlToTheChild(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(true)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "BLAH")
	k := recv(t, m.kids)
	put(t, h, "control", axon.ProducerFinished{})
	require.Equal(t, axon.ProducerFinished{}, recv(t, k.seen))
}

func TestCarouselShutdownStopsTheChildWithIt(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(true)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "BLAH")
	k := recv(t, m.kids)
	recv(t, k.started)
	put(t, h, "control", axon.Shutdown{})
	waitDone(t, k)
	require.Equal(t, axon.Shutdown{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestCarouselNewNextShutsTheCurrentChildDownFirst(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(false)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "first")
	first := recv(t, m.kids)
	require.Equal(t, "first", recv(t, m.args))
	recv(t, first.started)
	for i, arg := range []string{"second", "third"} {
		put(t, h, "next", arg)
		next := recv(t, m.kids)
		require.Equal(t, arg, recv(t, m.args), "step %d", i)
		assert.True(t, hasEnded(first), "the old child ended before the new one was made")
		recv(t, next.started)
		first = next
	}
	_, asked := h.TryGet("requestNext")
	assert.False(t, asked, "no NEXT for a child that was replaced")
}

func TestCarouselDataReachesTheChildAndComesOut(t *testing.T) {
	s := axontest.NewScheduler(t)
	kids := make(chan *adder, 2)
	c := chassis.NewCarousel[int, int, int](func(n int) axon.Component {
		a := newAdder(n)
		kids <- a
		return a
	})
	h := axontest.NewHandle(t, s, c)
	put(t, h, "inbox", 1, 2) // no child yet: they wait for one
	put(t, h, "next", 100)
	require.Equal(t, []any{101, 102}, getN(t, h, "outbox", 2))
	for i := range 5 {
		put(t, h, "inbox", i)
		require.Equal(t, 100+i, get(t, h, "outbox"))
	}
	put(t, h, "next", 1000)
	waitDone(t, recv(t, kids)) // replaced: what comes now waits for, or goes to, the new child
	put(t, h, "inbox", 7)
	require.Equal(t, 1007, get(t, h, "outbox"), "the new child has the boxes now")
}

func TestCarouselDoesNotEndUntilItsChildHas(t *testing.T) {
	for _, msg := range []any{axon.ProducerFinished{}, axon.Shutdown{}} {
		s := axontest.NewScheduler(t)
		c, m := mockCarousel(true)
		h := axontest.NewHandle(t, s, c)
		put(t, h, "next", "BLAH")
		k := recv(t, m.kids)
		recv(t, k.started)
		put(t, h, "control", msg)
		if _, pf := msg.(axon.ProducerFinished); pf {
			require.Equal(t, msg, recv(t, k.seen))
			assert.Equal(t, axon.Running, c.State(), "the child has not ended")
			pokeInto(t, k.Control())("stop")
		}
		waitDone(t, k)
		require.Equal(t, msg, get(t, h, "signal"))
		require.NoError(t, h.Wait(axontest.Context(t)))
	}
}

func TestCarouselProducerFinishedRunsTheQueuedNexts(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(true)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "0")
	first := recv(t, m.kids)
	recv(t, first.started)
	put(t, h, "control", axon.ProducerFinished{})
	put(t, h, "next", "1", "2", "3")
	k := first
	for i := range 4 {
		require.Equal(t, axon.ProducerFinished{}, recv(t, k.seen), "child %d is told to finish", i)
		assert.Len(t, m.kids, 0, "the next child waits for this one to end")
		pokeInto(t, k.Control())("stop")
		if i < 3 {
			k = recv(t, m.kids)
		}
	}
	require.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
	_, asked := h.TryGet("requestNext")
	assert.False(t, asked, "a finishing Carousel asks for no more")
	require.NoError(t, h.Wait(axontest.Context(t)))
}

func TestCarouselShutdownAbortsTheQueuedNexts(t *testing.T) {
	s := axontest.NewScheduler(t)
	c, m := mockCarousel(true)
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", "0")
	k := recv(t, m.kids)
	recv(t, k.started)
	put(t, h, "control", axon.Shutdown{})
	for _, arg := range []string{"1", "2"} {
		// Refused once the Carousel has ended: either way, no child.
		if err := h.Put(axontest.Context(t), "next", arg); err != nil {
			require.ErrorIs(t, err, axon.ErrFinished)
		}
	}
	waitDone(t, k)
	require.Equal(t, axon.Shutdown{}, get(t, h, "signal"))
	require.NoError(t, h.Wait(axontest.Context(t)))
	assert.Len(t, m.kids, 0, "no other child was made")
}

func TestCarouselChildFailureFailsTheCarousel(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := chassis.NewCarousel[int, string, string](func(int) axon.Component { return newFlaky(1) })
	h := axontest.NewHandle(t, s, c)
	put(t, h, "next", 1)
	put(t, h, "inbox", "ok")
	require.Equal(t, "ok", get(t, h, "outbox"))
	put(t, h, "inbox", "fail")
	err := h.Wait(axontest.Context(t))
	var ce *chassis.ChildError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "child 1", ce.Child)
	require.ErrorIs(t, err, errFlaky)
}

func TestCarouselChildOfTheWrongTypeFailsTheCarousel(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := chassis.NewCarousel[int, int, int](func(int) axon.Component { return newRelay[string]() })
	h := axontest.NewHandle(t, s, c)
	put(t, h, "inbox", 5) // waits, and is not lost by the failed start
	put(t, h, "next", 1)
	err := h.Wait(axontest.Context(t))
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
	assert.Contains(t, err.Error(), "child 1")
}

func TestCarouselGivesWhatAChildLeftToTheNext(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := chassis.NewCarousel[string, string, string](func(tag string) axon.Component { return newTaker(tag) })
	h := axontest.NewHandle(t, s, c)
	put(t, h, "inbox", "a", "b", "c")
	put(t, h, "next", "1")
	require.Equal(t, "1:a", get(t, h, "outbox"))
	require.Equal(t, chassis.Next, get(t, h, "requestNext"))
	put(t, h, "next", "2")
	require.Equal(t, "2:b", get(t, h, "outbox"))
	require.Equal(t, chassis.Next, get(t, h, "requestNext"))
	put(t, h, "next", "3")
	require.Equal(t, "3:c", get(t, h, "outbox"))
}
