package catalog_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/web"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLaunchEDL reads an edit decision list through XMLParser and
// EDLReader, as `kamaelia launch` would.
func TestLaunchEDL(t *testing.T) {
	edl := filepath.Join(t.TempDir(), "cut.edl")
	require.NoError(t, os.WriteFile(edl, []byte(`<EDL><FileID>clip.mp4</FileID>
<Edit><Start frame="0"/><End frame="24"/><Crop x1="0" y1="0" x2="400" y2="100"/></Edit>
<Edit><Start frame="25"/><End frame="49"/><Crop x1="80" y1="40" x2="480" y2="140"/></Edit></EDL>`), 0o600))
	e, out, _ := testEnv()
	runLaunched(t, e, `ReadFileAdaptor filename=`+edl+` mode=block readsize=7 ! XMLParser ! EDLReader ! ConsoleEchoer eol="\n"`)
	assert.Equal(t, "clip.mp4: frames 0..24, crop 0,0-400,100\nclip.mp4: frames 25..49, crop 80,40-480,140\n", out.String())
}

// TestLaunchStaticWebServer serves a directory from a description.
func TestLaunchStaticWebServer(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>launched</p>"), 0o600))
	e, _, errs := testEnv()
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`StaticWebServer name=www root=`+dir, launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	addr := l.Element("www").(*web.Service).Addr().String()
	assert.Contains(t, errs.String(), "www listening on http://"+addr+"/")
	resp, err := http.Get("http://" + addr + "/")
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "<p>launched</p>", string(b))
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	require.NoError(t, h.Close())
}
