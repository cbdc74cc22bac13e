package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// DrainTimeout bounds how long a Service told ProducerFinished waits for
// the requests under way to end before it closes their connections.
const DrainTimeout = 10 * time.Second

// Service runs an HTTP server as a component, so that a web server is one
// element of a system (and of `kamaelia launch`): it listens when made, so
// Addr says where at once, serves h (usually a *Server) on an http.Server
// with NewHTTPServer's limits once activated, and stops when told.
//
// Boxes:
//
//	control (any)  ProducerFinished, Shutdown
//	signal  (any)  how it ended
//
// Example:
//
//	files, _ := web.Static("site")
//	svc, err := web.Listen("127.0.0.1:8080", web.NewServer(nil, web.Limits{}, web.Route{Prefix: "/", New: files}))
//
// Shutdown: ProducerFinished on control stops taking connections, lets
// the requests under way end (for at most DrainTimeout), closes h if it is
// a *Server (its sessions) and ends with ProducerFinished. Shutdown closes
// every connection at once. A listener that fails ends it with that error.
type Service struct {
	axon.Core
	h    http.Handler
	hs   *http.Server
	ln   net.Listener
	feed *axon.Feed[struct{}]
}

// Listen listens on addr ("127.0.0.1:0" picks a free port) and returns a
// Service of h. The error is the listener's.
func Listen(addr string, h http.Handler) (*Service, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: listen: %w", err)
	}
	s := &Service{h: h, hs: NewHTTPServer(addr, h), ln: ln}
	s.feed = axon.NewFeed[struct{}](s, "_served", 1)
	return s, nil
}

// Close releases the listener of a Service that was never activated (a
// running Service is stopped through its control inbox).
func (s *Service) Close() error { return s.ln.Close() }

// Addr is the address the Service listens on.
func (s *Service) Addr() net.Addr { return s.ln.Addr() }

// Main serves until told to stop.
func (s *Service) Main(ctx context.Context) (err error) {
	defer func() {
		_ = s.hs.Close()
		<-s.feed.Done()
		if srv, ok := s.h.(*Server); ok {
			err = errors.Join(err, srv.Close())
		}
	}()
	s.feed.Start(func(context.Context, func(struct{}) bool) error {
		if err := s.hs.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	for {
		if it, ok := s.feed.TryRecv(); ok && it.End {
			return it.Err
		}
		if s.TakeControl(nil).Finishing {
			dctx, cancel := context.WithTimeout(ctx, DrainTimeout)
			defer cancel()
			if err := s.hs.Shutdown(dctx); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return ctx.Err()
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
}
