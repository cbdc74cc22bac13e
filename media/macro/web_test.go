//go:build cgo

package macro_test

import (
	"encoding/json"
	"encoding/xml"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t testing.TB, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// TestPodcastFeedAndRangeRequests is the second radio scenario: GET
// /podcasts/CHANNEL.rss is RSS 2.0 (parsed back) listing the finished
// programmes newest first, each with title, description, pubDate (the EIT
// start), an enclosure (URL, length in bytes, audio/mpeg) and a guid; the
// enclosure is the file, and a Range request returns the bytes asked for.
// The search selects by name or description and by genre.
func TestPodcastFeedAndRangeRequests(t *testing.T) {
	path, _ := generate(t, radioConfig(6*time.Second))
	dir := t.TempDir()
	r := record(t, dvb.FileDevice(path), dir, []macro.Profile{macro.MP3()})
	require.Len(t, r.recordings, 3)
	srv := httptest.NewServer(&macro.Server{Library: macro.Library{Dir: dir}})
	defer srv.Close()

	resp, body := get(t, srv.URL+"/podcasts/bbc-r4.rss")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/rss+xml; charset=utf-8", resp.Header.Get("Content-Type"))
	var feed macro.RSS
	require.NoError(t, xml.Unmarshal(body, &feed), "%s", body)
	assert.Equal(t, "2.0", feed.Version)
	assert.Equal(t, "Kamaelia Macro: BBC R4", feed.Channel.Title)
	require.Len(t, feed.Channel.Items, 3)
	var names []string
	var last time.Time
	guids := map[string]bool{}
	for i, it := range feed.Channel.Items {
		names = append(names, it.Title)
		when, err := time.Parse(time.RFC1123Z, it.PubDate)
		require.NoError(t, err)
		if i > 0 {
			assert.True(t, when.Before(last), "newest first")
		}
		last = when
		assert.NotEmpty(t, it.Description)
		assert.Equal(t, "audio/mpeg", it.Enclosure.Type)
		assert.Equal(t, "false", it.GUID.IsPermaLink)
		guids[it.GUID.Value] = true
		name := filepath.Base(it.Enclosure.URL)
		fi, err := os.Stat(filepath.Join(dir, macro.FinishedDir, name))
		require.NoError(t, err)
		assert.Equal(t, fi.Size(), it.Enclosure.Length)
		assert.True(t, strings.HasPrefix(it.Enclosure.URL, srv.URL+"/files/"))
	}
	assert.Equal(t, []string{"Shipping Forecast", "The Archers", "Today"}, names)
	assert.Len(t, guids, 3)
	assert.Equal(t, "news/current affairs", feed.Channel.Items[0].Category[0])
	assert.Equal(t, "Dogger, Fisher, German Bight.", feed.Channel.Items[0].Description)
	assert.Equal(t, "Fri, 17 May 2024 22:00:01 +0000", feed.Channel.Items[1].PubDate)

	// The enclosure, whole and by range.
	encl := feed.Channel.Items[2].Enclosure
	want, err := os.ReadFile(filepath.Join(dir, macro.FinishedDir, filepath.Base(encl.URL)))
	require.NoError(t, err)
	resp, got := get(t, encl.URL)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, want, got)
	assert.Equal(t, "audio/mpeg", resp.Header.Get("Content-Type"))
	assert.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))
	resp, got = get(t, encl.URL, "Range", "bytes=100-1099")
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, want[100:1100], got)
	assert.Equal(t, "bytes 100-1099/"+strconv.Itoa(len(want)), resp.Header.Get("Content-Range"))
	resp, _ = get(t, encl.URL, "Range", "bytes=99999999-")
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)

	// The same feed under /feeds, and searches.
	resp, body2 := get(t, srv.URL+"/feeds/bbc-r4.rss")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, body, body2)
	feedItems := func(path string) int {
		resp, b := get(t, srv.URL+path)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var f macro.RSS
		require.NoError(t, xml.Unmarshal(b, &f))
		return len(f.Channel.Items)
	}
	assert.Equal(t, 3, feedItems("/feeds/bbc-r4.rss?profile=mp3"))
	assert.Equal(t, 0, feedItems("/feeds/bbc-r4.rss?profile=HI"), "no file of that profile")
	search := func(q string) []string {
		resp, b := get(t, srv.URL+"/search?"+q)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var recs []macro.Recording
		require.NoError(t, json.Unmarshal(b, &recs))
		var out []string
		for _, r := range recs {
			out = append(out, r.Name)
		}
		return out
	}
	assert.Equal(t, []string{"The Archers"}, search("q=COUNTRY"))
	assert.Equal(t, []string{"Shipping Forecast", "Today"}, search("genre=2"))
	assert.Equal(t, []string{"Shipping Forecast", "Today"}, search("genre=news"))
	assert.Equal(t, []string{"The Archers"}, search("genre=drama&channel=bbc-r4"))
	assert.Empty(t, search("q=archers&genre=2"))
	assert.Empty(t, search("channel=bbc-two"))
	resp, body = get(t, srv.URL+"/search.rss?q=forecast")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	feed = macro.RSS{}
	require.NoError(t, xml.Unmarshal(body, &feed))
	require.Len(t, feed.Channel.Items, 1)
	assert.Equal(t, "Shipping Forecast", feed.Channel.Items[0].Title)

	// The page, and what is not served.
	resp, body = get(t, srv.URL+"/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "BBC R4")
	assert.Contains(t, string(body), `href="/feeds/bbc-r4.rss"`)
	for _, p := range []string{"/feeds/bbc-two.rss", "/files/..%2Fx", "/files/" + r.recordings[0].ID() + ".MP3.DONE", "/nothing"} {
		resp, _ := get(t, srv.URL+p)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
	}
	post, err := http.Post(srv.URL+"/", "text/plain", nil)
	require.NoError(t, err)
	post.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, post.StatusCode)

	// A file without its .DONE marker is neither listed nor served; a
	// .META that does not parse is an error.
	fin := filepath.Join(dir, macro.FinishedDir)
	half := r.recordings[0]
	half.EventID, half.Name = 77, "Half"
	half.Files = []macro.File{{Profile: "MP3", Name: half.ID() + ".MP3.mp3", MIME: "audio/mpeg", Bytes: 3}}
	b, err := json.Marshal(half)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(fin, half.ID()+".META"), b, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(fin, half.ID()+".MP3.mp3"), []byte("abc"), 0o644))
	assert.Len(t, search(""), 3)
	resp, _ = get(t, srv.URL+"/files/"+half.ID()+".MP3.mp3")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.NoError(t, os.WriteFile(filepath.Join(fin, "bad.META"), []byte("{"), 0o644))
	resp, body = get(t, srv.URL+"/search")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(body), "bad.META")
}
