//go:build linux

package internet

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// readBufs holds the read buffers of connections of the default read
// size, lent for one read at a time.
var readBufs = sync.Pool{New: func() any { b := make([]byte, DefaultReadSize); return &b }}

// tryRead reads what a socket holds now, without waiting: into a buffer
// borrowed for the read, returning a copy of what it read (nil, nil when
// there is nothing yet), or io.EOF at the peer's end of stream. An idle
// connection so holds no buffer.
func tryRead(tc *net.TCPConn, rc syscall.RawConn) ([]byte, error) {
	var out []byte
	var rerr error
	eof := false
	err := rc.Read(func(fd uintptr) bool {
		bp := readBufs.Get().(*[]byte)
		defer readBufs.Put(bp)
		for {
			n, err := syscall.Read(int(fd), *bp)
			switch {
			case errors.Is(err, syscall.EINTR):
				continue
			case errors.Is(err, syscall.EAGAIN):
				// Nothing yet: the caller waits for the socket, holding no
				// buffer. Returning true keeps Read from waiting here.
			case err != nil:
				rerr = os.NewSyscallError("read", err)
			case n == 0:
				eof = true
			default:
				out = append([]byte(nil), (*bp)[:n]...)
			}
			return true
		}
	})
	switch {
	case err != nil: // closed, or past a deadline
		return nil, &net.OpError{Op: "read", Net: "tcp", Source: tc.LocalAddr(), Addr: tc.RemoteAddr(), Err: err}
	case rerr != nil:
		return nil, &net.OpError{Op: "read", Net: "tcp", Source: tc.LocalAddr(), Addr: tc.RemoteAddr(), Err: rerr}
	case eof:
		return nil, io.EOF
	}
	return out, nil
}
