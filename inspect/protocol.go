package inspect

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// watcherSendBuffer is the socket send buffer of a connection to a
// watcher (a protocol client, or any of Start's HTTP clients, since any
// may ask for the event stream): enough for a few thousand lines in
// flight. Left to itself, Linux grows a send buffer to tcp_wmem's maximum
// (4 MiB by default), which a client that does not read would fill before
// a write blocked and the write timeout applied: a stuck watcher would
// hold megabytes of the kernel's, and be noticed only frames later.
const watcherSendBuffer = 128 << 10

// boundedSends is a listener whose TCP connections have watcherSendBuffer
// as their send buffer.
type boundedSends struct{ net.Listener }

func (l boundedSends) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if tc, ok := nc.(*net.TCPConn); ok {
		// Bound what the kernel holds for a client that does not read;
		// past it, writes block and the write timeout applies.
		_ = tc.SetWriteBuffer(watcherSendBuffer)
	}
	return nc, err
}

// protocolServer serves Axon's introspector text protocol: to each client
// that connects, the whole graph as ADD lines ("DEL ALL" first), then the
// lines that turn each look at the system into the next
// (axon.IntrospectorDiff), one per "\n"-ended line: Kamaelia's Introspector
// protocol. With a listener it serves the clients that connect; made by
// connectProtocol, it dials a viewer that listens instead.
//
// Clients never slow the system or each other down: each takes frames from
// the feed's one-frame slot, so a client that is behind gets one diff that
// spans what it missed; a write that blocks longer than the write timeout
// (the client does not read) disconnects it.
type protocolServer struct {
	ln   net.Listener
	feed *feed
	cfg  config
	wg   sync.WaitGroup
	quit chan struct{} // closed by close: ends a back-off

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool

	// connected counts the connections made out to a viewer.
	connected atomic.Int64
}

func listenProtocol(addr string, f *feed, cfg config) (*protocolServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	p := &protocolServer{ln: boundedSends{ln}, feed: f, cfg: cfg, quit: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Connecting out to a viewer: the first retry after a failed dial or a
// lost connection waits connectRetryMin, doubling up to connectRetryMax.
const (
	connectRetryMin = 100 * time.Millisecond
	connectRetryMax = 5 * time.Second
)

// connectProtocol writes the protocol to a viewer that listens at addr
// (Kamaelia's AxonVisualiser, or kamaelia visualise), as Kamaelia's
// Introspector piped into a TCPClient does. It dials at once and again
// whenever the viewer is not there or goes away, until close; each
// connection starts with "DEL ALL" and the whole graph.
func connectProtocol(addr string, f *feed, cfg config) *protocolServer {
	p := &protocolServer{feed: f, cfg: cfg, quit: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.dial(addr)
	return p
}

func (p *protocolServer) dial(addr string) {
	defer p.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-p.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	var d net.Dialer
	backoff := time.Duration(0)
	for {
		nc, err := d.DialContext(ctx, "tcp", addr)
		if err == nil && nc.LocalAddr().String() == nc.RemoteAddr().String() {
			// With nothing listening on a local port of the ephemeral
			// range, TCP can connect a socket to itself: that is no viewer.
			nc.Close()
			err = errors.New("connected to itself: nothing listens there")
		}
		switch {
		case err == nil:
			if !p.track(nc) {
				nc.Close()
				return
			}
			p.connected.Add(1)
			p.wg.Add(1)
			p.serve(nc) // until the viewer goes or the inspector closes
			backoff = 0
		case ctx.Err() != nil:
			return
		default:
			p.cfg.log.Warn("inspect: connecting to an Axon visualiser", slog.String("addr", addr), slog.Any("err", err))
		}
		backoff = min(max(2*backoff, connectRetryMin), connectRetryMax)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-p.quit:
			t.Stop()
			return
		}
	}
}

// accept takes connections until the listener is closed, backing off after
// a failed Accept (out of file descriptors, say) as net/http does.
func (p *protocolServer) accept() {
	defer p.wg.Done()
	var backoff time.Duration
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			p.cfg.log.Warn("inspect: accepting an Axon protocol client", slog.Any("err", err), slog.Duration("retry", backoff))
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-p.quit:
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		if !p.track(nc) {
			nc.Close()
			return
		}
		p.wg.Add(1)
		go p.serve(nc)
	}
}

// track records nc so that close can end it; false once closing.
func (p *protocolServer) track(nc net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[nc] = struct{}{}
	return true
}

func (p *protocolServer) untrack(nc net.Conn) {
	p.mu.Lock()
	delete(p.conns, nc)
	p.mu.Unlock()
	nc.Close()
}

// serve writes the protocol to one client until it goes, the inspector
// closes, or a write times out.
func (p *protocolServer) serve(nc net.Conn) {
	defer p.wg.Done()
	defer p.untrack(nc)
	wt := p.feed.watch()
	if wt == nil {
		return
	}
	defer p.feed.unwatch(wt)

	// The protocol is one way; reading tells us when the client hangs up.
	// What it sends is discarded.
	hungUp := make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(hungUp)
		_, _ = io.Copy(io.Discard, nc)
	}()

	var prev *axon.Snapshot
	var buf strings.Builder
	for {
		select {
		case <-hungUp:
			return
		case <-wt.gone:
			return
		case fr := <-wt.frames:
			lines := axon.IntrospectorDiff(prev, fr.snap)
			prev = fr.snap
			if len(lines) == 0 {
				continue
			}
			buf.Reset()
			for _, l := range lines {
				buf.WriteString(l)
				buf.WriteByte('\n')
			}
			if err := nc.SetWriteDeadline(time.Now().Add(p.cfg.writeTimeout)); err != nil {
				return
			}
			if _, err := io.WriteString(nc, buf.String()); err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					p.cfg.log.Warn("inspect: disconnected an Axon protocol client that does not read",
						slog.String("client", nc.RemoteAddr().String()), slog.Duration("writeTimeout", p.cfg.writeTimeout))
				}
				return
			}
		}
	}
}

// close stops accepting, disconnects every client and waits for every
// goroutine of the server.
func (p *protocolServer) close() error {
	p.mu.Lock()
	p.closed = true
	close(p.quit)
	for nc := range p.conns {
		nc.Close()
	}
	p.mu.Unlock()
	var err error
	if p.ln != nil {
		err = p.ln.Close()
	}
	p.wg.Wait()
	return err
}
