package mpegts_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

func onePacket(t *testing.T, pid uint16, pusi bool, payload []byte, o dvbtest.PacketOptions) mpegts.Packet {
	t.Helper()
	var m dvbtest.Mux
	m.Packet(pid, pusi, payload, o)
	p, err := mpegts.ParsePacket(m.Bytes())
	require.NoError(t, err)
	return p
}

func TestPacketHeaderFields(t *testing.T) {
	cc := uint8(9)
	p := onePacket(t, 0x1ABC, true, []byte{1, 2, 3}, dvbtest.PacketOptions{TransportError: true, Scrambling: 3, CC: &cc})
	require.Equal(t, uint16(0x1ABC), p.PID())
	require.True(t, p.TransportError())
	require.True(t, p.PayloadUnitStart())
	require.False(t, p.Priority())
	require.Equal(t, uint8(3), p.Scrambling())
	require.Equal(t, uint8(9), p.ContinuityCounter())
	require.True(t, p.HasPayload())
	require.True(t, p.HasAdaptationField(), "a short payload is padded with adaptation field stuffing")
	payload, err := p.Payload()
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, payload)

	// ziutek/dvb reads the same fields from the same bytes.
	z := p.Pkt()
	require.Equal(t, int16(0x1ABC), z.Pid())
	require.Equal(t, int8(9), z.CC())
	require.True(t, z.ContainsError())
	require.Equal(t, payload, z.Payload())
}

func TestParsePacketRejectsWrongSizeAndSync(t *testing.T) {
	_, err := mpegts.ParsePacket(make([]byte, 187))
	require.ErrorIs(t, err, mpegts.ErrPacketSize)
	b := make([]byte, 188)
	b[0] = 0x48
	_, err = mpegts.ParsePacket(b)
	require.ErrorIs(t, err, mpegts.ErrSync)
}

func TestAdaptationFieldPCRRoundTrip(t *testing.T) {
	for _, pcr := range []uint64{0, 1, 299, 300, 27_000_000, (1<<33-1)*300 + 299} {
		v := pcr
		p := onePacket(t, 0x100, true, []byte{0xAA}, dvbtest.PacketOptions{PCR: &v, RandomAccess: true, Discontinuity: true})
		af, err := mpegts.ParseAdaptationField(p)
		require.NoError(t, err)
		require.True(t, af.Present)
		require.True(t, af.HasPCR)
		require.Equal(t, pcr, af.PCR)
		require.True(t, af.RandomAccess)
		require.True(t, af.Discontinuity)
		require.False(t, af.HasOPCR)
		// ziutek/dvb decodes the same PCR.
		zpcr, err := p.Pkt().AF().PCR()
		require.NoError(t, err)
		require.Equal(t, pcr, uint64(zpcr))
	}
}

func TestAdaptationFieldBadLengths(t *testing.T) {
	p := onePacket(t, 0x100, false, []byte{1}, dvbtest.PacketOptions{})
	p[4] = 183 // with a payload, at most 182
	_, err := p.Payload()
	require.ErrorIs(t, err, mpegts.ErrAdaptationField)
	_, err = mpegts.ParseAdaptationField(p)
	require.ErrorIs(t, err, mpegts.ErrAdaptationField)

	p = onePacket(t, 0x100, false, nil, dvbtest.PacketOptions{}) // adaptation only
	require.False(t, p.HasPayload())
	payload, err := p.Payload()
	require.NoError(t, err)
	require.Nil(t, payload)
	p[4] = 100 // without a payload it must be 183
	_, err = mpegts.ParseAdaptationField(p)
	require.ErrorIs(t, err, mpegts.ErrAdaptationField)

	p = onePacket(t, 0x100, false, []byte{1}, dvbtest.PacketOptions{})
	p[4], p[5] = 3, 0x10 // says PCR, has room for 2 bytes of it
	_, err = mpegts.ParseAdaptationField(p)
	require.ErrorIs(t, err, mpegts.ErrAdaptationField)
}

func TestPacketsIteratesWholePackets(t *testing.T) {
	var m dvbtest.Mux
	for pid := range uint16(5) {
		m.Packet(pid, false, dvbtest.Payload(184, int(pid)), dvbtest.PacketOptions{})
	}
	ps, err := mpegts.ParsePackets(m.Bytes())
	require.NoError(t, err)
	require.Equal(t, 5, ps.Len())
	var pids []uint16
	for i, p := range ps.All() {
		require.Len(t, p, mpegts.PacketSize)
		require.Equal(t, ps.At(i), p)
		pids = append(pids, p.PID())
	}
	require.Equal(t, []uint16{0, 1, 2, 3, 4}, pids)

	_, err = mpegts.ParsePackets(m.Bytes()[:300])
	require.ErrorIs(t, err, mpegts.ErrPacketSize)
	bad := append([]byte(nil), m.Bytes()...)
	bad[188*3] = 0
	_, err = mpegts.ParsePackets(bad)
	require.ErrorIs(t, err, mpegts.ErrSync)
}
