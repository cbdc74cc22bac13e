//go:build linux

package internet

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"syscall"

	"github.com/kamaelia-go/kamaelia/axon"
)

// poller waits, in one goroutine for the whole process, for the sockets of
// connections to become readable, and wakes the component that waits on
// each (an axon.Waker). A connection then reads in its own Main, with no
// goroutine of its own blocked in a read: what makes a connection cost
// about what a goroutine-per-connection server's does. The goroutine runs
// only while some socket is watched.
//
// It uses an epoll instance of its own, beside the runtime's, in which each
// socket is registered once, edge-triggered (see watch.arm).
type poller struct {
	mu      sync.Mutex
	epfd    int // -1 until made
	evfd    int // an eventfd that wakes the goroutine to look at watching
	broken  error
	running bool
	watched map[uint64]*axon.Waker
	next    uint64
}

// wakeKey is the key of the eventfd's registration.
const wakeKey = 0

var thePoller = poller{epfd: -1, evfd: -1}

// watch is one socket's registration.
type watch struct {
	p     *poller
	rc    syscall.RawConn
	key   uint64
	added bool
}

// newWatch registers w to be woken when the socket of rc becomes readable
// (after arm), or returns an error when the poller cannot be had.
func (p *poller) newWatch(rc syscall.RawConn, w *axon.Waker) (*watch, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.epfd < 0 && p.broken == nil {
		p.broken = p.openLocked()
	}
	if p.broken != nil {
		return nil, p.broken
	}
	if p.watched == nil {
		p.watched = map[uint64]*axon.Waker{}
	}
	p.next++
	key := p.next
	p.watched[key] = w
	if !p.running {
		p.running = true
		go p.loop()
	}
	return &watch{p: p, rc: rc, key: key}, nil
}

func (p *poller) openLocked() error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(epfd)
		return errno
	}
	evfd := int(r)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN}
	setKey(&ev, wakeKey)
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		syscall.Close(evfd)
		syscall.Close(epfd)
		return err
	}
	p.epfd, p.evfd = epfd, evfd
	return nil
}

func setKey(ev *syscall.EpollEvent, key uint64) {
	ev.Fd = int32(uint32(key))
	ev.Pad = int32(uint32(key >> 32))
}

func keyOf(ev *syscall.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}

// arm makes sure the component is woken when more arrives: the socket is
// registered once, edge-triggered, so an event comes each time data (or
// the peer's end, or an error) arrives after a read that found nothing.
// A connection reads until it finds nothing before it waits for the poller
// (it may stop earlier while its receiver has no room, but then it waits
// for room, and reads on then), so no event it needs is lost, and no
// system call is made per read to ask again.
func (w *watch) arm() error {
	if w.added {
		return nil
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET}
	setKey(&ev, w.key)
	var cerr error
	err := w.rc.Control(func(fd uintptr) {
		cerr = syscall.EpollCtl(w.p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err == nil {
		err = cerr
	}
	if err == nil {
		w.added = true
	}
	return err
}

// epollET is EPOLLET as the uint32 of EpollEvent.Events (the syscall
// package's constant is negative).
const epollET = 1 << 31

// close ends the registration; the goroutine ends once nothing is watched.
func (w *watch) close() {
	if w.added {
		// A socket already closed has left the epoll set by itself.
		_ = w.rc.Control(func(fd uintptr) {
			_ = syscall.EpollCtl(w.p.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
		})
	}
	p := w.p
	p.mu.Lock()
	delete(p.watched, w.key)
	last := len(p.watched) == 0
	p.mu.Unlock()
	if last {
		p.poke()
	}
}

// poke wakes the goroutine so that it looks whether it is still needed.
func (p *poller) poke() {
	one := [8]byte{1}
	_, _ = syscall.Write(p.evfd, one[:])
}

// loop waits for events and wakes whoever waits on each, until nothing is
// watched.
func (p *poller) loop() {
	events := make([]syscall.EpollEvent, 128)
	var wake []*axon.Waker
	// After a batch of events the loop looks again without blocking, and
	// once more after letting the goroutines it woke run, before it waits
	// in the system call: a wait there leaves the runtime to hand the
	// thread's processor to another thread, and the return to take one
	// back, which under load cost more per event than the events' own
	// work (BenchmarkEchoServer10k: 31-34 -> 27-28 us of processor time
	// per echoed message). When events stop, it costs two system calls.
	timeout, yielded := -1, false
	for {
		n, err := syscall.EpollWait(p.epfd, events, timeout)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if n == 0 && err == nil { // a look that found nothing
			if !yielded {
				yielded = true
				runtime.Gosched()
			} else {
				timeout = -1
			}
			continue
		}
		timeout, yielded = 0, false
		p.mu.Lock()
		if err != nil {
			// Cannot happen with a valid epoll descriptor; were it to, every
			// watcher is woken (its next read says what is wrong) and later
			// connections read with a goroutine of their own.
			p.broken = err
			for _, w := range p.watched {
				wake = append(wake, w)
			}
			n = 0
		}
		for i := range events[:n] {
			key := keyOf(&events[i])
			if key == wakeKey {
				var b [8]byte
				_, _ = syscall.Read(p.evfd, b[:])
				continue
			}
			if w := p.watched[key]; w != nil {
				wake = append(wake, w)
			}
		}
		stop := len(p.watched) == 0 || p.broken != nil
		if stop {
			p.running = false
		}
		p.mu.Unlock()
		for i, w := range wake {
			w.Wake()
			wake[i] = nil
		}
		wake = wake[:0]
		if stop {
			return
		}
	}
}

// pollSource is how a plain TCP connection reads on Linux: in its own
// Main, woken by the poller.
type pollSource struct {
	r     *sockReader
	w     *watch
	waker *axon.Waker
	// ready: the last read did not find the socket empty, so there may be
	// more without a word from the poller. A connection woken for another
	// reason (data to write) then makes no read that would find nothing.
	ready bool
}

func newPollSource(nc net.Conn, size int, waker *axon.Waker) readSource {
	tc, ok := nc.(*net.TCPConn)
	if !ok || size != DefaultReadSize {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	w, err := thePoller.newWatch(rc, waker)
	if err != nil {
		return nil
	}
	return &pollSource{r: newSockReader(tc, rc), w: w, waker: waker, ready: true}
}

func (s *pollSource) next() ([]byte, error) {
	// The poller's wake-up after a read found nothing says there is more
	// (the idle timer's says nothing, and costs one read that finds none).
	if !s.ready && !s.waker.Woken() {
		return nil, nil
	}
	s.ready = true
	b, err := s.r.tryRead()
	if b != nil || err != nil {
		return b, err
	}
	s.ready = false
	if err := s.w.arm(); err != nil {
		return nil, &net.OpError{Op: "read", Net: "tcp", Source: s.r.tc.LocalAddr(), Addr: s.r.tc.RemoteAddr(), Err: err}
	}
	return nil, nil
}

func (s *pollSource) waitBox() axon.Box { return nil }

func (s *pollSource) writeNow(b []byte) int { return s.r.writeNow(b) }

func (s *pollSource) close() { s.w.close() }
