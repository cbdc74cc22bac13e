//go:build cgo

package macro

import (
	"cmp"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Library is the finished recordings of a recording directory, read from
// its finished folder: a recording is listed once its .META file is there,
// with the files whose .DONE marker is there.
type Library struct {
	// Dir is the recording directory (holding encoding and finished).
	Dir string
}

// Recordings returns every finished recording, newest first (by the EIT
// start, then by the capture's start). A .META file that does not parse is
// an error naming it.
func (l Library) Recordings() ([]Recording, error) {
	fin := filepath.Join(l.Dir, FinishedDir)
	metas, err := filepath.Glob(filepath.Join(fin, "*.META"))
	if err != nil {
		return nil, err
	}
	var out []Recording
	for _, m := range metas {
		b, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		var r Recording
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("macro: %s: %w", filepath.Base(m), err)
		}
		files := r.Files[:0]
		for _, f := range r.Files {
			if _, err := os.Stat(filepath.Join(fin, doneName(f.Name))); err == nil {
				files = append(files, f)
			}
		}
		r.Files = files
		if len(r.Files) > 0 {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Recording) int {
		return cmp.Or(b.Start.Compare(a.Start), b.Captured.Compare(a.Captured), strings.Compare(a.ID(), b.ID()))
	})
	return out, nil
}

// doneName returns the .DONE marker of a finished file's name
// (ID.PROFILE.EXT -> ID.PROFILE.DONE).
func doneName(name string) string { return strings.TrimSuffix(name, filepath.Ext(name)) + ".DONE" }

// Query selects recordings: all of its fields that are set must match.
type Query struct {
	// Channel is a channel's slug ("bbc-two").
	Channel string
	// Text is looked for, ignoring case, in the name and the description.
	Text string
	// Genre is a content_nibble_level_1 number ("2") or a word of its
	// name ("news").
	Genre string
}

// Match reports whether r is selected by q.
func (q Query) Match(r Recording) bool {
	if q.Channel != "" && Slug(r.Channel) != q.Channel && fmt.Sprintf("service%d", r.Service) != q.Channel {
		return false
	}
	if t := strings.ToLower(q.Text); t != "" && !strings.Contains(strings.ToLower(r.Name), t) && !strings.Contains(strings.ToLower(r.Description), t) {
		return false
	}
	if q.Genre == "" {
		return true
	}
	n, numErr := strconv.Atoi(q.Genre)
	for _, g := range r.Genres {
		if numErr == nil && int(g.Level1) == n || numErr != nil && strings.Contains(g.Name, strings.ToLower(q.Genre)) {
			return true
		}
	}
	return false
}

// Server is the recorder's web front end, on net/http:
//
//	GET /                          the channels and their recordings (HTML)
//	GET /feeds/CHANNEL.rss         a channel's recordings as an RSS 2.0 feed,
//	                               newest first, the first profile's files as
//	                               enclosures (?profile=HI for another)
//	GET /podcasts/CHANNEL.rss      the same, the name podcast clients expect
//	GET /search?q=TEXT&genre=G     recordings whose name or description holds
//	                               TEXT and whose genre is G (number or name),
//	                               &channel=CHANNEL too, as JSON
//	GET /search.rss?q=...          the same as an RSS 2.0 feed
//	GET /files/NAME                a finished file, with range requests
//	                               (http.ServeContent)
//
// CHANNEL is the channel's Slug ("bbc-two"). Enclosure and link URLs are
// absolute: BaseURL, or the request's scheme and host. Only files whose
// .DONE marker exists are listed or served.
type Server struct {
	Library Library
	// Title names the site in feeds and on the page ("Kamaelia Macro"
	// unless set).
	Title string
	// BaseURL is the site's address as clients reach it
	// ("http://macro.example:8080"); "" takes it from each request.
	BaseURL string
}

// Timeouts of the http.Server HTTPServer returns: how long a client may
// take over a request's header, and how long a kept-alive connection may
// sit idle. There is no write timeout: a recording is long, and a
// listener on a slow link may take an hour to fetch it.
const (
	ReadHeaderTimeout = 10 * time.Second
	IdleTimeout       = 2 * time.Minute
)

// HTTPServer returns an http.Server that serves s with ReadHeaderTimeout
// and IdleTimeout, so that a client that trickles its request or leaves a
// connection open holds no goroutine and socket for ever. Serve it on a
// listener of one's own, and Close or Shutdown it.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{Handler: s, ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: IdleTimeout}
}

// ServeHTTP serves the front end.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/":
		s.index(w, r)
	case strings.HasPrefix(p, "/files/"):
		s.file(w, r, strings.TrimPrefix(p, "/files/"))
	case strings.HasPrefix(p, "/feeds/") && strings.HasSuffix(p, ".rss"):
		s.feed(w, r, Query{Channel: strings.TrimSuffix(strings.TrimPrefix(p, "/feeds/"), ".rss")}, true)
	case strings.HasPrefix(p, "/podcasts/") && strings.HasSuffix(p, ".rss"):
		s.feed(w, r, Query{Channel: strings.TrimSuffix(strings.TrimPrefix(p, "/podcasts/"), ".rss")}, true)
	case p == "/search.rss":
		s.feed(w, r, queryOf(r), false)
	case p == "/search":
		s.search(w, r)
	default:
		http.NotFound(w, r)
	}
}

func queryOf(r *http.Request) Query {
	v := r.URL.Query()
	return Query{Channel: v.Get("channel"), Text: v.Get("q"), Genre: v.Get("genre")}
}

func (s *Server) title() string { return cmp.Or(s.Title, "Kamaelia Macro") }

