package internet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Datagram is one UDP datagram: one a peer received, with its source in
// Addr, or one a PostboxPeer is to send, with its destination in Addr.
type Datagram struct {
	Addr netip.AddrPort // the source (received) or destination (to send)
	Data []byte         // the payload, which the receiver owns
}

// ErrNoDestination is the failure of a TargettedPeer told to finish while
// data waits and no destination was ever set.
var ErrNoDestination = errors.New("internet: datagrams to send and no destination")

// maxDatagram is the largest UDP payload (IPv6 jumbograms aside).
const maxDatagram = 64 << 10

// UDPStats counts what a UDP component did.
type UDPStats struct {
	Sent, Received           uint64 // datagrams
	BytesSent, BytesReceived uint64 // their payloads' bytes
}

// resolveUDP resolves a "host:port" for UDP, with unmapped addresses.
func resolveUDP(address string) (netip.AddrPort, error) {
	a, err := net.ResolveUDPAddr("udp", address)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return addrPort(a), nil
}

// listenUDP binds a UDP socket to local ("host:port"; port 0 picks one).
func listenUDP(local string) (*net.UDPConn, error) {
	la, err := net.ResolveUDPAddr("udp", local)
	if err != nil {
		return nil, err
	}
	network := "udp4"
	if ap := addrPort(la); ap.Addr().Is6() {
		network = "udp6"
	}
	return net.ListenUDP(network, la)
}

// udpSock is the machinery shared by the UDP components: a socket, a
// reader child that sends what arrives on the outbox, and a loop that sends
// what the component is given.
type udpSock struct {
	core   *axon.Core
	pc     *net.UDPConn
	out    *axon.Outbox[Datagram] // nil: nothing is received
	unused []interface{ TryRecv() (any, bool) }

	sent, received, bsent, breceived atomic.Uint64
}

func (u *udpSock) stats() UDPStats {
	return UDPStats{Sent: u.sent.Load(), Received: u.received.Load(), BytesSent: u.bsent.Load(), BytesReceived: u.breceived.Load()}
}

func (u *udpSock) localAddr() netip.AddrPort { return addrPort(u.pc.LocalAddr()) }

func (u *udpSock) send(b []byte, to netip.AddrPort) error {
	n, err := u.pc.WriteToUDPAddrPort(b, to)
	if err != nil {
		return fmt.Errorf("internet: sending %d bytes to %s: %w", len(b), to, err)
	}
	u.sent.Add(1)
	u.bsent.Add(uint64(n))
	return nil
}

