//go:build cgo

package tutorial_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// The article's now-and-next reader for BBC ONE, on a recorded multiplex.
func Example_dvb() {
	dir, err := os.MkdirTemp("", "tutorial-dvb")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	recording := filepath.Join(dir, "505.833MHz.ts")
	if err := os.WriteFile(recording, dvbtest.Stream(dvbtest.DefaultConfig()), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	// tutorial:begin dvb
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	demux, err := dvb.NewDemuxer(map[uint16][]string{mpegts.PIDEIT: {"eit"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	nowNext := chassis.Graphline(chassis.Components{
		"MUX":      dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.FileDevice(recording)),
		"DEMUX":    demux,
		"SECTIONS": dvb.NewSectionReassembler(),
		"TABLES":   dvb.NewTableParser(),
		"BBC ONE":  dvb.NewNowNextServiceFilter(4164),
		"CHANGES":  dvb.NewNowNextChanges(),
	}, chassis.Linkages{
		{Component: "MUX", Box: "outbox"}:      {Component: "DEMUX", Box: "inbox"},
		{Component: "MUX", Box: "signal"}:      {Component: "DEMUX", Box: "control"},
		{Component: "DEMUX", Box: "eit"}:       {Component: "SECTIONS", Box: "inbox"},
		{Component: "DEMUX", Box: "signal"}:    {Component: "SECTIONS", Box: "control"},
		{Component: "SECTIONS", Box: "outbox"}: {Component: "TABLES", Box: "inbox"},
		{Component: "SECTIONS", Box: "signal"}: {Component: "TABLES", Box: "control"},
		{Component: "TABLES", Box: "outbox"}:   {Component: "BBC ONE", Box: "inbox"},
		{Component: "TABLES", Box: "signal"}:   {Component: "BBC ONE", Box: "control"},
		{Component: "BBC ONE", Box: "outbox"}:  {Component: "CHANGES", Box: "inbox"},
		{Component: "BBC ONE", Box: "signal"}:  {Component: "CHANGES", Box: "control"},
		{Component: "CHANGES", Box: "outbox"}:  {Component: "self", Box: "outbox"},
	})
	h, _ := axon.NewHandle(axon.NewScheduler(), nowNext)
	changes, err := axontest.Collect[dvb.NowNext](ctx, h, "outbox")
	if err != nil || len(changes) == 0 {
		fmt.Println("no now and next:", err)
		return
	}
	last := changes[len(changes)-1]
	fmt.Printf("BBC ONE (service %d): now %q, next %q\n", last.Service.ServiceID, last.Now.Name, last.Next.Name)
	// tutorial:end dvb

	// Output:
	// BBC ONE (service 4164): now "News", next "Weather"
}
