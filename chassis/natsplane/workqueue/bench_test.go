package workqueue_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/stretchr/testify/require"
)

// BenchmarkWorkQueue queues b.N jobs of 1 KiB on an embedded server with
// JetStream on files, while workers in this process do them (a Handler
// that does nothing), and reports jobs a second and the latency from
// publishing a job to its confirmed acknowledgement.
func BenchmarkWorkQueue(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			srv := startServer(b)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			q, err := workqueue.Open(ctx, srv.ClientURL(), workqueue.Config{})
			require.NoError(b, err)
			defer q.Close()
			var mu sync.Mutex
			sent := make(map[string]time.Time, b.N)
			lat := make([]time.Duration, 0, b.N)
			all := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- q.Work(ctx, func(context.Context, workqueue.Job) error { return nil }, workqueue.WorkOptions{
					Concurrency: workers,
					Results: func(r workqueue.Result) {
						now := time.Now()
						mu.Lock()
						lat = append(lat, now.Sub(sent[r.Job.ID]))
						if len(lat) == b.N {
							close(all)
						}
						mu.Unlock()
					},
				})
			}()
			payload := make([]byte, 1024)
			b.ResetTimer()
			for i := range b.N {
				id := "job" + strconv.Itoa(i)
				mu.Lock()
				sent[id] = time.Now()
				mu.Unlock()
				if _, err := q.Publish(ctx, workqueue.Job{ID: id, Payload: payload}); err != nil {
					b.Fatal(err)
				}
			}
			<-all
			b.StopTimer()
			cancel()
			require.NoError(b, <-done)
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkWorkQueueRoundTrip queues one job at a time and waits for its
// confirmed acknowledgement before the next: the latency of one job
// through an idle queue.
func BenchmarkWorkQueueRoundTrip(b *testing.B) {
	srv := startServer(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q, err := workqueue.Open(ctx, srv.ClientURL(), workqueue.Config{})
	require.NoError(b, err)
	defer q.Close()
	results := make(chan workqueue.Result, 1)
	done := make(chan error, 1)
	go func() {
		done <- q.Work(ctx, func(context.Context, workqueue.Job) error { return nil },
			workqueue.WorkOptions{Results: func(r workqueue.Result) { results <- r }})
	}()
	payload := make([]byte, 1024)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := q.Publish(ctx, workqueue.Job{ID: "rt" + strconv.Itoa(i), Payload: payload}); err != nil {
			b.Fatal(err)
		}
		if r := <-results; r.Err != nil {
			b.Fatal(r.Err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	cancel()
	require.NoError(b, <-done)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
