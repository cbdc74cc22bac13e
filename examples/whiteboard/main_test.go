package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

const testTimeout = 30 * time.Second

// client is a person at the whiteboard: a TCP connection, read by lines.
type client struct {
	conn net.Conn
	r    *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(testTimeout))) // a safety net only
	c := &client{conn: conn, r: bufio.NewReader(conn)}
	require.Equal(t, welcome, c.line(t), "the welcome: from now on it hears everything")
	return c
}

func (c *client) send(t *testing.T, line string) {
	t.Helper()
	_, err := fmt.Fprintln(c.conn, line)
	require.NoError(t, err)
}

func (c *client) line(t *testing.T) string {
	t.Helper()
	l, err := c.r.ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSuffix(l, "\n")
}

// liveComponents asks the inspector for the scheduler's Snapshot and counts
// the components running.
func liveComponents(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url + "snapshot.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var snap axon.Snapshot
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&snap))
	n := 0
	for _, c := range snap.Components {
		if c.State == axon.Running.String() {
			n++
		}
	}
	return n
}

// TestWhiteboard runs the whiteboard with a 10 x 10 grid of painters and
// the inspector, connects three people, and checks that every stroke
// reaches everyone, that a bad line is answered to its sender only, that a
// save writes the canvas the strokes painted, and that more than a hundred
// components are live, as the inspector's Snapshot shows.
func TestWhiteboard(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	defer cancel()
	out := filepath.Join(t.TempDir(), "canvas.png")
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() {
		err := run(runCtx, []string{"-listen", "127.0.0.1:0", "-size", "200x100", "-grid", "10", "-out", out,
			"-inspect", "127.0.0.1:0"}, nil, pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	sc := bufio.NewScanner(pr)
	require.True(t, sc.Scan())
	m := regexp.MustCompile(`serving on (127\.0\.0\.1:\d+); (\d+) components live`).FindStringSubmatch(sc.Text())
	require.NotNil(t, m, sc.Text())
	addr := m[1]
	atStart, _ := strconv.Atoi(m[2])
	assert.Greater(t, atStart, 300, "100 tiles, each a subscriber and a painter in a pipeline")
	require.True(t, sc.Scan())
	um := regexp.MustCompile(`inspector at (http://127\.0\.0\.1:\d+/)$`).FindStringSubmatch(sc.Text())
	require.NotNil(t, um, sc.Text())
	go func() { // the rest of the output, until run ends
		for sc.Scan() {
		}
	}()

	a, b, c := dial(t, addr), dial(t, addr), dial(t, addr)
	live := liveComponents(t, um[1])
	t.Logf("%d components at the start, %d live with three clients", atStart, live)
	assert.Greater(t, live, 100, "the article's claim: more than a hundred live components")
	assert.Greater(t, live, atStart, "each client adds its own")

	const diagonal = "line 0 0 199 99 #ff0000"
	a.send(t, diagonal)
	for _, who := range []*client{a, b, c} {
		assert.Equal(t, diagonal, who.line(t), "everyone hears every stroke")
	}
	b.send(t, "bogus 1 2")
	assert.Equal(t, `error: unknown command "bogus": want line, clear or save`, b.line(t))
	c.send(t, "LINE 0 99 199 99 #0000FF") // along the bottom edge, in capitals
	c.send(t, "save")
	for _, who := range []*client{a, b, c} {
		assert.Equal(t, "line 0 99 199 99 #0000ff", who.line(t), "the stroke, in the board's words (the error went to b only)")
		assert.Equal(t, "save", who.line(t))
		assert.Equal(t, "saved 1 "+out, who.line(t))
	}

	f, err := os.Open(out)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	require.Equal(t, image.Rect(0, 0, 200, 100), img.Bounds())
	px := func(x, y int) color.RGBA { return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) }
	red, blue, white := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{255, 255, 255, 255}
	// The diagonal crosses tiles (20 x 10 each) and their edges.
	for _, x := range []int{0, 19, 20, 21, 100, 150, 190} {
		assert.Equal(t, red, px(x, x/2), "the diagonal at x=%d", x)
	}
	for _, x := range []int{0, 55, 120, 199} {
		assert.Equal(t, blue, px(x, 99), "the bottom edge at x=%d", x)
	}
	assert.Equal(t, white, px(190, 10), "off the strokes")
	assert.Equal(t, white, px(10, 60), "off the strokes")

	// Stopping the program closes every connection.
	stop()
	require.NoError(t, <-errc)
	_, err = a.r.ReadString('\n')
	assert.Error(t, err, "the connection is closed")
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-size", "0x10"}, "WIDTHxHEIGHT"},
		{[]string{"-grid", "0"}, "-grid 0"},
		{[]string{"-size", "10x10", "-grid", "11"}, "-grid 11"},
		{[]string{"x"}, "unexpected arguments"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		assert.ErrorContains(t, err, tc.want, "%q", tc.args)
	}
	assert.Len(t, grid(image.Pt(10, 7), 3), 9)
	assert.Equal(t, image.Rect(6, 4, 10, 7), grid(image.Pt(10, 7), 3)[8], "the last tile takes what is left")
}

func TestParseCommand(t *testing.T) {
	e, err := parseCommand("  line -5 7 300\t2 #A0b1C2 ")
	require.NoError(t, err)
	assert.Equal(t, event{Kind: stroke, From: image.Pt(-5, 7), To: image.Pt(300, 2), Colour: color.RGBA{0xa0, 0xb1, 0xc2, 255}}, e)
	for line, want := range map[string]string{
		"":                         "empty line",
		"line 1 2 3 #ffffff":       "want: line",
		"line 1 2 3 4 ffffff":      "want #RRGGBB",
		"line 1 2 3 4 #fffffg":     "want #RRGGBB",
		"line 1 2 3 99999999 #fff": "coordinate",
		"clear now":                "takes nothing",
		"draw":                     "unknown command",
	} {
		_, err := parseCommand(line)
		assert.ErrorContains(t, err, want, "%q", line)
	}
}

// FuzzParseCommand: any line is a command or a clear error, never a
// panic, and a command written back out reads as the same command.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"line 0 0 10 10 #ff0000", "clear", "save", "LINE -1 -2 -3 -4 #ABCDEF", "line 1 2", "#", "line 1 2 3 4 #1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, err := parseCommand(line)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("parseCommand(%q): an empty error", line)
			}
			return
		}
		again, err := parseCommand(format(e))
		if err != nil || again != e {
			t.Fatalf("parseCommand(%q) = %+v; written as %q it reads %+v, %v", line, e, format(e), again, err)
		}
	})
}
