package macrotest_test

import (
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// TestGenerateTwoChannels checks the generated multiplex: both services'
// PIDs, the junctions of each at their times in order, the amendment.
func TestGenerateTwoChannels(t *testing.T) {
	cfg := macrotest.TwoChannels(2 * time.Second)
	st, err := macrotest.Generate(t.Context(), cfg)
	require.NoError(t, err)
	n := dvbtest.CountPIDs(st.Bytes)
	for _, pid := range []uint16{0, 0x11, 0x12, 0x14, 0x100, 0x110, 610, 611, 620, 621} {
		assert.Positive(t, n[pid], "PID %d", pid)
	}
	var got []uint16
	for i, j := range st.Junctions {
		got = append(got, j.EventID)
		if i > 0 {
			assert.GreaterOrEqual(t, j.Packet, st.Junctions[i-1].Packet)
		}
	}
	assert.Equal(t, []uint16{1, 11, 2, 12}, got)
	assert.InDelta(t, 0.8, st.Junctions[2].At.Seconds(), 0.2)
	require.Len(t, st.Amendments, 1)
	assert.Equal(t, "A film, with subtitles.", st.Amendments[0].Text)

	_, err = macrotest.Generate(t.Context(), macrotest.Config{})
	require.ErrorContains(t, err, "no services")
	bad := macrotest.TwoChannels(time.Second)
	bad.Services[0].Programmes = bad.Services[0].Programmes[1:]
	_, err = macrotest.Generate(t.Context(), bad)
	require.ErrorContains(t, err, "must start at 0")
}
