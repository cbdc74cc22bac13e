package internet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/kamaelia-go/kamaelia/axon"
)

// ErrMulticastUnsupported is returned by the multicast constructors on
// systems where this package cannot set the socket options multicast needs.
var ErrMulticastUnsupported = errors.New("internet: multicast is not supported on this system")

// MulticastOption configures a multicast sender, receiver or transceiver.
type MulticastOption func(*mcastConfig)

type mcastConfig struct {
	ifi  *net.Interface
	ttl  int  // -1: the system's default (1)
	loop bool // whether sends are looped back to receivers on this host
}

func newMcastConfig(opts []MulticastOption) mcastConfig {
	cfg := mcastConfig{ttl: -1, loop: true}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// WithInterface sends and joins the group on ifi (see LoopbackInterface)
// instead of the interface the system picks.
func WithInterface(ifi *net.Interface) MulticastOption {
	return func(c *mcastConfig) { c.ifi = ifi }
}

// WithTTL sets the time to live (IPv4) or hop limit (IPv6) of datagrams
// sent: 0 keeps them on this host, 1 (the system's default) on the local
// network.
func WithTTL(n int) MulticastOption {
	return func(c *mcastConfig) { c.ttl = n }
}

// WithLoopback sets whether datagrams sent are also delivered to receivers
// of the group on this host (on by default).
func WithLoopback(on bool) MulticastOption {
	return func(c *mcastConfig) { c.loop = on }
}

// LoopbackInterface returns the system's loopback interface, on which the
// tests run multicast.
func LoopbackInterface() (*net.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	for i := range ifs {
		if ifs[i].Flags&net.FlagLoopback != 0 && ifs[i].Flags&net.FlagUp != 0 {
			return &ifs[i], nil
		}
	}
	return nil, errors.New("internet: no loopback interface is up")
}

// resolveGroup parses "group:port" and checks that group is a multicast
// address.
func resolveGroup(group string) (netip.AddrPort, error) {
	ap, err := resolveUDP(group)
	if err != nil {
		return ap, err
	}
	if !ap.Addr().IsMulticast() {
		return ap, fmt.Errorf("internet: %s is not a multicast group", ap.Addr())
	}
	return ap, nil
}

// listenGroup binds a socket to the group's address and port (port 0
// picks one), shared with other sockets of the group (SO_REUSEADDR), and
// joins the group. Binding to the group address, not to every address of
// the host, means the socket receives the group's datagrams and nothing
// else.
func listenGroup(group netip.AddrPort, cfg mcastConfig) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: reuseAddr}
	network := "udp4"
	if group.Addr().Is6() {
		network = "udp6"
	}
	pc, err := lc.ListenPacket(context.Background(), network, group.String())
	if err != nil {
		return nil, err
	}
	uc := pc.(*net.UDPConn)
	if err := joinGroup(uc, group.Addr(), cfg.ifi); err != nil {
		uc.Close()
		return nil, fmt.Errorf("internet: joining %s: %w", group.Addr(), err)
	}
	if err := setSendOptions(uc, group.Addr().Is6(), cfg); err != nil {
		uc.Close()
		return nil, err
	}
	return uc, nil
}

// MulticastSender sends what it is given to a multicast group: Kamaelia's
// Multicast_sender.
//
// Boxes:
//
//	inbox   []byte   one datagram's payload per message, sent to the group
//	control any      ProducerFinished: send what is queued, close, end
//	                 Shutdown: close at once
//	outbox  -        nothing: a sender does not receive
//	signal  any      the outcome (below)
//
// Example: send on the loopback interface only.
//
//	lo, _ := internet.LoopbackInterface()
//	s, _ := internet.NewMulticastSender("127.0.0.1:0", "239.255.42.1:5000", internet.WithInterface(lo))
//	h, _ := axon.NewHandle(sched, s)
//	h.Put(ctx, "inbox", []byte("to all in the group"))
//
// Shutdown: as SimplePeer.
type MulticastSender struct {
	axon.Core
	// In is the "inbox": payloads to send to the group.
	In *axon.Inbox[[]byte]

	u     udpSock
	group netip.AddrPort
}

// NewMulticastSender binds a socket to local ("host:port"; port 0 picks a
// free port) that sends to group ("group:port").
func NewMulticastSender(local, group string, opts ...MulticastOption) (*MulticastSender, error) {
	g, err := resolveGroup(group)
	if err != nil {
		return nil, err
	}
	cfg := newMcastConfig(opts)
	pc, err := listenUDP(local)
	if err != nil {
		return nil, err
	}
	if err := setSendOptions(pc, g.Addr().Is6(), cfg); err != nil {
		pc.Close()
		return nil, err
	}
	m := &MulticastSender{group: g}
	m.In = axon.NewInbox[[]byte](m, "inbox")
	m.u = udpSock{core: &m.Core, pc: pc}
	m.SetName("internet.MulticastSender(" + g.String() + ")")
	return m, nil
}

// LocalAddr returns the address the sender's socket is bound to.
func (m *MulticastSender) LocalAddr() netip.AddrPort { return m.u.localAddr() }

// Stats returns what the sender has done so far.
func (m *MulticastSender) Stats() UDPStats { return m.u.stats() }

// Close closes the socket of a sender that will never be activated.
func (m *MulticastSender) Close() error { return m.u.pc.Close() }

