package dvbtest_test

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMuxKeepsAContinuityCounterPerPID(t *testing.T) {
	var m dvbtest.Mux
	for range 20 {
		m.Packet(0x100, false, []byte{1}, dvbtest.PacketOptions{})
		m.Packet(0x101, false, []byte{1}, dvbtest.PacketOptions{})
	}
	m.Packet(0x100, false, nil, dvbtest.PacketOptions{}) // adaptation only: no increment
	m.Packet(0x100, false, []byte{1}, dvbtest.PacketOptions{})
	ps, err := mpegts.ParsePackets(m.Bytes())
	require.NoError(t, err)
	want := map[uint16]uint8{}
	for i, p := range ps.All() {
		if !p.HasPayload() {
			require.Equal(t, uint8(3), p.ContinuityCounter(), "packet %d repeats the last counter", i)
			continue
		}
		require.Equal(t, want[p.PID()], p.ContinuityCounter(), "packet %d", i)
		want[p.PID()] = (want[p.PID()] + 1) & 0x0F
	}
}

func TestPESSplitsIntoPacketsWithoutChangingTheData(t *testing.T) {
	data := dvbtest.Payload(1000, 3)
	var m dvbtest.Mux
	m.PES(0x200, 0xE0, 90000, data, nil)
	ps, err := mpegts.ParsePackets(m.Bytes())
	require.NoError(t, err)
	require.Equal(t, 6, ps.Len(), "14 header bytes and 1000 of data fill 6 packets")
	var got []byte
	for i, p := range ps.All() {
		require.Equal(t, i == 0, p.PayloadUnitStart())
		payload, err := p.Payload()
		require.NoError(t, err)
		got = append(got, payload...)
	}
	h, err := mpegts.ParsePESHeader(got)
	require.NoError(t, err)
	require.Equal(t, data, got[h.DataOffset:])
	require.NotContains(t, string(data), "\x47")
}

func TestStreamIsDeterministicAndAligned(t *testing.T) {
	a, b := dvbtest.Stream(dvbtest.DefaultConfig()), dvbtest.Stream(dvbtest.DefaultConfig())
	require.Equal(t, a, b)
	_, err := mpegts.ParsePackets(a)
	require.NoError(t, err)
	n := dvbtest.CountPIDs(a)
	require.Equal(t, 4, n[0], "one PAT per cycle")
	require.Equal(t, 4*3*6, n[0x200], "3 PES of 6 packets per cycle")
}

func TestFrontendLocksAfterItsPolls(t *testing.T) {
	fe := dvbtest.NewFrontend(2, dvb.HasSignal|dvb.HasCarrier)
	st, err := fe.Status()
	require.NoError(t, err)
	require.Equal(t, dvb.HasSignal|dvb.HasCarrier, st, "not tuned")
	require.NoError(t, fe.Tune(474_000_000, dvb.Params{}))
	for range 2 {
		st, _ = fe.Status()
		require.Equal(t, dvb.HasSignal|dvb.HasCarrier, st)
	}
	st, _ = fe.Status()
	require.Equal(t, dvb.Locked, st)
	require.Equal(t, []dvbtest.Tuning{{FrequencyHz: 474_000_000}}, fe.Tunings())
	require.NoError(t, fe.Close())
	_, err = fe.Status()
	require.ErrorIs(t, err, os.ErrClosed)

	never := dvbtest.NewFrontend(-1, 0)
	require.NoError(t, never.Tune(1, dvb.Params{}))
	for range 10 {
		st, _ = never.Status()
		require.Zero(t, st)
	}
}

func TestReaderReadsInSizesAndBlocksUntilClosed(t *testing.T) {
	r := dvbtest.NewReader(make([]byte, 10), 4)
	buf := make([]byte, 100)
	var sizes []int
	for {
		n, err := r.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		sizes = append(sizes, n)
	}
	require.Equal(t, []int{4, 4, 2}, sizes)

	b := dvbtest.NewBlockingReader([]byte{1, 2}, 0)
	n, err := b.Read(buf)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	done := make(chan error)
	go func() {
		_, err := b.Read(buf)
		done <- err
	}()
	require.NoError(t, b.Close())
	require.ErrorIs(t, <-done, os.ErrClosed, "Close ends a blocked Read")
	require.True(t, b.Closed())
}
