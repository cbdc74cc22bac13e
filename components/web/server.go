// Package web has the web components of kamaelia-go: an HTTP server whose
// requests are served by components (a handler component per request, or a
// session component kept between requests), ordered prefix routing, a
// static file handler, and HTTP client components (Kamaelia's HTTPServer,
// HTTPResourceGlue, Minimal, SessionExample, SingleShotHTTPClient and
// SimpleHTTPClient).
//
// net/http parses requests and frames responses; this package is the
// adaptor between it and components. A handler component is any component
// with an inbox "inbox" that takes Incoming messages (a *Request, then the
// request body as BodyChunk messages and a BodyEnd) and an outbox "outbox"
// that sends Part messages: a Resource (status, type, optional length,
// headers, optional data), then Chunk messages, then End or its own end.
package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Incoming is what a handler component is sent on its inbox: a *Request,
// then BodyChunk messages, then one BodyEnd.
type Incoming interface{ incoming() }

// Request is the record of an HTTP request a handler component is sent
// first (Kamaelia's request dictionary).
type Request struct {
	Method string
	// URI is the request target as the client sent it ("/a%20b?x=1").
	URI string
	// Path is the decoded path of the URI ("/a b").
	Path string
	// Query is the URI's query, undecoded, without "?".
	Query string
	// Proto is "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0".
	Proto      string
	Header     http.Header
	Host       string
	RemoteAddr string
	// ContentLength is the body's length, -1 if not known (chunked), 0 when
	// there is no body.
	ContentLength int64
	// Prefix is the route prefix that matched (Kamaelia's
	// uri-prefix-trigger); Suffix the rest of Path after it (uri-suffix),
	// the session key for a session route.
	Prefix, Suffix string
	// Session says the handler is a session component, which will be sent
	// later requests too; otherwise this is its only request.
	Session bool
}

// BodyChunk is a piece of the request body, in order. The handler owns it.
type BodyChunk []byte

// BodyEnd ends the request body: Err is nil when the whole body arrived,
// else why it did not (the client went away, or *http.MaxBytesError when
// the body was over the server's limit).
type BodyEnd struct{ Err error }

func (*Request) incoming()  {}
func (BodyChunk) incoming() {}
func (BodyEnd) incoming()   {}

// Part is what a handler component sends on its outbox: one Resource, then
// Chunk messages, then End (a per-request handler may end instead).
type Part interface{ part() }

// Resource starts the response (Kamaelia's resource record).
type Resource struct {
	// Status is the HTTP status code; 0 means 200.
	Status int
	// Type is the Content-Type, e.g. "text/html"; Charset, when set, is
	// added as its charset parameter.
	Type, Charset string
	// Length is the body's length in bytes, used only when LengthKnown:
	// then the response has a Content-Length. Otherwise it is chunked
	// (HTTP/1.1) or ends with the connection (HTTP/1.0).
	Length      int64
	LengthKnown bool
	// Headers are more headers to send.
	Headers http.Header
	// Data is the start of the body, if any.
	Data []byte
}

// Chunk is the next piece of the response body; each is flushed to the
// client when written.
type Chunk []byte

// End ends the response. A session component must send it; a per-request
// handler may end instead.
type End struct{}

// Abort ends the response as failed, without the handler failing: 500
// with Err's text if the response has not begun, else the connection is
// cut so that the client sees it incomplete. (A handler that fails does
// the same, but its failure is also the scheduler's to log and report.)
type Abort struct{ Err error }

func (Resource) part() {}
func (Chunk) part()    {}
func (End) part()      {}
func (Abort) part()    {}

// Factory makes the handler component for a request. The component must
// have an inbox "inbox" that takes Incoming and an outbox "outbox" of Part
// (or of types they convert to); its "signal" tells when it ended. An
// error is answered with 500.
type Factory func(req *Request) (axon.Component, error)

// Route maps requests whose path starts with Prefix to components made by
// New. With Session set, the component is kept, keyed by the path's suffix
// after Prefix, and serves every later request for the same suffix (one at
// a time: a request to a session busy with another gets 500 "Session
// handler busy"; a session is free again once it has sent End, and a
// response of known length is let complete only then, so a client that
// has its whole answer never finds its session busy); it is made again if
// it has ended.
type Route struct {
	Prefix  string
	New     Factory
	Session bool
}

// Limits bound what one request may cost the server.
type Limits struct {
	// MaxBodyBytes is the largest request body taken; a larger one ends
	// the body with BodyEnd{Err: *http.MaxBytesError} and the connection
	// is closed after the response. 0 means DefaultMaxBodyBytes, -1 none.
	MaxBodyBytes int64
	// WriteTimeout bounds each write of the response to the client (not
	// the whole response, which may stream for ever): a client that takes
	// no data for this long is cut off. Once the client's side of the
	// connection has ended (it half-closed, or went away), it also bounds
	// the wait for each part of the handler's: a handler silent for this
	// long is told to stop and the connection closed without an answer.
	// 0 means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// HandlerQueue is the capacity of the box the handler's parts wait in
	// before they are written: how far a handler may run ahead of a slow
	// client. 0 means 4.
	HandlerQueue int
}

