package dvb_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

func TestMultiplexEmitsWholeAlignedPacketsWhateverTheReadSizes(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	for _, size := range []int{1000, 188, 7, 0} {
		fe := dvbtest.NewFrontend(0, 0)
		dev := dvbtest.NewDevice(fe, stream, size)
		m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev, dvb.WithReadSize(4000))
		h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
		msgs := collect[mpegts.Packets](t, h, "outbox")
		requireBytes(t, stream, joinPackets(t, msgs), "reads of ", size)
		require.Equal(t, axon.ProducerFinished{}, signalOf(t, h), "the end of the stream is a clean end")
		st := m.Stats()
		require.Equal(t, uint64(len(stream)/188), st.Packets)
		require.Equal(t, uint64(len(msgs)), st.Messages)
		require.Zero(t, st.Resyncs+st.SkippedBytes+st.TruncatedBytes+st.Filtered)
		require.Equal(t, uint64(1), st.Tunings)
		require.Equal(t, []dvbtest.Tuning{{FrequencyHz: 505_833_333}}, fe.Tunings())
		require.True(t, fe.Closed(), "the frontend is closed at the end")
		require.True(t, dev.DVRs()[0].(*dvbtest.Reader).Closed(), "the DVR is closed at the end")
		require.True(t, dev.Filters()[0].Closed())
	}
}

func TestMultiplexPlaysARecordedFile(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	path := filepath.Join(t.TempDir(), "mux.ts")
	require.NoError(t, os.WriteFile(path, stream, 0o644))
	m := dvb.NewMultiplex(505.833333, []uint16{0x00, 0x12, 0x200}, dvb.Params{}, dvb.FileDevice(path))
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	got := joinPackets(t, collect[mpegts.Packets](t, h, "outbox"))
	requireBytes(t, onlyPIDs(stream, 0x00, 0x12, 0x200), got)
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	n := dvbtest.CountPIDs(stream)
	require.Equal(t, uint64(len(stream)/188-n[0]-n[0x12]-n[0x200]), m.Stats().Filtered)
}

func TestMultiplexSetsTheDevicePIDFilters(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), stream, 0)
	m := dvb.NewMultiplex(474, []uint16{0x11, 0x201}, dvb.Params{BandwidthHz: 7_000_000, Guard: dvb.Guard1_32}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	got := joinPackets(t, collect[mpegts.Packets](t, h, "outbox"))
	requireBytes(t, onlyPIDs(stream, 0x11, 0x201), got, "the Multiplex filters too: this fake device passes everything")
	require.Len(t, dev.Filters(), 1)
	require.Equal(t, []uint16{0x11, 0x201}, dev.Filters()[0].PIDs())
	require.Equal(t, dvb.Params{BandwidthHz: 7_000_000, Guard: dvb.Guard1_32}, dev.Frontend.Tunings()[0].Params)
}

func TestMultiplexResyncsAndCountsLostSyncBytes(t *testing.T) {
	clean := dvbtest.Stream(dvbtest.DefaultConfig())
	stream := append([]byte{1, 2, 3}, clean...) // starts mid-packet
	stream[3+10*188] = 0                        // two packets lose their sync byte
	stream[3+100*188] = 0x48
	stream = append(stream[:3+200*188], append([]byte{9, 9, 9, 9}, stream[3+200*188:]...)...) // stray bytes
	stream = stream[:len(stream)-100]                                                         // and the last packet is cut short
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), stream, 1000)
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	got := joinPackets(t, collect[mpegts.Packets](t, h, "outbox"))
	want := append(append(append([]byte(nil), clean[:10*188]...), clean[11*188:100*188]...), clean[101*188:len(clean)-188]...)
	requireBytes(t, want, got)
	st := m.Stats()
	require.Equal(t, uint64(3), st.Resyncs, "two sync bytes lost, one run of stray bytes")
	require.Equal(t, uint64(3+188+188+4), st.SkippedBytes)
	require.Equal(t, uint64(88), st.TruncatedBytes)
	require.Equal(t, uint64(len(clean)/188-3), st.Packets)
}

func TestMultiplexLockTimeoutNamesTheAdapterAndWhatWasMissing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fe := dvbtest.NewFrontend(-1, dvb.HasSignal|dvb.HasCarrier)
		dev := dvbtest.NewDevice(fe, nil, 0)
		m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev, dvb.WithLockTimeout(2*time.Second))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
		err := failure(t, h)
		require.Equal(t, 2*time.Second, time.Since(start), "it gives up exactly at the timeout")
		var le *dvb.LockError
		require.ErrorAs(t, err, &le)
		require.Equal(t, "fake0", le.Adapter)
		require.Equal(t, uint32(505_833_333), le.FrequencyHz)
		require.Equal(t, dvb.HasSignal|dvb.HasCarrier, le.Status)
		require.Equal(t, dvb.HasViterbi|dvb.HasSync|dvb.HasLock, le.Status.Missing())
		require.EqualError(t, le, "dvb: fake0: no lock on 505.833 MHz within 2s: has signal carrier; missing viterbi sync lock")
		require.Equal(t, 21, fe.Polls(), "at once, then every 100ms up to the timeout")
		require.True(t, fe.Closed())
		require.Empty(t, dev.DVRs(), "no DVR without a lock")
	})
}

