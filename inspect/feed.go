package inspect

import (
	"bytes"
	"encoding/json"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// frame is one look at the system: the snapshot and its JSON, made once
// and shared by every watcher.
type frame struct {
	snap *axon.Snapshot
	json []byte
}

func takeFrame(s *axon.Scheduler) *frame {
	snap := s.Snapshot()
	data, err := json.Marshal(snap)
	if err != nil {
		// A Snapshot holds strings, numbers and slices only.
		panic("inspect: a snapshot does not marshal: " + err.Error())
	}
	return &frame{snap: snap, json: data}
}

// feed looks at a scheduler at an interval while anyone watches, and hands
// the newest look to each watcher. It never waits for a watcher: each has a
// slot for one frame, and a newer frame replaces one not yet taken, so a
// slow watcher skips frames instead of holding up the feed or the others.
// Frames are whole snapshots, so skipping loses nothing but intermediate
// states.
type feed struct {
	s        *axon.Scheduler
	interval time.Duration

	mu       sync.Mutex
	watchers map[*watcher]struct{}
	latest   *frame
	stop     chan struct{} // closed to stop the poller; nil while none runs
	done     chan struct{} // closed when that poller has returned
	closed   bool
}

// watcher is one subscriber of a feed.
type watcher struct {
	frames chan *frame   // capacity 1: the newest frame not yet taken
	gone   chan struct{} // closed when the feed is closed
}

func newFeed(s *axon.Scheduler, interval time.Duration) *feed {
	return &feed{s: s, interval: interval, watchers: map[*watcher]struct{}{}}
}

// watch subscribes a watcher; it receives the newest frame at once (the
// poller takes one as it starts) and each changed one after. It returns nil
// when the feed is closed.
func (f *feed) watch() *watcher {
	w := &watcher{frames: make(chan *frame, 1), gone: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.watchers[w] = struct{}{}
	if f.stop == nil {
		f.stop, f.done = make(chan struct{}), make(chan struct{})
		f.latest = nil
		go f.poll(f.stop, f.done)
	} else if f.latest != nil {
		w.frames <- f.latest
	}
	return w
}

// unwatch unsubscribes w; the last watcher to leave stops the poller and
// waits for it.
func (f *feed) unwatch(w *watcher) {
	f.mu.Lock()
	if _, ok := f.watchers[w]; !ok {
		f.mu.Unlock()
		return
	}
	delete(f.watchers, w)
	var done chan struct{}
	if len(f.watchers) == 0 && f.stop != nil {
		close(f.stop)
		done = f.done
		f.stop, f.done, f.latest = nil, nil, nil
	}
	f.mu.Unlock()
	if done != nil {
		<-done
	}
}

// close ends every watcher (their gone channels close) and the poller, and
// refuses new watchers.
func (f *feed) close() {
	f.mu.Lock()
	f.closed = true
	for w := range f.watchers {
		close(w.gone)
		delete(f.watchers, w)
	}
	var done chan struct{}
	if f.stop != nil {
		close(f.stop)
		done = f.done
		f.stop, f.done, f.latest = nil, nil, nil
	}
	f.mu.Unlock()
	if done != nil {
		<-done
	}
}

// poll looks at the system now and then every interval until stop is
// closed, and publishes each look that differs from the one before.
func (f *feed) poll(stop, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	var last []byte
	for {
		fr := takeFrame(f.s)
		if !bytes.Equal(fr.json, last) {
			last = fr.json
			f.publish(stop, fr)
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// publish makes fr the newest frame of every watcher, unless the poller
// that took it has been stopped meanwhile.
func (f *feed) publish(stop chan struct{}, fr *frame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stop != stop {
		return
	}
	f.latest = fr
	for w := range f.watchers {
		// Only the poller sends, under f.mu, so once the slot is emptied
		// the send cannot block.
		select {
		case <-w.frames:
		default:
		}
		w.frames <- fr
	}
}
