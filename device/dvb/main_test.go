package dvb_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package if a goroutine outlives the tests: every
// component has ended, every reading goroutine has returned.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// collect takes everything comp sends on box until it has finished.
func collect[T any](t testing.TB, h *axon.Handle, box string) []T {
	t.Helper()
	out, err := axontest.Collect[T](axontest.Context(t), h, box)
	require.NoError(t, err)
	return out
}

// get takes the next message on box.
func get[T any](t testing.TB, h *axon.Handle, box string) T {
	t.Helper()
	v, err := h.Get(axontest.Context(t), box)
	require.NoError(t, err)
	m, ok := v.(T)
	require.True(t, ok, "%T on %s", v, box)
	return m
}

// signalOf takes the one message comp sends on signal when it ends.
func signalOf(t testing.TB, h *axon.Handle) any {
	t.Helper()
	v, err := h.Get(axontest.Context(t), "signal")
	require.NoError(t, err)
	return v
}

// failure returns the error of the *axon.Failure on signal.
func failure(t testing.TB, h *axon.Handle) error {
	t.Helper()
	sig := signalOf(t, h)
	var f *axon.Failure
	require.True(t, errors.As(sig.(error), &f), "signal is %T %v, not a failure", sig, sig)
	return f.Err
}

// joinPackets checks that every message holds whole aligned packets and
// returns them joined.
func joinPackets(t testing.TB, msgs []mpegts.Packets) []byte {
	t.Helper()
	var out []byte
	for i, m := range msgs {
		_, err := mpegts.ParsePackets(m)
		require.NoError(t, err, "message %d is not whole aligned packets", i)
		require.NotEmpty(t, m, "message %d is empty", i)
		out = append(out, m...)
	}
	return out
}

// onlyPIDs returns the packets of stream whose PID is in pids, by a plain
// loop.
func onlyPIDs(stream []byte, pids ...uint16) []byte {
	var out []byte
	for i := 0; i+188 <= len(stream); i += 188 {
		pid := uint16(stream[i+1]&0x1F)<<8 | uint16(stream[i+2])
		for _, p := range pids {
			if p == pid || p == mpegts.AllPIDs {
				out = append(out, stream[i:i+188]...)
				break
			}
		}
	}
	return out
}

// requireBytes compares two streams and reports where they first differ,
// not a dump of both.
func requireBytes(t testing.TB, want, got []byte, msgAndArgs ...any) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	require.Failf(t, "streams differ", "want %d bytes (%d packets), got %d (%d packets); first difference at byte %d (packet %d). %s",
		len(want), len(want)/188, len(got), len(got)/188, i, i/188, fmt.Sprint(msgAndArgs...))
}
