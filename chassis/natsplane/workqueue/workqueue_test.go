package workqueue_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openQueue(t *testing.T, url string, cfg workqueue.Config) *workqueue.Queue {
	t.Helper()
	q, err := workqueue.Open(t.Context(), url, cfg)
	require.NoError(t, err)
	t.Cleanup(q.Close)
	return q
}

func TestPublishKeepsOneJobOfEachID(t *testing.T) {
	ctx := t.Context()
	srv := startServer(t)
	q := openQueue(t, srv.ClientURL(), workqueue.Config{})
	first, err := q.Publish(ctx, workqueue.Job{ID: "bbc1-1", Path: "/captures/bbc1-1.ts"})
	require.NoError(t, err)
	require.False(t, first.Duplicate)
	again, err := q.Publish(ctx, workqueue.Job{ID: "bbc1-1", Path: "/captures/bbc1-1.ts"})
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.Equal(t, first.Sequence, again.Sequence)
	n, err := q.Pending(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), n)
	require.Equal(t, "kamaelia.jobs.JOBS", q.Config().Subject)
}

func TestJobCheck(t *testing.T) {
	for _, j := range []workqueue.Job{
		{},
		{ID: "a b"},
		{ID: "a\n"},
		{ID: strings.Repeat("x", workqueue.MaxIDLength+1)},
		{ID: "a", Meta: json.RawMessage("{")},
		{ID: "a", Path: "x\ny"},
	} {
		require.ErrorIs(t, j.Check(), workqueue.ErrBadJob, "%+v", j)
	}
	require.NoError(t, workqueue.Job{ID: "ok", Meta: json.RawMessage(`{"a": [1, 2]}`)}.Check())
}

// collectResults takes n Results from h's outbox.
func collectResults(t *testing.T, h *axon.Handle, n int) []workqueue.Result {
	t.Helper()
	var out []workqueue.Result
	for range n {
		v, err := h.Get(t.Context(), "outbox")
		require.NoError(t, err)
		out = append(out, v.(workqueue.Result))
	}
	return out
}

func TestWorkerAcksAfterSuccessAndRetriesAFailure(t *testing.T) {
	ctx := t.Context()
	srv := startServer(t)
	cfg := workqueue.Config{Retry: 20 * time.Millisecond}
	s := axon.NewScheduler()

	pub := workqueue.NewPublisher(srv.ClientURL(), cfg)
	ph, err := axon.NewHandle(s, pub)
	require.NoError(t, err)
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, ph.Put(ctx, "inbox", workqueue.Job{ID: id, Meta: json.RawMessage(`{"title": "` + id + `"}`), Payload: []byte(id + id)}))
	}
	require.NoError(t, ph.Put(ctx, "inbox", workqueue.Job{ID: "bad id"}))
	require.NoError(t, ph.Finish(ctx))
	for _, id := range []string{"a", "b", "c"} {
		v, err := ph.Get(ctx, "outbox")
		require.NoError(t, err)
		require.Equal(t, id, v.(workqueue.Ack).ID)
	}
	bad, err := ph.Get(ctx, "errors")
	require.NoError(t, err)
	require.ErrorIs(t, bad.(error), workqueue.ErrBadJob)
	require.NoError(t, ph.Wait(ctx))

	var mu sync.Mutex
	seen := map[string][]int{}
	w := workqueue.NewWorker(srv.ClientURL(), cfg, func(_ context.Context, j workqueue.Job) error {
		mu.Lock()
		seen[j.ID] = append(seen[j.ID], j.Attempt)
		mu.Unlock()
		var meta struct{ Title string }
		if err := json.Unmarshal(j.Meta, &meta); err != nil || meta.Title != j.ID || string(j.Payload) != j.ID+j.ID {
			return errors.New("job not as published")
		}
		if j.ID == "b" && j.Attempt == 1 {
			return errors.New("the encoder fell over")
		}
		return nil
	})
	wh, err := axon.NewHandle(s, w)
	require.NoError(t, err)
	res := collectResults(t, wh, 4)
	byJob := map[string][]error{}
	for _, r := range res {
		require.False(t, r.Final)
		byJob[r.Job.ID] = append(byJob[r.Job.ID], r.Err)
	}
	require.Equal(t, map[string][]error{"a": {nil}, "b": {errors.New("the encoder fell over"), nil}, "c": {nil}}, byJob)
	require.Equal(t, map[string][]int{"a": {1}, "b": {1, 2}, "c": {1}}, seen)
	n, err := openQueue(t, srv.ClientURL(), cfg).Pending(ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	require.NoError(t, wh.Finish(ctx))
	require.NoError(t, wh.Wait(ctx))
}

