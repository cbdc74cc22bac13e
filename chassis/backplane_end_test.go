package chassis_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/console"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBackplaneDocSnippetRunsAsWritten runs the snippet of NewBackplane's
// doc and docs/composing.md as it is written: the Backplane is made and
// never activated, its publisher and subscriber start it, and the whole
// system ends by itself at the end of the reader's input.
func TestBackplaneDocSnippetRunsAsWritten(t *testing.T) {
	ctx := axontest.Context(t)
	input, typing := io.Pipe()
	var printed bytes.Buffer
	NewConsoleReader := func() *console.Reader {
		return console.NewReader(console.WithInput(input), console.WithPrompt(""))
	}
	NewConsoleEchoer := func() *console.Echoer { return console.NewEchoer(console.WithOutput(&printed)) }
	sub := chassis.SubscribeTo[string]("CHAT")

	bp := chassis.NewBackplane[string]("CHAT")
	writer := chassis.Pipeline(NewConsoleReader(), chassis.PublishTo[string]("CHAT"))
	reader := chassis.Pipeline(sub, NewConsoleEchoer())

	ran := make(chan error, 1)
	go func() { ran <- axon.Run(reader, writer) }()
	select {
	case <-sub.Subscribed():
	case <-ctx.Done():
		t.Fatal("the subscriber never joined: the Backplane was not started")
	}
	_, err := io.WriteString(typing, "hello\nworld\n")
	require.NoError(t, err)
	require.NoError(t, typing.Close()) // end of input
	select {
	case err := <-ran:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("the system did not end at the end of its input")
	}
	assert.Equal(t, "hello\nworld\n", printed.String())
	assert.Equal(t, axon.Finished, bp.State())
	assert.NoError(t, bp.Err())
}

// TestUnactivatedBackplaneIsStartedByItsSubscriber checks that a Backplane
// that nobody activated is activated on its own scheduler by the first
// peer that finds it.
func TestUnactivatedBackplaneIsStartedByItsSubscriber(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("lazy", chassis.OnScheduler(s))
	sub := chassis.SubscribeTo[int]("lazy")
	hs := axontest.NewHandle(t, s, sub)
	select {
	case <-sub.Subscribed():
	case <-axontest.Context(t).Done():
		t.Fatal("the subscriber never joined")
	}
	require.Equal(t, axon.Running, b.State())
	assert.Equal(t, s, b.Scheduler())
	hp := axontest.NewHandle(t, s, chassis.PublishTo[int]("lazy"))
	put(t, hp, "inbox", 7)
	require.Equal(t, 7, get(t, hs, "outbox"))
}

// TestBackplaneEndsWithItsPublishers checks that when its last publisher
// ends, a Backplane delivers what it was sent, ends its subscribers with
// ProducerFinished, and ends.
func TestBackplaneEndsWithItsPublishers(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("ends", chassis.OnScheduler(s))
	hb := axontest.NewHandle(t, s, b, "signal", "control")
	sub := chassis.SubscribeTo[int]("ends")
	hs := axontest.NewHandle(t, s, sub)
	<-sub.Subscribed()
	p1 := chassis.PublishTo[int]("ends")
	p2 := chassis.PublishTo[int]("ends")
	h1, h2 := axontest.NewHandle(t, s, p1), axontest.NewHandle(t, s, p2)
	<-p1.Joined()
	<-p2.Joined()
	put(t, h1, "inbox", ints(50)...)
	require.NoError(t, h1.Finish(axontest.Context(t)))
	require.NoError(t, h1.Wait(axontest.Context(t)))
	assert.Equal(t, ints(50), getN(t, hs, "outbox", 50))
	assert.Equal(t, axon.Running, b.State(), "one publisher is left")

	put(t, h2, "inbox", ints(50)...)
	require.NoError(t, h2.Finish(axontest.Context(t)))
	assert.Equal(t, ints(50), getN(t, hs, "outbox", 50), "what the last publisher sent is delivered")
	ended(t, hs, "outbox")
	assert.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	assert.Equal(t, axon.ProducerFinished{}, get(t, hb, "signal"))
	require.NoError(t, hb.Wait(axontest.Context(t)))

	// A subscriber that comes after the end finds no Backplane.
	late := axontest.NewHandle(t, s, chassis.SubscribeTo[int]("ends"))
	require.ErrorIs(t, late.Wait(axontest.Context(t)), chassis.ErrNoBackplane)
}

