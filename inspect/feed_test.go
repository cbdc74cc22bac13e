package inspect

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/require"
)

// waiter is a component that waits to be shut down.
type waiter struct{ axon.Core }

func (w *waiter) Main(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// advance moves the bubble's fake clock on by d, then lets every goroutine
// in the bubble run until it blocks again.
func advance(d time.Duration) {
	<-time.After(d)
	synctest.Wait()
}

func TestFeedKeepsOnlyTheNewestLookForAWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axon.NewScheduler()
		f := newFeed(s, time.Second)
		w := f.watch()
		fr := <-w.frames // the first look comes at once
		require.Empty(t, fr.snap.Components)

		// Three changes, one an interval, while w takes nothing: it then
		// holds the newest look only.
		for range 3 {
			s.Activate(&waiter{})
			advance(time.Second)
		}
		fr = <-w.frames
		require.Len(t, fr.snap.Components, 3)
		select {
		case fr := <-w.frames:
			t.Fatalf("a second look waiting: %+v", fr.snap)
		default:
		}

		// Nothing changes: nothing new is offered.
		advance(10 * time.Second)
		select {
		case fr := <-w.frames:
			t.Fatalf("an unchanged look offered: %+v", fr.snap)
		default:
		}

		// A watcher that joins gets the newest look at once.
		w2 := f.watch()
		require.Len(t, (<-w2.frames).snap.Components, 3)

		// The last watcher to leave stops the poller (synctest.Test fails
		// if a goroutine of the bubble is left); close ends watchers.
		f.unwatch(w)
		f.close()
		<-w2.gone
		require.Nil(t, f.watch(), "no watcher after close")

		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(context.Background()))
	})
}

func TestFeedLooksOnlyWhileWatched(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axon.NewScheduler()
		f := newFeed(s, time.Second)
		f.mu.Lock()
		require.Nil(t, f.stop, "no poller before anyone watches")
		f.mu.Unlock()

		w := f.watch()
		<-w.frames
		f.unwatch(w)
		f.mu.Lock()
		require.Nil(t, f.stop, "no poller after the last watcher left")
		f.mu.Unlock()

		// Watching again starts a poller again.
		w = f.watch()
		<-w.frames
		f.unwatch(w)
		f.close()
	})
}
