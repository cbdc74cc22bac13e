package natsplane_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/backplanetest"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Backplane on NATS passes the suite an in-process one passes, and
// survives its broker's restart.
func TestConformance(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { srv.Shutdown() })
	url, port := srv.ClientURL(), srv.Port()
	backplanetest.Test(t, backplanetest.Setup{
		Options: func(*testing.T) []chassis.BackplaneOption {
			return []chassis.BackplaneOption{chassis.WithTransport(natsplane.Dial(url))}
		},
		Features: backplanetest.Features{
			Transport: true,
			Restart: func(t *testing.T) {
				srv.Shutdown()
				srv, err = natsplane.StartServer(natsplane.ServerConfig{Port: port})
				require.NoError(t, err, "starting the server again on port %d", port)
			},
		},
	})
}

// A Block subscriber too slow for the subscription's pending limits, fed by
// a publisher in another connection that nothing holds back: NATS drops,
// and every drop is counted, on Stats and on "lost".
func TestSlowBlockSubscriberPastThePendingLimitsIsCountedAsLost(t *testing.T) {
	srv := startServer(t, 0)
	s := axontest.NewScheduler(t)
	tr := srv.Transport(natsplane.WithPendingLimits(10, -1))
	b := chassis.NewBackplane[[]byte]("lost", chassis.OnScheduler(s), chassis.WithTransport(tr))
	hb := axontest.NewHandle(t, s, b, "control", "signal", "lost")
	sub := chassis.SubscribeTo[[]byte]("lost")
	sink := axontest.NewRelay[[]byte](1)
	out, _ := sub.Outbox("outbox")
	axon.MustLink(out, sink.In)
	hs := axontest.NewHandle(t, s, sub, "control", "signal")
	<-sub.Subscribed()
	nc, err := nats.Connect(srv.ClientURL())
	require.NoError(t, err)
	defer nc.Close()
	subject, err := tr.Subject("lost")
	require.NoError(t, err)
	const n = 2000
	for i := range n {
		require.NoError(t, nc.Publish(subject, []byte(strconv.Itoa(i))))
	}
	require.NoError(t, nc.Flush())
	ctx := axontest.Context(t)
	first, err := hb.Get(ctx, "lost")
	require.NoError(t, err)
	require.Equal(t, uint64(1), first, "the first drop is reported as it happens")
	hSink := axontest.NewHandle(t, s, sink)
	require.NoError(t, hb.Finish(ctx)) // drain: what NATS holds comes through
	require.NoError(t, hb.Wait(ctx))
	require.Equal(t, axon.ProducerFinished{}, get(t, hs, "signal"))
	st := b.Stats()
	require.Positive(t, st.Lost)
	require.Equal(t, uint64(n), st.Received+st.Lost, "each message was received or counted as lost")
	got := make([]int, 0, st.Received)
	for range st.Received {
		i, err := strconv.Atoi(string(get(t, hSink, "outbox").([]byte)))
		require.NoError(t, err)
		got = append(got, i)
	}
	require.IsIncreasing(t, got)
	last := first.(uint64)
	for {
		v, ok := hb.TryGet("lost")
		if !ok {
			break
		}
		last = v.(uint64)
	}
	assert.Equal(t, st.Lost, last, `"lost" carries the running total`)
}

