package chassis_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
)

// The benchmarks compare the chassis with raw Go channels doing the same work
// in the same run, and report time per delivered message (ns/delivery,
// ns/msg) next to ns/op. Run them with `make bench BENCH=. PKG=./chassis`.

// counter counts what reaches its inbox and closes full once it has n.
type counter struct {
	axon.Core
	in   *axon.Inbox[int]
	n    int
	full chan struct{}
}

func newCounter(n int) *counter {
	c := &counter{n: n, full: make(chan struct{})}
	c.in = axon.NewInbox[int](c, "inbox")
	return c
}

func (c *counter) Main(ctx context.Context) error {
	got := 0
	for range c.in.Messages(ctx) {
		got++
		if got == c.n {
			close(c.full)
		}
	}
	return ctx.Err()
}

// rawFanOut sends msgs messages to subs buffered channels (capacity 64), each
// drained by its own goroutine, and returns how long it took until every
// receiver had them all.
func rawFanOut(subs, msgs int) time.Duration {
	chans := make([]chan int, subs)
	var wg sync.WaitGroup
	for i := range chans {
		ch := make(chan int, 64)
		chans[i] = ch
		wg.Go(func() {
			for range ch {
			}
		})
	}
	start := time.Now()
	for v := range msgs {
		for _, ch := range chans {
			ch <- v
		}
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
	return time.Since(start)
}

// backplaneFanOut publishes msgs messages through a Backplane to subs
// subscribers, each linked to a counting component (inbox capacity 64), and
// returns how long it took until every counter had them all.
func backplaneFanOut(b *testing.B, subs, msgs int) time.Duration {
	s := axon.NewScheduler()
	plane := chassis.NewBackplane[int]("bench", chassis.OnScheduler(s))
	s.Activate(plane)
	counters := make([]*counter, subs)
	for i := range counters {
		counters[i] = newCounter(msgs)
		sub := chassis.SubscribeTo[int]("bench")
		out, _ := sub.Outbox("outbox")
		axon.MustLink(out, counters[i].in)
		axon.MustLink(sub.Signal(), counters[i].Control())
		s.Activate(counters[i], sub)
		<-sub.Subscribed()
	}
	src := newCount(msgs)
	start := time.Now()
	s.Activate(chassis.Pipeline(src, chassis.PublishTo[int]("bench")))
	for _, c := range counters {
		<-c.full
	}
	elapsed := time.Since(start)
	s.ShutdownAll(axon.Shutdown{})
	if err := s.Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
	return elapsed
}

// BenchmarkBackplaneFanOut: 1 publisher, 100 subscribers, 10,000 messages
// per op, against a raw loop over 100 buffered channels in the same run.
// ns/delivery is the Backplane's time per message per subscriber,
// raw-ns/delivery the channels', x-raw their ratio (goal: at most 1).
func BenchmarkBackplaneFanOut(b *testing.B) {
	const subs, msgs = 100, 10_000
	b.ReportAllocs()
	var bp, raw time.Duration
	for b.Loop() {
		raw += rawFanOut(subs, msgs)
		bp += backplaneFanOut(b, subs, msgs)
	}
	deliveries := float64(b.N) * subs * msgs
	b.ReportMetric(float64(bp.Nanoseconds())/deliveries, "ns/delivery")
	b.ReportMetric(float64(raw.Nanoseconds())/deliveries, "raw-ns/delivery")
	b.ReportMetric(float64(bp)/float64(raw), "x-raw")
}

// tenPasses returns ten pass-through stages.
func tenPasses() []axon.Component {
	out := make([]axon.Component, 10)
	for i := range out {
		out[i] = axontest.NewRelay[int](0)
	}
	return out
}

// benchPipeline runs b.N messages from a source through middle to a counter
// and reports ns/msg.
func benchPipeline(b *testing.B, middle ...axon.Component) {
	b.ReportAllocs()
	s := axon.NewScheduler()
	sink := newCounter(b.N)
	stages := append([]axon.Component{newCount(b.N)}, middle...)
	p := chassis.Pipeline(append(stages, sink)...)
	if err := p.SetupErr(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	s.Activate(p)
	<-sink.full
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/msg")
	b.StopTimer()
	if err := s.Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPipelineTenStages: a message crossing ten pass-through stages,
// in a flat Pipeline, in one whose stages sit three Pipelines deep, and along
// a chain of goroutines joined by buffered channels (capacity 64). The
// nested one resolves its passthroughs when linked, so it should cost what
// the flat one costs.
func BenchmarkPipelineTenStages(b *testing.B) {
	b.Run("flat", func(b *testing.B) { benchPipeline(b, tenPasses()...) })
	b.Run("nested3", func(b *testing.B) {
		p := tenPasses()
		deep := chassis.Pipeline(p[7], p[8], p[9])
		mid := chassis.Pipeline(append(p[4:7:7], deep)...)
		top := chassis.Pipeline(append(p[0:4:4], mid)...)
		benchPipeline(b, top)
	})
	b.Run("raw-chan", func(b *testing.B) {
		b.ReportAllocs()
		first := make(chan int, 64)
		in := first
		var wg sync.WaitGroup
		for range 10 {
			src, dst := in, make(chan int, 64)
			wg.Go(func() {
				for v := range src {
					dst <- v
				}
				close(dst)
			})
			in = dst
		}
		last := in
		done := make(chan struct{})
		go func() {
			for range last {
			}
			close(done)
		}()
		b.ResetTimer()
		start := time.Now()
		for v := range b.N {
			first <- v
		}
		close(first)
		<-done
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N), "ns/msg")
		b.StopTimer()
		wg.Wait()
	})
}
