package workqueue_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/stretchr/testify/require"
)

const concEnv = "WORKQUEUE_TEST_CONCURRENCY"

// busyWork is a job's CPU time: hashing its payload over and over, about
// 20 ms on this machine's cores.
func busyWork(payload []byte) [32]byte {
	sum := sha256.Sum256(payload)
	for range 250000 {
		sum = sha256.Sum256(sum[:])
	}
	return sum
}

// runBenchWorker does jobs with busyWork, Concurrency at a time, printing
// "done ID" for each, until stdin closes.
func runBenchWorker() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	go func() { // ends when stdin does: the test closed it, or died
		_, _ = os.Stdin.Read(make([]byte, 1))
		cancel()
	}()
	conc, _ := strconv.Atoi(os.Getenv(concEnv))
	q, err := workqueue.Open(ctx, os.Getenv(urlEnv), workqueue.Config{Stream: os.Getenv(streamEnv)})
	if err != nil {
		return err
	}
	defer q.Close()
	fmt.Println("ready")
	return q.Work(ctx, func(_ context.Context, j workqueue.Job) error {
		busyWork(j.Payload)
		return nil
	}, workqueue.WorkOptions{Concurrency: conc, Results: func(r workqueue.Result) {
		if r.Err == nil {
			fmt.Printf("done %s\n", r.Job.ID)
		}
	}})
}

// BenchmarkWorkersAcrossProcesses queues 40 jobs of about 20 ms of CPU
// each and measures the time until they are all done by one worker process
// doing two at a time, and by two worker processes doing one each: the
// same work, spread over processes by the queue.
func BenchmarkWorkersAcrossProcesses(b *testing.B) {
	for _, shape := range []struct{ procs, conc int }{{1, 2}, {2, 1}, {1, 1}} {
		b.Run(fmt.Sprintf("processes=%d,concurrency=%d", shape.procs, shape.conc), func(b *testing.B) {
			srv := startServer(b)
			ctx := context.Background()
			stream := "BENCH"
			q, err := workqueue.Open(ctx, srv.ClientURL(), workqueue.Config{Stream: stream})
			require.NoError(b, err)
			defer q.Close()
			var ws []*worker
			for range shape.procs {
				ws = append(ws, startWorker(b, srv.ClientURL(), stream, "", childEnv+"=benchworker", concEnv+"="+strconv.Itoa(shape.conc)))
			}
			const jobs = 40
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				for k := range jobs {
					_, err := q.Publish(ctx, workqueue.Job{ID: fmt.Sprintf("r%d-j%d", i, k), Payload: []byte{byte(k)}})
					require.NoError(b, err)
				}
				done := make(chan struct{}, jobs)
				for _, w := range ws {
					go func() { // ends when the worker's output does, or all are counted
						for l := range w.lines {
							if len(l) > 5 && l[:5] == "done " {
								done <- struct{}{}
							}
						}
					}()
				}
				for range jobs {
					<-done
				}
				b.ReportMetric(time.Since(start).Seconds()*1000, "ms/40jobs")
			}
			b.StopTimer()
			for _, w := range ws {
				_ = w.stdin.Close()
				_ = w.cmd.Wait()
			}
		})
	}
}
