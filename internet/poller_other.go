//go:build !linux

package internet

import (
	"net"

	"github.com/kamaelia-go/kamaelia/axon"
)

// newPollSource is Linux's way for a connection to read in its own Main;
// elsewhere a connection reads in a goroutine of its own (nil).
func newPollSource(net.Conn, int, *axon.Waker) readSource { return nil }
