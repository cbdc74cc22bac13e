package natsplane_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
)

// Fan-out across processes: 1 publisher here, 10 subscribers in 10 other
// processes (this binary, re-executed), through an embedded server; each
// message is 128 bytes stamped with the time it was published. "backplane"
// goes through Backplanes (PublishTo here; SubscribeTo there), "nats-direct"
// through nats.go alone, in the same run. Reported: messages/s published
// and received by all, ns per message, and the latency percentiles over
// every message at every subscriber. "max" publishes 50,000 messages as
// fast as it can (the latencies are then mostly queueing); "paced" publishes
// 10,000 at 5,000 a second, 5 every millisecond (the latencies are then the
// path's own).
//
//	go test -run '^$' -bench FanOutToProcesses -benchtime 1x -count 5 ./chassis/natsplane/
func BenchmarkFanOutToProcesses(b *testing.B) {
	for _, load := range []struct {
		name     string
		messages int
		paced    bool
	}{{"max", 50_000, false}, {"paced", 10_000, true}} {
		for _, mode := range []string{"nats-direct", "backplane"} {
			b.Run(load.name+"/"+mode, func(b *testing.B) {
				for b.Loop() {
					fanOut(b, mode, load.messages, load.paced)
				}
			})
		}
	}
}

const (
	benchSubscribers = 10
	benchSize        = 128
	pacePerTick      = 5 // messages each millisecond, when paced
)

// pacer returns a function to call before each message: it waits for the
// next tick every pacePerTick messages, or does nothing when not paced.
func pacer(paced bool) (wait func(i int), stop func()) {
	if !paced {
		return func(int) {}, func() {}
	}
	tick := time.NewTicker(time.Millisecond)
	return func(i int) {
		if i%pacePerTick == 0 {
			<-tick.C
		}
	}, tick.Stop
}

func fanOut(b *testing.B, mode string, messages int, paced bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	require.NoError(b, err)
	defer srv.Shutdown()
	dir := b.TempDir()
	childMode := map[string]string{"nats-direct": "direct", "backplane": "backplane"}[mode]
	children := make([]*child, benchSubscribers)
	for k := range children {
		children[k] = startChild(b, ctx, "benchsub", urlEnv+"="+srv.ClientURL(), nEnv+"="+strconv.Itoa(messages),
			modeEnv+"="+childMode, outEnv+"="+filepath.Join(dir, strconv.Itoa(k)))
	}
	for _, c := range children {
		c.expect(b, ctx, "ready")
	}
	b.ReportAllocs()
	start := time.Now()
	var publish func() error
	if mode == "backplane" {
		publish = publishThroughBackplane(b, ctx, srv.ClientURL(), messages, paced)
	} else {
		publish = publishDirect(b, srv.ClientURL(), messages, paced)
	}
	require.NoError(b, publish())
	sent := time.Since(start)
	for _, c := range children {
		c.expect(b, ctx, "done")
	}
	all := time.Since(start)
	var lat []int64
	for k, c := range children {
		require.NoError(b, c.cmd.Wait(), "stderr:\n%s", c.stderr.String())
		data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(k)))
		require.NoError(b, err)
		for i := 0; i+8 <= len(data); i += 8 {
			lat = append(lat, int64(binary.LittleEndian.Uint64(data[i:])))
		}
	}
	require.Len(b, lat, benchSubscribers*messages, "every subscriber got every message")
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) }
	b.ReportMetric(float64(messages)/sent.Seconds(), "pub-msgs/s")
	b.ReportMetric(float64(messages)/all.Seconds(), "msgs/s")
	b.ReportMetric(float64(all.Nanoseconds())/float64(messages), "ns/msg")
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}

// stamped returns message i: the time now, then padding.
func stamped() []byte {
	m := make([]byte, benchSize)
	binary.LittleEndian.PutUint64(m, uint64(time.Now().UnixNano()))
	return m
}

func publishDirect(b *testing.B, url string, messages int, paced bool) func() error {
	nc, err := nats.Connect(url)
	require.NoError(b, err)
	return func() error {
		defer nc.Close()
		wait, stop := pacer(paced)
		defer stop()
		for i := range messages {
			wait(i)
			if err := nc.Publish(natsplane.DefaultSubjectPrefix+"bench", stamped()); err != nil {
				return err
			}
		}
		return nc.Flush()
	}
}

// burst sends n stamped messages, then ends.
type burst struct {
	axon.Core
	out   *axon.Outbox[[]byte]
	n     int
	paced bool
}