// A message that does not decode is reported and counted; the Backplane
// goes on.
func TestMessageThatDoesNotDecodeIsReported(t *testing.T) {
	srv := startServer(t, 0)
	s := axontest.NewScheduler(t)
	tr := srv.Transport()
	b := chassis.NewBackplane[reading]("readings", chassis.OnScheduler(s),
		chassis.WithTransport(tr), chassis.WithCodec(framing.JSON[reading]{}))
	hb := axontest.NewHandle(t, s, b)
	_, hs := subscribeTo[reading](t, s, "readings")
	nc, err := nats.Connect(srv.ClientURL())
	require.NoError(t, err)
	defer nc.Close()
	subject, err := tr.Subject("readings")
	require.NoError(t, err)
	require.NoError(t, nc.Publish(subject, []byte(`{"Sensor": "a", "Value": 1}`)))
	require.NoError(t, nc.Publish(subject, []byte(`{"Sensor": 17`)))
	require.NoError(t, nc.Publish(subject, []byte(`{"Sensor": "b", "Value": 2}`)))
	require.NoError(t, nc.Flush())
	require.Equal(t, reading{"a", 1}, get(t, hs, "outbox"))
	require.Equal(t, reading{"b", 2}, get(t, hs, "outbox"))
	err, _ = get(t, hb, "errors").(error)
	require.ErrorIs(t, err, chassis.ErrTransport)
	var ce *framing.CodecError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, int64(1), ce.Index, "the second message received")
	assert.Contains(t, err.Error(), "does not decode")
	assert.Equal(t, uint64(1), b.Stats().DecodeErrors)
}

type reading struct {
	Sensor string
	Value  float64
}

func TestNameThatIsNotASubjectFailsTheBackplane(t *testing.T) {
	srv := startServer(t, 0)
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("two words", chassis.OnScheduler(s), chassis.WithTransport(srv.Transport()))
	err := axontest.NewHandle(t, s, b).Wait(axontest.Context(t))
	require.ErrorIs(t, err, natsplane.ErrBadName)
	require.ErrorIs(t, err, chassis.ErrTransport)
	assert.Contains(t, err.Error(), `"two words"`)
}

func TestNoServerFailsTheBackplaneWithAClearError(t *testing.T) {
	srv := startServer(t, 0)
	url := srv.ClientURL()
	srv.Shutdown() // nothing listens there now
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[int]("nobody", chassis.OnScheduler(s),
		chassis.WithTransport(natsplane.Dial(url, natsplane.WithNATSOptions(nats.Timeout(time.Second)))))
	err := axontest.NewHandle(t, s, b).Wait(axontest.Context(t))
	require.ErrorIs(t, err, nats.ErrNoServers)
	assert.Contains(t, err.Error(), url)
}

// get takes the next message from h's box.
func get(t testing.TB, h *axon.Handle, box string) any {
	t.Helper()
	v, err := h.Get(axontest.Context(t), box)
	require.NoError(t, err, "getting from %s", box)
	return v
}

func subscribeTo[T any](t testing.TB, s *axon.Scheduler, name string, opts ...chassis.SubscribeOption) (*chassis.Subscriber[T], *axon.Handle) {
	t.Helper()
	sub := chassis.SubscribeTo[T](name, opts...)
	h := axontest.NewHandle(t, s, sub)
	select {
	case <-sub.Subscribed():
	case <-h.Done():
		t.Fatalf("subscriber ended before it joined: %v", h.Wait(axontest.Context(t)))
	}
	return sub, h
}

// A message larger than the server takes is refused at publish time,
// reported and counted; the next goes through.
func TestMessageTooLargeForTheServerIsReported(t *testing.T) {
	srv, err := natsplane.StartServer(natsplane.ServerConfig{MaxPayload: 1024})
	require.NoError(t, err)
	defer srv.Shutdown()
	s := axontest.NewScheduler(t)
	b := chassis.NewBackplane[[]byte]("big", chassis.OnScheduler(s), chassis.WithTransport(srv.Transport()))
	hb := axontest.NewHandle(t, s, b)
	_, hs := subscribeTo[[]byte](t, s, "big")
	hp := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("big"))
	ctx := axontest.Context(t)
	require.NoError(t, hp.Put(ctx, "inbox", make([]byte, 2048)))
	require.NoError(t, hp.Put(ctx, "inbox", []byte("small")))
	require.Equal(t, []byte("small"), get(t, hs, "outbox"))
	err, _ = get(t, hb, "errors").(error)
	require.ErrorIs(t, err, nats.ErrMaxPayload)
	require.ErrorIs(t, err, chassis.ErrTransport)
	st := b.Stats()
	assert.Equal(t, uint64(1), st.SendErrors)
	assert.Equal(t, uint64(1), st.Sent)
}
