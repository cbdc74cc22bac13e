package mpegts_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

// packetStream returns n packets on PIDs 0x100.. with payloads that never
// contain the sync byte, so that a resync lands exactly on the next packet.
func packetStream(n int) []byte {
	var m dvbtest.Mux
	for i := range n {
		m.Packet(0x100+uint16(i%4), false, dvbtest.Payload(184, i), dvbtest.PacketOptions{})
	}
	return m.Bytes()
}

// alignAll feeds stream to a fresh Aligner in chunks of size bytes (all at
// once if 0), flushes it, and returns everything it produced, every result
// checked to be whole aligned packets.
func alignAll(t *testing.T, stream []byte, size int) ([]byte, mpegts.AlignStats) {
	t.Helper()
	var a mpegts.Aligner
	var out []byte
	add := func(ps mpegts.Packets) {
		_, err := mpegts.ParsePackets(ps)
		require.NoError(t, err, "Align must return whole aligned packets")
		out = append(out, ps...)
	}
	if size <= 0 {
		size = len(stream) + 1
	}
	for off := 0; off < len(stream); off += size {
		chunk := append([]byte(nil), stream[off:min(off+size, len(stream))]...)
		add(a.Align(chunk))
	}
	add(a.Flush())
	st := a.Stats()
	require.Equal(t, uint64(len(stream)), st.Packets*mpegts.PacketSize+st.SkippedBytes+st.TruncatedBytes,
		"every byte is a packet's, skipped or truncated")
	require.Equal(t, 0, a.Pending())
	return out, st
}

func TestAlignerPassesAnAlignedStreamWhateverTheChunkSize(t *testing.T) {
	stream := packetStream(50)
	for _, size := range []int{0, 1, 7, 187, 188, 189, 376, 1000, 4096} {
		out, st := alignAll(t, stream, size)
		require.Equal(t, stream, out, "chunks of %d", size)
		require.Equal(t, mpegts.AlignStats{Packets: 50}, st, "chunks of %d", size)
	}
}

func TestAlignerDoesNotCopyAnAlignedChunk(t *testing.T) {
	stream := packetStream(4)
	var a mpegts.Aligner
	ps := a.Align(stream)
	require.Equal(t, 4, ps.Len())
	require.Same(t, &stream[0], &ps[0], "an aligned chunk is passed on as it is")
}

func TestAlignerSkipsGarbageBeforeTheFirstPacket(t *testing.T) {
	stream := append(bytes.Repeat([]byte{0x00, 0x47, 0x11}, 33), packetStream(10)...) // 99 bytes, with false sync bytes
	out, st := alignAll(t, stream, 50)
	require.Equal(t, packetStream(10), out)
	require.Equal(t, mpegts.AlignStats{Packets: 10, SkippedBytes: 99}, st, "finding sync at the start is not a resync")
}

func TestAlignerResyncsAfterALostSyncByte(t *testing.T) {
	stream := packetStream(20)
	stream[5*188] = 0x00 // packet 5 loses its sync byte
	stream[12*188] = 0xFF
	out, st := alignAll(t, stream, 100)
	want := append(append([]byte(nil), packetStream(20)[:5*188]...), packetStream(20)[6*188:12*188]...)
	want = append(want, packetStream(20)[13*188:]...)
	require.Equal(t, want, out)
	require.Equal(t, mpegts.AlignStats{Packets: 18, Resyncs: 2, SkippedBytes: 2 * 188}, st)
}

func TestAlignerResyncsAfterInsertedBytes(t *testing.T) {
	clean := packetStream(10)
	stream := append(append(append([]byte(nil), clean[:3*188]...), 1, 2, 3, 4, 5), clean[3*188:]...)
	out, st := alignAll(t, stream, 64)
	require.Equal(t, clean, out, "no packet is lost to a few stray bytes")
	require.Equal(t, mpegts.AlignStats{Packets: 10, Resyncs: 1, SkippedBytes: 5}, st)
}

func TestAlignerCountsATruncatedLastPacket(t *testing.T) {
	stream := packetStream(6)
	stream = stream[:len(stream)-50]
	out, st := alignAll(t, stream, 188)
	require.Equal(t, packetStream(5), out)
	require.Equal(t, mpegts.AlignStats{Packets: 5, TruncatedBytes: 138}, st)
}

func TestAlignerFlushReturnsALoneUnconfirmedPacket(t *testing.T) {
	stream := append([]byte{9, 9, 9}, packetStream(1)...)
	out, st := alignAll(t, stream, 0)
	require.Equal(t, packetStream(1), out)
	require.Equal(t, mpegts.AlignStats{Packets: 1, SkippedBytes: 3}, st)
}

func TestAlignerResetStartsANewStream(t *testing.T) {
	var a mpegts.Aligner
	s := packetStream(3)
	require.Equal(t, 2, a.Align(append([]byte(nil), s[:2*188+10]...)).Len())
	require.Equal(t, 10, a.Pending())
	a.Reset()
	require.Equal(t, 0, a.Pending())
	require.Equal(t, 3, a.Align(append([]byte(nil), s...)).Len()+a.Flush().Len())
	require.Equal(t, mpegts.AlignStats{Packets: 5, SkippedBytes: 10}, a.Stats())
}