func (s *Server) base(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimSuffix(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// selected returns the recordings q selects, or writes the error.
func (s *Server) selected(w http.ResponseWriter, q Query) ([]Recording, bool) {
	all, err := s.Library.Recordings()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return nil, false
	}
	var out []Recording
	for _, r := range all {
		if q.Match(r) {
			out = append(out, r)
		}
	}
	return out, true
}

// file serves a finished file, if its .DONE marker is there.
func (s *Server) file(w http.ResponseWriter, r *http.Request, name string) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") ||
		strings.HasSuffix(name, ".DONE") {
		http.NotFound(w, r)
		return
	}
	fin := filepath.Join(s.Library.Dir, FinishedDir)
	if !strings.HasSuffix(name, ".META") {
		if _, err := os.Stat(filepath.Join(fin, doneName(name))); err != nil {
			http.NotFound(w, r)
			return
		}
	}
	f, err := os.Open(filepath.Join(fin, name))
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if strings.HasSuffix(name, ".META") {
		w.Header().Set("Content-Type", "application/json")
	} else if t := mimeOf(name); t != "" {
		w.Header().Set("Content-Type", t)
	}
	http.ServeContent(w, r, name, st.ModTime(), f)
}

func mimeOf(name string) string {
	switch filepath.Ext(name) {
	case ".mp4":
		return "video/mp4"
	case ".m4a":
		return "audio/mp4"
	case ".mp3", ".mp2":
		return "audio/mpeg"
	}
	return ""
}

// RSS is an RSS 2.0 document, as the feeds write it.
type RSS struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel Channel  `xml:"channel"`
}

// Channel is the channel of an RSS 2.0 feed.
type Channel struct {
	Title         string `xml:"title"`
	Link          string `xml:"link"`
	Description   string `xml:"description"`
	LastBuildDate string `xml:"lastBuildDate,omitempty"`
	Items         []Item `xml:"item"`
}

// Item is one recording in a feed.
type Item struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Description string    `xml:"description"`
	PubDate     string    `xml:"pubDate"`
	GUID        GUID      `xml:"guid"`
	Category    []string  `xml:"category,omitempty"`
	Enclosure   Enclosure `xml:"enclosure"`
}

// GUID is an item's guid.
type GUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// Enclosure is an item's media file.
type Enclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

// feed writes the recordings q selects as RSS 2.0, one item each, with the
// file of the profile asked for (the first by default) as its enclosure.
// A channel's feed of a channel with no recordings is 404.
func (s *Server) feed(w http.ResponseWriter, r *http.Request, q Query, channel bool) {
	recs, ok := s.selected(w, q)
	if !ok {
		return
	}
	if channel && len(recs) == 0 {
		http.NotFound(w, r)
		return
	}
	base := s.base(r)
	profile := r.URL.Query().Get("profile")
	title := s.title() + ": search"
	if channel {
		title = s.title() + ": " + recs[0].Channel
	}
	doc := RSS{Version: "2.0", Channel: Channel{Title: title, Link: base + "/",
		Description: "Programmes recorded off air, newest first."}}
	for _, rec := range recs {
		f := rec.Files[0]
		if profile != "" {
			i := slices.IndexFunc(rec.Files, func(f File) bool { return strings.EqualFold(f.Profile, profile) })
			if i < 0 {
				continue
			}
			f = rec.Files[i]
		}
		u := base + "/files/" + url.PathEscape(f.Name)
		it := Item{Title: rec.Name, Link: u, Description: rec.Description,
			PubDate: rec.Start.UTC().Format(time.RFC1123Z), GUID: GUID{IsPermaLink: "false", Value: strings.TrimSuffix(f.Name, filepath.Ext(f.Name))},
			Enclosure: Enclosure{URL: u, Length: f.Bytes, Type: f.MIME}}
		for _, g := range rec.Genres {
			if g.Name != "" && !slices.Contains(it.Category, g.Name) {
				it.Category = append(it.Category, g.Name)
			}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	if len(recs) > 0 {
		doc.Channel.LastBuildDate = recs[0].Start.UTC().Format(time.RFC1123Z)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	recs, ok := s.selected(w, queryOf(r))
	if !ok {
		return
	}
	if recs == nil {
		recs = []Recording{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(recs)
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1>
<form action="/search.rss"><input name="q" placeholder="name or description"> <input name="genre" placeholder="genre"> <button>Search (RSS)</button></form>
{{range .Channels}}<h2>{{.Name}} <a href="/feeds/{{.Slug}}.rss">RSS</a></h2>
<ul>{{range .Recordings}}<li>{{.Start.UTC.Format "2006-01-02 15:04"}} <b>{{.Name}}</b> {{.Description}}{{if .CutShort}} (cut short){{end}}
{{range .Files}} <a href="/files/{{.Name}}">{{.Profile}}</a>{{end}}</li>
{{end}}</ul>
{{else}}<p>No recordings yet.</p>{{end}}
</body></html>
`))

// index writes the page of channels and recordings.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	recs, ok := s.selected(w, Query{})
	if !ok {
		return
	}
	type channel struct {
		Name, Slug string
		Recordings []Recording
	}
	var chans []*channel
	by := map[string]*channel{}
	for _, rec := range recs {
		slug := cmp.Or(Slug(rec.Channel), fmt.Sprintf("service%d", rec.Service))
		c := by[slug]
		if c == nil {
			c = &channel{Name: cmp.Or(rec.Channel, slug), Slug: slug}
			by[slug] = c
			chans = append(chans, c)
		}
		c.Recordings = append(c.Recordings, rec)
	}
	slices.SortFunc(chans, func(a, b *channel) int { return strings.Compare(a.Slug, b.Slug) })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexPage.Execute(w, map[string]any{"Title": s.title(), "Channels": chans}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}
