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

type client struct {
	nc net.Conn
	mu sync.Mutex // one write at a time
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
		c := &client{nc: nc}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.clients[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

// serve applies one client's commands until it hangs up.
func (s *Server) serve(c *client) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		c.nc.Close()
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

// Broadcast sends r to every client (the viewer's SELECT events); a client
// that does not take it within the write timeout is disconnected.
func (s *Server) Broadcast(replies ...Reply) {
	s.mu.Lock()
	cs := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		if !s.write(c, replies) {
			c.nc.Close()
		}
	}
}

func (s *Server) write(c *client, replies []Reply) bool {
	if len(replies) == 0 {
		return true
	}
	var b strings.Builder
	for _, r := range replies {
		for _, l := range r.Lines() {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.nc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return false
	}
	_, err := io.WriteString(c.nc, b.String())
	return err == nil
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
		c.nc.Close()
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}
