//go:build cgo

package av_test

import (
	"math"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tone16 returns n samples of a mono sine at freq Hz and amplitude amp
// (of full scale), from sample from on.
func tone16(freq, amp float64, rate, from, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(from+i)/float64(rate)))
	}
	return s
}

func mixed(t *testing.T, outs []*frame.Audio) []int16 {
	t.Helper()
	var all []int16
	for _, a := range outs {
		require.Equal(t, frame.S16, a.Format)
		all = append(all, a.Int16s()...)
	}
	return all
}

// Two speakers at once are summed sample by sample, not taken in turns,
// and a third joins midway and is heard from then on.
func TestMixerSumsSourcesThatJoinAndLeave(t *testing.T) {
	const rate = 8000
	var in []av.Sound
	a, b, c := tone16(440, 0.3, rate, 0, rate), tone16(1000, 0.3, rate, 0, rate), tone16(300, 0.2, rate, 0, rate/4)
	// A and B send in pieces of different sizes, interleaved, in time (as
	// live sources do); C joins halfway (on a chunk boundary, 4000 = 25 x
	// 160) for a quarter of a second and leaves; A leaves at the end. B's
	// first piece is short of a chunk, so that nothing is mixed before
	// both have joined: a lone source is mixed as it comes.
	for i := 0; i < rate; i += 400 {
		in = append(in, av.Sound{Source: "B", Audio: frame.NewS16(1, rate, b[i:i+150])},
			av.Sound{Source: "A", Audio: frame.NewS16(1, rate, a[i:i+400])})
		if i >= rate/2 && i < rate/2+len(c) {
			j := i - rate/2
			in = append(in, av.Sound{Source: "C", Audio: frame.NewS16(1, rate, c[j:j+400])})
		}
		if i == rate/2+len(c) {
			in = append(in, av.Sound{Source: "C"})
		}
		in = append(in, av.Sound{Source: "B", Audio: frame.NewS16(1, rate, b[i+150:i+400])})
	}
	in = append(in, av.Sound{Source: "A"})
	m := av.NewMixer(rate, 1)
	res := axontest.Run[av.Sound, *frame.Audio](t, m, in...)
	require.NoError(t, res.Err)
	got := mixed(t, res.Outputs)
	require.Equal(t, rate, len(got))
	for i := range got {
		want := int32(a[i]) + int32(b[i])
		if i >= rate/2 && i < rate/2+len(c) {
			want += int32(c[i-rate/2])
		}
		require.Equal(t, want, int32(got[i]), "sample %d", i)
	}
	st := m.Stats()
	assert.Equal(t, int64(3), st.Joined)
	assert.Equal(t, int64(3), st.Left)
	assert.Zero(t, st.Clipped)
	assert.Equal(t, int64(rate/(rate/50)), st.Chunks)
}

func TestMixerClipsAndPadsALateSource(t *testing.T) {
	const rate = 8000
	loud := tone16(200, 0.8, rate, 0, 800)
	m := av.NewMixer(rate, 1)
	m.Latency = 2
	res := axontest.Run[av.Sound, *frame.Audio](t, m,
		av.Sound{Source: "A", Audio: frame.NewS16(1, rate, loud)},
		av.Sound{Source: "B", Audio: frame.NewS16(1, rate, loud[:160])}, // B falls silent
		av.Sound{Source: "A", Audio: frame.NewS16(1, rate, loud)},
	)
	require.NoError(t, res.Err)
	got := mixed(t, res.Outputs)
	require.Equal(t, 1600, len(got))
	// A alone mixes as it comes: the mixer cannot know B will join.
	for i := range 800 {
		require.Equal(t, loud[i], got[i], "sample %d", i)
	}
	// Then both, clipped where the sum passes full scale.
	for i := range 160 {
		want := max(-32768, min(32767, 2*int32(loud[i])))
		require.Equal(t, want, int32(got[800+i]), "sample %d", 800+i)
	}
	// Then A alone again: B, silent, is not waited for once A is Latency
	// chunks ahead; its silence is counted.
	for i := 160; i < 800; i++ {
		require.Equal(t, loud[i], got[800+i], "sample %d", 800+i)
	}
	st := m.Stats()
	assert.Positive(t, st.Clipped)
	assert.Equal(t, int64(3*160), st.Underruns)
}

func TestMixerRejectsAnotherRate(t *testing.T) {
	res := axontest.Run[av.Sound, *frame.Audio](t, av.NewMixer(48000, 2),
		av.Sound{Source: "mic", Audio: frame.NewS16(1, 8000, make([]int16, 80))})
	require.ErrorContains(t, res.Err, `source "mic" sends 1 channels at 8000 Hz`)
}

// BenchmarkMixer mixes 8 sources of 48 kHz stereo; the figure to beat is
// 200 times real time on one core.
func BenchmarkMixer(b *testing.B) {
	const rate, sources, seconds = 48000, 8, 2
	var in []av.Sound
	for i := 0; i < rate*seconds; i += 960 {
		for s := range sources {
			pcm := tone16(float64(200+100*s), 0.1, rate, i, 2*960)
			in = append(in, av.Sound{Source: string(rune('A' + s)), Audio: frame.NewS16(2, rate, pcm)})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		res := axontest.Run[av.Sound, *frame.Audio](b, av.NewMixer(rate, 2), in...)
		if res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(seconds)*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