// run drives the component: flush sends what can be sent now, pending says
// whether something waits to be sent, and wait (nil: Core.Wait) blocks
// until there may be more to do.
func (u *udpSock) run(ctx context.Context, flush func() error, pending func() bool, wait func(ctx context.Context) error) error {
	pc := u.pc
	defer pc.Close()
	defer context.AfterFunc(ctx, func() { pc.Close() })()

	var reader *pump[Datagram]
	if u.out != nil {
		buf := make([]byte, maxDatagram)
		reader = newPump(u.core.Name()+".reader", func(context.Context) (Datagram, error) {
			n, from, err := pc.ReadFromUDPAddrPort(buf)
			if err != nil {
				return Datagram{}, err
			}
			u.received.Add(1)
			u.breceived.Add(uint64(n))
			from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
			return Datagram{Addr: from, Data: append([]byte(nil), buf[:n]...)}, nil
		}, nil)
		reader.parent = ctx
		if err := startPump(u.core, reader, u.out); err != nil {
			return err
		}
	}
	if wait == nil {
		wait = u.core.Wait
	}
	for {
		// Finishing is read with the control messages: a ProducerFinished
		// taken here may not have set the flag yet, and Wait would not
		// wake for it.
		finishing := u.core.TakeControl(nil).Finishing
		for _, in := range u.unused {
			for {
				if _, ok := in.TryRecv(); !ok {
					break
				}
			}
		}
		if err := flush(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if reader != nil {
			if done, err := reader.ended(); done {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fmt.Errorf("internet: receiving: %w", err)
			}
		}
		if finishing && !pending() {
			return nil
		}
		if err := wait(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
	}
}

// sendAll sends every []byte waiting in in to the destination.
func (u *udpSock) sendAll(in *axon.Inbox[[]byte], to netip.AddrPort) error {
	for {
		b, ok := in.TryRecv()
		if !ok {
			return nil
		}
		if err := u.send(b, to); err != nil {
			return err
		}
	}
}

// unusedInbox declares comp's "inbox" for a component that takes nothing
// there: what arrives is discarded, so that it cannot keep waking Main.
func unusedInbox(comp axon.Component) *axon.Inbox[any] {
	return axon.NewInbox[any](comp, "inbox")
}

// SimplePeer sends what it is given to one UDP address, and sends on what
// its socket receives: Kamaelia's SimplePeer.
//
// Boxes:
//
//	inbox   []byte     one datagram's payload per message, sent to the remote
//	control any        ProducerFinished: send what is queued, close, end
//	                   Shutdown: close at once
//	outbox  Datagram   each datagram received, with its source address
//	signal  any        the outcome (below)
//
// Example:
//
//	a, _ := internet.NewSimplePeer("127.0.0.1:0", "127.0.0.1:5000")
//	fmt.Println("sending from", a.LocalAddr())
//	h, _ := axon.NewHandle(sched, a)
//	h.Put(ctx, "inbox", []byte("hello"))
//
// The socket is bound in NewSimplePeer, so LocalAddr reports the port chosen
// for port 0 before the peer runs; if it is never activated, Close it.
// Receiving happens in a child component that sends with back-pressure:
// while nothing takes what arrived, the peer reads no more and the kernel
// drops datagrams beyond its buffer, as UDP does.
//
// Shutdown: ProducerFinished on control sends what waits in the inbox, then
// closes the socket (signal: ProducerFinished{}); Shutdown closes it at once
// (signal: the Shutdown). A datagram that cannot be sent (too big, say) or a
// failing socket ends the peer with a Failure on signal naming it.
type SimplePeer struct {
	axon.Core
	// In is the "inbox": payloads to send.
	In *axon.Inbox[[]byte]
	// Out is the "outbox": datagrams received.
	Out *axon.Outbox[Datagram]

	u      udpSock
	remote netip.AddrPort
}

// NewSimplePeer binds a socket to local ("host:port"; port 0 picks a free
// port) that sends to remote ("host:port").
func NewSimplePeer(local, remote string) (*SimplePeer, error) {
	to, err := resolveUDP(remote)
	if err != nil {
		return nil, err
	}
	pc, err := listenUDP(local)
	if err != nil {
		return nil, err
	}
	p := &SimplePeer{remote: to}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Out = axon.NewOutbox[Datagram](p, "outbox")
	p.u = udpSock{core: &p.Core, pc: pc, out: p.Out}
	p.SetName("internet.SimplePeer(" + pc.LocalAddr().String() + ")")
	return p, nil
}

// LocalAddr returns the address the peer's socket is bound to.
func (p *SimplePeer) LocalAddr() netip.AddrPort { return p.u.localAddr() }

// Stats returns what the peer has done so far.
func (p *SimplePeer) Stats() UDPStats { return p.u.stats() }

// Close closes the socket of a peer that will never be activated.
func (p *SimplePeer) Close() error { return p.u.pc.Close() }

// Main sends and receives until told to stop; see SimplePeer.
func (p *SimplePeer) Main(ctx context.Context) error {
	return p.u.run(ctx, func() error { return p.u.sendAll(p.In, p.remote) },
		func() bool { return p.In.DataReady() }, nil)
}

// TargettedPeer is a SimplePeer whose destination can be changed while it
// runs: Kamaelia's TargettedPeer.
//
// Boxes:
//
//	inbox   []byte          one datagram's payload per message
//	target  netip.AddrPort  the destination from now on
//	control any             ProducerFinished: send what is queued, close, end
//	                        Shutdown: close at once
//	outbox  Datagram        each datagram received, with its source address
//	signal  any             the outcome (below)
//
// Example:
//
//	p, _ := internet.NewTargettedPeer("127.0.0.1:0", "")
//	h, _ := axon.NewHandle(sched, p)
//	h.Put(ctx, "target", netip.MustParseAddrPort("127.0.0.1:5000"))
//	h.Put(ctx, "inbox", []byte("to 5000"))
//
// Data put after a target goes to that target (or a later one): the peer
// takes the targets waiting each time it takes a payload, before sending
// it. Until the first target is known, data waits (so its senders wait
// once the inbox is full).
//
// Shutdown: as SimplePeer. Told ProducerFinished while data waits and no
// target was ever given, it fails with ErrNoDestination.
type TargettedPeer struct {
	axon.Core
	// In is the "inbox": payloads to send.
	In *axon.Inbox[[]byte]
	// Target is the "target" inbox: new destinations.
	Target *axon.Inbox[netip.AddrPort]
	// Out is the "outbox": datagrams received.
	Out *axon.Outbox[Datagram]

	u      udpSock
	remote netip.AddrPort // invalid until known
}

// NewTargettedPeer binds a socket to local ("host:port"; port 0 picks a
// free port) that sends to remote ("host:port"), or, when remote is empty,
// to the first address given on the target inbox.
func NewTargettedPeer(local, remote string) (*TargettedPeer, error) {
	var to netip.AddrPort
	if remote != "" {
		var err error
		if to, err = resolveUDP(remote); err != nil {
			return nil, err
		}
	}
	pc, err := listenUDP(local)
	if err != nil {
		return nil, err
	}
	p := &TargettedPeer{remote: to}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Target = axon.NewInbox[netip.AddrPort](p, "target")
	p.Out = axon.NewOutbox[Datagram](p, "outbox")
	p.u = udpSock{core: &p.Core, pc: pc, out: p.Out}
	p.SetName("internet.TargettedPeer(" + pc.LocalAddr().String() + ")")
	return p, nil
}

// LocalAddr returns the address the peer's socket is bound to.
func (p *TargettedPeer) LocalAddr() netip.AddrPort { return p.u.localAddr() }

// Stats returns what the peer has done so far.
func (p *TargettedPeer) Stats() UDPStats { return p.u.stats() }

// Close closes the socket of a peer that will never be activated.
func (p *TargettedPeer) Close() error { return p.u.pc.Close() }

// Main sends and receives until told to stop; see TargettedPeer.
func (p *TargettedPeer) Main(ctx context.Context) error {
	var held []byte // taken from the inbox, waiting for a first target
	hasHeld := false
	takeTargets := func() {
		for {
			t, ok := p.Target.TryRecv()
			if !ok {
				return
			}
			p.remote = netip.AddrPortFrom(t.Addr().Unmap(), t.Port())
		}
	}
	flush := func() error {
		for {
			if !hasHeld {
				b, ok := p.In.TryRecv()
				if !ok {
					takeTargets()
					return nil
				}
				held, hasHeld = b, true
			}
			// Targets are taken after the data: one put before it is
			// visible now, so data put after a target goes to it.
			takeTargets()
			if !p.remote.IsValid() {
				return nil // the data waits for a destination
			}
			err := p.u.send(held, p.remote)
			held, hasHeld = nil, false
			if err != nil {
				return err
			}
		}
	}
	pending := func() bool { return hasHeld || p.In.DataReady() }
	wait := func(ctx context.Context) error {
		if p.remote.IsValid() || !pending() {
			return p.Wait(ctx)
		}
		// Data waits for a target: wait for one, not for more data.
		t, err := p.Target.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			n := p.In.Len()
			if hasHeld {
				n++
			}
			return fmt.Errorf("%w (%d waiting)", ErrNoDestination, n)
		}
		if err == nil {
			p.remote = netip.AddrPortFrom(t.Addr().Unmap(), t.Port())
		}
		return err
	}
	return p.u.run(ctx, flush, pending, wait)
}

// PostboxPeer sends each datagram it is given to the address the datagram
// names: Kamaelia's PostboxPeer.
//
// Boxes:
//
//	inbox   Datagram   a payload and its destination
//	control any        ProducerFinished: send what is queued, close, end
//	                   Shutdown: close at once
//	outbox  Datagram   each datagram received, with its source address
//	signal  any        the outcome (below)
//
// Example:
//
//	p, _ := internet.NewPostboxPeer("[::1]:0")
//	h, _ := axon.NewHandle(sched, p)
//	h.Put(ctx, "inbox", internet.Datagram{Addr: dst, Data: []byte("hi")})
//
// Shutdown: as SimplePeer.
type PostboxPeer struct {
	axon.Core
	// In is the "inbox": datagrams to send.
	In *axon.Inbox[Datagram]
	// Out is the "outbox": datagrams received.
	Out *axon.Outbox[Datagram]

	u udpSock
}

// NewPostboxPeer binds a socket to local ("host:port"; port 0 picks a free
// port).
func NewPostboxPeer(local string) (*PostboxPeer, error) {
	pc, err := listenUDP(local)
	if err != nil {
		return nil, err
	}
	p := &PostboxPeer{}
	p.In = axon.NewInbox[Datagram](p, "inbox")
	p.Out = axon.NewOutbox[Datagram](p, "outbox")
	p.u = udpSock{core: &p.Core, pc: pc, out: p.Out}
	p.SetName("internet.PostboxPeer(" + pc.LocalAddr().String() + ")")
	return p, nil
}

// LocalAddr returns the address the peer's socket is bound to.
func (p *PostboxPeer) LocalAddr() netip.AddrPort { return p.u.localAddr() }

// Stats returns what the peer has done so far.
func (p *PostboxPeer) Stats() UDPStats { return p.u.stats() }

// Close closes the socket of a peer that will never be activated.
func (p *PostboxPeer) Close() error { return p.u.pc.Close() }

// Main sends and receives until told to stop; see PostboxPeer.
func (p *PostboxPeer) Main(ctx context.Context) error {
	flush := func() error {
		for {
			d, ok := p.In.TryRecv()
			if !ok {
				return nil
			}
			if err := p.u.send(d.Data, d.Addr); err != nil {
				return err
			}
		}
	}
	return p.u.run(ctx, flush, func() bool { return p.In.DataReady() }, nil)
}
