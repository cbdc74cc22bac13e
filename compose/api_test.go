package compose_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registry is the standard catalogue, its console on buffers.
func registry() *launch.Registry {
	return catalog.New(catalog.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
}

// api is a Compose server under test, spoken to over HTTP.
type api struct {
	t   *testing.T
	srv *compose.Server
	hs  *httptest.Server
}

func newAPI(t *testing.T) *api {
	srv := compose.New(registry(), compose.Options{})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return &api{t: t, srv: srv, hs: hs}
}

// do sends body to path and decodes the answer into out, returning the
// status.
func (a *api) do(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(a.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.hs.URL+path, rd)
	require.NoError(a.t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(a.t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// op posts an operation and returns its Result, requiring the status.
func (a *api) op(path string, body any, status int) compose.Result {
	a.t.Helper()
	var res compose.Result
	code := a.do(http.MethodPost, path, body, &res)
	require.Equal(a.t, status, code, "POST %s %v: %s", path, body, res.Error)
	return res
}

// add adds a component of typ, placed as the page places them: three to a
// row.
func (a *api) add(typ string) compose.Result {
	n := len(a.srv.Editor().Design().Components)
	return a.op("/api/add", map[string]any{"type": typ, "x": 30 + n%3*270, "y": 30 + n/3*190}, http.StatusOK)
}

func (a *api) set(uid int, prop, value string) compose.Result {
	return a.op("/api/set", map[string]any{"uid": uid, "prop": prop, "value": value}, http.StatusOK)
}

func link(fromUID int, fromBox string, toUID int, toBox string) compose.Link {
	return compose.Link{From: compose.Port{UID: fromUID, Box: fromBox}, To: compose.Port{UID: toUID, Box: toBox}}
}

// TestPalette: the palette is exactly the registry's components, each
// with its boxes, their types, and its properties with defaults and docs.
func TestPalette(t *testing.T) {
	a := newAPI(t)
	var pal []compose.PaletteEntry
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/api/palette", nil, &pal))
	var names []string
	for _, e := range pal {
		names = append(names, e.Name)
	}
	assert.Equal(t, registry().Names(), names)
	for _, e := range pal {
		if e.Name != "ReadFileAdaptor" {
			continue
		}
		assert.Equal(t, "RFA", e.Label)
		assert.Contains(t, e.Outboxes, compose.PaletteBox{Name: "outbox", Type: "[]uint8", Doc: "the lines, blocks or chunks read"})
		assert.Contains(t, e.Inboxes, compose.PaletteBox{Name: "control", Type: "any", Doc: "ProducerFinished, Shutdown"})
		assert.Contains(t, e.Params, compose.PaletteArg{Name: "readsize", Kind: "int", Default: "1450", Doc: "the size of a block, in bytes"})
		return
	}
	t.Fatal("ReadFileAdaptor is not in the palette")
}

// TestBuildAndGenerate is the article's video server: ReadFileAdaptor as
// uid 1 and SingleServer as uid 2, linked: the Go source names them RFA1
// and SS2, and the launch description is one launch checks and builds.
func TestBuildAndGenerate(t *testing.T) {
	a := newAPI(t)
	a.add("ReadFileAdaptor")
	a.set(1, "filename", "clip.drc")
	a.set(1, "bitrate", "400000")
	a.add("SingleServer")
	a.set(2, "port", "0")
	res := a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	assert.Equal(t, []string{"ADD LINK 1.outbox 2.inbox", "ADD LINK 1.signal 2.control"}, res.Topology,
		"a link of the default boxes brings signal to control with it, as '!' does")
	v := res.View
	require.True(t, v.Ready, "problems: %v", v.Problems)
	assert.Equal(t, "ReadFileAdaptor name=RFA1 filename=clip.drc bitrate=400000\nSingleServer name=SS2 port=0\nRFA1. ! SS2.\n", v.Launch)
	assert.Contains(t, v.Go, `{"RFA1", "ReadFileAdaptor", launch.Props{"bitrate": "400000", "filename": "clip.drc"}},`)
	assert.Contains(t, v.Go, `{Component: "RFA1", Box: "outbox"}: {Component: "SS2", Box: "inbox"},`)
	assert.Equal(t, []string{"[]uint8", "any"}, v.LinkTypes)

	l, err := registry().BuildString(v.Launch, launch.OnScheduler(axon.NewScheduler()))
	require.NoError(t, err, "launch builds what Compose generates")
	assert.Equal(t, []string{"RFA1", "SS2"}, l.Names())
	require.NoError(t, l.Close())
}

// TestDeleteComponent: removing uid 1 removes its box nodes and its
// links, and the code no longer mentions it.
func TestDeleteComponent(t *testing.T) {
	a := newAPI(t)
	add := a.add("ReadFileAdaptor")
	assert.Equal(t, "ADD NODE 1 RFA1 randompos component", add.Topology[0])
	assert.Contains(t, add.Topology, "ADD NODE 1.outbox outbox randompos outbox")
	assert.Contains(t, add.Topology, "ADD LINK 1 1.outbox")
	a.add("SingleServer")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	res := a.op("/api/remove", map[string]int{"uid": 1}, http.StatusOK)
	assert.Equal(t, []string{"DEL NODE 1.inbox", "DEL NODE 1.control", "DEL NODE 1.outbox", "DEL NODE 1.signal", "DEL NODE 1"}, res.Topology)
	assert.Empty(t, res.View.Design.Links)
	require.Len(t, res.View.Design.Components, 1)
	assert.NotContains(t, res.View.Go, "RFA1")
	assert.NotContains(t, res.View.Launch, "RFA1")
	a.op("/api/remove", map[string]int{"uid": 1}, http.StatusConflict)
}

// TestDeleteBox: removing a box's links removes only the links that touch
// it; the components and their boxes stay.
func TestDeleteBox(t *testing.T) {
	a := newAPI(t)
	for _, c := range []string{"UnixProcess", "ToString", "ToString"} {
		a.add(c)
	}
	a.set(1, "command", "true")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	a.op("/api/link", link(1, "stderr", 3, "inbox"), http.StatusOK)
	res := a.op("/api/unlink", compose.Port{UID: 2, Box: "inbox"}, http.StatusOK)
	assert.Equal(t, []string{"DEL LINK 1.outbox 2.inbox"}, res.Topology)
	assert.Equal(t, []compose.Link{link(1, "signal", 2, "control"), link(1, "stderr", 3, "inbox")}, res.View.Design.Links)
	assert.Len(t, res.View.Design.Components, 3)
}

// TestRules: what the launcher refuses, the editor refuses as the link is
// drawn, with the launcher's words, and the design stays as it was.
func TestRules(t *testing.T) {
	a := newAPI(t)
	a.add("ReadFileAdaptor")
	a.add("ToString")
	a.add("Upper")
	a.add("SimpleFileWriter")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	before := a.srv.Editor().Design()
	for _, c := range []struct {
		link compose.Link
		msg  string
	}{
		{link(2, "inbox", 3, "inbox"), `TS2.inbox is an inbox, but a link goes from an outbox to an inbox; the outboxes of TS2: outbox, signal`},
		{link(1, "outbox", 4, "inbox"), `RFA1.outbox is already linked at`},
		{link(1, "outbox", 4, "inbox"), `one outbox feeds one inbox (a splitter or a Backplane fans out)`},
		{link(2, "outbox", 4, "inbox"), `cannot link TS2 to SFW4: axon: box types do not match: TS2.outbox carries string but SFW4.inbox takes []uint8`},
		{link(2, "nope", 3, "inbox"), `TS2 (ToString) has no outbox "nope"`},
		{link(9, "outbox", 3, "inbox"), `no component has uid 9`},
	} {
		res := a.op("/api/link", c.link, http.StatusConflict)
		assert.Contains(t, res.Error, c.msg)
		assert.Equal(t, before, res.View.Design, "a refused link leaves the design as it was")
	}
	// The message is the launcher's own for the same mistake.
	_, err := registry().BuildString("ToString name=TS2 ! SimpleFileWriter name=SFW4 filename=x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot link TS2 to SFW4: axon: box types do not match: TS2.outbox carries string but SFW4.inbox takes []uint8")

	// Required properties: the design cannot run until they are filled.
	v := a.op("/api/link", link(2, "outbox", 3, "inbox"), http.StatusOK).View
	assert.False(t, v.Ready)
	assert.Contains(t, v.Problems, compose.Problem{UID: 4, Msg: "SimpleFileWriter needs filename=... (the file to write)"})
	res := a.op("/api/run", nil, http.StatusConflict)
	assert.Contains(t, res.Error, "the design cannot be built")
	v = a.set(4, "filename", "out.txt").View
	assert.NotContains(t, v.Problems, compose.Problem{UID: 4, Msg: "SimpleFileWriter needs filename=... (the file to write)"})
	// A bad value is kept where it was typed, and reported.
	v = a.set(1, "readsize", "lots").View
	assert.Contains(t, v.Problems, compose.Problem{UID: 1, Msg: `readsize of ReadFileAdaptor: "lots" is not an int (a whole number such as 42)`})
	a.op("/api/set", map[string]any{"uid": 1, "prop": "nope", "value": "1"}, http.StatusConflict)
	a.op("/api/add", map[string]any{"type": "Nope"}, http.StatusConflict)
	a.op("/api/add", map[string]any{"type": "ToString", "colour": "red"}, http.StatusBadRequest)
}

// TestRunWritesAFile runs a design that never ends by itself, sees it in
// the inspector, stops it, edits the design and runs again: a pipeline
// that writes a file and ends.
func TestRunWritesAFile(t *testing.T) {
	a := newAPI(t)
	a.add("Clock")
	a.set(1, "interval", "10ms")
	a.add("NullSink")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	res := a.op("/api/run", nil, http.StatusOK)
	assert.Equal(t, compose.Running, res.View.Run.State)
	var snap axon.Snapshot
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/run/snapshot.json", nil, &snap))
	var names []string
	for _, c := range snap.Components {
		names = append(names, c.Name)
	}
	assert.Subset(t, names, []string{"C1", "NS2"}, "the inspector shows the design running")
	res = a.op("/api/stop", nil, http.StatusOK)
	assert.Equal(t, compose.Stopped, res.View.Run.State)

	out := filepath.Join(t.TempDir(), "out.txt")
	a.op("/api/clear", nil, http.StatusOK)
	a.add("DataSource")
	a.set(1, "items", `{hello, " world"}`)
	a.add("ToBytes")
	a.add("SimpleFileWriter")
	a.set(3, "filename", out)
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	a.op("/api/link", link(2, "outbox", 3, "inbox"), http.StatusOK)
	res = a.op("/api/run", nil, http.StatusOK)
	assert.Equal(t, 2, res.View.Run.Run)
	var st compose.RunStatus
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/api/run?wait=1", nil, &st))
	require.Equal(t, compose.Finished, st.State, "error: %s", st.Error)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(got))

	// A run that fails says why.
	a.set(3, "filename", filepath.Join(out, "not-a-dir", "x"))
	a.op("/api/run", nil, http.StatusOK)
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/api/run?wait=1", nil, &st))
	assert.Equal(t, compose.Failed, st.State)
	assert.Contains(t, st.Error, "not-a-dir")
}

// TestSaveAndLoad: a design saved as JSON loads back the same; one that
// is not valid is refused and the design stays.
func TestSaveAndLoad(t *testing.T) {
	a := newAPI(t)
	a.add("DataSource")
	a.set(1, "items", "{a, b}")
	a.add("ConsoleEchoer")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	a.op("/api/move", map[string]any{"uid": 2, "x": 300, "y": 40}, http.StatusOK)
	var saved compose.Design
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/api/design.json", nil, &saved))
	a.op("/api/clear", nil, http.StatusOK)
	res := a.op("/api/design.json", saved, http.StatusOK)
	assert.Equal(t, &saved, res.View.Design)
	assert.Equal(t, 300.0, res.View.Design.Components[1].X)
	assert.Equal(t, 3, a.add("NullSink").View.Design.Components[2].UID, "uids go on from the loaded design's")

	before := a.srv.Editor().Design()
	bad := saved
	bad.Components = append([]compose.Component{{UID: 7, Type: "Nope"}}, saved.Components...)
	res = a.op("/api/design.json", bad, http.StatusConflict)
	assert.Contains(t, res.Error, `no component "Nope"`)
	assert.Equal(t, before, res.View.Design)
	bad = saved
	bad.Links = append(bad.Links, link(2, "inbox", 1, "inbox"))
	a.op("/api/design.json", bad, http.StatusConflict)
	var raw compose.Result
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.hs.URL+"/api/design.json", strings.NewReader("{not json"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&raw))
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, raw.Error, "not a design")
}

// TestAbbreviate is the rule of Kamaelia's Compose.
func TestAbbreviate(t *testing.T) {
	for name, want := range map[string]string{
		"ReadFileAdaptor": "RFA", "SingleServer": "SS", "TCPClient": "TCPC", "MessageRateLimit": "MRL",
		"DiracDecoder": "DD", "x264enc": "X264E", "Tee_2": "T_2", "": "",
	} {
		assert.Equal(t, want, compose.Abbreviate(name), name)
	}
}

// TestTeeSignal: a link from an outbox that names its own signal (Tee's
// copy) brings that signal to control, and launch writes it as "t.copy !
// B.", which links both.
func TestTeeSignal(t *testing.T) {
	a := newAPI(t)
	for _, c := range []string{"Tee", "NullSink", "NullSink"} {
		a.add(c)
	}
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	res := a.op("/api/link", link(1, "copy", 3, "inbox"), http.StatusOK)
	assert.Equal(t, []string{"ADD LINK 1.copy 3.inbox", "ADD LINK 1.copysignal 3.control"}, res.Topology)
	assert.Equal(t, "Tee name=T1\nNullSink name=NS2\nNullSink name=NS3\nT1. ! NS2.\nT1.copy ! NS3.\n", res.View.Launch)
	require.True(t, res.View.Ready, "%v", res.View.Problems)
	l, err := registry().BuildString(res.View.Launch)
	require.NoError(t, err)
	require.NoError(t, l.Close())
}

// TestRefusesOtherPages: Compose runs commands, so requests that a page
// elsewhere could make a browser send are refused: another Host (DNS
// rebinding), a POST not sent as JSON (a simple cross-origin request), a
// POST from another origin.
func TestRefusesOtherPages(t *testing.T) {
	a := newAPI(t)
	send := func(method, path, contentType, host, origin string) int {
		req, err := http.NewRequestWithContext(t.Context(), method, a.hs.URL+path, strings.NewReader(`{"type": "UnixProcess"}`))
		require.NoError(t, err)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusForbidden, send(http.MethodGet, "/", "", "evil.example:80", ""))
	assert.Equal(t, http.StatusForbidden, send(http.MethodGet, "/api/state", "", "evil.example", ""))
	assert.Equal(t, http.StatusUnsupportedMediaType, send(http.MethodPost, "/api/add", "text/plain", "", ""))
	assert.Equal(t, http.StatusUnsupportedMediaType, send(http.MethodPost, "/api/add", "", "", ""))
	assert.Equal(t, http.StatusForbidden, send(http.MethodPost, "/api/add", "application/json", "", "http://evil.example"))
	assert.Empty(t, a.srv.Editor().Design().Components, "nothing refused was done")
	assert.Equal(t, http.StatusOK, send(http.MethodGet, "/", "", "localhost:1234", ""))
	assert.Equal(t, http.StatusOK, send(http.MethodPost, "/api/add", "application/json; charset=utf-8", "", a.hs.URL))
	assert.Len(t, a.srv.Editor().Design().Components, 1)

	allowed := httptest.NewServer(compose.New(registry(), compose.Options{AllowedHosts: []string{"build-box.example.org"}}))
	defer allowed.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, allowed.URL+"/api/state", nil)
	require.NoError(t, err)
	req.Host = "Build-Box.example.org:8090"
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestRunsOneAtATime: runs asked for at once replace each other, one at a
// time; the last one runs and Stop ends it, none is left behind (the
// package's leak check would find it).
func TestRunsOneAtATime(t *testing.T) {
	a := newAPI(t)
	a.add("Clock")
	a.add("NullSink")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.hs.URL+"/api/run", nil)
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		}()
	}
	for range 4 {
		<-done
	}
	var st compose.RunStatus
	require.Equal(t, http.StatusOK, a.do(http.MethodGet, "/api/run", nil, &st))
	assert.Equal(t, compose.Running, st.State)
	assert.Equal(t, 4, st.Run)
	res := a.op("/api/stop", nil, http.StatusOK)
	assert.Equal(t, compose.Stopped, res.View.Run.State)
}

