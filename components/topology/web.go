package topology

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

//go:embed page.html
var page []byte

// Animate steps g's physics rate times a second until ctx is done, as
// TopologyViewer's main loop does between redraws.
func Animate(ctx context.Context, g *Graph, rate int) {
	t := time.NewTicker(time.Second / time.Duration(max(rate, 1)))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.Step(1)
		}
	}
}

// snapshotJSON is a Snapshot as the page reads it.
type snapshotJSON struct {
	Nodes []nodeJSON `json:"nodes"`
	Links [][2]int   `json:"links"`
	Grid  float64    `json:"grid"`
}

type nodeJSON struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	X        float64 `json:"x"`
	Y        float64 `json:"y"`
	Selected bool    `json:"selected,omitempty"`
}

func encodeSnapshot(g *Graph) ([]byte, error) {
	s := g.Snapshot()
	out := snapshotJSON{Nodes: make([]nodeJSON, len(s.Nodes)), Links: make([][2]int, 0, len(s.Links)), Grid: g.Laws().MaxRepelRadius}
	index := make(map[string]int, len(s.Nodes))
	for i, n := range s.Nodes {
		index[n.ID] = i
		out.Nodes[i] = nodeJSON(n)
	}
	for _, l := range s.Links {
		out.Links = append(out.Links, [2]int{index[l.From], index[l.To]})
	}
	return json.Marshal(out)
}

// Handler serves a web page that draws g as Draw does and lets a person
// use it as the SDL window: click selects, drag moves, arrow keys pan.
//
//	GET  /              the page (self-contained: it loads nothing else)
//	GET  /graph.json    the graph: nodes with positions, links as pairs of
//	                    node indexes
//	GET  /events        Server-Sent Events: a "graph" event each time the
//	                    graph changes, at most every interval
//	POST /press?x=&y=   a click at a point of the plane
//	POST /release?x=&y= the end of a drag
//
// Each SELECT that a click causes is passed to onSelect (a Server's
// Broadcast, say); onSelect may be nil.
func Handler(g *Graph, interval time.Duration, onSelect func(...Reply)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	mux.HandleFunc("GET /graph.json", func(w http.ResponseWriter, r *http.Request) {
		b, err := encodeSnapshot(g)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		fl, ok := w.(http.Flusher)
		if !ok {
			http.Error(w, "streaming unsupported", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		t := time.NewTicker(max(interval, 10*time.Millisecond))
		defer t.Stop()
		var last uint64
		first := true
		for {
			if v := g.Version(); first || v != last {
				first, last = false, v
				b, err := encodeSnapshot(g)
				if err != nil {
					return
				}
				if _, err := w.Write([]byte("event: graph\ndata: " + string(b) + "\n\n")); err != nil {
					return
				}
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-t.C:
			}
		}
	})
	point := func(w http.ResponseWriter, r *http.Request) (float64, float64, bool) {
		x, err1 := strconv.ParseFloat(r.URL.Query().Get("x"), 64)
		y, err2 := strconv.ParseFloat(r.URL.Query().Get("y"), 64)
		if err1 != nil || err2 != nil {
			http.Error(w, "x and y must be numbers", http.StatusBadRequest)
			return 0, 0, false
		}
		return x, y, true
	}
	mux.HandleFunc("POST /press", func(w http.ResponseWriter, r *http.Request) {
		x, y, ok := point(w, r)
		if !ok {
			return
		}
		replies := g.Press(x, y)
		if onSelect != nil && len(replies) > 0 {
			onSelect(replies...)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /release", func(w http.ResponseWriter, r *http.Request) {
		x, y, ok := point(w, r)
		if !ok {
			return
		}
		g.Release(x, y)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
