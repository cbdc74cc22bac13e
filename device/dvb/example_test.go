package dvb_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// recording stands for a recorded multiplex (a .ts file, FileDevice): the
// article's BBC services, with video, audio and tables.
func recording() dvb.Device {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	return dvb.ReaderDevice("recording", func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(stream)), nil
	})
}

// The article's DVB source, reading now and next for BBC ONE:
//
//	Multiplex --> Demuxer("eit") --> SectionReassembler --> TableParser --> NowNextServiceFilter --> NowNextChanges
func Example() {
	mux := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, recording())
	demux, _ := dvb.NewDemuxer(map[uint16][]string{mpegts.PIDEIT: {"eit"}})
	sections := dvb.NewSectionReassembler()
	tables := dvb.NewTableParser()
	bbc1 := dvb.NewNowNextServiceFilter(4164)
	changes := dvb.NewNowNextChanges()

	axon.MustLink(mux.Out, demux.In)
	axon.MustLink(demux.Stream("eit"), sections.In)
	axon.MustLink(sections.Out, tables.In)
	axon.MustLink(tables.Out, bbc1.In)
	axon.MustLink(bbc1.Out, changes.In)
	// Each one's signal to the next one's control: the chain stops from
	// its head, at the end of the recording.
	axon.MustLink(mux.Signal(), demux.Control())
	axon.MustLink(demux.Signal(), sections.Control())
	axon.MustLink(sections.Signal(), tables.Control())
	axon.MustLink(tables.Signal(), bbc1.Control())
	axon.MustLink(bbc1.Signal(), changes.Control())

	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, changes)
	s.Activate(mux, demux, sections, tables, bbc1)
	nn, _ := axontest.Collect[dvb.NowNext](context.Background(), h, "outbox")
	last := nn[len(nn)-1]
	fmt.Printf("service %d: now %q until %s, next %q\n", last.Service.ServiceID,
		last.Now.Name, last.Now.Start.Add(last.Now.Duration).Format("15:04"), last.Next.Name)
	// Output:
	// service 4164: now "News" until 19:09, next "Weather"
}

// A Multiplex of two PIDs from a recording: whole packets, and how many.
func ExampleMultiplex() {
	mux := dvb.NewMultiplex(505.833333, []uint16{0x200, 0x201}, dvb.Params{}, recording())
	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, mux)
	msgs, _ := axontest.Collect[mpegts.Packets](context.Background(), h, "outbox")
	n := 0
	for _, ps := range msgs {
		n += ps.Len()
	}
	sig, _ := h.Get(context.Background(), "signal")
	fmt.Println(n, "packets of video and audio, then", sig)
	fmt.Printf("%+v\n", mux.Stats())
	// Output:
	// 144 packets of video and audio, then ProducerFinished
	// {Packets:144 Messages:2 Filtered:264 Resyncs:0 SkippedBytes:0 TruncatedBytes:0 Overflows:0 Tunings:1}
}

// A Demuxer routes each PID to the outboxes named for it.
func ExampleDemuxer() {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	d, _ := dvb.NewDemuxer(map[uint16][]string{0x200: {"video"}, 0x201: {"audio"}, 0x00: {"pat"}})
	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, d)
	ctx := context.Background()
	_ = h.Put(ctx, "inbox", mpegts.Packets(stream))
	_ = h.Finish(ctx)
	for _, name := range d.Names() {
		msgs, _ := axontest.Collect[mpegts.Packets](ctx, h, name)
		fmt.Println(name, msgs[0].Len(), "packets")
	}
	fmt.Printf("%+v\n", d.Stats())
	// Output:
	// pat 4 packets
	// video 72 packets
	// audio 72 packets
	// {Packets:408 Delivered:148 Unrouted:260 TransportErrors:0 Scrambled:0 Duplicates:0 ContinuityErrors:0 Malformed:0}
}

// A Tuner on a fake frontend that locks at its third poll.
func ExampleTuner() {
	fe := dvbtest.NewFrontend(2, dvb.HasSignal|dvb.HasCarrier)
	t := dvb.NewTuner(505.833333, dvb.Params{}, dvbtest.NewDevice(fe, nil, 0), dvb.WithLockPoll(time.Millisecond))
	s := axon.NewScheduler()
	h, _ := axon.NewHandle(s, t)
	ctx := context.Background()
	v, _ := h.Get(ctx, "outbox")
	st := v.(dvb.TunerStatus)
	fmt.Println(st.Adapter, st.FrequencyHz, st.Params, "locked:", st.Locked(), st.Signal.Status)
	_ = h.Finish(ctx)
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig, "frontend closed:", fe.Closed())
	// Output:
	// fake0 505833333 DVB-T 8MHz auto locked: true signal carrier viterbi sync lock
	// ProducerFinished frontend closed: true
}
