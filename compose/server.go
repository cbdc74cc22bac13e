package compose

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/kamaelia-go/kamaelia/launch"
)

//go:embed page.html
var page []byte

// maxBody bounds a request's body: a design of thousands of components is
// well under it.
const maxBody = 8 << 20

// waitBound is how long GET /api/run?wait=1 waits for a run to end.
const waitBound = 30 * time.Second

// Options change what a Server offers.
type Options struct {
	// GoCatalogs are the packages the generated Go source registers its
	// components from; nil is StandardCatalog alone.
	GoCatalogs []GoCatalog
	// AllowedHosts are host names, besides localhost and IP addresses,
	// that requests may be addressed to (a Host header): the names of a
	// machine Compose is served from on purpose. Any other is refused,
	// against DNS rebinding.
	AllowedHosts []string
}

// Server is Compose for one Registry: an Editor, the page, its HTTP API,
// and the run of the design with its inspector. Mount it (it is an
// http.Handler) or Serve it with Start.
type Server struct {
	ed   *Editor
	opts Options
	run  *runner
	mux  *http.ServeMux
}

// New returns the Server of r's components.
func New(r *launch.Registry, opts Options) *Server {
	if opts.GoCatalogs == nil {
		opts.GoCatalogs = []GoCatalog{StandardCatalog}
	}
	s := &Server{ed: NewEditor(r), opts: opts, run: newRunner(), mux: http.NewServeMux()}
	s.routes()
	return s
}

// Editor returns the Server's Editor: what the page edits.
func (s *Server) Editor() *Editor { return s.ed }

// Close stops the running design, if any, and ends the inspector's event
// streams. The Server answers the API still, and can run again.
func (s *Server) Close() { s.run.close() }

// ServeHTTP serves the page and the API (see the package doc) to the page
// only: a request addressed to a host name not allowed, or one that
// changes something and is not sent as application/json from the page's
// own origin, is refused (403, 415).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !s.guard(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

// View is the whole state the page draws: the design, its labels, what is
// wrong with it, what it generates, and the last run.
type View struct {
	Design *Design `json:"design"`
	// Labels are the components' labels by uid.
	Labels map[int]string `json:"labels"`
	// LinkTypes are the types each link carries, as Design.Links.
	LinkTypes []string `json:"linkTypes"`
	// Problems stop the design being built; Ready says there are none.
	Problems []Problem `json:"problems"`
	Ready    bool      `json:"ready"`
	// Launch is the design as a launch description, Go as a Go program.
	Launch string `json:"launch"`
	Go     string `json:"go"`
	// Run is the last run.
	Run RunStatus `json:"run"`
}

// View returns the View of the design now.
func (s *Server) View() View {
	d := s.ed.Design()
	r := s.ed.Registry()
	v := View{Design: d, Labels: map[int]string{}, LinkTypes: linkTypes(r, d), Problems: Check(r, d), Launch: Launch(r, d), Run: s.run.get()}
	v.Ready = len(v.Problems) == 0
	for _, c := range d.Components {
		v.Labels[c.UID] = c.Label()
	}
	src, err := GoSource(d, s.opts.GoCatalogs)
	if err != nil {
		src = "// " + err.Error() + "\n" + src
	}
	v.Go = src
	return v
}

// Result is the answer to an operation: the View after it, the topology
// commands it made (Topology), and, when it was refused, why.
type Result struct {
	View     View     `json:"view"`
	Topology []string `json:"topology"`
	Error    string   `json:"error,omitempty"`
}

// PaletteEntry is one component of the palette: a Registry entry.
type PaletteEntry struct {
	Name     string       `json:"name"`
	Summary  string       `json:"summary"`
	Label    string       `json:"abbrev"`
	Inboxes  []PaletteBox `json:"inboxes"`
	Outboxes []PaletteBox `json:"outboxes"`
	Params   []PaletteArg `json:"params"`
}

// PaletteBox is one box of a PaletteEntry.
type PaletteBox struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Doc  string `json:"doc"`
}

// PaletteArg is one property of a PaletteEntry.
type PaletteArg struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Default  string `json:"default"`
	Required bool   `json:"required"`
	Doc      string `json:"doc"`
}

