package dvb_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

// demux runs a Demuxer on the chunks and returns what each outbox got.
func demux(t *testing.T, d *dvb.Demuxer, chunks ...[]byte) map[string][]mpegts.Packets {
	t.Helper()
	h := axontest.NewHandle(t, axontest.NewScheduler(t), d)
	ctx := axontest.Context(t)
	for _, c := range chunks {
		require.NoError(t, h.Put(ctx, "inbox", mpegts.Packets(c)))
	}
	require.NoError(t, h.Finish(ctx))
	out := map[string][]mpegts.Packets{}
	for _, name := range d.Names() {
		out[name] = collect[mpegts.Packets](t, h, name)
	}
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	return out
}

// chunks splits stream into messages of n packets.
func chunks(stream []byte, n int) [][]byte {
	var out [][]byte
	for off := 0; off < len(stream); off += n * 188 {
		out = append(out, append([]byte(nil), stream[off:min(off+n*188, len(stream))]...))
	}
	return out
}

func TestDemuxerRoutesEachPIDToItsOutboxes(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	d, err := dvb.NewDemuxer(map[uint16][]string{
		0x200: {"video", "bbc1"},
		0x201: {"audio", "bbc1"},
		0x12:  {"eit"},
		0x00:  {"psi"},
		0x100: {"psi"},
	})
	require.NoError(t, err)
	for _, name := range []string{"video", "bbc1", "audio", "eit", "psi"} {
		require.NotNil(t, d.Stream(name), name)
		_, ok := d.Core.Outbox(name)
		require.True(t, ok, "%s is a box of the component", name)
	}
	require.Nil(t, d.Stream("nothing"))

	msgs := chunks(stream, 37)
	got := demux(t, d, msgs...)
	for name, pids := range map[string][]uint16{
		"video": {0x200}, "audio": {0x201}, "bbc1": {0x200, 0x201}, "eit": {0x12}, "psi": {0x00, 0x100},
	} {
		requireBytes(t, onlyPIDs(stream, pids...), joinPackets(t, got[name]), name)
		require.LessOrEqual(t, len(got[name]), len(msgs), "%s: at most one message per message in", name)
	}
	n := dvbtest.CountPIDs(stream)
	st := d.Stats()
	routed := n[0x200] + n[0x201] + n[0x12] + n[0x00] + n[0x100]
	require.Equal(t, uint64(len(stream)/188), st.Packets)
	require.Equal(t, uint64(routed+n[0x200]+n[0x201]), st.Delivered, "video and audio go to two outboxes each")
	require.Equal(t, uint64(len(stream)/188-routed), st.Unrouted)
	require.Zero(t, st.TransportErrors+st.Scrambled+st.Duplicates+st.ContinuityErrors+st.Malformed)
}

func TestDemuxerAllPIDs(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	d, err := dvb.NewDemuxer(map[uint16][]string{mpegts.AllPIDs: {"all"}, 0x12: {"eit"}})
	require.NoError(t, err)
	msgs := chunks(stream, 50)
	got := demux(t, d, msgs...)
	requireBytes(t, stream, joinPackets(t, got["all"]))
	requireBytes(t, onlyPIDs(stream, 0x12), joinPackets(t, got["eit"]))
	require.Zero(t, d.Stats().Unrouted)
}

func TestDemuxerPassesAMessageOnWithoutACopyWhenOneOutboxTakesItAll(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	d, err := dvb.NewDemuxer(map[uint16][]string{mpegts.AllPIDs: {"all"}})
	require.NoError(t, err)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), d)
	in := mpegts.Packets(stream[:188*10])
	require.NoError(t, h.Put(axontest.Context(t), "inbox", in))
	out := get[mpegts.Packets](t, h, "all")
	require.Same(t, &in[0], &out[0], "the message itself, given up by its sender")
}

func TestDemuxerDropsAndCountsBadPackets(t *testing.T) {
	var m dvbtest.Mux
	pid := uint16(0x300)
	data := []byte{1, 2, 3}
	m.Packet(pid, true, data, dvbtest.PacketOptions{})                      // cc 0
	m.Packet(pid, false, data, dvbtest.PacketOptions{})                     // cc 1
	m.Packet(pid, false, data, dvbtest.PacketOptions{TransportError: true}) // cc 2: dropped, counter not trusted
	m.Packet(pid, false, data, dvbtest.PacketOptions{})                     // cc 3: gap (2 was lost)
	m.Packet(pid, false, data, dvbtest.PacketOptions{Scrambling: 2})        // cc 4: scrambled, dropped, counter followed
	m.Packet(pid, false, data, dvbtest.PacketOptions{})                     // cc 5
	cc := uint8(5)
	m.Packet(pid, false, data, dvbtest.PacketOptions{CC: &cc})             // a duplicate of 5: dropped
	m.NextCC(pid)                                                          // cc 6 lost
	m.NextCC(pid)                                                          // cc 7 lost
	m.Packet(pid, false, data, dvbtest.PacketOptions{})                    // cc 8: gap
	m.Packet(pid, false, nil, dvbtest.PacketOptions{})                     // adaptation only: no payload, counter stays
	m.Packet(pid, false, data, dvbtest.PacketOptions{})                    // cc 9
	m.NextCC(pid)                                                          // cc 10 lost...
	m.Packet(pid, false, data, dvbtest.PacketOptions{Discontinuity: true}) // ...but announced: no gap
	m.Packet(0x1FFF, false, data, dvbtest.PacketOptions{})                 // null packets have no counter
	m.Packet(0x1FFF, false, data, dvbtest.PacketOptions{})
	good := m.Bytes()
	bad := append([]byte(nil), good[:188]...)
	bad[0] = 0x00                                                  // no sync byte
	tail := append(append([]byte(nil), good[:188]...), 0x47, 1, 2) // not a whole number of packets

	d, err := dvb.NewDemuxer(map[uint16][]string{pid: {"out"}, 0x1FFF: {"null"}})
	require.NoError(t, err)
	got := demux(t, d, good, bad, tail[188:])
	out := joinPackets(t, got["out"])
	var ccs []uint8
	for _, p := range mpegts.Packets(out).All() {
		ccs = append(ccs, p.ContinuityCounter())
	}
	require.Equal(t, []uint8{0, 1, 3, 5, 8, 8, 9, 11}, ccs)
	require.Equal(t, dvb.DemuxStats{
		Packets: 15, Delivered: 10, TransportErrors: 1, Scrambled: 1, Duplicates: 1, ContinuityErrors: 2, Malformed: 2,
	}, d.Stats())
}

func TestNewDemuxerRefusesBadRoutes(t *testing.T) {
	_, err := dvb.NewDemuxer(map[uint16][]string{0x2001: {"x"}})
	require.ErrorContains(t, err, "PID 0x2001 out of range")
	_, err = dvb.NewDemuxer(map[uint16][]string{0x100: {"control"}})
	require.ErrorContains(t, err, `outbox name "control"`)
	_, err = dvb.NewDemuxer(map[uint16][]string{0x100: {""}})
	require.Error(t, err)
}

func TestDemuxerShutdown(t *testing.T) {
	d, err := dvb.NewDemuxer(map[uint16][]string{0x100: {"out"}})
	require.NoError(t, err)
	h := axontest.NewHandle(t, axontest.NewScheduler(t), d)
	require.NoError(t, h.Put(axontest.Context(t), "control", axon.Shutdown{}))
	require.Equal(t, axon.Shutdown{}, signalOf(t, h))
}
