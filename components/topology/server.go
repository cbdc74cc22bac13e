package topology

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// DefaultPort is where Kamaelia's TopologyViewerServer listens.
const DefaultPort = 1500

// writeTimeout bounds one write of replies to a client: one that does not
// read is disconnected rather than holding the graph up.
var writeTimeout = 10 * time.Second // a var so that tests can shorten it

// clientQueue is how many writes (a command's replies, a broadcast) may
// wait for a client: a client that lets more pile up is not reading, and
// is disconnected rather than make Broadcast wait for it.
const clientQueue = 64

// Server serves a Graph on TCP, as Kamaelia's TopologyViewerServer does:
// each client sends commands, one per "\n"-ended line ("\r" ignored), and
// they change the one graph in the order they arrive. Unlike Kamaelia's,
// which took one client at a time and printed its replies on its console,
// it takes any number of clients, answers each command's replies (ERROR,
// TOPOLOGY, UPDATE_NAME) to the client that sent it, and tells every client
// each SELECT (Reply.Lines gives the text). An introspector and a person
// with telnet can so share a viewer.
type Server struct {
	g    *Graph
	ln   net.Listener
	wg   sync.WaitGroup
	quit chan struct{} // closed by Close: ends a back-off

	mu      sync.Mutex
	clients map[*client]struct{}
	closed  bool
}

// client is one connection: serve reads its commands, and its writer
// goroutine writes what out is sent, so that no one waits on a client
// that does not read but that client's own commands.
type client struct {
	nc   net.Conn
	out  chan []byte   // what to write; nil: all is written, close
	quit chan struct{} // closed by drop
	once sync.Once
}

// drop disconnects the client now.
func (c *client) drop() {
	c.once.Do(func() {
		close(c.quit)
		c.nc.Close()
	})
}

// Serve starts serving g to the clients of ln, and owns ln from now on.
func Serve(ln net.Listener, g *Graph) *Server {
	s := &Server{g: g, ln: ln, quit: make(chan struct{}), clients: map[*client]struct{}{}}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Listen listens on addr ("host:port"; ":1500" is Kamaelia's default) and
// serves g there.
func Listen(addr string, g *Graph) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return Serve(ln, g), nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Clients returns how many clients are connected.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *Server) accept() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors, say: wait a little, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-s.quit:
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		c := &client{nc: nc, out: make(chan []byte, clientQueue), quit: make(chan struct{})}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.clients[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(2)
		go s.serve(c)
		go s.writer(c)
	}
}

// serve applies one client's commands until it hangs up.
func (s *Server) serve(c *client) {
	defer s.wg.Done()
	defer func() {
		// The writer forgets the client and closes the connection once
		// it has written what is queued.
		select {
		case c.out <- nil:
		case <-c.quit:
		}
	}()
	sc := bufio.NewScanner(c.nc)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLength)
	for sc.Scan() {
		line := strings.ReplaceAll(sc.Text(), "\r", "")
		replies := s.g.ApplyLine(line)
		if !s.reply(c, replies) {
			return
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
		// A line too long, or a broken connection: say so if it can hear.
		s.write(c, []Reply{{Kind: "ERROR", Text: "closing the connection: " + err.Error()}})
	}
}

// writer writes what c.out is sent until the nil that ends it, a write
// fails or takes longer than writeTimeout, or c is dropped.
func (s *Server) writer(c *client) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		c.drop()
	}()
	for {
		select {
		case b := <-c.out:
			if b == nil {
				return
			}
			if err := c.nc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
				return
			}
			if _, err := c.nc.Write(b); err != nil {
				return
			}
		case <-c.quit:
			return
		}
	}
}

// reply sends a command's replies: SELECTs to everyone, the rest to c.
func (s *Server) reply(c *client, replies []Reply) bool {
	var own []Reply
	for _, r := range replies {
		if r.Kind == "SELECT" {
			s.Broadcast(r)
		} else {
			own = append(own, r)
		}
	}
	return s.write(c, own)
}

// Broadcast sends r to every client (the viewer's SELECT events). It
// does not wait for any: a client that has clientQueue writes waiting
// already, or whose write takes longer than the write timeout, is not
// reading and is disconnected.
func (s *Server) Broadcast(replies ...Reply) {
	b := encode(replies)
	if b == nil {
		return
	}
	s.mu.Lock()
	cs := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		select {
		case c.out <- b:
		default:
			c.drop()
		}
	}
}

// write queues a command's replies for c, waiting while its queue is
// full (the client's own commands wait for it to read), and reports false
// once c has been dropped.
func (s *Server) write(c *client, replies []Reply) bool {
	b := encode(replies)
	if b == nil {
		return true
	}
	select {
	case c.out <- b:
		return true
	case <-c.quit:
		return false
	}
}

// encode returns the lines of replies, or nil for none.
func encode(replies []Reply) []byte {
	var b []byte
	for _, r := range replies {
		for _, l := range r.Lines() {
			b = append(b, l...)
			b = append(b, '\n')
		}
	}
	return b
}

// Close stops listening, disconnects every client and returns once every
// goroutine of the server has ended. The graph stays as it is.
func (s *Server) Close() error {
	s.mu.Lock()
	if !s.closed {
		close(s.quit)
	}
	s.closed = true
	for c := range s.clients {
		c.drop()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}
