package inspect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/inspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// httpGet fetches url with a client that keeps no connection open after.
func httpGet(t *testing.T, ctx context.Context, url string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	return httpDo(t, req)
}

// httpDo sends req with a client that keeps no connection open after, and
// returns the response with its body read.
func httpDo(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// twoParts is a small system: producer.outbox -> consumer.inbox, with
// three messages waiting in the consumer's inbox (capacity 4).
func twoParts(t *testing.T) (*axon.Scheduler, *part, *part) {
	t.Helper()
	s := axontest.NewScheduler(t)
	p, c := pusher("producer", 3), idle("consumer")
	c.in.SetCapacity(4)
	axon.MustLink(p.out, c.in)
	s.Activate(p, c)
	return s, p, c
}

// settle waits, on the event stream of the handler at url, for a snapshot
// that done accepts, and returns it.
func settle(t *testing.T, ctx context.Context, url string, done func(*axon.Snapshot) bool) *axon.Snapshot {
	t.Helper()
	var got *axon.Snapshot
	err := inspect.Watch(ctx, url, func(snap *axon.Snapshot) error {
		got = snap
		if done(snap) {
			return errSettled
		}
		return nil
	})
	require.ErrorIs(t, err, errSettled, "last snapshot: %+v", got)
	return got
}

func inboxLen(snap *axon.Snapshot, comp uint64) int {
	for _, b := range snap.Boxes {
		if b.Component == comp && b.Name == "inbox" {
			return b.Len
		}
	}
	return -1
}

func TestSnapshotJSONHasTheSystemsShape(t *testing.T) {
	ctx := axontest.Context(t)
	s, p, c := twoParts(t)
	ts := httptest.NewServer(inspect.Handler(s, inspect.WithInterval(20*time.Millisecond)))
	defer ts.Close()
	settle(t, ctx, ts.URL, func(snap *axon.Snapshot) bool { return inboxLen(snap, c.ID()) == 3 })

	resp, body := httpGet(t, ctx, ts.URL+"/snapshot.json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &raw))
	assert.ElementsMatch(t, []string{"components", "boxes", "links"}, keys(raw), "no deadlocks: the key is left out")

	var snap axon.Snapshot
	require.NoError(t, json.Unmarshal(body, &snap))
	assert.Equal(t, []axon.ComponentInfo{
		{ID: p.ID(), Name: "producer", State: "running"},
		{ID: c.ID(), Name: "consumer", State: "running"},
	}, snap.Components)
	assert.Contains(t, snap.Boxes, axon.BoxInfo{Component: c.ID(), Name: "inbox", Inbox: true, Type: "int", Len: 3, Cap: 4})
	assert.Equal(t, []axon.LinkInfo{{FromComponent: p.ID(), FromBox: "outbox", ToComponent: c.ID(), ToBox: "inbox", Kind: "normal"}}, snap.Links)
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestGraphDOTIsTheSnapshotsDOT(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, c := twoParts(t)
	ts := httptest.NewServer(inspect.Handler(s, inspect.WithInterval(20*time.Millisecond)))
	defer ts.Close()
	settle(t, ctx, ts.URL, func(snap *axon.Snapshot) bool { return inboxLen(snap, c.ID()) == 3 })

	resp, body := httpGet(t, ctx, ts.URL+"/graph.dot")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/vnd.graphviz; charset=utf-8", resp.Header.Get("Content-Type"))
	// The system stands still now, so the DOT is exactly the snapshot's.
	assert.Equal(t, s.Snapshot().DOT(), string(body))
	assert.Contains(t, string(body), `label="inbox 3/4"`)
}

func TestPageIsServedWithTheSnapshotInIt(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	ts := httptest.NewServer(inspect.Handler(s))
	defer ts.Close()

	resp, body := httpGet(t, ctx, ts.URL+"/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	page := string(body)
	assert.Contains(t, page, `<script id="snapshot" type="application/json">{"components":[`)
	assert.NotContains(t, page, "/*SNAPSHOT*/")
	for _, external := range []string{"http://", "https://", "src=\"//"} {
		// Only the SVG namespace may look like an address.
		page = strings.ReplaceAll(page, "http://www.w3.org/2000/svg", "")
		assert.NotContains(t, page, external, "the page must load nothing from elsewhere")
	}

	resp, _ = httpGet(t, ctx, ts.URL+"/nothing-here")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestPageEscapesNamesThatLookLikeHTML(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	s.Activate(idle("</script><script>alert(1)</script>"))
	ts := httptest.NewServer(inspect.Handler(s))
	defer ts.Close()
	_, body := httpGet(t, ctx, ts.URL+"/")
	assert.NotContains(t, string(body), "<script>alert(1)")
	assert.Contains(t, string(body), `\u003c/script\u003e\u003cscript\u003ealert(1)`)
}

func TestEventsStreamSnapshotsAsTheSystemChanges(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	ts := httptest.NewServer(inspect.Handler(s, inspect.WithInterval(10*time.Millisecond)))
	defer ts.Close()

	// The wire format: a retry hint, then a "snapshot" event whose data is
	// the snapshot's JSON on one line.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/events", nil)
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	r := bufio.NewReader(resp.Body)
	for _, want := range []string{"retry: 2000\n", "\n", "event: snapshot\n"} {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, want, line)
	}
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(line, `data: {"components":[`), line)
	var snap axon.Snapshot
	require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &snap))
	resp.Body.Close()

	// A component that starts later shows up in a later event.
	late := idle("latecomer")
	calls := 0
	settle(t, ctx, ts.URL, func(snap *axon.Snapshot) bool {
		calls++
		if calls == 1 {
			s.Activate(late)
		}
		for _, c := range snap.Components {
			if c.ID == late.ID() {
				return true
			}
		}
		return false
	})
	assert.GreaterOrEqual(t, calls, 2)
}

func TestWatchReportsWhatIsNotAnInspector(t *testing.T) {
	ctx := axontest.Context(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "hello")
			return
		}
		http.NotFound(w, r)
	}))
	defer ts.Close()
	never := func(*axon.Snapshot) error { return errors.New("called") }

	err := inspect.Watch(ctx, ts.URL, never)
	require.ErrorContains(t, err, "is not an inspector's event stream")

	err = inspect.Watch(ctx, ts.URL+"/elsewhere/", never)
	require.ErrorContains(t, err, "404 Not Found")

	ts2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: snapshot\ndata: {not json\n\n")
	}))
	defer ts2.Close()
	err = inspect.Watch(ctx, ts2.URL, never)
	require.ErrorContains(t, err, "a snapshot event that is not a snapshot")
}

func TestWatchEndsWhenTheInspectorCloses(t *testing.T) {
	ctx := axontest.Context(t)
	s, _, _ := twoParts(t)
	srv, err := inspect.Start(s)
	require.NoError(t, err)
	first := true
	err = inspect.Watch(ctx, srv.URL(), func(*axon.Snapshot) error {
		if first {
			first = false
			// Close waits for the stream's handler to return, and this
			// handler does not block it.
			go func() { assert.NoError(t, srv.Close()) }()
		}
		return nil
	})
	require.ErrorIs(t, err, inspect.ErrStreamEnded)
	require.NoError(t, srv.Close())
}
