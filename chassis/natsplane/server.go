package natsplane

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// DefaultMaxPayload is the largest message an embedded Server takes when
// ServerConfig does not say: 8 MiB, room for a raw video frame (a NATS
// server's own default is 1 MiB).
const DefaultMaxPayload = 8 << 20

// ServerConfig says how StartServer starts a NATS server.
//
// With none of Token, Username and NKeys set, any client that reaches the
// server is let in, so it listens on a loopback address only. For clients
// on other machines, give one way to authenticate them and, on a network
// you do not trust, TLS.
type ServerConfig struct {
	// Host is the address to listen on: "" is 127.0.0.1. Any host but
	// 127.0.0.1, ::1 or localhost needs authentication (Token, Username or
	// NKeys, or a TLS config requiring and verifying client certificates):
	// StartServer refuses it otherwise, with ErrUnauthenticated.
	Host string
	// Port is the TCP port to listen on; 0 takes a free one.
	Port int
	// Token, when set, is the secret every client must give (nats.Token on
	// the client's side: WithNATSOptions).
	Token string
	// Username and Password, when Username is set, are what every client
	// must give (nats.UserInfo).
	Username, Password string
	// NKeys, when set, are the public keys ("U...") of the users let in;
	// a client proves it holds the private key (nats.Nkey, or
	// nats.NkeyOptionFromSeed with a seed file).
	NKeys []string
	// TLS, when set, makes the server take TLS connections only, with this
	// configuration: its Certificates are the server's (clients trust
	// them with nats.Secure or nats.RootCAs). ClientAuth
	// tls.RequireAndVerifyClientCert makes clients present certificates
	// that ClientCAs verifies. ClientURL then starts "tls://".
	TLS *tls.Config
	// MaxPayload is the largest message in bytes; 0 is DefaultMaxPayload.
	MaxPayload int32
	// ReadyTimeout bounds the wait for the server to take connections;
	// 0 is 5 s.
	ReadyTimeout time.Duration
	// JetStreamDir, when set, turns JetStream on, keeping its streams in
	// files under this directory (made if missing), so that what it keeps
	// outlives the server: a server started again on the same directory
	// has it back. Package workqueue's queues need it.
	JetStreamDir string
}

// Server is a NATS server run inside this process (nats-server, embedded),
// listening on 127.0.0.1 unless ServerConfig says otherwise: for tests,
// single-machine deployments, the examples, and, with authentication, a
// small deployment's broker. Other processes reach it at ClientURL. Unless
// ServerConfig.JetStreamDir turns JetStream on, it keeps no messages: a
// message published while no one listens is gone.
type Server struct {
	ns   *server.Server
	port int
}

// ErrServerNotReady is wrapped by StartServer's error when the server did
// not take connections in time.
var ErrServerNotReady = errors.New("natsplane: embedded NATS server not ready")

// ErrUnauthenticated is wrapped by StartServer's error when it is asked to
// listen beyond the loopback interface with no way to authenticate clients.
var ErrUnauthenticated = errors.New("natsplane: a server listening beyond loopback needs authentication")

// ErrBadServerConfig is wrapped by StartServer's error when ServerConfig
// contradicts itself (two ways to authenticate, a password with no user, a
// key that is not a user's public NKey, TLS with no certificate).
var ErrBadServerConfig = errors.New("natsplane: bad server configuration")

// StartServer starts an embedded NATS server and returns once it takes
// connections. Shutdown stops it. A configuration it cannot start safely is
// an error: see ServerConfig.
func StartServer(cfg ServerConfig) (*Server, error) {
	opts, err := serverOptions(cfg)
	if err != nil {
		return nil, err
	}
	ready := cfg.ReadyTimeout
	if ready <= 0 {
		ready = 5 * time.Second
	}
	ns, err := server.NewServer(opts)
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

// serverOptions checks cfg and turns it into nats-server's options.
func serverOptions(cfg ServerConfig) (*server.Options, error) {
	host := cfg.Host
	if host == "" {
		host = "127.0.0.1"
	}
	auths := 0
	for _, set := range []bool{cfg.Token != "", cfg.Username != "", len(cfg.NKeys) > 0} {
		if set {
			auths++
		}
	}
	switch {
	case auths > 1:
		return nil, fmt.Errorf("%w: give one of Token, Username and NKeys", ErrBadServerConfig)
	case cfg.Password != "" && cfg.Username == "":
		return nil, fmt.Errorf("%w: a Password needs a Username", ErrBadServerConfig)
	case cfg.TLS != nil && len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetCertificate == nil:
		return nil, fmt.Errorf("%w: TLS has no certificate", ErrBadServerConfig)
	}
	clientCerts := cfg.TLS != nil && cfg.TLS.ClientAuth == tls.RequireAndVerifyClientCert
	if auths == 0 && !clientCerts && !isLoopback(host) {
		return nil, fmt.Errorf("%w: host %q: set Token, Username and Password, or NKeys (or listen on 127.0.0.1)", ErrUnauthenticated, host)
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	maxPayload := cfg.MaxPayload
	if maxPayload <= 0 {
		maxPayload = DefaultMaxPayload
	}
	opts := &server.Options{
		Host:       host,
		Port:       port,
		MaxPayload: maxPayload,
		// MaxPending must hold at least one message.
		MaxPending:    max(int64(maxPayload)*4, 64<<20),
		NoLog:         true,
		NoSigs:        true, // signals belong to the program, not to a library
		Authorization: cfg.Token,
		Username:      cfg.Username,
		Password:      cfg.Password,
	}
	if cfg.JetStreamDir != "" {
		opts.JetStream = true
		opts.StoreDir = cfg.JetStreamDir
	}
	for _, k := range cfg.NKeys {
		if !nkeys.IsValidPublicUserKey(k) {
			return nil, fmt.Errorf("%w: %q is not a user's public NKey", ErrBadServerConfig, k)
		}
		opts.Nkeys = append(opts.Nkeys, &server.NkeyUser{Nkey: k})
	}
	if cfg.TLS != nil {
		opts.TLSConfig = cfg.TLS.Clone()
		opts.TLS = true
		opts.TLSVerify = clientCerts
	}
	return opts, nil
}

// isLoopback says whether host names the loopback interface only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ClientURL returns the address clients dial, "nats://127.0.0.1:PORT"
// ("tls://..." with TLS, the Host given instead of 127.0.0.1): give it to
// other processes (Dial), with the credentials they need.
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
