package inspect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// shutdownGrace is how long Close waits for HTTP requests in flight (a
// snapshot being written) before it closes their connections.
const shutdownGrace = 5 * time.Second

// The HTTP server's limits on its clients: how long one may take to send
// a request's headers and how big they may be, and how long a connection
// may stay open with no request. (Responses have the write timeout,
// WithWriteTimeout, one write at a time: an event stream lasts as long as
// its watcher.)
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// Server is a running inspector: the HTTP server of Handler on its own
// port, and Axon's introspector protocol on another when asked for.
type Server struct {
	http      *http.Server
	url       string
	feed      *feed
	proto     *protocolServer // nil unless WithAxonProtocol
	out       *protocolServer // nil unless WithAxonConnect
	served    chan struct{}   // closed when the HTTP server's Serve returned
	closeOnce sync.Once
	closeErr  error
}

// Start starts inspecting the components running on s (axon.Default() if
// s is nil): the one call a program makes to be watched. It serves Handler over HTTP on DefaultAddr
// (or WithAddr's), and Axon's introspector protocol too WithAxonProtocol.
// It answers only requests addressed to it (403 Forbidden otherwise): whose
// Host header is the listener's address, localhost, a loopback address, an
// IP address of the machine when it listens on every interface, or a name
// given to WithAllowedHosts.
// Listening happens before Start returns, so URL and AxonAddr are usable
// at once. The system is looked at only while someone watches it. Close
// stops it all.
func Start(s *axon.Scheduler, opts ...Option) (*Server, error) {
	if s == nil {
		s = axon.Default()
	}
	cfg := newConfig(opts)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("inspect: HTTP: %w", err)
	}
	f := newFeed(s, cfg.interval)
	srv := &Server{
		http: &http.Server{
			Handler:           newHostCheck(newHandler(f, cfg), ln.Addr(), cfg.allowedHosts),
			ReadHeaderTimeout: readHeaderTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(cfg.log.Handler(), slog.LevelWarn),
		},
		url:    "http://" + dialable(ln.Addr()) + "/",
		feed:   f,
		served: make(chan struct{}),
	}
	if cfg.axonAddr != "" {
		srv.proto, err = listenProtocol(cfg.axonAddr, f, cfg)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("inspect: Axon protocol: %w", err)
		}
	}
	if cfg.axonConnect != "" {
		srv.out = connectProtocol(cfg.axonConnect, f, cfg)
	}
	go func() {
		defer close(srv.served)
		// Serve returns http.ErrServerClosed after Shutdown; any other
		// error means the listener failed, and the inspector stops serving.
		// Any connection may become an event stream: each gets the bounded
		// send buffer a watcher has.
		if err := srv.http.Serve(boundedSends{ln}); !errors.Is(err, http.ErrServerClosed) {
			cfg.log.Warn("inspect: HTTP server stopped", slog.Any("err", err))
		}
	}()
	return srv, nil
}

// dialable returns addr as a client can dial it: a listener on every
// interface ("0.0.0.0:80", which Go serves on both IPv4 and IPv6) is
// reached on the loopback address.
func dialable(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
}

// URL returns the address of the inspector's page, such as
// "http://127.0.0.1:34567/".
func (s *Server) URL() string { return s.url }

// AxonAddr returns the "host:port" of Axon's introspector protocol, or ""
// when it is not served.
func (s *Server) AxonAddr() string {
	if s.proto == nil {
		return ""
	}
	return dialable(s.proto.ln.Addr())
}

// AxonConnections returns how many times the inspector has connected to
// the viewer of WithAxonConnect (0 without it): a count that grows each
// time the viewer comes back.
func (s *Server) AxonConnections() int {
	if s.out == nil {
		return 0
	}
	return int(s.out.connected.Load())
}

// Close stops the inspector: it ends every event stream and protocol
// client, stops listening, and returns once every goroutine it started has
// exited. The system inspected is not touched. Closing again returns the
// first Close's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// Closing the feed ends the event streams, which would otherwise
		// keep Shutdown waiting for ever.
		s.feed.close()
		var errs []error
		for _, p := range []*protocolServer{s.proto, s.out} {
			if p == nil {
				continue
			}
			if err := p.close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, err, s.http.Close())
		}
		<-s.served
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