// Defaults of Limits and of NewHTTPServer.
const (
	DefaultMaxBodyBytes      = 32 << 20
	DefaultWriteTimeout      = 30 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// NoRouteMessage is the body of the 404 answer to a request no route
// matches.
const NoRouteMessage = "No resource handlers could be found for the requested URL"

// BusyMessage is the body of the 500 answer to a request for a session
// busy with another request.
const BusyMessage = "Session handler busy"

// Server is an http.Handler whose requests are served by components
// (Kamaelia's HTTPServer with HTTPRequestHandler and its routing). For
// each request it finds the first Route whose Prefix the path starts with
// (routes are tried in order: put "/" last), makes or finds the handler
// component, sends it the *Request and the body, and writes the Parts it
// sends to the client with net/http's framing: Content-Length when the
// Resource gives a length, else chunked for HTTP/1.1 (the connection stays
// open for the next request) or the connection closed after the body for
// HTTP/1.0. Each Chunk is flushed at once.
//
// Back-pressure both ways: the body goes to the handler as fast as it
// takes it, and a handler's parts wait in a small box for a slow client.
// Components run on the Server's scheduler; none is left behind: a
// request's handler is shut down when the client goes away.
//
// A client that half-closes after its request (nc -N, socat) gets its
// whole answer. net/http ends the request's context when the client's
// side ends, whether it went away or only half-closed, and the two look
// alike until a write fails; so the response goes on, each part of the
// handler's awaited for at most Limits.WriteTimeout, and a client that
// went away is noticed at the next write, its handler then shut down.
//
// Errors: no route matches: 404 with NoRouteMessage; the factory fails, or
// the handler ends or fails before sending a Resource: 500; the handler
// fails after the response began: the connection is cut, so the client
// sees a truncated response, not a complete one. A malformed request never
// reaches the Server: net/http answers 400.
//
// Shutdown: Close shuts the session components down; per-request
// components end with their requests. Use the http.Server's Shutdown to
// stop taking requests first.
type Server struct {
	sched  *axon.Scheduler
	routes []Route
	limits Limits

	// keeper is the parent of the session components: closing its handle
	// shuts them down and waits for them.
	keeper *keeper
	kh     *axon.Handle
	// closing ends with Close: the requests whose clients' side has
	// ended stop waiting for their handlers (see exchange.waitContext).
	closing context.Context
	close   context.CancelFunc

	mu       sync.Mutex
	closed   bool
	sessions map[string]*session       // key: route index + "\x00" + suffix
	keys     map[axon.Component]string // each session's key in sessions
}

type session struct {
	comp axon.Component
	busy bool
}

// NewServer returns a Server of routes on scheduler s (the default
// scheduler if nil), with limits (zero fields: the defaults). It panics if
// a route has no factory: that is a program's mistake.
func NewServer(s *axon.Scheduler, limits Limits, routes ...Route) *Server {
	if s == nil {
		s = axon.Default()
	}
	for i, r := range routes {
		if r.New == nil {
			panic(fmt.Sprintf("web: route %d (%q) has no factory", i, r.Prefix))
		}
	}
	if limits.MaxBodyBytes == 0 {
		limits.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if limits.WriteTimeout == 0 {
		limits.WriteTimeout = DefaultWriteTimeout
	}
	if limits.HandlerQueue <= 0 {
		limits.HandlerQueue = 4
	}
	srv := &Server{sched: s, routes: routes, limits: limits, sessions: map[string]*session{}, keys: map[axon.Component]string{}}
	srv.closing, srv.close = context.WithCancel(context.Background())
	srv.keeper = &keeper{ended: srv.ended}
	srv.keeper.SetName("web.sessions")
	h, err := axon.NewHandle(s, srv.keeper, "control")
	if err != nil {
		panic(err) // a fresh component with its control inbox: cannot fail
	}
	srv.kh = h
	return srv
}

// keeper holds the session components as its children until it is shut
// down, forgetting those that ended, and telling ended about each.
type keeper struct {
	axon.Core
	ended func(axon.Component)
}

func (k *keeper) Main(ctx context.Context) error {
	for {
		if err := k.Wait(ctx); err != nil {
			return err
		}
		k.TakeControl(nil)
		for _, c := range k.EndedChildren() {
			_ = k.RemoveChild(c)
			k.ended(c)
		}
	}
}

// NewHTTPServer returns an http.Server for h on addr with the limits of a
// production server: request headers must arrive within
// DefaultReadHeaderTimeout (10 s) and be at most DefaultMaxHeaderBytes (64
// KiB); an idle keep-alive connection is closed after DefaultIdleTimeout
// (2 min). There is no limit on a whole request or response, so bodies may
// stream: Server's Limits bound the body size and each write.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    DefaultMaxHeaderBytes,
	}
}

