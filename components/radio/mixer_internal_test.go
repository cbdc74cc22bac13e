package radio

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMixerForgetsWhatASourceHadWhenItIsSwitchedOff(t *testing.T) {
	desk := NewDesk()
	m := NewMixer(desk, Saturate)
	var srcs [NumSources]srcBuf
	m.accept(&srcs, Input{Source: DJ1, Data: []byte{5, 0}}) // half a sample pair, buffered
	require.Equal(t, []byte{5, 0}, srcs[DJ1].pending())
	require.NoError(t, desk.Set(DJ1, false))
	m.accept(&srcs, Input{Source: DJ1, Data: []byte{6, 0}}) // off: dropped, with the 5
	require.Empty(t, srcs[DJ1].pending())
	require.NoError(t, desk.Set(DJ1, true))
	m.accept(&srcs, Input{Source: DJ1, Data: []byte{7, 0, 8, 0}})
	require.Equal(t, []byte{7, 0, 8, 0}, srcs[DJ1].pending())
	require.Equal(t, uint64(4), m.Stats().Discarded)
}
