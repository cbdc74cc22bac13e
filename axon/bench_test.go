package axon_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// The benchmarks compare the runtime with raw Go channels doing the same work
// in the same run. Each reports ns/msg (time per message end to end) next to
// the usual ns/op; run them with `make bench`.

// batchStage passes messages on in batches of up to 64.
type batchStage struct {
	axon.Core
	in  *axon.Inbox[int]
	out *axon.Outbox[int]
}

// batchCapacity holds as many values as a channel of 64 batches of 64.
const batchCapacity = 64 * 64

func newBatchStage() *batchStage {
	s := &batchStage{}
	s.in = axon.NewInbox[int](s, "inbox")
	s.in.SetCapacity(batchCapacity)
	s.out = axon.NewOutbox[int](s, "outbox")
	return s
}

func (s *batchStage) Main(ctx context.Context) error {
	buf := make([]int, 0, 64)
	for {
		var err error
		buf, err = s.in.RecvBatch(ctx, buf[:0], 64)
		if err != nil {
			if err == axon.ErrFinished {
				return nil
			}
			return err
		}
		if err := s.out.SendBatch(ctx, buf); err != nil {
			return err
		}
	}
}

// source sends n ints, then ends (ProducerFinished goes down the chain).
type source struct {
	axon.Core
	out   *axon.Outbox[int]
	n     int
	batch bool
}

func newSource(n int, batch bool) *source {
	s := &source{n: n, batch: batch}
	s.out = axon.NewOutbox[int](s, "outbox")
	return s
}