// TestLabelsAreUnique: an abbreviation ending in a digit is kept apart
// from the uid.
func TestLabelsAreUnique(t *testing.T) {
	assert.Equal(t, "RFA1", compose.Component{UID: 1, Type: "ReadFileAdaptor"}.Label())
	assert.Equal(t, "X264_1", compose.Component{UID: 1, Type: "X264"}.Label())
	assert.NotEqual(t, compose.Component{UID: 41, Type: "X26"}.Label(), compose.Component{UID: 1, Type: "X264"}.Label())
}

// TestImportLaunch reads a launch line into the design: its elements,
// properties and links, the signals '!' adds among them; the launch text
// the design then generates builds the same system. What launch refuses
// is refused with launch's words and place.
func TestImportLaunch(t *testing.T) {
	a := newAPI(t)
	src := `ReadFileAdaptor filename=in.txt mode=block ! ToString ! Grep name=g pattern="a b" ! Upper
		g. ! ToBytes ! Tee name=t ! SimpleFileWriter filename=out.txt  t.copy ! NullSink`
	_, err := registry().BuildString(src)
	require.Error(t, err, "g.outbox is linked twice")
	res := a.op("/api/launch", map[string]string{"launch": src}, http.StatusConflict)
	assert.Contains(t, res.Error, "2:6: g.outbox is already linked at 1:83")
	assert.Empty(t, res.View.Design.Components, "a refused line leaves the design as it was")

	src = `ReadFileAdaptor filename=in.txt mode=block ! ToString ! Grep name=g pattern="a b" ! ToBytes ! Tee name=t ! SimpleFileWriter filename=out.txt
		t.copy ! n.inbox  NullSink name=n
		DataSource items={x, "y z"} ! ConsoleEchoer`
	res = a.op("/api/launch", map[string]string{"launch": src}, http.StatusOK)
	v := res.View
	require.Len(t, v.Design.Components, 9)
	assert.Equal(t, map[string]string{"filename": "in.txt", "mode": "block"}, v.Design.Components[0].Props)
	assert.Equal(t, map[string]string{"pattern": "a b"}, v.Design.Components[2].Props)
	assert.Equal(t, map[string]string{"items": `{x, "y z"}`}, v.Design.Components[7].Props)
	assert.Equal(t, "G3", v.Labels[3])
	assert.Contains(t, v.Design.Links, link(5, "copy", 7, "inbox"))
	assert.Contains(t, v.Design.Links, link(1, "signal", 2, "control"), "the signal '!' adds is a link of the design")
	assert.NotContains(t, v.Design.Links, link(5, "copysignal", 7, "control"), "a link to a named inbox brings no signal")
	require.True(t, v.Ready, "%v", v.Problems)
	l, err := registry().BuildString(v.Launch)
	require.NoError(t, err, v.Launch)
	require.NoError(t, l.Close())
}
