package web

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

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
// Shutdown: ProducerFinished on control lets the request under way be
// answered, then ends it. Shutdown ends it at once.
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

// Main serves the connection until it ends.
func (p *Protocol) Main(ctx context.Context) error {
	ours, theirs := net.Pipe()
	hs := NewHTTPServer("", p.h)
	// The end of a request's context is the connection's here, not a
	// client's half-close (see exchange.waitContext).
	hs.BaseContext = func(net.Listener) context.Context {
		return context.WithValue(context.Background(), pipedKey{}, true)
	}
	ln := &oneConn{c: theirs, closed: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = hs.Serve(ln)
	}()
	var draining sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { _ = ours.Close() }) // unblocks a write
	defer func() {
		stop()
		_ = hs.Close()
		_ = ours.Close()
		p.feed.Stop()
		<-p.feed.Done()
		<-served
		draining.Wait()
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
		if !finishing {
			if b, ok := p.In.TryRecv(); ok {
				busy = true
				if _, err := ours.Write(b); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					// The server closed the connection: what it said is
					// still to be sent.
					finishing = true
				}
			}
		}
		if !finishing && (p.TakeControl(nil).Finishing) {
			finishing = true
			kit.Discard(p.In)
			draining.Add(1)
			go func() {
				defer draining.Done()
				// Answers the request under way, then closes the
				// connection, which ends the feed.
				if err := hs.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
					_ = hs.Close()
				}
			}()
		}
		if busy {
			continue
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
}