// Palette returns every entry of r, sorted by name.
func Palette(r *launch.Registry) []PaletteEntry {
	var out []PaletteEntry
	boxes := func(bs []launch.BoxDoc) []PaletteBox {
		pb := make([]PaletteBox, len(bs))
		for i, b := range bs {
			pb[i] = PaletteBox{Name: b.Name, Type: typeName(b.Type), Doc: b.Doc}
		}
		return pb
	}
	for _, n := range r.Names() {
		e, _ := r.Lookup(n)
		pe := PaletteEntry{Name: n, Summary: e.Summary, Label: Abbreviate(n), Inboxes: boxes(e.Inboxes), Outboxes: boxes(e.Outboxes), Params: []PaletteArg{}}
		for _, p := range e.Params {
			pe.Params = append(pe.Params, PaletteArg{Name: p.Name, Kind: p.Kind.String(), Default: p.Default, Required: p.Required, Doc: p.Doc})
		}
		out = append(out, pe)
	}
	return out
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		// json.Marshal escapes '<', '>' and '&': what is written cannot
		// end the script element it goes into.
		pal, err := json.Marshal(Palette(s.ed.Registry()))
		var state []byte
		if err == nil {
			state, err = json.Marshal(s.View())
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out := bytes.Replace(page, []byte("/*PALETTE*/null"), pal, 1)
		out = bytes.Replace(out, []byte("/*STATE*/null"), state, 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(out)
	})
	m.HandleFunc("GET /api/palette", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Palette(s.ed.Registry()))
	})
	m.HandleFunc("GET /api/state", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.View())
	})
	type addArgs struct {
		Type string  `json:"type"`
		X    float64 `json:"x"`
		Y    float64 `json:"y"`
	}
	type setArgs struct {
		UID   int    `json:"uid"`
		Prop  string `json:"prop"`
		Value string `json:"value"`
		Unset bool   `json:"unset"`
	}
	type uidArgs struct {
		UID int     `json:"uid"`
		X   float64 `json:"x"`
		Y   float64 `json:"y"`
	}
	handleOp(s, "/api/add", func(a addArgs) ([]string, error) {
		_, cmds, err := s.ed.Add(a.Type, a.X, a.Y)
		return cmds, err
	})
	handleOp(s, "/api/set", func(a setArgs) ([]string, error) { return s.ed.Set(a.UID, a.Prop, a.Value, a.Unset) })
	handleOp(s, "/api/link", func(l Link) ([]string, error) { return s.ed.Link(l.From, l.To) })
	handleOp(s, "/api/remove", func(a uidArgs) ([]string, error) { return s.ed.Remove(a.UID) })
	handleOp(s, "/api/move", func(a uidArgs) ([]string, error) { return nil, s.ed.Move(a.UID, a.X, a.Y) })
	handleOp(s, "/api/unlink", func(p Port) ([]string, error) { return s.ed.Unlink(p) })
	handleOp(s, "/api/launch", func(a struct {
		Launch string `json:"launch"`
	}) ([]string, error) {
		return s.ed.ImportLaunch(a.Launch)
	})
	m.HandleFunc("POST /api/clear", func(w http.ResponseWriter, _ *http.Request) { s.answer(w, s.ed.Clear(), nil) })
	m.HandleFunc("GET /api/design.json", func(w http.ResponseWriter, _ *http.Request) {
		data, err := s.ed.Design().Marshal()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="design.json"`)
		_, _ = w.Write(append(data, '\n'))
	})
	m.HandleFunc("POST /api/design.json", func(w http.ResponseWriter, r *http.Request) {
		var d Design
		if err := readJSON(r, &d); err != nil {
			writeJSON(w, http.StatusBadRequest, Result{View: s.View(), Error: "not a design: " + err.Error()})
			return
		}
		cmds, err := s.ed.Load(&d)
		s.answer(w, cmds, err)
	})
	m.HandleFunc("POST /api/run", func(w http.ResponseWriter, _ *http.Request) {
		v := s.View()
		if !v.Ready {
			writeJSON(w, http.StatusConflict, Result{View: v, Error: "the design cannot be built: " + v.Problems[0].Msg})
			return
		}
		s.run.start(s.ed.Registry(), v.Launch)
		writeJSON(w, http.StatusOK, Result{View: s.View()})
	})
	m.HandleFunc("POST /api/stop", func(w http.ResponseWriter, _ *http.Request) {
		s.run.stop()
		writeJSON(w, http.StatusOK, Result{View: s.View()})
	})
	m.HandleFunc("GET /api/run", func(w http.ResponseWriter, r *http.Request) {
		st := s.run.get()
		if r.URL.Query().Get("wait") != "" {
			ctx, cancel := context.WithTimeout(r.Context(), waitBound)
			st = s.run.wait(ctx)
			cancel()
		}
		writeJSON(w, http.StatusOK, st)
	})
	m.Handle("/run/", http.StripPrefix("/run", s.run))
}

// handleOp routes POST path to do, with the request's body decoded as its
// argument, and answers with the Result.
func handleOp[T any](s *Server, path string, do func(T) ([]string, error)) {
	s.mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		var a T
		if err := readJSON(r, &a); err != nil {
			writeJSON(w, http.StatusBadRequest, Result{View: s.View(), Topology: []string{}, Error: err.Error()})
			return
		}
		cmds, err := do(a)
		s.answer(w, cmds, err)
	})
}

// answer writes the Result of an operation: 409 Conflict when the rules
// refused it.
func (s *Server) answer(w http.ResponseWriter, cmds []string, err error) {
	res := Result{View: s.View(), Topology: cmds}
	if res.Topology == nil {
		res.Topology = []string{}
	}
	code := http.StatusOK
	if err != nil {
		res.Error = err.Error()
		code = http.StatusConflict
		if !errors.Is(err, ErrRefused) {
			code = http.StatusBadRequest
		}
	}
	writeJSON(w, code, res)
}

// readJSON decodes the request's body into v, refusing unknown fields and
// bodies over maxBody.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad request body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}

// readHeaderTimeout bounds how long a client may take to send a request's
// header, and idleTimeout how long a kept-alive connection may sit idle:
// a client that trickles or forgets a connection does not hold a
// goroutine and a socket for ever.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Listening is a Server serving HTTP on an address of its own.
type Listening struct {
	*Server
	http *http.Server
	url  string
	done chan struct{}
}

// Start serves s on addr ("127.0.0.1:0" picks a free port; Compose runs
// what it is told, so it listens on the loopback interface unless told
// otherwise) until Close.
func Start(s *Server, addr string) (*Listening, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	l := &Listening{Server: s, http: &http.Server{Handler: s, ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}, done: make(chan struct{})}
	l.url = "http://" + dialable(ln.Addr()) + "/"
	go func() {
		defer close(l.done)
		_ = l.http.Serve(ln) // ErrServerClosed after Close
	}()
	return l, nil
}

// dialable returns addr as a client dials it: a listener on every
// interface is reached on the loopback address.
func dialable(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
}

// URL returns the page's address, such as "http://127.0.0.1:34567/".
func (l *Listening) URL() string { return l.url }

// Close stops the run, ends the inspector's streams, stops serving and
// returns once the server has.
func (l *Listening) Close() error {
	l.Server.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.http.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, l.http.Close())
	}
	<-l.done
	return err
}