func (s *burst) Main(ctx context.Context) error {
	wait, stop := pacer(s.paced)
	defer stop()
	for i := range s.n {
		wait(i)
		if err := s.out.Send(ctx, stamped()); err != nil {
			return err
		}
	}
	return nil
}

func publishThroughBackplane(b *testing.B, ctx context.Context, url string, messages int, paced bool) func() error {
	s := axon.NewScheduler()
	bp := chassis.NewBackplane[[]byte]("bench", chassis.OnScheduler(s), chassis.WithTransport(natsplane.Dial(url)))
	hb, err := axon.NewHandle(s, bp, "control", "signal")
	require.NoError(b, err)
	src := &burst{n: messages, paced: paced}
	src.out = axon.NewOutbox[[]byte](src, "outbox")
	pipe := chassis.Pipeline(src, chassis.PublishTo[[]byte]("bench"))
	return func() error {
		// Publishing before the Backplane has opened its channel is safe:
		// its inbox holds what arrives meanwhile.
		s.Activate(pipe)
		select {
		case <-pipe.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := pipe.Err(); err != nil {
			return err
		}
		if err := hb.Finish(ctx); err != nil { // drains: every message is out
			return err
		}
		if err := hb.Wait(ctx); err != nil {
			return fmt.Errorf("backplane: %w", err)
		}
		return s.Wait(ctx)
	}
}

// runBenchSubscriber is one subscriber process of the fan-out benchmark: it
// takes n messages, each stamped with the time it was published at, through
// a Backplane or through nats.go directly, and writes their latencies.
func runBenchSubscriber() error {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	n, err := strconv.Atoi(os.Getenv(nEnv))
	if err != nil {
		return err
	}
	url := os.Getenv(urlEnv)
	lat := make([]int64, 0, n)
	done := make(chan struct{})
	record := func(msg []byte) {
		lat = append(lat, time.Now().UnixNano()-int64(binary.LittleEndian.Uint64(msg)))
		if len(lat) == n {
			close(done)
		}
	}
	var stop func() error
	switch os.Getenv(modeEnv) {
	case "direct":
		nc, err := nats.Connect(url)
		if err != nil {
			return err
		}
		sub, err := nc.Subscribe(natsplane.DefaultSubjectPrefix+"bench", func(m *nats.Msg) { record(m.Data) })
		if err != nil {
			return err
		}
		if err := nc.Flush(); err != nil {
			return err
		}
		stop = func() error { _ = sub.Unsubscribe(); nc.Close(); return nil }
	case "backplane":
		s := axon.NewScheduler()
		b := chassis.NewBackplane[[]byte]("bench", chassis.OnScheduler(s), chassis.WithTransport(natsplane.Dial(url)))
		sub := chassis.SubscribeTo[[]byte]("bench")
		m := newMeter(record)
		out, _ := sub.Outbox("outbox")
		axon.MustLink(out, m.in)
		hb, err := axon.NewHandle(s, b, "control", "signal")
		if err != nil {
			return err
		}
		s.Activate(sub, m)
		select {
		case <-sub.Subscribed():
		case <-hb.Done():
			return hb.Wait(ctx)
		}
		stop = func() error {
			if err := hb.Close(); err != nil {
				return err
			}
			s.ShutdownAll(axon.Shutdown{})
			return s.Wait(ctx)
		}
	default:
		return fmt.Errorf("mode %q", os.Getenv(modeEnv))
	}
	fmt.Println("ready")
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("got %d of %d: %w", len(lat), n, ctx.Err())
	}
	if err := stop(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	buf := make([]byte, 8*len(lat))
	for i, v := range lat {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(v))
	}
	if err := os.WriteFile(os.Getenv(outEnv), buf, 0o600); err != nil {
		return err
	}
	fmt.Println("done")
	return nil
}

// meter hands each message it is sent to record.
type meter struct {
	axon.Core
	in     *axon.Inbox[[]byte]
	record func([]byte)
}

func newMeter(record func([]byte)) *meter {
	m := &meter{record: record}
	m.in = axon.NewInbox[[]byte](m, "inbox")
	return m
}

func (m *meter) Main(ctx context.Context) error {
	var buf [][]byte
	for {
		var err error
		if buf, err = m.in.RecvBatch(ctx, buf[:0], 64); err != nil {
			return err
		}
		for _, v := range buf {
			m.record(v)
		}
	}
}
