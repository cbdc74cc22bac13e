package mpegts_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

func TestPESHeaderOfGeneratedVideo(t *testing.T) {
	var m dvbtest.Mux
	pcr := uint64(27_000_000)
	m.PES(0x200, 0xE0, 1<<32+12345, []byte("frame data"), &pcr)
	ps, err := mpegts.ParsePackets(m.Bytes())
	require.NoError(t, err)
	p := ps.At(0)
	require.True(t, p.PayloadUnitStart())
	af, err := mpegts.ParseAdaptationField(p)
	require.NoError(t, err)
	require.True(t, af.HasPCR)
	require.Equal(t, pcr, af.PCR)
	payload, err := p.Payload()
	require.NoError(t, err)
	h, err := mpegts.ParsePESHeader(payload)
	require.NoError(t, err)
	require.Equal(t, uint8(0xE0), h.StreamID)
	require.True(t, h.HasPTS)
	require.False(t, h.HasDTS)
	require.Equal(t, uint64(1<<32+12345), h.PTS)
	require.Equal(t, uint16(3+5+10), h.PacketLength)
	require.Equal(t, []byte("frame data"), payload[h.DataOffset:])
}

func TestPESHeaderWithDTSAndWithoutOptionalHeader(t *testing.T) {
	pts, dts := mpegts.EncodeTimestamp(3, 9000), mpegts.EncodeTimestamp(1, 5400)
	b := append([]byte{0, 0, 1, 0xE0, 0, 0, 0x80, 0xC0, 10}, pts[:]...)
	b = append(b, dts[:]...)
	h, err := mpegts.ParsePESHeader(b)
	require.NoError(t, err)
	require.Equal(t, uint64(9000), h.PTS)
	require.Equal(t, uint64(5400), h.DTS)
	require.True(t, h.HasDTS)
	require.Equal(t, 19, h.DataOffset)

	h, err = mpegts.ParsePESHeader([]byte{0, 0, 1, 0xBE, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF}) // padding stream
	require.NoError(t, err)
	require.Equal(t, 6, h.DataOffset)
	require.False(t, h.HasPTS)
}

func TestPESHeaderErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"short":          {0, 0, 1},
		"start code":     {0, 0, 2, 0xE0, 0, 0, 0x80, 0, 0},
		"marker":         {0, 0, 1, 0xE0, 0, 0, 0x40, 0, 0},
		"header overrun": {0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 5, 1},
		"PTS cut":        {0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 2, 1, 2},
		"flags 01":       {0, 0, 1, 0xE0, 0, 0, 0x80, 0x40, 0},
	} {
		_, err := mpegts.ParsePESHeader(b)
		require.ErrorIs(t, err, mpegts.ErrPES, name)
	}
}