func TestJobGivenUpAfterMaxDeliver(t *testing.T) {
	srv := startServer(t)
	cfg := workqueue.Config{Stream: "GIVEUP", MaxDeliver: 2, Retry: 10 * time.Millisecond}
	r1, r2 := twoAttempts(t, srv.ClientURL(), cfg, "doomed", func(context.Context, workqueue.Job) error { return errors.New("no") })
	require.Equal(t, 1, r1.Job.Attempt)
	require.False(t, r1.Final)
	require.Equal(t, 2, r2.Job.Attempt)
	require.True(t, r2.Final)
}

// twoAttempts publishes one job of id, has h work on it, and returns the
// results of its first two attempts, stopping the work after them.
func twoAttempts(t *testing.T, url string, cfg workqueue.Config, id string, h workqueue.Handler) (workqueue.Result, workqueue.Result) {
	t.Helper()
	ctx := t.Context()
	q := openQueue(t, url, cfg)
	_, err := q.Publish(ctx, workqueue.Job{ID: id})
	require.NoError(t, err)
	results := make(chan workqueue.Result, 4)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- q.Work(wctx, h, workqueue.WorkOptions{Results: func(r workqueue.Result) { results <- r }, Idle: 200 * time.Millisecond})
	}()
	r1, r2 := <-results, <-results
	cancel()
	require.NoError(t, <-done)
	return r1, r2
}

// A handler that panics fails that attempt with an *axon.PanicError, and
// the job is tried again; the worker's process goes on.
func TestHandlerPanicIsAFailedAttempt(t *testing.T) {
	srv := startServer(t)
	cfg := workqueue.Config{Stream: "PANIC", Retry: 10 * time.Millisecond}
	r1, r2 := twoAttempts(t, srv.ClientURL(), cfg, "touchy", func(_ context.Context, j workqueue.Job) error {
		if j.Attempt == 1 {
			panic("the encoder's buffer overran")
		}
		return nil
	})
	var pe *axon.PanicError
	require.ErrorAs(t, r1.Err, &pe)
	assert.Equal(t, "the encoder's buffer overran", pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.Contains(t, r1.Err.Error(), "job touchy panicked")
	assert.False(t, r1.Final)
	assert.Equal(t, 2, r2.Job.Attempt)
	assert.NoError(t, r2.Err)
}

func TestWorkerShutdownPutsTheRunningJobBack(t *testing.T) {
	ctx := t.Context()
	srv := startServer(t)
	cfg := workqueue.Config{Stream: "BACK"}
	q := openQueue(t, srv.ClientURL(), cfg)
	_, err := q.Publish(ctx, workqueue.Job{ID: "long"})
	require.NoError(t, err)
	started := make(chan struct{})
	w := workqueue.NewQueueWorker(q, func(ctx context.Context, j workqueue.Job) error {
		close(started)
		<-ctx.Done() // a job that runs until the worker is stopped
		return ctx.Err()
	})
	h, err := axon.NewHandle(axon.NewScheduler(), w)
	require.NoError(t, err)
	<-started
	require.NoError(t, h.Close())

	// Put back at once, not after the ack deadline (30 s): the next worker
	// has it now.
	got := make(chan workqueue.Job, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- q.Work(wctx, func(_ context.Context, j workqueue.Job) error { got <- j; return nil }, workqueue.WorkOptions{})
	}()
	j := <-got
	require.Equal(t, "long", j.ID)
	require.Equal(t, 2, j.Attempt)
	cancel()
	require.NoError(t, <-done)
}

func TestOpenFailsClearly(t *testing.T) {
	_, err := workqueue.Open(t.Context(), "nats://127.0.0.1:1", workqueue.Config{})
	require.ErrorContains(t, err, "127.0.0.1:1")

	srv := startServer(t)
	noJS, err := workqueue.Open(t.Context(), srv.ClientURL(), workqueue.Config{Stream: "bad.name"})
	require.Error(t, err)
	require.Nil(t, noJS)
	require.ErrorContains(t, err, "bad.name")
}

func TestCommitFileCommitsOnce(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "prog")
	write := func(s string) string {
		f, err := os.CreateTemp(dir, "prog.*.tmp")
		require.NoError(t, err)
		_, err = f.WriteString(s)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		return f.Name()
	}
	ok, err := workqueue.CommitFile(write("first"), final)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = workqueue.CommitFile(write("second"), final)
	require.NoError(t, err)
	require.False(t, ok)
	b, err := os.ReadFile(final)
	require.NoError(t, err)
	require.Equal(t, "first", string(b))
	names, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	require.Empty(t, names)
	_, err = workqueue.CommitFile(filepath.Join(dir, "missing"), filepath.Join(dir, "x"))
	require.Error(t, err)
}