// Main sends until told to stop; see MulticastSender.
func (m *MulticastSender) Main(ctx context.Context) error {
	return m.u.run(ctx, func() error { return m.u.sendAll(m.In, m.group) },
		func() bool { return m.In.DataReady() }, nil)
}

// MulticastReceiver sends on every datagram sent to a multicast group:
// Kamaelia's Multicast_receiver.
//
// Boxes:
//
//	inbox   any        not used: what arrives is discarded
//	control any        ProducerFinished or Shutdown: close, end
//	outbox  Datagram   each datagram received, with its source address
//	signal  any        the outcome (below)
//
// Example:
//
//	lo, _ := internet.LoopbackInterface()
//	r, _ := internet.NewMulticastReceiver("239.255.42.1:0", internet.WithInterface(lo))
//	fmt.Println("send to", r.Group()) // the port chosen
//
// Any number of receivers may share a group and port on one host: each
// gets every datagram. Joining happens in the constructor, so the group's
// datagrams are queued by the kernel from then on.
//
// Shutdown: ProducerFinished or Shutdown on control closes the socket,
// which leaves the group (signal: ProducerFinished{} or the Shutdown).
type MulticastReceiver struct {
	axon.Core
	// Out is the "outbox": datagrams received.
	Out *axon.Outbox[Datagram]

	u     udpSock
	group netip.AddrPort
}

// NewMulticastReceiver joins group ("group:port"; port 0 picks a free port,
// which Group reports).
func NewMulticastReceiver(group string, opts ...MulticastOption) (*MulticastReceiver, error) {
	g, err := resolveGroup(group)
	if err != nil {
		return nil, err
	}
	pc, err := listenGroup(g, newMcastConfig(opts))
	if err != nil {
		return nil, err
	}
	m := &MulticastReceiver{group: netip.AddrPortFrom(g.Addr(), addrPort(pc.LocalAddr()).Port())}
	m.Out = axon.NewOutbox[Datagram](m, "outbox")
	m.u = udpSock{core: &m.Core, pc: pc, out: m.Out}
	m.u.unused = append(m.u.unused, unusedInbox(m))
	m.SetName("internet.MulticastReceiver(" + m.group.String() + ")")
	return m, nil
}

// Group returns the group and port the receiver listens on.
func (m *MulticastReceiver) Group() netip.AddrPort { return m.group }

// Stats returns what the receiver has done so far.
func (m *MulticastReceiver) Stats() UDPStats { return m.u.stats() }

// Close closes the socket of a receiver that will never be activated.
func (m *MulticastReceiver) Close() error { return m.u.pc.Close() }

// Main receives until told to stop; see MulticastReceiver.
func (m *MulticastReceiver) Main(ctx context.Context) error {
	return m.u.run(ctx, func() error { return nil }, func() bool { return false }, nil)
}

// MulticastTransceiver sends what it is given to a multicast group and
// sends on every datagram sent to the group, its own included when
// loopback is on: Kamaelia's Multicast_transceiver.
//
// Boxes:
//
//	inbox   []byte     one datagram's payload per message, sent to the group
//	control any        ProducerFinished: send what is queued, close, end
//	                   Shutdown: close at once
//	outbox  Datagram   each datagram received, with its source address
//	signal  any        the outcome (below)
//
// Example:
//
//	lo, _ := internet.LoopbackInterface()
//	tr, _ := internet.NewMulticastTransceiver("239.255.42.1:0", internet.WithInterface(lo))
//
// Shutdown: as SimplePeer.
type MulticastTransceiver struct {
	axon.Core
	// In is the "inbox": payloads to send to the group.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": datagrams received.
	Out *axon.Outbox[Datagram]

	u     udpSock
	group netip.AddrPort
}

// NewMulticastTransceiver joins group ("group:port"; port 0 picks a free
// port, which Group reports) and sends to it.
func NewMulticastTransceiver(group string, opts ...MulticastOption) (*MulticastTransceiver, error) {
	g, err := resolveGroup(group)
	if err != nil {
		return nil, err
	}
	pc, err := listenGroup(g, newMcastConfig(opts))
	if err != nil {
		return nil, err
	}
	m := &MulticastTransceiver{group: netip.AddrPortFrom(g.Addr(), addrPort(pc.LocalAddr()).Port())}
	m.In = axon.NewInbox[[]byte](m, "inbox")
	m.Out = axon.NewOutbox[Datagram](m, "outbox")
	m.u = udpSock{core: &m.Core, pc: pc, out: m.Out}
	m.SetName("internet.MulticastTransceiver(" + m.group.String() + ")")
	return m, nil
}

// Group returns the group and port the transceiver listens and sends on.
func (m *MulticastTransceiver) Group() netip.AddrPort { return m.group }

// Stats returns what the transceiver has done so far.
func (m *MulticastTransceiver) Stats() UDPStats { return m.u.stats() }

// Close closes the socket of a transceiver that will never be activated.
func (m *MulticastTransceiver) Close() error { return m.u.pc.Close() }

// Main sends and receives until told to stop; see MulticastTransceiver.
func (m *MulticastTransceiver) Main(ctx context.Context) error {
	return m.u.run(ctx, func() error { return m.u.sendAll(m.In, m.group) },
		func() bool { return m.In.DataReady() }, nil)
}
