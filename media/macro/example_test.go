//go:build cgo

package macro_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
)

// A recorder of one radio service: a generated multiplex played from a
// file through a Multiplex, captured per programme and kept as the
// broadcast MPEG audio. Each finished programme has its file, .DONE
// marker and .META metadata.
func Example() {
	dir, _ := os.MkdirTemp("", "macro")
	defer os.RemoveAll(dir)
	cfg := macrotest.Config{Duration: 3 * time.Second, Services: []macrotest.Service{{
		ID: 6720, Name: "BBC R4", PMTPID: 0x120, BasePID: 0x220, Radio: true,
		Programmes: []macrotest.Programme{
			{ID: 1, Name: "Today", Duration: time.Second},
			{ID: 2, Name: "The Archers", At: 1500 * time.Millisecond, Duration: time.Second},
		}}}}
	st, err := macrotest.Generate(context.Background(), cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := filepath.Join(dir, "radio.ts")
	if err := os.WriteFile(ts, st.Bytes, 0o644); err != nil {
		fmt.Println(err)
		return
	}

	m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.FileDevice(ts))
	c := macro.NewCapture(filepath.Join(dir, "capture"))
	tc := macro.NewTranscoder(dir, macro.MP2())
	axon.MustLink(m.Out, c.In)
	axon.MustLink(m.Signal(), c.Control())
	axon.MustLink(c.Out, tc.In)
	axon.MustLink(c.Signal(), tc.Control())
	if err := axon.NewScheduler().Run(m, c, tc); err != nil {
		fmt.Println(err)
		return
	}
	recs, err := macro.Library{Dir: dir}.Recordings()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs { // newest first
		fmt.Println(r.Channel, r.Name, r.Files[0].Name, r.CutShort)
	}
	// Output:
	// BBC R4 The Archers bbc-r4.20240517T2200-2.MP2.mp2 true
	// BBC R4 Today bbc-r4.20240517T2200-1.MP2.mp2 false
}
