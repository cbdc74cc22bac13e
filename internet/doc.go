// Package internet holds Kamaelia's network components for the axon
// runtime: TCP clients and servers, connected sockets as components, UDP
// peers, multicast, and TLS, with the limits a server needs. Framing and
// marshalling are in the subpackage framing.
//
// Every component follows the runtime's contract (see package axon):
// data on "inbox" and "outbox", shutdown messages on "control", and exactly
// one outcome on "signal". The components are:
//
//   - TCPClient: connects (with a timeout, and retries with back-off if
//     asked), then writes what it is given and sends on what it reads.
//   - TCPServer: listens, and emits each accepted connection as a Conn
//     component on its outbox, for a ServerCore (package chassis) to wire
//     to a protocol component.
//   - Conn: a connected socket (Kamaelia's ConnectedSocketAdapter), from a
//     TCPServer or from any net.Conn with NewConn.
//   - SimplePeer, TargettedPeer, PostboxPeer: UDP.
//   - MulticastSender, MulticastReceiver, MulticastTransceiver: UDP
//     multicast, with the interface, TTL and loopback chosen.
//
// # Shutdown
//
// ProducerFinished on control means "finish what you have": a connection
// writes what is queued, half-closes and closes; a UDP component sends what
// is queued and closes; a server stops listening. Shutdown means "stop
// now": the socket is closed at once, so a blocked read or write returns,
// and Main returns the context's error. A connection that ends by itself
// (the peer closed, a reset, a timeout) ends cleanly: its signal carries
// ProducerFinished whose Reason is a *SocketShutdown saying why. A
// connection reads in its own Main (woken by the process's epoll poller on
// Linux), or in a goroutine of its own that the runtime waits for; UDP
// components and the server's acceptor read in a child component. No
// goroutine outlives its component.
//
// # Limits
//
// WithMaxConnections caps a server's open connections (the excess are
// closed at once and counted); WithIdleTimeout ends a connection that has
// been silent too long; WithWriteTimeout is the slow-consumer policy (a
// peer that does not read is disconnected, as nats-server does, rather
// than holding up whoever sends to it); WithHandshakeTimeout bounds TLS
// handshakes; de-framers in package framing bound message sizes. A
// TCPServer has them on unless told otherwise (DefaultMaxConnections, and
// for each connection DefaultIdleTimeout, DefaultWriteTimeout and
// DefaultHandshakeTimeout); each is turned off with zero. Inboxes
// are bounded, so a slow consumer slows its producer instead of growing
// memory; TCP's flow control carries that back to the peer.
//
// Addresses: port 0 always picks a free port, and every component that
// binds reports the address it got (TCPServer.Addr, SimplePeer.LocalAddr,
// MulticastReceiver.Group, ...).
//
// docs/network.md describes the components, their boxes, shutdown and
// limits at more length, and where kernels refuse multicast on loopback.
package internet
