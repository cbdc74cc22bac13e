package axon_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"testing/synctest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feeder takes every item of its feed and reports it on got.
type feeder struct {
	axon.Core
	feed *axon.Feed[int]
	run  func(ctx context.Context, f *feeder) error
}

func newFeeder(window int, run func(ctx context.Context, f *feeder) error) *feeder {
	f := &feeder{run: run}
	f.feed = axon.NewFeed[int](f, "_feed", window)
	return f
}

func (f *feeder) Main(ctx context.Context) error { return f.run(ctx, f) }

// drain takes items until the End item, which it returns.
func (f *feeder) drain(ctx context.Context, got chan<- int) (axon.FeedItem[int], error) {
	for {
		for it, ok := f.feed.TryRecv(); ok; it, ok = f.feed.TryRecv() {
			if it.End {
				return it, nil
			}
			got <- it.V
		}
		if err := f.Wait(ctx); err != nil {
			return axon.FeedItem[int]{}, err
		}
	}
}

func TestFeedCarriesValuesThenTheEnd(t *testing.T) {
	s := axontest.NewScheduler(t)
	errSource := errors.New("source broke")
	got := make(chan int, 100)
	var end axon.FeedItem[int]
	f := newFeeder(3, func(ctx context.Context, f *feeder) error {
		f.feed.Start(func(ctx context.Context, emit func(int) bool) error {
			for i := range 50 {
				if !emit(i) {
					return nil
				}
			}
			return errSource
		})
		var err error
		end, err = f.drain(ctx, got)
		return err
	})
	require.NoError(t, s.Run(f))
	close(got)
	want := 0
	for v := range got {
		assert.Equal(t, want, v)
		want++
	}
	assert.Equal(t, 50, want)
	assert.True(t, end.End)
	assert.ErrorIs(t, end.Err, errSource)
}

// At most window values wait: the producer waits for room, then goes on
// when Main takes one.
func TestFeedProducerWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		emitted := make(chan int, 100)
		take := make(chan struct{})
		f := newFeeder(2, func(ctx context.Context, f *feeder) error {
			f.feed.Start(func(ctx context.Context, emit func(int) bool) error {
				for i := 0; ; i++ {
					if !emit(i) {
						return nil
					}
					emitted <- i
				}
			})
			for {
				select {
				case <-take:
				case <-ctx.Done():
					return ctx.Err()
				}
				f.feed.TryRecv()
			}
		})
		s.Activate(f)
		synctest.Wait()
		assert.Len(t, emitted, 2, "the producer went past the window")
		take <- struct{}{}
		synctest.Wait()
		assert.Len(t, emitted, 3)
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(t.Context()))
	})
}

// Stop makes emit refuse and sends no end; a stopped feed may start again.
func TestFeedStopThenStartAgain(t *testing.T) {
	s := axontest.NewScheduler(t)
	got := make(chan int, 10)
	pr, pw := io.Pipe()
	var second axon.FeedItem[int]
	f := newFeeder(1, func(ctx context.Context, f *feeder) error {
		f.feed.Start(func(ctx context.Context, emit func(int) bool) error {
			stop := context.AfterFunc(ctx, func() { pr.Close() })
			defer stop()
			var b [1]byte
			for {
				if _, err := pr.Read(b[:]); err != nil {
					return err
				}
				if !emit(int(b[0])) {
					return nil
				}
			}
		})
		it, err := f.drainOne(ctx)
		if err != nil {
			return err
		}
		got <- it.V
		f.feed.Stop() // ends the blocked read through the producer's ctx
		<-f.feed.Done()
		if it, ok := f.feed.TryRecv(); ok {
			t.Errorf("a stopped feed sent %+v", it)
		}
		f.feed.Start(func(ctx context.Context, emit func(int) bool) error {
			emit(42)
			return nil
		})
		it, err = f.drainOne(ctx)
		if err != nil {
			return err
		}
		got <- it.V
		second, err = f.drainOne(ctx)
		return err
	})
	s.Activate(f)
	_, err := pw.Write([]byte{7})
	require.NoError(t, err)
	assert.Equal(t, 7, <-got)
	assert.Equal(t, 42, <-got)
	<-f.Done()
	require.NoError(t, f.Err())
	assert.True(t, second.End)
	assert.NoError(t, second.Err)
}

func (f *feeder) drainOne(ctx context.Context) (axon.FeedItem[int], error) {
	for {
		if it, ok := f.feed.TryRecv(); ok {
			return it, nil
		}
		if err := f.Wait(ctx); err != nil {
			return axon.FeedItem[int]{}, err
		}
	}
}

func TestFeedProducerPanicFailsTheComponent(t *testing.T) {
	s := axontest.NewScheduler(t)
	f := newFeeder(1, func(ctx context.Context, f *feeder) error {
		f.feed.Start(func(context.Context, func(int) bool) error { panic("producer") })
		_, err := f.drain(ctx, nil)
		return err
	})
	err := s.Run(f)
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "producer", pe.Value)
}

// A detached producer blocked on something nothing closes does not keep
// its component from finishing once it is shut down.
func TestFeedDetachedProducerIsLeftBehindOnShutdown(t *testing.T) {
	s := axontest.NewScheduler(t)
	pr, pw := io.Pipe()
	started := make(chan struct{})
	f := newFeeder(1, func(ctx context.Context, f *feeder) error {
		f.feed.StartDetached(func(emit func(int) bool) error {
			close(started)
			var b [1]byte
			_, err := pr.Read(b[:]) // blocks until the test writes
			if err == nil {
				emit(int(b[0]))
			}
			return err
		})
		_, err := f.drain(ctx, nil)
		return err
	})
	s.Activate(f)
	<-started
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(axontest.Context(t)))
	<-f.Done()
	// The producer is still blocked: release it, its emit is refused.
	_, err := pw.Write([]byte{1})
	require.NoError(t, err)
	require.NoError(t, pw.Close())
}

// recordSink is a slog.Handler that hands every record it is given to a
// channel, so that a test can wait for a log line.
type recordSink chan slog.Record

func (h recordSink) Enabled(context.Context, slog.Level) bool { return true }
func (h recordSink) Handle(_ context.Context, r slog.Record) error {
	h <- r.Clone()
	return nil
}
func (h recordSink) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recordSink) WithGroup(string) slog.Handler      { return h }

// A detached producer that panics after its component has finished is
// logged on the scheduler's logger, not on slog's default.
func TestFeedDetachedProducersLatePanicIsLoggedOnTheSchedulersLogger(t *testing.T) {
	s := axontest.NewScheduler(t)
	records := make(recordSink, 1)
	s.SetLogger(slog.New(records))
	started, release := make(chan struct{}), make(chan struct{})
	f := newFeeder(1, func(ctx context.Context, f *feeder) error {
		f.feed.StartDetached(func(emit func(int) bool) error {
			close(started)
			<-release
			panic("late producer")
		})
		_, err := f.drain(ctx, nil)
		return err
	})
	f.SetName("late")
	s.Activate(f)
	<-started
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(axontest.Context(t)), "a shutdown is not a failure")
	close(release)
	var r slog.Record
	select {
	case r = <-records:
	case <-axontest.Context(t).Done():
		t.Fatal("the panic was not logged on the scheduler's logger")
	}
	assert.Equal(t, "component's detached producer panicked", r.Message)
	attrs := map[string]any{}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Any()
		return true
	})
	assert.Equal(t, "late", attrs["component"])
	var pe *axon.PanicError
	require.ErrorAs(t, attrs["err"].(error), &pe)
	assert.Equal(t, "late producer", pe.Value)
}