func TestMultiplexStartsReadingWhenTheFrontendLocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stream := dvbtest.Stream(dvbtest.DefaultConfig())
		fe := dvbtest.NewFrontend(3, dvb.HasSignal)
		m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvbtest.NewDevice(fe, stream, 0))
		start := time.Now()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
		first := get[mpegts.Packets](t, h, "outbox")
		require.Equal(t, 300*time.Millisecond, time.Since(start), "locked at the fourth poll")
		rest := collect[mpegts.Packets](t, h, "outbox")
		requireBytes(t, stream, joinPackets(t, append([]mpegts.Packets{first}, rest...)))
	})
}

// blockingDevice returns a device whose DVR gives stream and then blocks
// until it is closed, as a tuned adapter does when the signal stops.
func blockingDevice(stream []byte) *dvbtest.Device {
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	dev.DVR = func(int) io.ReadCloser { return dvbtest.NewBlockingReader(stream, 0) }
	return dev
}

func TestMultiplexShutdownWhileAReadIsBlocked(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	dev := blockingDevice(stream)
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	var got []byte
	for len(got) < len(stream) {
		got = append(got, get[mpegts.Packets](t, h, "outbox")...)
	}
	requireBytes(t, stream, got)
	// The reading goroutine is now blocked in Read.
	require.NoError(t, h.Put(axontest.Context(t), "control", axon.Shutdown{}))
	require.Equal(t, axon.Shutdown{}, signalOf(t, h))
	require.NoError(t, h.Wait(axontest.Context(t)))
	require.True(t, dev.DVRs()[0].(*dvbtest.Reader).Closed(), "closing the DVR ended the read")
	require.True(t, dev.Frontend.Closed())
	require.True(t, dev.Filters()[0].Closed())
}

func TestMultiplexProducerFinishedWhileAReadIsBlocked(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	dev := blockingDevice(stream)
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	first := get[mpegts.Packets](t, h, "outbox")
	require.NoError(t, h.Finish(axontest.Context(t)))
	rest := collect[mpegts.Packets](t, h, "outbox")
	got := joinPackets(t, append([]mpegts.Packets{first}, rest...))
	requireBytes(t, stream[:len(got)], got, "what it sends is the stream, up to where it stopped reading")
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	require.True(t, dev.DVRs()[0].(*dvbtest.Reader).Closed())
	require.True(t, dev.Frontend.Closed())
}

func TestMultiplexProducerFinishedSendsWhatItHasRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stream := dvbtest.Stream(dvbtest.DefaultConfig())
		dev := blockingDevice(stream)
		m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev, dvb.WithReadSize(10*188), dvb.WithReadWindow(8))
		// A relay that holds one message and is not yet running: the
		// Multiplex's consumer, stalled.
		g := axontest.NewRelay[mpegts.Packets](1)
		axon.MustLink(m.Out, g.In)
		axon.MustLink(m.Signal(), g.Control())
		s := axontest.NewScheduler(t)
		hm := axontest.NewHandle(t, s, m)
		synctest.Wait()
		// Now the relay holds one message, the Multiplex waits to send the
		// next, eight reads wait for it and the reader holds one more.
		require.Equal(t, uint64(2), m.Stats().Messages)
		require.NoError(t, hm.Finish(axontest.Context(t)))
		hg := axontest.NewHandle(t, s, g)
		got := joinPackets(t, collect[mpegts.Packets](t, hg, "outbox"))
		require.GreaterOrEqual(t, len(got), 11*10*188, "every read made before it was told to finish is sent")
		requireBytes(t, stream[:len(got)], got)
		require.Equal(t, axon.ProducerFinished{}, signalOf(t, hg))
		require.True(t, dev.DVRs()[0].(*dvbtest.Reader).Closed())
	})
}

