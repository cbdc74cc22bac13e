//go:build unix

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

// readWhenReady returns a read of nc that waits for data without a buffer
// and reads into one borrowed for the read, returning a copy of what it
// read; or nil when nc is not a plain TCP socket (TLS needs its own reads)
// or size is not the default.
func readWhenReady(nc net.Conn, size int) func() ([]byte, error) {
	tc, ok := nc.(*net.TCPConn)
	if !ok || size != DefaultReadSize {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return func() ([]byte, error) {
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
					return false // nothing yet: wait for the socket, holding no buffer
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
}
