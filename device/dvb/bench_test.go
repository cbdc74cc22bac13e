package dvb_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// benchPIDs are the four PIDs demultiplexed: two services' video and audio.
var benchPIDs = [4]uint16{0x200, 0x201, 0x210, 0x211}

// writeBenchFile writes a transport stream of about size bytes: the default
// multiplex (tables, three services) repeated.
func writeBenchFile(b *testing.B, size int) (string, int64) {
	b.Helper()
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles, cfg.PESPerCycle = 16, 16
	block := dvbtest.Stream(cfg)
	path := filepath.Join(b.TempDir(), "bench.ts")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for n < int64(size) {
		k, err := f.Write(block)
		if err != nil {
			b.Fatal(err)
		}
		n += int64(k)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, n
}

// plainLoop reads the file and switches on the PID of each packet, counting
// the bytes of the four PIDs: the baseline.
func plainLoop(path string) ([4]int64, error) {
	var n [4]int64
	f, err := os.Open(path)
	if err != nil {
		return n, err
	}
	defer f.Close()
	buf := make([]byte, dvb.DefaultReadSize)
	for {
		k, err := io.ReadFull(f, buf)
		for i := 0; i+mpegts.PacketSize <= k; i += mpegts.PacketSize {
			switch uint16(buf[i+1]&0x1F)<<8 | uint16(buf[i+2]) {
			case benchPIDs[0]:
				n[0] += mpegts.PacketSize
			case benchPIDs[1]:
				n[1] += mpegts.PacketSize
			case benchPIDs[2]:
				n[2] += mpegts.PacketSize
			case benchPIDs[3]:
				n[3] += mpegts.PacketSize
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// copyingLoop is plainLoop that also does what a demultiplexer must: hands
// each PID's packets on in memory of their own (a new buffer per PID per
// read, as the Demuxer makes), reading into a new buffer each time (as a
// reader that gives its buffers away must).
func copyingLoop(path string) ([4]int64, error) {
	var n [4]int64
	f, err := os.Open(path)
	if err != nil {
		return n, err
	}
	defer f.Close()
	var sink [4][]byte
	for {
		buf := make([]byte, dvb.DefaultReadSize)
		k, err := io.ReadFull(f, buf)
		copyPIDs(buf[:k], &n, &sink)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// copyPIDs copies the packets of buf of each of the four PIDs into a new
// buffer of its own (counted first, so each is allocated at its size),
// adds their bytes to n and keeps the buffers in sink.
func copyPIDs(buf []byte, n *[4]int64, sink *[4][]byte) {
	var out [4][]byte
	var count [4]int
	which := func(i int) int {
		switch uint16(buf[i+1]&0x1F)<<8 | uint16(buf[i+2]) {
		case benchPIDs[0]:
			return 0
		case benchPIDs[1]:
			return 1
		case benchPIDs[2]:
			return 2
		case benchPIDs[3]:
			return 3
		}
		return -1
	}
	for i := 0; i+mpegts.PacketSize <= len(buf); i += mpegts.PacketSize {
		if j := which(i); j >= 0 {
			count[j]++
		}
	}
	for j, c := range count {
		out[j] = make([]byte, 0, c*mpegts.PacketSize)
	}
	for i := 0; i+mpegts.PacketSize <= len(buf); i += mpegts.PacketSize {
		if j := which(i); j >= 0 {
			out[j] = append(out[j], buf[i:i+mpegts.PacketSize]...)
		}
	}
	for j := range out {
		n[j] += int64(len(out[j]))
		sink[j] = out[j]
	}
}

// counter counts the bytes it is sent.
type counter struct {
	axon.Core
	in *axon.Inbox[mpegts.Packets]
	n  int64
}

func newCounter() *counter {
	c := &counter{}
	c.in = axon.NewInbox[mpegts.Packets](c, "inbox")
	return c
}

func (c *counter) Main(ctx context.Context) error {
	for ps := range c.in.Messages(ctx) {
		c.n += int64(len(ps))
	}
	return ctx.Err()
}

// memSource sends the chunks it is given, in order, and ends.
type memSource struct {
	axon.Core
	out    *axon.Outbox[mpegts.Packets]
	chunks []mpegts.Packets
}

func (m *memSource) Main(ctx context.Context) error {
	for _, c := range m.chunks {
		if err := m.out.Send(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// demuxPipeline runs FileDevice -> Multiplex -> Demuxer -> four counters.
func demuxPipeline(path string) ([4]int64, error) {
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.FileDevice(path), benchOpts...)
	n, err := demuxFrom(m, m.Out)
	if err != nil {
		return n, err
	}
	return n, m.Err()
}

// demuxFrom runs src -> Demuxer -> four counters, src's out giving the
// stream.
func demuxFrom(src interface {
	axon.Component
	Signal() *axon.Outbox[any]
}, out *axon.Outbox[mpegts.Packets]) ([4]int64, error) {
	var n [4]int64
	s := axon.NewScheduler()
	m := src
	routes := map[uint16][]string{}
	names := [4]string{"v1", "a1", "v2", "a2"}
	for i, pid := range benchPIDs {
		routes[pid] = []string{names[i]}
	}
	d, err := dvb.NewDemuxer(routes)
	if err != nil {
		return n, err
	}
	axon.MustLink(out, d.In)
	axon.MustLink(m.Signal(), d.Control())
	var cs [4]*counter
	var hs [4]*axon.Handle
	for i := range cs {
		cs[i] = newCounter()
		axon.MustLink(d.Stream(names[i]), cs[i].in)
		if hs[i], err = axon.NewHandle(s, cs[i]); err != nil {
			return n, err
		}
	}
	s.Activate(m, d)
	<-d.Done()
	// One signal cannot feed four controls (fan-out is a splitter's job):
	// tell each counter to finish.
	ctx := context.Background()
	for _, h := range hs {
		if err := h.Finish(ctx); err != nil {
			return n, err
		}
	}
	s.Wait(ctx)
	for i, c := range cs {
		n[i] = c.n
		hs[i].Close()
	}
	return n, nil
}

// BenchmarkDemux100MB demultiplexes a 100 MB transport stream file into 4
// PIDs with Multiplex (FileDevice) and Demuxer, and with a plain Go loop
// reading the same file and switching on the PID, in the same run. It
// reports both throughputs and their ratio (goal: demuxer/loop >= 0.8).
func BenchmarkDemux100MB(b *testing.B) {
	path, size := writeBenchFile(b, 100<<20)
	want, err := plainLoop(path) // also warms the page cache
	if err != nil {
		b.Fatal(err)
	}
	var loop, copying, pipe time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		got, err := plainLoop(path)
		t1 := time.Now()
		if err != nil || got != want {
			b.Fatalf("loop: %v %v", got, err)
		}
		got, err = copyingLoop(path)
		t2 := time.Now()
		if err != nil || got != want {
			b.Fatalf("copying loop: %v %v", got, err)
		}
		got, err = demuxPipeline(path)
		t3 := time.Now()
		if err != nil || got != want {
			b.Fatalf("demuxer: got %v, want %v (%v)", got, want, err)
		}
		loop += t1.Sub(t0)
		copying += t2.Sub(t1)
		pipe += t3.Sub(t2)
	}
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(mb/loop.Seconds(), "loop-MB/s")
	b.ReportMetric(mb/copying.Seconds(), "copyloop-MB/s")
	b.ReportMetric(mb/pipe.Seconds(), "demuxer-MB/s")
	b.ReportMetric(loop.Seconds()/pipe.Seconds(), "demuxer/loop")
	b.ReportMetric(copying.Seconds()/pipe.Seconds(), "demuxer/copyloop")
}

// BenchmarkDemuxerPerPacket measures what the Demuxer costs per packet,
// without the reading: the same in-memory chunks (DefaultReadSize each, 32
// MB in all) through memSource -> Demuxer -> four counters, and through
// copyPIDs, the copying loop's body, interleaved in the same run. It
// reports nanoseconds per packet for both and their ratio.
func BenchmarkDemuxerPerPacket(b *testing.B) {
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles, cfg.PESPerCycle = 16, 16
	block := dvbtest.Stream(cfg)
	var stream []byte
	for len(stream) < 32<<20 {
		stream = append(stream, block...)
	}
	var chunks []mpegts.Packets
	for off := 0; off < len(stream); off += dvb.DefaultReadSize {
		chunks = append(chunks, mpegts.Packets(stream[off:min(off+dvb.DefaultReadSize, len(stream))]))
	}
	packets := float64(len(stream) / mpegts.PacketSize)
	var copying, demux time.Duration
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		t0 := time.Now()
		var want [4]int64
		var sink [4][]byte
		for _, c := range chunks {
			copyPIDs(c, &want, &sink)
		}
		t1 := time.Now()
		src := &memSource{chunks: chunks}
		src.out = axon.NewOutbox[mpegts.Packets](src, "outbox")
		got, err := demuxFrom(src, src.out)
		t2 := time.Now()
		if err != nil || got != want {
			b.Fatalf("demuxer: got %v, want %v (%v)", got, want, err)
		}
		copying += t1.Sub(t0)
		demux += t2.Sub(t1)
	}
	runs := float64(b.N) * packets
	b.ReportMetric(float64(copying.Nanoseconds())/runs, "copyloop-ns/packet")
	b.ReportMetric(float64(demux.Nanoseconds())/runs, "demuxer-ns/packet")
	b.ReportMetric(copying.Seconds()/demux.Seconds(), "demuxer/copyloop")
}

var benchOpts []dvb.Option
