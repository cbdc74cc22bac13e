package natsplane

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultMaxPayload is the largest message an embedded Server takes when
// ServerConfig does not say: 8 MiB, room for a raw video frame (a NATS
// server's own default is 1 MiB).
const DefaultMaxPayload = 8 << 20

// ServerConfig says how StartServer starts a NATS server.
type ServerConfig struct {
	// Port is the TCP port on 127.0.0.1 to listen on; 0 takes a free one.
	Port int
	// MaxPayload is the largest message in bytes; 0 is DefaultMaxPayload.
	MaxPayload int32
	// ReadyTimeout bounds the wait for the server to take connections;
	// 0 is 5 s.
	ReadyTimeout time.Duration
}

// Server is a NATS server run inside this process (nats-server, embedded),
// listening on 127.0.0.1: for tests, single-machine deployments and the
// examples. Other processes reach it at ClientURL. It keeps no messages: a
// message published while no one listens is gone (no JetStream).
type Server struct {
	ns   *server.Server
	port int
}

// ErrServerNotReady is wrapped by StartServer's error when the server did
// not take connections in time.
var ErrServerNotReady = errors.New("natsplane: embedded NATS server not ready")

// StartServer starts an embedded NATS server and returns once it takes
// connections. Shutdown stops it.
func StartServer(cfg ServerConfig) (*Server, error) {
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	maxPayload := cfg.MaxPayload
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	ready := cfg.ReadyTimeout
	if ready <= 0 {
		ready = 5 * time.Second
	}
	ns, err := server.NewServer(&server.Options{
		Host:       "127.0.0.1",
		Port:       port,
		MaxPayload: maxPayload,
		// MaxPending must hold at least one message.
		MaxPending: max(int64(maxPayload)*4, 64<<20),
		NoLog:      true,
		NoSigs:     true, // signals belong to the program, not to a library
	})
	if err != nil {
		return nil, fmt.Errorf("natsplane: embedded NATS server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(ready) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("%w after %s (port %d)", ErrServerNotReady, ready, cfg.Port)
	}
	addr, ok := ns.Addr().(*net.TCPAddr)
	if !ok {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("%w: no TCP listener", ErrServerNotReady)
	}
	return &Server{ns: ns, port: addr.Port}, nil
}

// ClientURL returns the address clients dial, "nats://127.0.0.1:PORT": give
// it to other processes (Dial).
func (s *Server) ClientURL() string { return s.ns.ClientURL() }

// Port returns the port the server listens on: start another server on it
// (ServerConfig.Port) to replace this one after Shutdown.
func (s *Server) Port() int { return s.port }

// Transport returns a Transport to this server: Dial(s.ClientURL(), opts...).
func (s *Server) Transport(opts ...Option) *Transport { return Dial(s.ClientURL(), opts...) }

// Shutdown closes every client connection and stops the server, and returns
// once its goroutines have ended. Clients (Backplanes) go on trying to
// reconnect, and find a server started again on the same port.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
