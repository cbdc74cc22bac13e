//go:build unix

package compose_test

import (
	"context"
	"encoding/json"
	"html"
	"image/color"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium runs headless Chromium (browsertest.Chromium).
func chromium(t *testing.T, ctx context.Context, args ...string) []byte {
	t.Helper()
	return browsertest.Chromium(t, ctx, args...)
}

// harness drives the page in a frame of the same origin as a person would,
// with the page's own controls (clicks on the palette, the boxes and the
// buttons, typing into property fields), and writes what it saw into
// #result as JSON. Each step waits for the page to draw the server's
// answer (body's data-version).
const harness = `<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="/" style="border:0;width:1400px;height:900px"></iframe>
<pre id="result">pending</pre>
<script>
"use strict";
const out = new URLSearchParams(location.search).get("out");
const f = document.getElementById("f");
const seen = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const doc = () => f.contentDocument;
const q = (sel) => doc().querySelector(sel);
const version = () => parseInt(doc().body.dataset.version || "0", 10);
async function until(what, pred) {
  for (let i = 0; i < 400; i++) {
    try { if (pred()) return; } catch (e) {}
    await sleep(25);
  }
  throw new Error("timed out waiting for " + what);
}
function click(sel) {
  const e = q(sel);
  if (!e) throw new Error("no " + sel);
  e.dispatchEvent(new MouseEvent("click", { bubbles: true }));
}
async function step(what, act) {
  const v = version();
  act();
  await until(what, () => version() > v);
}
async function add(name, uid) {
  click('li[data-name="' + name + '"]');
  await step("add " + name, () => click("#add"));
  await until("component " + uid, () => q('g.comp[data-uid="' + uid + '"]'));
}
async function set(uid, prop, value) {
  await step("select " + uid, () => click('g.comp[data-uid="' + uid + '"] rect.frame'));
  const inp = q('#props input[data-prop="' + prop + '"]');
  inp.value = value;
  await step("set " + prop, () => inp.dispatchEvent(new Event("change")));
}
async function link(a, abox, b, bbox) {
  await step("arm", () => click('g.port[data-uid="' + a + '"][data-box="' + abox + '"]'));
  await step("link", () => click('g.port[data-uid="' + b + '"][data-box="' + bbox + '"]'));
  return q("#message").className + ": " + q("#message").textContent;
}
// drag links by pressing the mouse on one box and letting go on another.
async function drag(a, abox, b, bbox) {
  const from = q('g.port[data-uid="' + a + '"][data-box="' + abox + '"]');
  const to = q('g.port[data-uid="' + b + '"][data-box="' + bbox + '"]');
  from.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, button: 0 }));
  f.contentWindow.dispatchEvent(new MouseEvent("mousemove", { clientX: 500, clientY: 200 }));
  seen.rubber = doc().querySelectorAll("line.rubber").length;
  await step("drag link", () => {
    to.dispatchEvent(new MouseEvent("mouseup", { bubbles: true, button: 0 }));
  });
  seen.rubberAfter = doc().querySelectorAll("line.rubber").length;
  return q("#message").className + ": " + q("#message").textContent;
}
(async () => {
  try {
    await until("the page", () => version() >= 1);
    seen.palette = doc().querySelectorAll("#entries li").length;
    await add("DataSource", 1);
    await set(1, "items", '{hello, " world"}');
    await add("ToBytes", 2);
    await add("SimpleFileWriter", 3);
    seen.required = q("#propproblem") ? q("#propproblem").textContent : "";
    seen.runDisabledBefore = q("#run").disabled;
    await set(3, "filename", out);
    seen.linked = await link(1, "outbox", 2, "inbox");
    seen.refused = await link(2, "inbox", 3, "inbox");
    await sleep(50);
    seen.refusedAtLink = (q("text.refusal") || {}).textContent || "";
    seen.mismatch = await link(1, "outbox", 3, "inbox");
    seen.linked2 = await drag(2, "outbox", 3, "inbox");
    seen.links = doc().querySelectorAll("path.link").length;
    await add("Upper", 4);
    seen.beforeDelete = doc().querySelectorAll("g.comp").length;
    await step("remove", () => click("#remove"));
    seen.afterDelete = doc().querySelectorAll("g.comp").length;
    seen.launch = q("#launch").textContent;
    seen.go = q("#go").textContent;
    seen.ready = !q("#run").disabled;
    click("#run");
    await until("the run to end", () => /finished|failed/.test(q("#runstate").textContent));
    seen.runstate = q("#runstate").textContent;
    seen.inspector = q("#inspector").getAttribute("src");
    click('#tabs button[data-pane="launch"]');
    q("#importtext").value = "DataSource items={a, b} ! ToBytes ! Tee name=t ! NullSink  t.copy ! PassThrough ! SimpleFileWriter filename=" + out + ".copy";
    await step("import", () => click("#import"));
    seen.imported = doc().querySelectorAll("g.comp").length;
    seen.importedLinks = doc().querySelectorAll("path.link").length;
    // Save (what the Save button downloads), clear, and Load the file back
    // through the page's file field.
    const saved = await (await fetch("/api/design.json")).text();
    await step("clear", () => click("#clear"));
    seen.cleared = doc().querySelectorAll("g.comp").length;
    const dt = new f.contentWindow.DataTransfer();
    dt.items.add(new f.contentWindow.File([saved], "design.json", { type: "application/json" }));
    q("#file").files = dt.files;
    await step("load", () => q("#file").dispatchEvent(new Event("change")));
    await until("the loaded design", () => doc().querySelectorAll("g.comp").length === 6);
    seen.loaded = doc().querySelectorAll("g.comp").length;
    seen.loadMessage = q("#message").textContent;
  } catch (e) {
    seen.error = String(e) + " (the page says: " + (q("#message") || {}).textContent + ")";
  }
  document.getElementById("result").textContent = JSON.stringify(seen);
})();
</script></body></html>`

// TestPageInChromium composes a pipeline in headless Chromium through the
// page's own controls: adds components, sets properties, links boxes, is
// refused a wrong link (with the launcher's words), deletes a component,
// reads the generated code, and runs the design, which writes a file.
// Then it takes a screenshot of the page with the design.
func TestPageInChromium(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	srv := compose.New(registry(), compose.Options{})
	defer srv.Close()
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("GET /harness.html", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(harness))
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()

	out := filepath.Join(t.TempDir(), "out.txt")
	dom := string(chromium(t, ctx, "--virtual-time-budget=60000", "--window-size=1400,1000", "--dump-dom",
		hs.URL+"/harness.html?out="+url.QueryEscape(out)))
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindStringSubmatch(dom)
	require.NotNil(t, m, "no result in the page:\n%s", dom)
	var seen struct {
		Palette                          int
		Required                         string
		RunDisabledBefore                bool
		Linked, Refused, Mismatch        string
		Linked2                          string
		Rubber, RubberAfter              int
		RefusedAtLink                    string
		Imported, ImportedLinks          int
		Cleared, Loaded                  int
		LoadMessage                      string
		Links, BeforeDelete, AfterDelete int
		Launch, Go                       string
		Ready                            bool
		Runstate, Inspector, Error       string
	}
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &seen), m[1])
	require.Empty(t, seen.Error)
	assert.Equal(t, len(registry().Names()), seen.Palette)
	assert.Equal(t, "SimpleFileWriter needs filename=... (the file to write)", seen.Required)
	assert.True(t, seen.RunDisabledBefore, "Run is off while a required property is empty")
	assert.Equal(t, "info: Linked DS1.outbox to TB2.inbox.", seen.Linked)
	assert.Equal(t, "error: Refused: TB2.inbox is an inbox, but a link goes from an outbox to an inbox; the outboxes of TB2: outbox, signal", seen.Refused)
	assert.Equal(t, "✗ TB2.inbox is an inbox, but a link goes from an outbox to an inbox; the outboxes of TB2: outbox, signal", seen.RefusedAtLink,
		"the refusal is shown at the link too")
	assert.Contains(t, seen.Mismatch, "error: Refused: DS1.outbox is already linked")
	assert.Equal(t, "info: Linked TB2.outbox to SFW3.inbox.", seen.Linked2, "by dragging from box to box")
	assert.Equal(t, 1, seen.Rubber, "a line follows the pointer while a link is dragged")
	assert.Equal(t, 0, seen.RubberAfter)
	assert.Equal(t, 4, seen.Links, "two links and the signal to control that each brought")
	assert.Equal(t, 4, seen.BeforeDelete)
	assert.Equal(t, 3, seen.AfterDelete)
	assert.Equal(t, `DataSource name=DS1 items={hello, " world"}`+"\nToBytes name=TB2\nSimpleFileWriter name=SFW3 filename="+out+"\nDS1. ! TB2.\nTB2. ! SFW3.\n", seen.Launch)
	assert.Contains(t, seen.Go, `{"SFW3", "SimpleFileWriter", launch.Props{"filename": "`+out+`"}},`)
	assert.NotContains(t, seen.Go, "U4")
	assert.True(t, seen.Ready)
	assert.Equal(t, "run 1: finished", seen.Runstate)
	assert.Equal(t, "run/?poll=500", seen.Inspector)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(got))
	assert.Equal(t, 6, seen.Imported, "a launch line read into the design")
	assert.Equal(t, 10, seen.ImportedLinks, "five links, each with its signal")
	assert.Equal(t, 0, seen.Cleared)
	assert.Equal(t, 6, seen.Loaded, "the saved design loaded back through the page's file field")
	assert.Equal(t, "Loaded design.json.", seen.LoadMessage)

	dir := os.Getenv("KAMAELIA_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "compose.png")
	chromium(t, ctx, "--virtual-time-budget=5000", "--window-size=1700,950", "--screenshot="+shot, hs.URL+"/#select=3&tab=go")
	t.Logf("screenshot of Compose: %s", shot)
	checkScreenshot(t, shot, 1700, 950)

	// A design that runs until stopped, with its inspector beside it.
	a := &api{t: t, srv: srv, hs: hs}
	a.op("/api/clear", nil, http.StatusOK)
	a.add("Clock")
	a.set(1, "interval", "200ms")
	a.add("ConsoleEchoer")
	a.op("/api/link", link(1, "outbox", 2, "inbox"), http.StatusOK)
	require.Equal(t, compose.Running, a.op("/api/run", nil, http.StatusOK).View.Run.State)
	shot = filepath.Join(dir, "compose-run.png")
	chromium(t, ctx, "--virtual-time-budget=5000", "--window-size=1400,900", "--screenshot="+shot, hs.URL+"/#tab=inspect")
	t.Logf("screenshot of Compose running a design: %s", shot)
	checkScreenshot(t, shot, 1400, 900)
	assert.Equal(t, compose.Stopped, a.op("/api/stop", nil, http.StatusOK).View.Run.State)
}

