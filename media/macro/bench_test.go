//go:build cgo

package macro_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
)

// sdMultiplex is a Config of n SD services (720x576 MPEG-2 at 3 Mbit/s,
// MPEG audio at 128 kbit/s), one programme each, over d.
func sdMultiplex(n int, d time.Duration) macrotest.Config {
	cfg := macrotest.Config{TransportStreamID: 1, OriginalNetworkID: 2, Duration: d,
		Width: 720, Height: 576, VideoBitRate: 3_000_000, TablesEvery: 500 * time.Millisecond}
	for i := range n {
		cfg.Services = append(cfg.Services, macrotest.Service{ID: uint16(4000 + i), Name: fmt.Sprintf("SD %d", i+1),
			PMTPID: uint16(0x100 + 0x10*i), BasePID: uint16(0x200 + 0x10*i),
			Programmes: []macrotest.Programme{{ID: 1, Name: "Programme", Duration: d}}})
	}
	return cfg
}

// BenchmarkMacroLO records an SD multiplex of 4 services at the LO
// profile (and at LO and HI), 1 or 2 programmes transcoded at once (this
// machine has 2 cores), and reports how many services it keeps up with: the media seconds recorded
// and transcoded per second of wall time ("services-realtime"), and the
// capture's own speed.
//
//	go test -run '^$' -bench MacroLO -benchtime 1x ./media/macro/
func BenchmarkMacroLO(b *testing.B) {
	const n = 4
	d := 10 * time.Second
	st, err := macrotest.Generate(b.Context(), sdMultiplex(n, d))
	if err != nil {
		b.Fatal(err)
	}
	ts := filepath.Join(b.TempDir(), "sd.ts")
	if err := os.WriteFile(ts, st.Bytes, 0o644); err != nil {
		b.Fatal(err)
	}
	rate, err := macro.FileRate(ts)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name     string
		workers  int
		profiles []macro.Profile
	}{{"LO/workers=1", 1, []macro.Profile{macro.LO()}}, {"LO/workers=2", 2, []macro.Profile{macro.LO()}},
		{"LO+HI/workers=2", 2, []macro.Profile{macro.LO(), macro.HI()}}} {
		b.Run(bc.name, func(b *testing.B) {
			benchRecord(b, ts, n, d, bc.workers, bc.profiles)
			b.ReportMetric(rate/1e6, "Mbit/s-in")
		})
	}
}

func benchRecord(b *testing.B, ts string, n int, d time.Duration, workers int, profiles []macro.Profile) {
	var capture, total time.Duration
	for b.Loop() {
		dir := b.TempDir()
		start := time.Now()
		m := dvb.NewMultiplex(505.833, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.FileDevice(ts))
		c := macro.NewCapture(filepath.Join(dir, "capture"))
		tc := macro.NewTranscoder(dir, profiles...)
		tc.Workers = workers
		axon.MustLink(m.Out, c.In)
		axon.MustLink(m.Signal(), c.Control())
		axon.MustLink(c.Out, tc.In)
		axon.MustLink(c.Signal(), tc.Control())
		s := axon.NewScheduler()
		s.Activate(m, c, tc)
		<-c.Done()
		capture += time.Since(start)
		if err := s.Wait(b.Context()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if done, failed := tc.Committed(); done != int64(n) || failed != 0 {
			b.Fatalf("%d committed, %d failed", done, failed)
		}
	}
	runs := float64(b.N)
	b.ReportMetric(float64(n)*d.Seconds()/(total.Seconds()/runs), "services-realtime")
	b.ReportMetric(d.Seconds()/(capture.Seconds()/runs), "capture-x-realtime")
}
