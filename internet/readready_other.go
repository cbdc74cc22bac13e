//go:build !unix

package internet

import "net"

// readWhenReady is the unix way for a connection to wait for data holding
// no buffer; elsewhere a connection keeps its own (nil).
func readWhenReady(net.Conn, int) func() ([]byte, error) { return nil }