// checkScreenshot fails unless the PNG at path is w x h and shows the
// page: many colours, the dark header among them.
func checkScreenshot(t *testing.T, path string, w, h int) {
	t.Helper()
	browsertest.CheckScreenshot(t, path, w, h, color.RGBA{0x2f, 0x3b, 0x52, 0xff})
}

// TestPageDrawsAThousandComponents loads a design of 1,000 components in
// a chain (999 links, each bringing its signal) and has headless Chromium
// draw it, in real time (no virtual time budget: the page draws the state
// written into it while it loads): the page records how long its drawing
// took. The bound is the issue's: 1 s.
func TestPageDrawsAThousandComponents(t *testing.T) {
	browsertest.SkipWithout(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	const n = 1000
	d := compose.Design{NextUID: n + 1}
	for i := 1; i <= n; i++ {
		d.Components = append(d.Components, compose.Component{UID: i, Type: "PassThrough", X: float64(30 + (i-1)%10*230), Y: float64(30 + (i-1)/10*110)})
		if i > 1 {
			d.Links = append(d.Links, link(i-1, "outbox", i, "inbox"), link(i-1, "signal", i, "control"))
		}
	}
	srv := compose.New(registry(), compose.Options{})
	defer srv.Close()
	start := time.Now()
	_, err := srv.Editor().Load(&d)
	require.NoError(t, err)
	v := srv.View()
	t.Logf("load and view of %d components on the server: %v", n, time.Since(start))
	require.True(t, v.Ready, "%v", v.Problems[:min(3, len(v.Problems))])
	hs := httptest.NewServer(srv)
	defer hs.Close()
	a := &api{t: t, srv: srv, hs: hs}
	start = time.Now()
	a.op("/api/move", map[string]any{"uid": 500, "x": 40, "y": 40}, http.StatusOK)
	t.Logf("one operation on %d components, over HTTP with its whole View: %v", n, time.Since(start))
	dom := string(chromium(t, ctx, "--window-size=1400,900", "--dump-dom", hs.URL+"/"))
	m := regexp.MustCompile(`<body data-version="(\d+)" data-render-ms="([\d.]+)"`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the page did not draw the design")
	ms, err := strconv.ParseFloat(m[2], 64)
	require.NoError(t, err)
	t.Logf("the page drew %d components and %d links in %.1f ms", n, len(d.Links), ms)
	assert.Equal(t, n, strings.Count(dom, `<g class="comp`))
	assert.Equal(t, len(d.Links), strings.Count(dom, `<path class="link`))
	assert.LessOrEqual(t, ms, 1000.0)
}
