//go:build cgo

package macro_test

import (
	"cmp"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// A capture cut at a junction starts mid-GOP: FFmpeg says so on
	// stderr, and the decoders skip what they cannot use.
	astiav.SetLogLevel(astiav.LogLevelQuiet)
	axontest.VerifyTestMain(m)
}

// generate writes a generated multiplex into a file and returns its path
// and the stream.
func generate(t testing.TB, c macrotest.Config) (string, *macrotest.Stream) {
	t.Helper()
	st, err := macrotest.Generate(t.Context(), c)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "mux.ts")
	require.NoError(t, os.WriteFile(path, st.Bytes, 0o644))
	return path, st
}

// recorded is what a recorder run gave.
type recorded struct {
	programmes []macro.Programme
	recordings []macro.Recording
	changes    []dvb.ProgrammeChange
	errs       []error
	capture    *macro.Capture
}

// record runs Multiplex -> Capture -> Transcoder over the device (a file
// through dvb.FileDevice, or a fake adapter), as fast as it goes, keeping
// the captures.
func record(t testing.TB, dev dvb.Device, dir string, profiles []macro.Profile, services ...uint16) recorded {
	t.Helper()
	s := axontest.NewScheduler(t)
	m := dvb.NewMultiplex(505.833, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	c := macro.NewCapture(filepath.Join(dir, "capture"), services...)
	tc := macro.NewTranscoder(dir, profiles...)
	tc.Workers = 2
	tc.KeepCaptures = true
	axon.MustLink(m.Out, c.In)
	axon.MustLink(m.Signal(), c.Control())
	ch := axontest.NewHandle(t, s, c, "changes", "outbox")
	var r recorded
	r.capture = c
	// The Capture's programmes go to the test and then on to the
	// Transcoder, so that the test sees both.
	th := axontest.NewHandle(t, s, tc)
	s.Activate(m)
	progs, err := axontest.Collect[macro.Programme](axontest.Context(t), ch, "outbox")
	require.NoError(t, err)
	r.programmes = progs
	r.changes, err = axontest.Collect[dvb.ProgrammeChange](axontest.Context(t), ch, "changes")
	require.NoError(t, err)
	for _, p := range progs {
		require.NoError(t, th.Put(axontest.Context(t), "inbox", p))
	}
	require.NoError(t, th.Finish(axontest.Context(t)))
	r.recordings, err = axontest.Collect[macro.Recording](axontest.Context(t), th, "outbox")
	require.NoError(t, err)
	// Two workers commit in either order.
	slices.SortFunc(r.recordings, func(a, b macro.Recording) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), a.Captured.Compare(b.Captured), cmp.Compare(a.Path, b.Path))
	})
	r.errs, err = axontest.Collect[error](axontest.Context(t), th, "errors")
	require.NoError(t, err)
	return r
}

// probe is what ffprobe says of a file's streams and format.
type probe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
		BitRate   string `json:"bit_rate"`
		Duration  string `json:"duration"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
		BitRate  string `json:"bit_rate"`
	} `json:"format"`
}

func ffprobe(t testing.TB, path string) probe {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "ffprobe", "-v", "error", "-print_format", "json",
		"-show_streams", "-show_format", path).Output()
	require.NoError(t, err, "ffprobe %s", path)
	var p probe
	require.NoError(t, json.Unmarshal(out, &p))
	return p
}

func seconds(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func kbps(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f / 1000
}

// dvbtestCount counts the packets of each PID of an aligned stream.
func dvbtestCount(b []byte) map[uint16]int { return dvbtest.CountPIDs(b) }