func (s *source) Main(ctx context.Context) error {
	if s.batch {
		buf := make([]int, 64)
		for i := 0; i < s.n; i += 64 {
			k := min(64, s.n-i)
			for j := range k {
				buf[j] = i + j
			}
			if err := s.out.SendBatch(ctx, buf[:k]); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range s.n {
		if err := s.out.Send(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// sink counts what arrives and checks it arrives in order.
type sink struct {
	axon.Core
	in    *axon.Inbox[int]
	got   int
	batch bool
}

func newSink(batch bool) *sink {
	s := &sink{batch: batch}
	s.in = axon.NewInbox[int](s, "inbox")
	if batch {
		s.in.SetCapacity(batchCapacity)
	}
	return s
}

func (s *sink) Main(ctx context.Context) error {
	if s.batch {
		buf := make([]int, 0, 64)
		for {
			var err error
			buf, err = s.in.RecvBatch(ctx, buf[:0], 64)
			if err != nil {
				return ctx.Err()
			}
			for _, v := range buf {
				if v != s.got {
					return fmt.Errorf("got %d, want %d", v, s.got)
				}
				s.got++
			}
		}
	}
	for v := range s.in.Messages(ctx) {
		if v != s.got {
			return fmt.Errorf("got %d, want %d", v, s.got)
		}
		s.got++
	}
	return ctx.Err()
}

// runSliceChain is the batch path with slices as messages, the same shape
// as channels carrying batches: source and sink run in the benchmark's
// goroutine through a Handle-free pair of components.
func runSliceChain(b *testing.B, n, stages int) {
	s := axon.NewScheduler()
	src := &funcSource{n: n}
	src.out = axon.NewOutbox[[]int](src, "outbox")
	snk := &sliceSink{}
	snk.in = axon.NewInbox[[]int](snk, "inbox")
	comps := []axon.Component{src}
	prevOut, prevSig := axon.Box(src.out), axon.Box(src.Signal())
	for range stages {
		st := axontest.NewRelay[[]int](0)
		axon.MustLink(prevOut, st.In)
		axon.MustLink(prevSig, st.Control())
		prevOut, prevSig = st.Out, st.Signal()
		comps = append(comps, st)
	}
	axon.MustLink(prevOut, snk.in)
	axon.MustLink(prevSig, snk.Control())
	comps = append(comps, snk)
	if err := s.Run(comps...); err != nil {
		b.Fatal(err)
	}
	if snk.got != n {
		b.Fatalf("sink got %d values, want %d", snk.got, n)
	}
}

type funcSource struct {
	axon.Core
	out *axon.Outbox[[]int]
	n   int
}

func (s *funcSource) Main(ctx context.Context) error {
	for i := 0; i < s.n; i += 64 {
		k := min(64, s.n-i)
		buf := make([]int, k)
		for j := range k {
			buf[j] = i + j
		}
		if err := s.out.Send(ctx, buf); err != nil {
			return err
		}
	}
	return nil
}

type sliceSink struct {
	axon.Core
	in  *axon.Inbox[[]int]
	got int
}

func (s *sliceSink) Main(ctx context.Context) error {
	for vs := range s.in.Messages(ctx) {
		for _, v := range vs {
			if v != s.got {
				return fmt.Errorf("got %d, want %d", v, s.got)
			}
			s.got++
		}
	}
	return ctx.Err()
}

// runChain runs source -> stages -> sink, linked outbox->inbox and
// signal->control, and waits for it to drain.
func runChain(b *testing.B, n, stages int, batch bool) {
	s := axon.NewScheduler()
	src := newSource(n, batch)
	snk := newSink(batch)
	comps := []axon.Component{src}
	prevOut, prevSig := axon.Box(src.out), axon.Box(src.Signal())
	for range stages {
		var c axon.Component
		var in, out axon.Box
		var ctl *axon.Inbox[any]
		var sig *axon.Outbox[any]
		if batch {
			bs := newBatchStage()
			c, in, out, ctl, sig = bs, bs.in, bs.out, bs.Control(), bs.Signal()
		} else {
			ps := axontest.NewRelay[int](0)
			c, in, out, ctl, sig = ps, ps.In, ps.Out, ps.Control(), ps.Signal()
		}
		comps = append(comps, c)
		axon.MustLink(prevOut, in)
		axon.MustLink(prevSig, ctl)
		prevOut, prevSig = out, sig
	}
	axon.MustLink(prevOut, snk.in)
	axon.MustLink(prevSig, snk.Control())
	comps = append(comps, snk)
	if err := s.Run(comps...); err != nil {
		b.Fatal(err)
	}
	if snk.got != n {
		b.Fatalf("sink got %d messages, want %d", snk.got, n)
	}
}

// chanChain is the baseline: the same chain with goroutines and buffered
// channels of capacity 64.
func chanChain(b *testing.B, n, stages int) {
	chans := make([]chan int, stages+1)
	for i := range chans {
		chans[i] = make(chan int, 64)
	}
	var wg sync.WaitGroup
	for i := range stages {
		wg.Go(func() {
			for v := range chans[i] {
				chans[i+1] <- v
			}
			close(chans[i+1])
		})
	}
	wg.Go(func() {
		for i := range n {
			chans[0] <- i
		}
		close(chans[0])
	})
	got := 0
	for v := range chans[stages] {
		if v != got {
			b.Fatalf("got %d, want %d", v, got)
		}
		got++
	}
	wg.Wait()
}

// chanBatchChain is the batch baseline: channels carrying []int of 64.
func chanBatchChain(b *testing.B, n, stages int) {
	chans := make([]chan []int, stages+1)
	for i := range chans {
		chans[i] = make(chan []int, 64)
	}
	var wg sync.WaitGroup
	for i := range stages {
		wg.Go(func() {
			for v := range chans[i] {
				chans[i+1] <- v
			}
			close(chans[i+1])
		})
	}
	wg.Go(func() {
		for i := 0; i < n; i += 64 {
			k := min(64, n-i)
			buf := make([]int, k)
			for j := range k {
				buf[j] = i + j
			}
			chans[0] <- buf
		}
		close(chans[0])
	})
	got := 0
	for vs := range chans[stages] {
		for _, v := range vs {
			if v != got {
				b.Fatalf("got %d, want %d", v, got)
			}
			got++
		}
	}
	wg.Wait()
}

func reportPerMsg(b *testing.B, msgs int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
}

const pipelineMsgs = 1_000_000

// BenchmarkPipeline10 moves 1,000,000 ints through 10 pass-through stages.
func BenchmarkPipeline10(b *testing.B) {
	b.Run("axon", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runChain(b, pipelineMsgs, 10, false)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
	b.Run("chan64", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chanChain(b, pipelineMsgs, 10)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
	b.Run("axon-batch", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runChain(b, pipelineMsgs, 10, true)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
	b.Run("axon-slices64", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runSliceChain(b, pipelineMsgs, 10)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
	b.Run("chan64-batch64", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chanBatchChain(b, pipelineMsgs, 10)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
}

// BenchmarkProducerConsumer moves 1,000,000 ints from one producer to one
// consumer.
func BenchmarkProducerConsumer(b *testing.B) {
	b.Run("axon", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			runChain(b, pipelineMsgs, 0, false)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
	b.Run("chan64", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chanChain(b, pipelineMsgs, 0)
		}
		reportPerMsg(b, b.N*pipelineMsgs)
	})
}

// idle waits for a message that never comes.
type idle struct {
	axon.Core
	in *axon.Inbox[int]
}

func newIdle() *idle {
	c := &idle{}
	c.in = axon.NewInbox[int](c, "inbox")
	return c
}

func (c *idle) Main(ctx context.Context) error {
	_, err := c.in.Recv(ctx)
	if err != nil {
		return ctx.Err()
	}
	return nil
}

// BenchmarkIdleWakeups leaves 10,000 idle components alone for 10 s and
// reports how many goroutine wake-ups and how much CPU time the process used
// meanwhile, next to 10,000 goroutines blocked in a select. An idle system
// should cost nothing: what the baseline shows is the Go runtime's own
// background work.
func BenchmarkIdleWakeups(b *testing.B) {
	const n = 10_000
	measure := func(b *testing.B) {
		runtime.GC()
		w0, cpu0 := schedEvents(), cpuTime()
		<-time.After(10 * time.Second) // the observation window, not a wait for anything
		w1, cpu1 := schedEvents(), cpuTime()
		b.ReportMetric(float64(w1-w0), "wakeups")
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/1000, "cpu-ms")
	}
	b.Run("axon", func(b *testing.B) {
		for b.Loop() {
			s := axon.NewScheduler()
			comps := make([]axon.Component, n)
			for i := range comps {
				comps[i] = newIdle()
			}
			s.Activate(comps...)
			waitParked(n)
			measure(b)
			s.ShutdownAll(axon.Shutdown{})
			s.Wait(context.Background())
		}
	})
	b.Run("goroutine-select", func(b *testing.B) {
		for b.Loop() {
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range n {
				in := make(chan int, 64)
				wg.Go(func() {
					select {
					case <-in:
					case <-stop:
					}
				})
			}
			waitParked(n)
			measure(b)
			close(stop)
			wg.Wait()
		}
	})
}

// heapAndStacks returns the bytes of heap objects and goroutine stacks in use.
func heapAndStacks() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

const idleCount = 1_000_000

// BenchmarkIdleComponents creates and activates 1,000,000 components that
// wait on their inbox, and reports the memory each costs and the time to
// create and activate each, next to goroutines blocked in a select on two
// channels (the baseline). The figures are per component; b.N is ignored.
func BenchmarkIdleComponents(b *testing.B) {
	b.Run("axon", func(b *testing.B) {
		for b.Loop() {
			s := axon.NewScheduler()
			comps := make([]axon.Component, idleCount)
			before := heapAndStacks()
			start := time.Now()
			for i := range comps {
				comps[i] = newIdle()
			}
			s.Activate(comps...)
			elapsed := time.Since(start)
			// Wait until every component is parked before measuring.
			waitParked(idleCount)
			after := heapAndStacks()
			b.ReportMetric(float64(after-before)/idleCount, "B/component")
			b.ReportMetric(float64(elapsed.Nanoseconds())/idleCount, "ns/activate")
			s.ShutdownAll(axon.Shutdown{})
			s.Wait(context.Background())
		}
	})
	b.Run("goroutine-select", func(b *testing.B) {
		for b.Loop() {
			before := heapAndStacks()
			start := time.Now()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range idleCount {
				in := make(chan int, 64)
				wg.Go(func() {
					select {
					case <-in:
					case <-stop:
					}
				})
			}
			elapsed := time.Since(start)
			waitParked(idleCount)
			after := heapAndStacks()
			b.ReportMetric(float64(after-before)/idleCount, "B/component")
			b.ReportMetric(float64(elapsed.Nanoseconds())/idleCount, "ns/activate")
			close(stop)
			wg.Wait()
		}
	})
}

// waitParked waits until at least n goroutines are blocked, so memory is
// measured once every stack has reached its parked depth.
func waitParked(n int) {
	for runtime.NumGoroutine() < n {
		runtime.Gosched()
	}
	runtime.Gosched()
}

// BenchmarkLongPipeline links a 100,000-stage pipeline, activates it and
// drains one message through it: linking must be O(1) per link.
func BenchmarkLongPipeline(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		s := axon.NewScheduler()
		start := time.Now()
		src := newSource(1, false)
		snk := newSink(false)
		comps := make([]axon.Component, 0, n+2)
		comps = append(comps, src)
		prevOut, prevSig := axon.Box(src.out), axon.Box(src.Signal())
		for range n {
			st := axontest.NewRelay[int](0)
			axon.MustLink(prevOut, st.In)
			axon.MustLink(prevSig, st.Control())
			prevOut, prevSig = st.Out, st.Signal()
			comps = append(comps, st)
		}
		axon.MustLink(prevOut, snk.in)
		axon.MustLink(prevSig, snk.Control())
		comps = append(comps, snk)
		linked := time.Since(start)
		if err := s.Run(comps...); err != nil {
			b.Fatal(err)
		}
		if snk.got != 1 {
			b.Fatalf("sink got %d", snk.got)
		}
		b.ReportMetric(float64(linked.Milliseconds()), "ms-link")
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms-total")
	}
}

// schedEvents counts goroutines made to run by the Go scheduler: every
// wake-up of a parked goroutine is one.
func schedEvents() uint64 {
	sample := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(sample)
	var total uint64
	for _, c := range sample[0].Value.Float64Histogram().Counts {
		total += c
	}
	return total
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
