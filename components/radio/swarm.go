package radio

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
)

// The original swarm's ports: the root's control port and a node's data
// port.
const (
	SwarmControlPort = 1500
	SwarmDataPort    = 1601
)

// DefaultMaxChildren is how many children a swarm node takes before it
// sends those who ask on to its children, as the original did.
const DefaultMaxChildren = 4

// MaxRedirects bounds how many times Join follows REQCONNECT before it
// gives up: a tree of 4 children a node is 4^MaxRedirects peers deep.
const MaxRedirects = 32

// ErrSwarmProtocol is wrapped by Join's error when a node answers what the
// protocol does not allow.
var ErrSwarmProtocol = errors.New("radio: swarm protocol")

// SwarmConfig says where a swarm node listens and whom it joins.
type SwarmConfig struct {
	// Control is the address ("host:port") of the node's control port,
	// where peers ask to join; port 0 takes a free one.
	Control string
	// Data is the address of the node's data port, where its children read
	// the stream.
	Data string
	// Advertise is the control address the node gives when it asks to
	// join: where the node it joins may send later peers. "" is the
	// control port's own address (right on one machine; give the address
	// others reach it at otherwise).
	Advertise string
	// Root is the control address of the swarm's root; "" makes this node
	// the root, whose stream is what its inbox is sent.
	Root string
	// MaxChildren is how many children the node takes; 0 is
	// DefaultMaxChildren.
	MaxChildren int
	// DialTimeout bounds each connection Join makes; 0 is 10 s.
	DialTimeout time.Duration
	// ServerOptions apply to the node's two servers.
	ServerOptions []internet.ServerOption
}

// SwarmNode is one node of the peer-to-peer radio swarm: Kamaelia's
// SimpleSwarm. The root streams what its inbox is sent; every other node
// joins the tree, reads the stream from its parent's data port, relays it
// on its own data port to its children and sends it on its outbox (to a
// player), so that every node of the tree sends on the same bytes.
//
// Joining (Join): a peer sends "REQCONNECT <its control host:port>" to the
// root's control port; a node with fewer than MaxChildren children
// records the peer as one and answers "CONNECT <its data port>"; a full
// node answers "REQCONNECT <host:port>" naming one of its children, in
// turn, and the peer asks there. Each request and answer is a line; a
// request that is not "REQCONNECT host:port" is answered FAIL.
//
//	root:  inbox --> PublishTo(stream)            Backplane(stream)
//	peer:  TCPClient(parent's data port) --> PublishTo(stream)
//	both:  SimpleServer(data port, SubscribeTo(stream))    children read here
//	       SimpleServer(control port, the join protocol)
//	       SubscribeTo(stream) --> outbox
//
// Every subscriber has the Block policy, so no node or child loses a byte:
// a child that reads slowly slows its parent's stream; one that stops
// reading is closed by its server's write timeout (internet.WithWriteTimeout)
// and the stream goes on without it. A child joining while the stream
// flows receives it from where it is then. Children are recorded when they
// ask, and are not forgotten when they go, as in the original; Join passes
// over one that cannot be reached.
//
// Boxes:
//
//	inbox    []byte  the root's stream (a peer's is not used)
//	control  ProducerFinished, Shutdown
//	outbox   []byte  the stream, as this node receives it
//	signal   the outcome
//
// Listening starts when the node is made; Close one never activated.
//
// Shutdown: the stream's end (the root told ProducerFinished, a peer's
// parent closing the connection) goes down the tree: each node sends on
// what it has, closes its children's connections once they are sent all
// of it, and ends. ProducerFinished on a peer's control closes its
// connection to its parent, which ends it the same way. Shutdown ends the
// node at once. A peer that cannot join fails with Join's error.
type SwarmNode struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[[]byte]

	cfg      SwarmConfig
	data     *chassis.Server
	control  *chassis.Server
	name     string
	children gauge // data subscribers now

	mu       sync.Mutex
	kids     []string // control addresses of the children, in the order they asked
	rr       int
	parent   string // the data address the node reads, once joined
	joined   chan struct{}
	joinOnce sync.Once
}

var swarmCount atomic.Uint64

