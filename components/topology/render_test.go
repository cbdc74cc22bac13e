package topology_test

import (
	"bufio"
	"encoding/json"
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Draw puts blobs where the nodes are, in the colour of their type, a
// link's pixels between them, and pans with the view.
func TestDrawPixels(t *testing.T) {
	g := newGraph()
	apply(t, g, "ADD NODE a A 100,100 -", "ADD NODE b B 300,100 component", "ADD LINK a b")
	img := image.NewRGBA(image.Rect(0, 0, 400, 200))
	topology.Draw(img, g.Snapshot(), topology.View{}, 0)
	assert.Equal(t, color.RGBA{255, 128, 128, 255}, img.RGBAAt(100, 100-12), "plain blob above its label")
	assert.Equal(t, color.RGBA{192, 192, 192, 255}, img.RGBAAt(300, 100-18), "component blob")
	assert.Equal(t, color.RGBA{0, 160, 0, 255}, img.RGBAAt(200, 100), "the link, green to a component")
	assert.Equal(t, color.RGBA{255, 255, 255, 255}, img.RGBAAt(200, 150), "background")

	v := topology.View{}
	require.True(t, v.Pan("Right"))
	assert.False(t, v.Pan("q"))
	topology.Draw(img, g.Snapshot(), v, 0)
	assert.Equal(t, color.RGBA{255, 128, 128, 255}, img.RGBAAt(100-topology.PanStep, 100-12), "panned left by a step")

	_, err := g.Select("a")
	require.NoError(t, err)
	topology.Draw(img, g.Snapshot(), topology.View{}, 0)
	assert.Equal(t, color.RGBA{255, 0, 0, 255}, img.RGBAAt(100+17, 100), "the selection's red ring")
}

// The web handler serves the same model: the graph as JSON, a stream of
// changes, and clicks that select (passed on to onSelect).
func TestHandler(t *testing.T) {
	g := newGraph()
	apply(t, g, "ADD NODE a \"tab\there\" 100,100 -", "ADD NODE b B 300,100 -", "ADD LINK a b")
	var selected []topology.Reply
	srv := httptest.NewServer(topology.Handler(g, 10*time.Millisecond, func(r ...topology.Reply) { selected = append(selected, r...) }))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/graph.json")
	require.NoError(t, err)
	var got struct {
		Nodes []struct {
			ID, Name string
			X, Y     float64
		}
		Links [][2]int
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&got))
	res.Body.Close()
	require.Len(t, got.Nodes, 2)
	assert.Equal(t, "tab\there", got.Nodes[0].Name)
	assert.Equal(t, [][2]int{{0, 1}}, got.Links)

	res, err = http.Post(srv.URL+"/press?x=301&y=99", "", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, []topology.Reply{{Kind: "SELECT", ID: "b"}}, selected)
	res, err = http.Post(srv.URL+"/release?x=200&y=50", "", nil)
	require.NoError(t, err)
	res.Body.Close()
	n, _ := g.Node("b")
	assert.Equal(t, [2]float64{200, 50}, [2]float64{n.X, n.Y})

	res, err = http.Post(srv.URL+"/press?x=no", "", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)

	res, err = http.Get(srv.URL + "/events")
	require.NoError(t, err)
	sc := bufio.NewScanner(res.Body)
	require.True(t, sc.Scan())
	assert.Equal(t, "event: graph", sc.Text())
	require.True(t, sc.Scan())
	assert.True(t, strings.HasPrefix(sc.Text(), "data: {"), sc.Text())
	res.Body.Close()

	res, err = http.Get(srv.URL + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
}