// TestKeepAliveBackplaneOutlivesItsPublishers checks the option that keeps
// Kamaelia's behaviour: the Backplane ends only when told to.
func TestKeepAliveBackplaneOutlivesItsPublishers(t *testing.T) {
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("kept", chassis.OnScheduler(s), chassis.KeepAlive())
	hb := axontest.NewHandle(t, s, b, "signal", "control")
	sub := chassis.SubscribeTo[int]("kept")
	hs := axontest.NewHandle(t, s, sub)
	<-sub.Subscribed()
	h1 := axontest.NewHandle(t, s, chassis.PublishTo[int]("kept"))
	put(t, h1, "inbox", 1)
	require.Equal(t, 1, get(t, hs, "outbox"))
	require.NoError(t, h1.Finish(axontest.Context(t)))
	require.NoError(t, h1.Wait(axontest.Context(t)))

	h2 := axontest.NewHandle(t, s, chassis.PublishTo[int]("kept"))
	put(t, h2, "inbox", 2)
	require.Equal(t, 2, get(t, hs, "outbox"), "a publisher joins after the first ended")
	assert.Equal(t, axon.Running, b.State())
	require.NoError(t, hb.Finish(axontest.Context(t)))
	assert.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
}

// heldTransport loops what is published back to the Backplane, and holds a
// drain until the test releases it, so that a test can act while the
// Backplane is ending.
type heldTransport struct {
	draining chan struct{} // closed when the Backplane starts draining
	release  chan struct{} // closed by the test: the drain completes
}

func (h *heldTransport) Open(_ context.Context, _ string, in chassis.Inbound) (chassis.Channel, error) {
	return &heldChannel{h: h, in: in}, nil
}

type heldChannel struct {
	h  *heldTransport
	in chassis.Inbound
}

func (*heldChannel) Listen(context.Context) error { return nil }
func (c *heldChannel) Publish(msg []byte) error   { return c.in.Deliver(msg) }
func (*heldChannel) Close() error                 { return nil }

func (c *heldChannel) Drain() error {
	close(c.h.draining)
	go func() {
		<-c.h.release
		c.in.Closed() // from a goroutine of the transport, as a real one does
	}()
	return nil
}

// TestLateComersToAnEndingBackplane checks what a subscriber and a
// publisher that come while the Backplane is ending with its publishers
// get: the subscriber ends cleanly, the publisher fails; and that the
// transport's end, from a goroutine of its own, wakes the Backplane.
func TestLateComersToAnEndingBackplane(t *testing.T) {
	s := axontest.NewScheduler(t)
	tr := &heldTransport{draining: make(chan struct{}), release: make(chan struct{})}
	b := chassis.NewBackplane[[]byte]("held", chassis.OnScheduler(s), chassis.WithTransport(tr))
	hb := axontest.NewHandle(t, s, b, "signal", "control")
	sub := chassis.SubscribeTo[[]byte]("held")
	hs := axontest.NewHandle(t, s, sub)
	<-sub.Subscribed()
	hp := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("held"))
	put(t, hp, "inbox", []byte("last"))
	require.NoError(t, hp.Finish(axontest.Context(t)))
	recv(t, tr.draining)

	late := axontest.NewHandle(t, s, chassis.SubscribeTo[[]byte]("held"))
	require.NoError(t, late.Wait(axontest.Context(t)), "a subscriber that comes as it ends is not a failure")
	sig := get(t, late, "signal")
	require.IsType(t, axon.ProducerFinished{}, sig)
	assert.ErrorIs(t, sig.(axon.ProducerFinished).Reason, chassis.ErrBackplaneEnded)
	latePub := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("held"))
	assert.ErrorIs(t, latePub.Wait(axontest.Context(t)), chassis.ErrBackplaneEnded, "a publisher's messages would be lost")

	close(tr.release)
	assert.Equal(t, []byte("last"), get(t, hs, "outbox"))
	assert.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	assert.Equal(t, axon.ProducerFinished{}, get(t, hb, "signal"))
}
