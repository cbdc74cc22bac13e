//go:build cgo

package macro_test

import (
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// radioConfig is a multiplex of one radio service, BBC R4, with three
// programmes over d.
func radioConfig(d time.Duration) macrotest.Config {
	return macrotest.Config{TransportStreamID: 0x1004, OriginalNetworkID: 0x233A, Duration: d,
		Services: []macrotest.Service{{ID: 6720, Name: "BBC R4", Provider: "BBC", PMTPID: 0x120, BasePID: 0x220, Radio: true,
			Programmes: []macrotest.Programme{
				{ID: 31, Name: "Today", Text: "News and current affairs.", Genres: []mpegts.ContentGenre{{Level1: 2}}, Duration: d * 3 / 10},
				{ID: 32, Name: "The Archers", Text: "An everyday story of country folk.", Genres: []mpegts.ContentGenre{{Level1: 1}}, At: d * 3 / 10, Duration: d * 3 / 10},
				{ID: 33, Name: "Shipping Forecast", Text: "Dogger, Fisher, German Bight.", Genres: []mpegts.ContentGenre{{Level1: 2, Level2: 1}}, At: d * 6 / 10, Duration: d * 4 / 10},
			}}}}
}

// TestRadioProgrammes is the first radio scenario: a service of MPEG audio
// alone with EIT junctions at two points becomes three MP3 files (and
// three of the broadcast MPEG audio kept as is) with metadata, each
// lasting its programme's share of the input within 0.5 s.
func TestRadioProgrammes(t *testing.T) {
	cfg := radioConfig(6 * time.Second)
	path, st := generate(t, cfg)
	dir := t.TempDir()
	r := record(t, dvb.FileDevice(path), dir, []macro.Profile{macro.MP3(), macro.MP2()})
	require.Empty(t, r.errs)
	require.Len(t, r.recordings, 3)
	var at []float64
	for _, j := range st.Junctions {
		at = append(at, j.At.Seconds())
	}
	at = append(at, cfg.Duration.Seconds())
	for i, rec := range r.recordings {
		assert.True(t, rec.Radio)
		assert.Equal(t, cfg.Services[0].Programmes[i].Name, rec.Name)
		assert.Equal(t, "BBC R4", rec.Channel)
		require.Len(t, rec.Files, 2)
		want := at[i+1] - at[i]
		for j, codec := range []string{"mp3", "mp2"} {
			f := rec.Files[j]
			assert.Equal(t, "audio/mpeg", f.MIME)
			pr := ffprobe(t, filepath.Join(dir, macro.FinishedDir, f.Name))
			require.Len(t, pr.Streams, 1, f.Name)
			assert.Equal(t, codec, pr.Streams[0].CodecName)
			assert.InDelta(t, want, seconds(pr.Format.Duration), 0.5, f.Name)
		}
		assert.Equal(t, rec, readMeta(t, filepath.Join(dir, macro.FinishedDir, rec.ID()+".META")))
	}
	assert.Equal(t, "bbc-r4.20240517T2200-31.MP3.mp3", r.recordings[0].Files[0].Name)

	// A television profile on a radio programme makes sound alone.
	lo, err := macro.Transcode(t.Context(), r.programmes[0], []macro.Profile{macro.LO()}, t.TempDir())
	require.NoError(t, err)
	assert.Equal(t, macro.File{Profile: "LO", Name: "bbc-r4.20240517T2200-31.LO.m4a", MIME: "audio/mp4", Bytes: lo.Files[0].Bytes}, lo.Files[0])
}

func TestProfilesByName(t *testing.T) {
	ps, err := macro.Profiles("lo, HI,mp3,MP2")
	require.NoError(t, err)
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"LO", "HI", "MP3", "MP2"}, names)
	_, err = macro.Profiles("LO,XX")
	require.ErrorContains(t, err, `unknown profile "XX"`)
	_, err = macro.Profiles("LO,lo")
	require.ErrorContains(t, err, "given twice")
	assert.Equal(t, "bbc-two", macro.Slug("  BBC TWO!"))
	assert.Equal(t, "sports", macro.GenreName(4))
}
