package radio_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/radio"
	"github.com/stretchr/testify/require"
)

func s16(vs ...int16) []byte {
	b := make([]byte, 2*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestMixDivideByThreeRoundsDown(t *testing.T) {
	out := make([]byte, 12)
	radio.MixDivideByThree(out, [][]byte{
		s16(300, -1, -2, 32767, -32768, 5),
		s16(900, 0, 0, 32767, -32768),
		s16(0, 0, 0, 32767, -32768), // shorter sources are silence past their end
	})
	require.Equal(t, s16(400, -1, -1, 32767, -32768, 1), out)
}

func TestMixSaturateClipsAndAppliesGains(t *testing.T) {
	out := make([]byte, 10)
	unity, half := int64(1<<16), int64(1<<15)
	clipped := radio.MixSaturate(out, [][]byte{
		s16(30000, -30000, 100, 3, 1000),
		s16(10000, -10000, -100, 0, 1000),
		nil,
	}, []int64{unity, unity, half})
	require.Equal(t, s16(32767, -32768, 0, 3, 2000), out)
	require.Equal(t, uint64(2), clipped)

	radio.MixSaturate(out, [][]byte{s16(30000, -3, 7, 8, 9), s16(10000, 0, 0, 0, 0)}, []int64{half, unity})
	require.Equal(t, s16(25000, -2, 3, 4, 4), out, "a half rounds down, as an arithmetic shift does")
}

// mix runs a Mixer over inputs and returns what it sent.
func mix(t *testing.T, m *radio.Mixer, inputs ...radio.Input) []byte {
	t.Helper()
	res := axontest.Run[radio.Input, []byte](t, m, inputs...)
	require.NoError(t, res.Err)
	var all []byte
	for _, b := range res.Outputs {
		all = append(all, b...)
	}
	return all
}

func TestMixerLinesSourcesUpWhateverThePieces(t *testing.T) {
	m := radio.NewMixer(nil, radio.DivideByThree)
	m.Chunk = 8
	// DJ1's pieces come first and in odd sizes; the chunks still sum the
	// same moments of each source.
	got := mix(t, m,
		radio.Input{Source: radio.DJ1, Data: s16(3, 3, 3)[:5]},
		radio.Input{Source: radio.DJ1, Data: s16(3, 3, 3, 3, 3, 3, 3, 3)[5:]},
		radio.Input{Source: radio.DJ2, Data: s16(6, 6, 6, 6, 6, 6, 6, 6)},
		radio.Input{Source: radio.Prerecord, Data: s16(9, 9, 9, 9, 9, 9, 9, 9)},
	)
	require.Equal(t, s16(6, 6, 6, 6, 6, 6, 6, 6), got)
	require.Equal(t, radio.MixerStats{Chunks: 2, Bytes: 16}, m.Stats())
}

func TestMixerDoesNotWaitForALateSourceBeyondTheLatency(t *testing.T) {
	m := radio.NewMixer(nil, radio.Saturate)
	m.Chunk, m.Latency = 4, 2
	in := []radio.Input{{Source: radio.DJ1, Data: s16(1, 1, 2, 2, 3, 3)}}
	got := mix(t, m, in...)
	// With Latency chunks buffered, chunks are mixed with the silent
	// others until less is; at the end the rest is.
	require.Equal(t, s16(1, 1, 2, 2, 3, 3), got)
	st := m.Stats()
	require.Equal(t, uint64(3), st.Chunks)
	require.Equal(t, uint64(2*2*4), st.Underruns, "DJ2 and the music lacked the first two chunks")
}

func TestMixerDropsWhatASourceThatIsOffSends(t *testing.T) {
	desk := radio.NewDesk()
	require.NoError(t, desk.Set(radio.DJ2, false))
	m := radio.NewMixer(desk, radio.Saturate)
	m.Chunk = 4
	got := mix(t, m,
		radio.Input{Source: radio.DJ2, Data: s16(100, 100)},
		radio.Input{Source: radio.DJ1, Data: s16(1, 1)},
		radio.Input{Source: radio.Prerecord, Data: s16(2, 2)},
	)
	require.Equal(t, s16(3, 3), got)
	require.Equal(t, uint64(4), m.Stats().Discarded)

	require.NoError(t, desk.Set(radio.DJ1, false))
	require.NoError(t, desk.Set(radio.Prerecord, false))
	m = radio.NewMixer(desk, radio.Saturate)
	require.Empty(t, mix(t, m, radio.Input{Source: radio.DJ1, Data: s16(1, 1)}), "every source off: no sound")
}

func TestMixerRefusesBadInput(t *testing.T) {
	res := axontest.Run[radio.Input, []byte](t, radio.NewMixer(nil, radio.Saturate), radio.Input{Source: 3, Data: s16(1)})
	require.ErrorContains(t, res.Err, "source 3")
	m := radio.NewMixer(nil, radio.Saturate)
	m.Chunk = 3
	res = axontest.Run[radio.Input, []byte](t, m)
	require.ErrorContains(t, res.Err, "even")
	m = radio.NewMixer(nil, radio.Mode(7))
	res = axontest.Run[radio.Input, []byte](t, m)
	require.ErrorContains(t, res.Err, "mode(7)")
}

func TestMixerShutdownEndsAtOnce(t *testing.T) {
	h, err := axon.NewHandle(axon.NewScheduler(), radio.NewMixer(nil, radio.Saturate))
	require.NoError(t, err)
	require.NoError(t, h.Put(context.Background(), "inbox", radio.Input{Source: radio.DJ1, Data: s16(1, 2)}))
	require.NoError(t, h.Close())
}

func TestModeNames(t *testing.T) {
	for _, m := range []radio.Mode{radio.Saturate, radio.DivideByThree} {
		got, err := radio.ParseMode(m.String())
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	_, err := radio.ParseMode("loud")
	require.ErrorContains(t, err, "loud")
}

func TestDeskRefusesBadSourcesAndGains(t *testing.T) {
	d := radio.NewDesk()
	require.Error(t, d.Set(3, true))
	require.Error(t, d.Only(-1))
	require.Error(t, d.SetGain(0, -0.5))
	require.Error(t, d.SetGain(0, radio.MaxGain+1))
	require.Error(t, d.SetGain(5, 1))
	require.False(t, d.On(9))
	require.NoError(t, d.SetGain(radio.Prerecord, 2.5))
	require.Equal(t, 2.5, d.Gain(radio.Prerecord))
}

func FuzzDeskCommand(f *testing.F) {
	for _, s := range []string{"SWITCH x DJ1 ONLY", "QUERY x ALL", "GAIN x ALL 0.25", "switch a PRERECORD OFF", "", "QUERY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		d := radio.NewDesk()
		reply := d.Command(line)
		switch reply {
		case "OK", "FAIL", "ON", "OFF":
		default:
			require.Regexp(t, `^(ON|OFF) (ON|OFF) (ON|OFF)$`, reply)
		}
		for i := range radio.NumSources {
			g := d.Gain(i)
			require.True(t, g >= 0 && g <= radio.MaxGain, "gain %v", g)
		}
	})
}