func TestMultiplexRetunes(t *testing.T) {
	cfgB := dvbtest.DefaultConfig()
	cfgB.TransportStreamID = 0x2000
	a, b := dvbtest.Stream(dvbtest.DefaultConfig()), dvbtest.Stream(cfgB)
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	dev.DVR = func(n int) io.ReadCloser {
		if n == 0 {
			return dvbtest.NewBlockingReader(a, 0) // the first frequency: blocks at its end
		}
		return dvbtest.NewReader(b, 0) // the second: ends
	}
	m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	var got []byte
	for len(got) < len(a) {
		got = append(got, get[mpegts.Packets](t, h, "outbox")...)
	}
	p := dvb.Params{Modulation: dvb.QAM64}
	require.NoError(t, h.Put(axontest.Context(t), "inbox", dvb.Retune{FrequencyMHz: 474, Params: &p}))
	got = append(got, joinPackets(t, collect[mpegts.Packets](t, h, "outbox"))...)
	requireBytes(t, append(append([]byte(nil), a...), b...), got)
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	require.Equal(t, []dvbtest.Tuning{{FrequencyHz: 505_833_333}, {FrequencyHz: 474_000_000, Params: p}}, dev.Frontend.Tunings())
	require.Len(t, dev.DVRs(), 2)
	require.True(t, dev.DVRs()[0].(*dvbtest.Reader).Closed())
	require.Len(t, dev.Filters(), 2)
	require.True(t, dev.Filters()[0].Closed(), "the old filters go with the old tuning")
	require.Equal(t, uint64(2), m.Stats().Tunings)
}

func TestMultiplexAddsAndRemovesPIDs(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	pr, pw := io.Pipe()
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	dev.DVR = func(int) io.ReadCloser { return pr }
	m := dvb.NewMultiplex(474, []uint16{0x200}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	ctx := axontest.Context(t)
	write := func() {
		_, err := pw.Write(stream)
		require.NoError(t, err)
	}
	take := func(n int) []byte {
		var got []byte
		for len(got) < n {
			got = append(got, get[mpegts.Packets](t, h, "outbox")...)
		}
		return got
	}
	write()
	requireBytes(t, onlyPIDs(stream, 0x200), take(len(onlyPIDs(stream, 0x200))))

	require.NoError(t, h.Put(ctx, "inbox", dvb.AddPIDs{0x201, 0x00}))
	write() // requests waiting are served before the data read after them
	requireBytes(t, onlyPIDs(stream, 0x00, 0x200, 0x201), take(len(onlyPIDs(stream, 0x00, 0x200, 0x201))))
	require.Equal(t, []uint16{0x200, 0x201, 0x00}, dev.Filters()[0].PIDs())

	require.NoError(t, h.Put(ctx, "inbox", dvb.RemovePIDs{0x200, 0x00}))
	write()
	require.NoError(t, pw.Close())
	requireBytes(t, onlyPIDs(stream, 0x201), joinPackets(t, collect[mpegts.Packets](t, h, "outbox")))
	require.Equal(t, []uint16{0x201}, dev.Filters()[0].PIDs())
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
}

// overflowReader reports a DVR overflow once, after its first read.
type overflowReader struct {
	*dvbtest.Reader
	reads int
}

func (r *overflowReader) Read(p []byte) (int, error) {
	r.reads++
	if r.reads == 2 {
		return 0, dvb.ErrOverflow
	}
	return r.Reader.Read(p)
}

func TestMultiplexCountsOverflowsAndCarriesOn(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	dev.DVR = func(int) io.ReadCloser { return &overflowReader{Reader: dvbtest.NewReader(stream, 5000)} }
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	requireBytes(t, stream, joinPackets(t, collect[mpegts.Packets](t, h, "outbox")))
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	require.Equal(t, uint64(1), m.Stats().Overflows)
}

// failingReader fails its second read.
type failingReader struct {
	*dvbtest.Reader
	reads int
}

func (r *failingReader) Read(p []byte) (int, error) {
	r.reads++
	if r.reads == 2 {
		return 0, errors.New("device unplugged")
	}
	return r.Reader.Read(p)
}

func TestMultiplexFailsOnAReadErrorNamingTheAdapter(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	dev.DVR = func(int) io.ReadCloser { return &failingReader{Reader: dvbtest.NewReader(stream, 188*10)} }
	m := dvb.NewMultiplex(474, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), m)
	got := joinPackets(t, collect[mpegts.Packets](t, h, "outbox"))
	requireBytes(t, stream[:188*10], got, "what was read before the error is sent")
	require.EqualError(t, failure(t, h), "dvb: fake0: reading the DVR: device unplugged")
}

func TestMultiplexRefusesBadPIDsAndFrequencies(t *testing.T) {
	dev := dvbtest.NewDevice(dvbtest.NewFrontend(0, 0), nil, 0)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), dvb.NewMultiplex(474, []uint16{0x2001}, dvb.Params{}, dev))
	require.ErrorContains(t, failure(t, h), "PID 0x2001 out of range")
	h = axontest.NewHandle(t, axontest.NewScheduler(t), dvb.NewMultiplex(-1, []uint16{0}, dvb.Params{}, dev))
	require.ErrorContains(t, failure(t, h), "frequency -1 MHz out of range")
}

func writeTS(t *testing.T, stream []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mux.ts")
	require.NoError(t, os.WriteFile(path, stream, 0o644))
	return path
}
