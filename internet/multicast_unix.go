//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package internet

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
)

// The socket options multicast needs, set with the syscall package (the
// module uses nothing outside the standard library). IPv4's TTL and
// loopback options are set as one byte, which every one of these systems
// takes (the BSDs take nothing else).

func reuseAddr(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	return errors.Join(err, serr)
}

// ifaceAddr4 returns the first IPv4 address of ifi, or 0.0.0.0 for nil
// (the system picks).
func ifaceAddr4(ifi *net.Interface) ([4]byte, error) {
	if ifi == nil {
		return [4]byte{}, nil
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return [4]byte{}, err
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(ipn.IP); ok && ip.Unmap().Is4() {
				return ip.Unmap().As4(), nil
			}
		}
	}
	return [4]byte{}, errors.New("interface " + ifi.Name + " has no IPv4 address")
}

func ifaceIndex(ifi *net.Interface) int {
	if ifi == nil {
		return 0
	}
	return ifi.Index
}

func control(uc *net.UDPConn, f func(fd int) error) error {
	rc, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

func joinGroup(uc *net.UDPConn, group netip.Addr, ifi *net.Interface) error {
	if group.Is4() {
		ifa, err := ifaceAddr4(ifi)
		if err != nil {
			return err
		}
		mreq := &syscall.IPMreq{Multiaddr: group.As4(), Interface: ifa}
		return control(uc, func(fd int) error {
			return syscall.SetsockoptIPMreq(fd, syscall.IPPROTO_IP, syscall.IP_ADD_MEMBERSHIP, mreq)
		})
	}
	mreq := &syscall.IPv6Mreq{Multiaddr: group.As16(), Interface: uint32(ifaceIndex(ifi))}
	return control(uc, func(fd int) error {
		return syscall.SetsockoptIPv6Mreq(fd, syscall.IPPROTO_IPV6, syscall.IPV6_JOIN_GROUP, mreq)
	})
}

func setSendOptions(uc *net.UDPConn, v6 bool, cfg mcastConfig) error {
	return control(uc, func(fd int) error {
		loop := 0
		if cfg.loop {
			loop = 1
		}
		if !v6 {
			if cfg.ifi != nil {
				ifa, err := ifaceAddr4(cfg.ifi)
				if err != nil {
					return err
				}
				if err := syscall.SetsockoptInet4Addr(fd, syscall.IPPROTO_IP, syscall.IP_MULTICAST_IF, ifa); err != nil {
					return err
				}
			}
			if cfg.ttl >= 0 {
				if err := syscall.SetsockoptByte(fd, syscall.IPPROTO_IP, syscall.IP_MULTICAST_TTL, byte(cfg.ttl)); err != nil {
					return err
				}
			}
			return syscall.SetsockoptByte(fd, syscall.IPPROTO_IP, syscall.IP_MULTICAST_LOOP, byte(loop))
		}
		if cfg.ifi != nil {
			if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_IF, cfg.ifi.Index); err != nil {
				return err
			}
		}
		if cfg.ttl >= 0 {
			if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_HOPS, cfg.ttl); err != nil {
				return err
			}
		}
		return syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_MULTICAST_LOOP, loop)
	})
}
