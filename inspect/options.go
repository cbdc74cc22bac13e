package inspect

import (
	"io"
	"log/slog"
	"time"
)

// Defaults of the options.
const (
	// DefaultAddr is where Start serves HTTP unless WithAddr says otherwise:
	// the loopback interface only, on a free port.
	DefaultAddr = "127.0.0.1:0"
	// DefaultInterval is how often a watched system is looked at.
	DefaultInterval = 500 * time.Millisecond
	// DefaultWriteTimeout is how long a write to a watcher (the page's event
	// stream, an Axon protocol client) may block before the watcher is
	// disconnected as too slow.
	DefaultWriteTimeout = 10 * time.Second
)

// Option changes how Start or Handler serves a system.
type Option func(*config)

type config struct {
	addr         string
	axonAddr     string
	axonConnect  string
	interval     time.Duration
	writeTimeout time.Duration
	log          *slog.Logger
	allowedHosts []string
}

func newConfig(opts []Option) config {
	cfg := config{
		addr:         DefaultAddr,
		interval:     DefaultInterval,
		writeTimeout: DefaultWriteTimeout,
		log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// WithAddr sets the address Start serves HTTP on ("host:port"; port 0 picks
// a free port, which Server.URL reports). The default, DefaultAddr, is
// reachable from this machine only: the inspector shows the inside of a
// program, so exposing it further is a deliberate choice. Handler ignores it.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithAllowedHosts names hosts Start answers requests for besides its own
// address, localhost and loopback addresses: the names a browser uses to
// reach an inspector listening beyond the loopback interface (WithAddr),
// such as "build-box.example.org". A port is ignored, and case too. Start
// refuses a request for any other name (DNS rebinding would otherwise let
// a web page read the inspector). Handler ignores it: a program serving
// Handler itself checks its own requests.
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) { c.allowedHosts = append(c.allowedHosts, hosts...) }
}

// WithAxonProtocol makes Start also serve Axon's introspector text protocol
// on the TCP address addr, to each client that connects and reads (port 0
// picks a free port, which Server.AxonAddr reports). A viewer that listens
// itself, such as Kamaelia's AxonVisualiser, needs WithAxonConnect
// instead. Handler ignores it.
func WithAxonProtocol(addr string) Option {
	return func(c *config) { c.axonAddr = addr }
}

// WithAxonConnect makes Start also connect out to a viewer listening at
// addr ("host:port") and write Axon's introspector protocol to it, as
// Kamaelia's Introspector piped into a TCPClient does: both Kamaelia's
// AxonVisualiser (port 1500 by default) and kamaelia visualise listen for
// an introspector, so neither can read WithAxonProtocol's port. Start
// dials at once and again, backing off, whenever the viewer is not there
// or goes away; each connection gets the whole graph ("DEL ALL" first).
// Handler ignores it.
func WithAxonConnect(addr string) Option {
	return func(c *config) { c.axonConnect = addr }
}

// WithInterval sets how often the system is looked at while someone
// watches it (DefaultInterval; d > 0). Nothing is looked at while nobody
// watches.
func WithInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.interval = d
		}
	}
}

// WithWriteTimeout sets how long one write to a watcher may block before
// the watcher is disconnected (DefaultWriteTimeout; d > 0). It is the
// slow-consumer policy: a watcher that does not read is dropped instead of
// holding memory or anything else up.
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.writeTimeout = d
		}
	}
}

// WithLogger sets where the inspector reports watchers it disconnected and
// connections it could not serve. By default it reports nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}
