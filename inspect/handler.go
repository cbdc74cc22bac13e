package inspect

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// page is the inspector's web page: one self-contained file, its script and
// style inline, so it works with no network but the inspector's own.
//
// The handler writes the current snapshot into the page in place of
// snapshotMark, so that the page draws the system as soon as it loads,
// before its event stream delivers anything.
//
//go:embed page.html
var page []byte

const snapshotMark = "/*SNAPSHOT*/null"

// pageHead and pageTail are the page before and after snapshotMark.
var pageHead, pageTail, _ = bytes.Cut(page, []byte(snapshotMark))

// keepAliveEvery is how often an idle event stream sends a comment, so that
// a watcher that went away is noticed even while the system stands still.
const keepAliveEvery = 15 * time.Second

// Handler returns the inspector's HTTP handler for the components running
// on s (axon.Default() if s is nil), for a program to mount on its own mux
// (under a prefix with http.StripPrefix: the page uses relative URLs). Its
// routes are:
//
//	GET /               the page: the live component graph
//	GET /snapshot.json  s.Snapshot() as JSON (axon.Snapshot's fields)
//	GET /graph.dot      the snapshot as a Graphviz digraph
//	GET /events         Server-Sent Events: a "snapshot" event with the
//	                    JSON above at once, then each time it changes
//
// WithInterval and WithWriteTimeout apply; the other options are Start's.
// The system is looked at only while an event stream is open.
func Handler(s *axon.Scheduler, opts ...Option) http.Handler {
	if s == nil {
		s = axon.Default()
	}
	cfg := newConfig(opts)
	return newHandler(newFeed(s, cfg.interval), cfg)
}

func newHandler(f *feed, cfg config) http.Handler {
	h := &handler{feed: f, cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.respond("text/html; charset=utf-8", h.page))
	mux.HandleFunc("GET /snapshot.json", h.respond("application/json", h.snapshot))
	mux.HandleFunc("GET /graph.dot", h.respond("text/vnd.graphviz; charset=utf-8", h.dot))
	mux.HandleFunc("GET /events", h.events)
	return noSniff(mux)
}

// noSniff tells browsers to take every response as the type it says it
// is: a snapshot holds names a system's users chose, which must never be
// run as a script or a page.
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

type handler struct {
	feed *feed
	cfg  config
}

// respond serves what body returns, as ctype, with the write timeout, so
// that a client that does not read cannot hold its connection for ever.
// The deadline is set once the response is made, not before: looking at a
// big system and encoding it takes the inspector a while (a tenth of a
// second for 4,000 components under the race detector), which is no
// client's slowness and must not count against a short WithWriteTimeout,
// cutting the response of a client that reads. Where the server cannot set deadlines (a ResponseWriter wrapped by
// middleware), the response goes without one.
func (h *handler) respond(ctype string, body func() ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		data, err := body()
		if err != nil {
			http.Error(w, "inspect: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-store")
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(h.cfg.writeTimeout))
		_, _ = w.Write(data)
	}
}

// page is the page with the snapshot in it.
func (h *handler) page() ([]byte, error) {
	// json.Marshal escapes '<', '>' and '&', so the snapshot cannot end
	// the script element it is written into.
	data, err := json.Marshal(h.feed.s.Snapshot())
	if err != nil {
		return nil, err
	}
	return slices.Concat(pageHead, data, pageTail), nil
}

// snapshot is the snapshot as JSON, on one line.
func (h *handler) snapshot() ([]byte, error) {
	data, err := json.Marshal(h.feed.s.Snapshot())
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// dot is the snapshot as a Graphviz digraph.
func (h *handler) dot() ([]byte, error) {
	return []byte(h.feed.s.Snapshot().DOT()), nil
}

// events streams snapshots as Server-Sent Events until the client goes,
// the inspector closes, or a write blocks longer than the write timeout.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	wt := h.feed.watch()
	if wt == nil {
		http.Error(w, "inspect: the inspector is closing", http.StatusServiceUnavailable)
		return
	}
	defer h.feed.unwatch(wt)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	write := func(b []byte) error {
		if err := rc.SetWriteDeadline(time.Now().Add(h.cfg.writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	// The client reconnects 2s after losing the stream.
	if err := write([]byte("retry: 2000\n\n")); err != nil {
		return
	}
	keepAlive := time.NewTicker(keepAliveEvery)
	defer keepAlive.Stop()
	var msg []byte
	for {
		select {
		case <-r.Context().Done():
			return
		case <-wt.gone:
			return
		case <-keepAlive.C:
			if err := write([]byte(": keep-alive\n\n")); err != nil {
				h.dropped(r, err)
				return
			}
		case fr := <-wt.frames:
			msg = append(append(append(msg[:0], "event: snapshot\ndata: "...), fr.json...), "\n\n"...)
			if err := write(msg); err != nil {
				h.dropped(r, err)
				return
			}
		}
	}
}

// dropped reports an event stream that ended on a failed write. net/http
// cancels the request's context as soon as a write to the connection
// fails, so a watcher cut by the write timeout is told by its error, not
// by the context: it is the slow consumer WithLogger's log is for. Other
// failures are reported only while the client was still there.
func (h *handler) dropped(r *http.Request, err error) {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		h.cfg.log.Warn("inspect: disconnected an event stream client that does not read",
			slog.String("client", r.RemoteAddr), slog.Duration("writeTimeout", h.cfg.writeTimeout))
	case r.Context().Err() == nil:
		h.cfg.log.Warn("inspect: event stream ended", slog.String("client", r.RemoteAddr), slog.Any("err", err))
	}
}
