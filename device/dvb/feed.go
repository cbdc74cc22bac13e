package dvb

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
)

// chunk is what a reader goroutine hands its component: bytes read, or the
// end of the reading and why.
type chunk struct {
	data []byte
	end  bool
	err  error // with end: nil after EOF or a stop, else the read error
}

// feed carries what a reader goroutine reads into a private inbox of its
// component, so that Main waits on the reader, its control inbox and its
// other inboxes with one Core.Wait: the blocking read runs in the
// goroutine, and the component still hears Shutdown and ProducerFinished at
// once. At most window chunks wait in the inbox; the goroutine then waits
// for room or to be stopped. Only Main calls the methods.
type feed struct {
	in  *axon.Inbox[chunk]
	out *axon.Outbox[chunk]

	// One reading at a time, from start to stop.
	r         io.ReadCloser
	room      chan struct{}
	quit      chan struct{}
	done      chan struct{}
	stopped   atomic.Bool
	closeOnce sync.Once
	overflows *atomic.Uint64
}

// slabReads is how many reads share one allocation.
const slabReads = 16

type linker interface {
	Link(from, to axon.Box, opts ...axon.LinkOption) (*axon.Linkage, error)
}

// newFeed declares the inbox and outbox called name on comp and links them;
// the link is comp's, removed when it finishes.
func newFeed(comp axon.Component, name string, window int, overflows *atomic.Uint64) *feed {
	f := &feed{overflows: overflows}
	f.in = axon.NewInbox[chunk](comp, name)
	f.in.SetCapacity(window)
	f.out = axon.NewOutbox[chunk](comp, name)
	if _, err := comp.(linker).Link(f.out, f.in); err != nil {
		panic(err) // two fresh boxes of one type: cannot fail
	}
	return f
}

// start reads r in a new goroutine, in reads of size bytes, until EOF, an
// error, or stop. Called from Main, so that the goroutine belongs to the
// component's run (and to a synctest bubble when a test runs in one).
func (f *feed) start(r io.ReadCloser, size int) {
	f.r = r
	f.room = make(chan struct{}, 1)
	f.quit = make(chan struct{})
	f.done = make(chan struct{})
	f.stopped.Store(false)
	f.closeOnce = sync.Once{}
	go f.read(size)
}

func (f *feed) read(size int) {
	defer close(f.done)
	// Reads go into slabs of several reads' size: fewer, larger
	// allocations. Each chunk handed over is its own part of a slab,
	// capped, so no two share a byte.
	var slab []byte
	for {
		if len(slab) < size {
			slab = make([]byte, size*slabReads)
		}
		buf := slab[:size:size]
		n, err := f.r.Read(buf)
		slab = slab[n:]
		if n > 0 && !f.put(chunk{data: buf[:n:n]}) {
			return
		}
		if err == nil {
			continue
		}
		if errors.Is(err, ErrOverflow) && !f.stopped.Load() {
			f.overflows.Add(1)
			continue
		}
		if f.stopped.Load() || errors.Is(err, io.EOF) {
			err = nil
		}
		f.put(chunk{end: true, err: err})
		return
	}
}

func (f *feed) put(c chunk) bool {
	for {
		err := f.out.TrySend(c)
		if err == nil {
			return true
		}
		if !errors.Is(err, axon.ErrBoxFull) {
			return false
		}
		select {
		case <-f.room:
		case <-f.quit:
			return false
		}
	}
}

// tryRecv takes the next chunk, if one is waiting, and tells the goroutine
// there is room.
func (f *feed) tryRecv() (chunk, bool) {
	c, ok := f.in.TryRecv()
	if ok {
		select {
		case f.room <- struct{}{}:
		default:
		}
	}
	return c, ok
}

// stop closes the reader, which ends a blocked Read: the goroutine then
// sends its end (with no error) unless it is told to quit too.
func (f *feed) stop() {
	if f.r == nil {
		return
	}
	f.stopped.Store(true)
	f.closeOnce.Do(func() { f.r.Close() })
}

// kill stops the reader and the goroutine at once, dropping what it had
// not handed over, and waits for the goroutine to return.
func (f *feed) kill() {
	if f.r == nil {
		return
	}
	f.stop()
	close(f.quit)
	<-f.done
	f.r = nil
}

// running reports whether a reading has started and not been killed or
// ended.
func (f *feed) running() bool { return f.r != nil }

// ended records that the end chunk was taken: the goroutine has returned
// or is about to.
func (f *feed) ended() {
	<-f.done
	f.closeOnce.Do(func() { f.r.Close() })
	f.r = nil
}
