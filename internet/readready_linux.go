//go:build linux

package internet

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// readBufs holds the read buffers of connections of the default read
// size, lent for one read at a time.
var readBufs = sync.Pool{New: func() any { b := make([]byte, DefaultReadSize); return &b }}

// sockReader reads what a socket holds now, without waiting. Its read
// function is made once per connection and reports through the reader's
// fields, so that a read allocates nothing but the copy it returns.
type sockReader struct {
	tc *net.TCPConn
	rc syscall.RawConn
	fn func(fd uintptr) bool // rc.Read's callback, bound to this reader

	out  []byte
	rerr error
	eof  bool

	wfn func(fd uintptr) bool // rc.Write's callback, for writeNow
	wb  []byte                // what writeNow writes
	wn  int                   // what it wrote
}

func newSockReader(tc *net.TCPConn, rc syscall.RawConn) *sockReader {
	r := &sockReader{tc: tc, rc: rc}
	r.fn = r.readFD
	r.wfn = r.writeFD
	return r
}

// writeNow writes what of b the socket takes now, with one system call
// and without setting a deadline: 0 when it takes nothing, is past the
// write deadline already set, or fails (the caller's write, with its
// deadline, then writes the rest or says why it cannot).
func (r *sockReader) writeNow(b []byte) int {
	r.wb, r.wn = b, 0
	_ = r.rc.Write(r.wfn)
	n := r.wn
	r.wb, r.wn = nil, 0
	return n
}

// writeFD is rc.Write's callback: one write, never a wait.
func (r *sockReader) writeFD(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), r.wb)
		if err == syscall.EINTR {
			continue
		}
		if err == nil {
			r.wn = n
		}
		return true
	}
}

// readFD is rc.Read's callback: one read into a buffer borrowed for it.
func (r *sockReader) readFD(fd uintptr) bool {
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	for {
		n, err := syscall.Read(int(fd), *bp)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			// Nothing yet: the caller waits for the socket, holding no
			// buffer. Returning true keeps Read from waiting here.
		case err != nil:
			r.rerr = os.NewSyscallError("read", err)
		case n == 0:
			r.eof = true
		default:
			r.out = append([]byte(nil), (*bp)[:n]...)
		}
		return true
	}
}

// tryRead reads what the socket holds now, without waiting: into a buffer
// borrowed for the read, returning a copy of what it read (nil, nil when
// there is nothing yet), or io.EOF at the peer's end of stream. An idle
// connection so holds no buffer.
func (r *sockReader) tryRead() ([]byte, error) {
	err := r.rc.Read(r.fn)
	out, rerr, eof := r.out, r.rerr, r.eof
	r.out, r.rerr, r.eof = nil, nil, false
	switch {
	case err != nil: // closed, or past a deadline
		return nil, &net.OpError{Op: "read", Net: "tcp", Source: r.tc.LocalAddr(), Addr: r.tc.RemoteAddr(), Err: err}
	case rerr != nil:
		return nil, &net.OpError{Op: "read", Net: "tcp", Source: r.tc.LocalAddr(), Addr: r.tc.RemoteAddr(), Err: rerr}
	case eof:
		return nil, io.EOF
	}
	return out, nil
}
