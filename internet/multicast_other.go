//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package internet

import (
	"net"
	"net/netip"
	"syscall"
)

func reuseAddr(network, address string, c syscall.RawConn) error { return nil }

func joinGroup(*net.UDPConn, netip.Addr, *net.Interface) error { return ErrMulticastUnsupported }

func setSendOptions(*net.UDPConn, bool, mcastConfig) error { return ErrMulticastUnsupported }