// NewSwarmNode makes a node and starts listening on its two ports.
func NewSwarmNode(cfg SwarmConfig) (*SwarmNode, error) {
	if cfg.MaxChildren <= 0 {
		cfg.MaxChildren = DefaultMaxChildren
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	n := &SwarmNode{cfg: cfg, name: "radio.swarm." + strconv.FormatUint(swarmCount.Add(1), 10), joined: make(chan struct{})}
	n.In = axon.NewInbox[[]byte](n, "inbox")
	n.Out = axon.NewOutbox[[]byte](n, "outbox")
	n.SetName("radio.SwarmNode")
	var err error
	n.data, err = chassis.SimpleServer(func() axon.Component {
		sub := chassis.SubscribeTo[[]byte](n.name)
		n.children.track(sub.Subscribed(), sub.Done())
		return sub
	}, cfg.Data, cfg.ServerOptions...)
	if err != nil {
		return nil, fmt.Errorf("radio: swarm data port: %w", err)
	}
	n.control, err = chassis.SimpleServer(func() axon.Component {
		return newLineProtocol("radio.swarm.control", n.request)
	}, cfg.Control, cfg.ServerOptions...)
	if err != nil {
		_ = n.data.Close()
		return nil, fmt.Errorf("radio: swarm control port: %w", err)
	}
	if n.cfg.Advertise == "" {
		n.cfg.Advertise = n.control.Addr().String()
	}
	return n, nil
}

// ControlAddr returns the address of the node's control port.
func (n *SwarmNode) ControlAddr() net.Addr { return n.control.Addr() }

// DataAddr returns the address of the node's data port.
func (n *SwarmNode) DataAddr() net.Addr { return n.data.Addr() }

// Parent returns the data address the node reads the stream from ("" for
// the root, or before it has joined).
func (n *SwarmNode) Parent() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.parent
}

// Joined is closed once the node reads the stream: at once for the root,
// when the connection to its parent is made for a peer.
func (n *SwarmNode) Joined() <-chan struct{} { return n.joined }

// Peers returns the control addresses of the peers the node has taken as its
// children in the swarm, in the order they asked. (Children, from axon.Core,
// is the node's child components.)
func (n *SwarmNode) Peers() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.kids...)
}

// WaitReaders waits until k readers are subscribed to the node's data port
// (each is sent the stream from then on), or ctx is done.
func (n *SwarmNode) WaitReaders(ctx context.Context, k int) error {
	return n.children.wait(ctx, func(v int) bool { return v >= k })
}

// Close stops listening, for a node that was never activated.
func (n *SwarmNode) Close() error { return errors.Join(n.data.Close(), n.control.Close()) }

// request answers one line of the join protocol.
func (n *SwarmNode) request(line string) string {
	w := strings.Fields(line)
	if len(w) != 2 || w[0] != "REQCONNECT" {
		return "FAIL"
	}
	if _, _, err := net.SplitHostPort(w[1]); err != nil {
		return "FAIL"
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.kids) < n.cfg.MaxChildren {
		n.kids = append(n.kids, w[1])
		return "CONNECT " + strconv.Itoa(int(n.data.AddrPort().Port()))
	}
	to := n.kids[n.rr]
	n.rr = (n.rr + 1) % len(n.kids)
	return "REQCONNECT " + to
}

// Join asks the swarm whose root's control port is at root to take a peer
// whose control port is at advertise, following REQCONNECT answers from
// node to node, and returns the data address ("host:port") the peer is to
// read the stream from. Each connection is bounded by dialTimeout (0: no
// bound but ctx's). A node it was sent to that cannot be reached (a peer
// that has left, which its parent does not know) is passed over: Join asks
// the node that sent it there again, which names its next child in turn.
// The root unreachable, a node that answers anything but CONNECT or
// REQCONNECT, or more than MaxRedirects questions is an error naming the
// node.
func Join(ctx context.Context, root, advertise string, dialTimeout time.Duration) (string, error) {
	path := []string{root} // the nodes that sent us on, to the one we ask
	var passed error       // the last node passed over
	for range MaxRedirects {
		at := path[len(path)-1]
		reply, err := ask(ctx, at, "REQCONNECT "+advertise, dialTimeout)
		if err != nil {
			if len(path) == 1 || ctx.Err() != nil {
				return "", fmt.Errorf("radio: joining the swarm at %s: %w", at, err)
			}
			passed = fmt.Errorf("%s: %w", at, err)
			path = path[:len(path)-1]
			continue
		}
		w := strings.Fields(reply)
		switch {
		case len(w) == 2 && w[0] == "CONNECT":
			port, err := strconv.ParseUint(w[1], 10, 16)
			if err != nil {
				return "", fmt.Errorf("%w: %s answered %q", ErrSwarmProtocol, at, reply)
			}
			host, _, err := net.SplitHostPort(at)
			if err != nil {
				return "", fmt.Errorf("%w: node address %q: %v", ErrSwarmProtocol, at, err)
			}
			return net.JoinHostPort(host, strconv.FormatUint(port, 10)), nil
		case len(w) == 2 && w[0] == "REQCONNECT":
			if _, _, err := net.SplitHostPort(w[1]); err != nil {
				return "", fmt.Errorf("%w: %s sent us to %q", ErrSwarmProtocol, at, w[1])
			}
			path = append(path, w[1])
		default:
			return "", fmt.Errorf("%w: %s answered %q", ErrSwarmProtocol, at, reply)
		}
	}
	if passed != nil {
		return "", fmt.Errorf("%w: no node with room after %d questions from %s (the last unreachable: %v)",
			ErrSwarmProtocol, MaxRedirects, root, passed)
	}
	return "", fmt.Errorf("%w: sent on more than %d times from %s", ErrSwarmProtocol, MaxRedirects, root)
}

