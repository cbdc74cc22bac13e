package web

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/internal/kit"
)

// Protocol serves HTTP over the bytes of one connection, so that a web
// server is a protocol of chassis.SimpleServer or ServerCore (Kamaelia's
// HTTPServer as the protocol of SimpleServer): the server with component
// sessions is one line,
//
//	srv, err := chassis.SimpleServer(web.NewServer(nil, web.Limits{}, routes...).Protocol, ":8080")
//
// Boxes:
//
//	inbox   ([]byte)  bytes from the client
//	control (any)     ProducerFinished (the client finished sending), Shutdown
//	outbox  ([]byte)  bytes to the client
//	signal  (any)     how it ended
//
// net/http parses and frames, as it does for Server.ServeHTTP, over an
// in-memory pipe; keep-alive, chunked responses and HTTP/1.0 work as
// there, with NewHTTPServer's limits. The protocol ends when the HTTP
// connection ends: the client closed it, the response was of HTTP/1.0 or
// said "Connection: close", or it stayed idle past DefaultIdleTimeout.
//
// Shutdown: ProducerFinished on control (the client half-closed, or the
// server is draining) ends what the HTTP server reads there, as a
// half-close ends a socket's stream: the requests sent before it are
// answered whole, then the protocol ends. Shutdown ends it at once.
type Protocol struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[[]byte]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out  *axon.Outbox[[]byte]
	h    http.Handler
	feed *axon.Feed[[]byte]
}

// NewProtocol returns a Protocol that serves h.
func NewProtocol(h http.Handler) *Protocol {
	p := &Protocol{h: h}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Out = axon.NewOutbox[[]byte](p, "outbox")
	p.feed = axon.NewFeed[[]byte](p, "_response", 4)
	return p
}

// Protocol makes a Protocol of s: a protocol factory for
// chassis.SimpleServer.
func (s *Server) Protocol() axon.Component { return NewProtocol(s) }

// oneConn is a listener that accepts one connection, then waits until it
// is closed.
type oneConn struct {
	c      net.Conn
	once   sync.Once
	closed chan struct{}
	taken  bool
	mu     sync.Mutex
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.taken {
		l.taken = true
		l.mu.Unlock()
		return l.c, nil
	}
	l.mu.Unlock()
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConn) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *oneConn) Addr() net.Addr { return l.c.LocalAddr() }

// endable is the HTTP server's end of Protocol's pipe. finish makes its
// reads end of stream, as a client's half-close does a socket's: it is
// called once everything written before has been read (a write on a
// net.Pipe returns only then), and a read waiting for more is woken by a
// deadline in the past.
type endable struct {
	net.Conn
	once  sync.Once
	ended chan struct{}
}

func (c *endable) Read(b []byte) (int, error) {
	if isClosed(c.ended) {
		return 0, io.EOF
	}
	n, err := c.Conn.Read(b)
	if err != nil && n == 0 && isClosed(c.ended) {
		return 0, io.EOF
	}
	return n, err
}

func (c *endable) finish() {
	c.once.Do(func() {
		close(c.ended)
		_ = c.Conn.SetReadDeadline(time.Unix(1, 0))
	})
}

// connKey is the key of the context.Context, in a request's context, that
// ends when the connection the request came on is over (see
// exchange.waitContext).
type connKey struct{}

// Main serves the connection until it ends.
func (p *Protocol) Main(ctx context.Context) error {
	ours, pipe := net.Pipe()
	theirs := &endable{Conn: pipe, ended: make(chan struct{})}
	conn, over := context.WithCancel(context.Background())
	hs := NewHTTPServer("", p.h)
	hs.BaseContext = func(net.Listener) context.Context {
		return context.WithValue(context.Background(), connKey{}, conn)
	}
	ln := &oneConn{c: theirs, closed: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = hs.Serve(ln)
	}()
	// What the client sends goes into the pipe from a goroutine of its
	// own: a write returns only once the HTTP server has read it, which
	// it may do only after writing an answer that Main must pass on
	// meanwhile. toPipe holds one chunk; the writer wakes Main after each
	// write, so Main gives it the next. Closing toPipe ends the stream the
	// server reads, once what was given before has been read.
	toPipe := make(chan []byte, 1)
	wrote := p.NewWaker()
	written := make(chan struct{})
	go func() {
		defer close(written)
		defer theirs.finish()
		for b := range toPipe {
			if _, err := ours.Write(b); err != nil {
				// The server closed the connection: what it said is
				// still to be sent, and the rest of the client's is not
				// wanted.
				for range toPipe {
				}
				return
			}
			wrote.Wake()
		}
	}()
	toPipeOpen := true
	stop := context.AfterFunc(ctx, func() { _ = ours.Close() }) // unblocks a write
	defer func() {
		stop()
		over()
		_ = hs.Close()
		_ = ours.Close()
		if toPipeOpen {
			close(toPipe)
		}
		<-written
		wrote.Close()
		p.feed.Stop()
		<-p.feed.Done()
		<-served
	}()
	p.feed.Start(func(_ context.Context, emit func([]byte) bool) error {
		buf := make([]byte, ChunkSize)
		for {
			n, err := ours.Read(buf)
			if n > 0 && !emit(bytes.Clone(buf[:n])) {
				return nil
			}
			if err != nil {
				return nil // the HTTP connection ended
			}
		}
	})
	var pending []byte // from the inbox, for the writer
	finishing := false
	for {
		busy := false
		if it, ok := p.feed.TryRecv(); ok {
			if it.End {
				return ctx.Err()
			}
			busy = true
			if err := p.Out.Send(ctx, it.V); err != nil {
				return err
			}
		}
		if toPipeOpen && pending == nil {
			if b, ok := p.In.TryRecv(); ok {
				pending, busy = b, true
			}
		}
		if pending != nil {
			select {
			case toPipe <- pending:
				pending, busy = nil, true
			default: // the writer wakes Main when it has taken it
			}
		}
		if !finishing && p.TakeControl(nil).Finishing {
			finishing, busy = true, true
		}
		if finishing && toPipeOpen && pending == nil && p.In.Len() == 0 {
			// The client has finished: what it sent before is read, then
			// the server reads end of stream, answers the requests it has
			// and closes the connection, which ends the feed.
			close(toPipe)
			toPipeOpen = false
		}
		if !toPipeOpen {
			kit.Discard(p.In)
		}
		if busy {
			continue
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
}
