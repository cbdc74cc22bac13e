package axontest

import (
	"io"
	"net"
	"time"
)

// HalfClose sends request on a new TCP connection to addr, half-closes it
// as `nc -N` and socat do when their input ends, and returns everything
// the server sent until it closed the connection. The whole exchange is
// bounded by Safety: a server that never closes is an error, not a hang.
// It takes no testing.T, so that many clients may run at once.
func HalfClose(addr, request string) ([]byte, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(Safety)); err != nil { // a net, not a wait
		return nil, err
	}
	if _, err := io.WriteString(nc, request); err != nil {
		return nil, err
	}
	if err := nc.(*net.TCPConn).CloseWrite(); err != nil {
		return nil, err
	}
	return io.ReadAll(nc)
}