// Close shuts down every session component and waits for them to end;
// later requests for sessions get 503. Requests whose client's side has
// ended stop waiting for their handlers.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	clear(s.sessions)
	clear(s.keys)
	s.mu.Unlock()
	s.close()
	err := s.kh.Close()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// route finds the first route for path.
func (s *Server) route(path string) (int, bool) {
	for i, r := range s.routes {
		if strings.HasPrefix(path, r.Prefix) {
			return i, true
		}
	}
	return 0, false
}

// ServeHTTP serves one request with a handler component.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, ok := s.route(r.URL.Path)
	if !ok {
		http.Error(w, NoRouteMessage, http.StatusNotFound)
		return
	}
	rt := s.routes[i]
	req := &Request{
		Method: r.Method, URI: r.RequestURI, Path: r.URL.Path, Query: r.URL.RawQuery,
		Proto: r.Proto, Header: r.Header, Host: r.Host, RemoteAddr: r.RemoteAddr,
		ContentLength: r.ContentLength,
		Prefix:        rt.Prefix, Suffix: strings.TrimPrefix(r.URL.Path, rt.Prefix),
		Session: rt.Session,
	}
	var comp axon.Component
	var release func()
	if rt.Session {
		var refusal *answer
		comp, release, refusal = s.session(i, req)
		if refusal != nil {
			http.Error(w, refusal.msg, refusal.status)
			return
		}
		defer release()
	} else {
		c, err := rt.New(req)
		if err != nil || c == nil {
			http.Error(w, fmt.Sprintf("web: no handler for %s: %v", req.Path, err), http.StatusInternalServerError)
			return
		}
		comp = c
	}
	x, err := newExchange(s, w, r, req, comp, rt.Session)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if !rt.Session {
		s.sched.Activate(comp)
	}
	if rt.Session {
		x.broken = func() { s.forget(i, req.Suffix, comp) }
		x.release = release
	}
	x.serve(r.Context())
	if x.abort {
		// The response began and will not end well: cut the connection
		// rather than let it look complete.
		panic(http.ErrAbortHandler)
	}
}

// forget drops the session of route for suffix, if it is still comp: it
// was told Shutdown when its response broke off.
func (s *Server) forget(route int, suffix string, comp axon.Component) {
	key := strconv.Itoa(route) + "\x00" + suffix
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.sessions[key]; ss != nil && ss.comp == comp {
		delete(s.sessions, key)
	}
}

// ended forgets comp, a session that has ended: otherwise it would stay
// in sessions until a request came for its key again, and one that never
// comes (a session that ended itself after its client's last request)
// would hold it for as long as the Server lives.
func (s *Server) ended(comp axon.Component) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.keys[comp]
	if !ok {
		return
	}
	delete(s.keys, comp)
	if ss := s.sessions[key]; ss != nil && ss.comp == comp {
		delete(s.sessions, key)
	}
}

// answer is a refusal: the status and body to answer with.
type answer struct {
	status int
	msg    string
}

// session finds or makes the session component for req and marks it busy;
// release marks it free. An answer is the refusal instead: 500
// BusyMessage when the session is busy, 503 after Close, 500 when the
// factory failed.
func (s *Server) session(route int, req *Request) (axon.Component, func(), *answer) {
	key := strconv.Itoa(route) + "\x00" + req.Suffix
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, &answer{http.StatusServiceUnavailable, "web: the server is closed"}
	}
	ss := s.sessions[key]
	if ss != nil && ss.comp.(interface{ State() axon.State }).State() == axon.Finished {
		ss = nil
	}
	if ss == nil {
		c, err := s.routes[route].New(req)
		if err == nil && c == nil {
			err = errors.New("the factory made nothing")
		}
		if err == nil {
			err = s.keeper.AddChildren(c)
		}
		if err != nil {
			return nil, nil, &answer{http.StatusInternalServerError, fmt.Sprintf("web: no session handler for %s: %v", req.Path, err)}
		}
		ss = &session{comp: c}
		s.sessions[key] = ss
		s.keys[c] = key
		s.keeper.ActivateChildren()
	}
	if ss.busy {
		return nil, nil, &answer{http.StatusInternalServerError, BusyMessage}
	}
	ss.busy = true
	released := false // release is called twice: by the exchange and at the end
	return ss.comp, func() {
		s.mu.Lock()
		if !released {
			released = true
			ss.busy = false
		}
		s.mu.Unlock()
	}, nil
}