func TestQueuedJobsOutliveTheServer(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: dir})
	require.NoError(t, err)
	q, err := workqueue.Open(ctx, srv.ClientURL(), workqueue.Config{})
	require.NoError(t, err)
	_, err = q.Publish(ctx, workqueue.Job{ID: "kept", Payload: []byte("on file")})
	require.NoError(t, err)
	q.Close()
	port := srv.Port()
	srv.Shutdown()

	// A server started again on the same store has the job.
	srv, err = natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: dir, Port: port})
	require.NoError(t, err)
	defer srv.Shutdown()
	q = openQueue(t, srv.ClientURL(), workqueue.Config{})
	n, err := q.Pending(ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), n)
	got := make(chan workqueue.Job, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- q.Work(wctx, func(_ context.Context, j workqueue.Job) error { got <- j; return nil }, workqueue.WorkOptions{})
	}()
	j := <-got
	require.Equal(t, "kept", j.ID)
	require.Equal(t, "on file", string(j.Payload))
	cancel()
	require.NoError(t, <-done)
}

func TestWorkerRidesOutAServerRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: dir})
	require.NoError(t, err)
	port := srv.Port()
	q := openQueue(t, srv.ClientURL(), workqueue.Config{})
	got := make(chan workqueue.Job, 2)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- q.Work(wctx, func(_ context.Context, j workqueue.Job) error { got <- j; return nil },
			workqueue.WorkOptions{Idle: 200 * time.Millisecond})
	}()
	_, err = q.Publish(ctx, workqueue.Job{ID: "before"})
	require.NoError(t, err)
	require.Equal(t, "before", (<-got).ID)
	// The handler has returned; the ack may still be on its way. A restart
	// before the server has it would rightly deliver "before" again.
	require.Eventually(t, func() bool {
		n, err := q.Pending(ctx)
		return err == nil && n == 0
	}, 10*time.Second, 5*time.Millisecond, "the job is acked")

	srv.Shutdown()
	srv, err = natsplane.StartServer(natsplane.ServerConfig{JetStreamDir: dir, Port: port})
	require.NoError(t, err)
	defer srv.Shutdown()
	// The queue's connection reconnects; the worker, which kept asking,
	// takes the next job.
	pub := openQueue(t, srv.ClientURL(), workqueue.Config{})
	_, err = pub.Publish(ctx, workqueue.Job{ID: "after"})
	require.NoError(t, err)
	select {
	case j := <-got:
		require.Equal(t, "after", j.ID)
	case err := <-done:
		t.Fatalf("the worker stopped: %v", err)
	}
	cancel()
	require.NoError(t, <-done)
}
