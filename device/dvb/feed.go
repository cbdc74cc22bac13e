package dvb

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
)

// chunk is what the reading hands its component: bytes read, or the end of
// the reading and why.
type chunk struct {
	data []byte
	end  bool
	err  error // with end: nil after EOF or a stop, else the read error
}

// feed reads a device (the DVR) into a private inbox of its component
// through an axon.Feed, so that Main waits on the reading, its control
// inbox and its other inboxes with one Core.Wait. What it adds to the Feed:
// reads of a set size into shared slabs, overflows counted and read past,
// and a stop that closes the device and still delivers the end. One reading
// at a time, from start to its end or kill. Only Main calls the methods.
type feed struct {
	f         *axon.Feed[[]byte]
	overflows *atomic.Uint64

	// The reading under way: nil when none.
	r         io.ReadCloser
	stopped   *atomic.Bool
	closeOnce *sync.Once
}

// slabReads is how many reads share one allocation.
const slabReads = 16

// newFeed declares the inbox and outbox called name on comp and links them;
// the link is comp's, removed when it finishes.
func newFeed(comp axon.Component, name string, window int, overflows *atomic.Uint64) *feed {
	return &feed{f: axon.NewFeed[[]byte](comp, name, window), overflows: overflows}
}

// start reads r in a goroutine of the component, in reads of size bytes,
// until EOF, an error, or a stop.
func (f *feed) start(r io.ReadCloser, size int) {
	stopped, once := &atomic.Bool{}, &sync.Once{}
	f.r, f.stopped, f.closeOnce = r, stopped, once
	overflows := f.overflows
	f.f.Start(func(ctx context.Context, emit func([]byte) bool) error {
		// The component ending, or killing the reading, ends a blocked
		// read by closing the device.
		halt := context.AfterFunc(ctx, func() {
			stopped.Store(true)
			once.Do(func() { r.Close() })
		})
		defer halt()
		// Reads go into slabs of several reads' size: fewer, larger
		// allocations. Each chunk handed over is its own part of a slab,
		// capped, so no two share a byte.
		var slab []byte
		for {
			if len(slab) < size {
				slab = make([]byte, size*slabReads)
			}
			buf := slab[:size:size]
			n, err := r.Read(buf)
			slab = slab[n:]
			if n > 0 && !emit(buf[:n:n]) {
				return nil
			}
			if err == nil {
				continue
			}
			if errors.Is(err, ErrOverflow) && !stopped.Load() {
				overflows.Add(1)
				continue
			}
			if stopped.Load() || errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	})
}

// tryRecv takes the next chunk, if one is waiting.
func (f *feed) tryRecv() (chunk, bool) {
	it, ok := f.f.TryRecv()
	return chunk{data: it.V, end: it.End, err: it.Err}, ok
}

// stop closes the device, which ends a blocked Read: the reading then
// sends its end (with no error).
func (f *feed) stop() {
	if f.r == nil {
		return
	}
	f.stopped.Store(true)
	f.closeOnce.Do(func() { f.r.Close() })
}

// kill stops the reading at once, dropping what it had not handed over,
// and waits for its goroutine to return.
func (f *feed) kill() {
	if f.r == nil {
		return
	}
	f.f.Stop()
	f.stop()
	<-f.f.Done()
	f.r = nil
}

// running reports whether a reading has started and not been killed or
// ended.
func (f *feed) running() bool { return f.r != nil }

// ended records that the end chunk was taken: the goroutine has returned
// or is about to.
func (f *feed) ended() {
	<-f.f.Done()
	f.closeOnce.Do(func() { f.r.Close() })
	f.r = nil
}