// ask sends one line to addr and returns the line it answers.
func ask(ctx context.Context, addr, line string, timeout time.Duration) (string, error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	reply, err := r.ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", err
	}
	return strings.TrimRight(reply, "\r\n"), nil
}

// Main runs the node; see SwarmNode.
func (n *SwarmNode) Main(ctx context.Context) error {
	bp := chassis.NewBackplane[[]byte](n.name, chassis.OnScheduler(n.Scheduler()))
	if err := bp.SetupErr(); err != nil {
		_ = n.Close()
		return err
	}
	pub := chassis.PublishTo[[]byte](n.name)
	player := chassis.SubscribeTo[[]byte](n.name)
	if err := n.AddChildren(bp, pub, player, n.data, n.control); err != nil {
		return err
	}
	pubIn, _ := pub.Inbox("inbox")
	playerOut, _ := player.Outbox("outbox")
	if _, err := n.Link(playerOut, n.Out); err != nil {
		return err
	}
	// What ends the stream: the root's control, or a peer's connection to
	// its parent.
	endOut := axon.NewOutbox[any](n, "_end")
	var client *internet.TCPClient
	if n.cfg.Root == "" {
		if _, err := n.Link(n.In, pubIn); err != nil {
			return err
		}
		if _, err := n.Link(endOut, pub.Control()); err != nil {
			return err
		}
		n.ActivateChildren()
		n.joinOnce.Do(func() { close(n.joined) })
	} else {
		n.ActivateChildren() // the control port answers while this node joins
		addr, err := Join(ctx, n.cfg.Root, n.cfg.Advertise, n.cfg.DialTimeout)
		if err != nil {
			return err
		}
		n.mu.Lock()
		n.parent = addr
		n.mu.Unlock()
		client = internet.NewTCPClient(addr, internet.WithDialTimeout(n.cfg.DialTimeout))
		if err := n.AddChildren(client); err != nil {
			return err
		}
		for _, l := range [][2]axon.Box{{client.Out, pubIn}, {client.Signal(), pub.Control()}, {endOut, client.Control()}} {
			if _, err := n.Link(l[0], l[1]); err != nil {
				return err
			}
		}
		n.ActivateChildren()
		n.Go(func(ctx context.Context) error {
			select {
			case <-client.Connected():
				n.joinOnce.Do(func() { close(n.joined) })
			case <-client.Done():
			case <-ctx.Done():
			}
			return nil
		})
	}
	told := false
	for {
		if n.TakeControl(nil).Finishing && !told {
			told = true
			if err := endOut.Send(ctx, axon.ProducerFinished{}); err != nil && !errors.Is(err, axon.ErrFinished) {
				return err
			}
		}
		if n.ShuttingDown() {
			// Told to stop now: the runtime stops the children first.
			<-ctx.Done()
			return ctx.Err()
		}
		if isFinished(bp) {
			break
		}
		for _, c := range []interface {
			State() axon.State
			Err() error
		}{n.data, n.control} {
			if c.State() == axon.Finished && c.Err() != nil {
				return c.Err()
			}
		}
		if err := n.Wait(ctx); err != nil {
			return err
		}
	}
	// The stream is over: the Backplane ended every subscriber, so each
	// child's connection writes what it was sent and closes.
	select {
	case <-player.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	gctx, cancel := context.WithTimeout(ctx, DefaultGrace)
	defer cancel()
	err := n.data.Shutdown(gctx)
	_ = n.control.Close()
	if client != nil && client.Err() != nil {
		return client.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // a child that does not read was cut off
	}
	return err
}

// isFinished reports whether a component has finished.
func isFinished(c interface{ State() axon.State }) bool { return c.State() == axon.Finished }
