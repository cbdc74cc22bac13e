//go:build cgo

package av_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

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
// 200 times real time on one core (go test -bench Mixer -cpu 1).
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

// Two speakers talking at once, whose sound comes in pieces of any size in
// any turn (as it does from two microphones over a network), are never
// interleaved: each source's samples stay contiguous and in order in its
// own buffer, and the mix is, sample for sample, the sum of the two. The
// speakers count (A up from 0, B down from 0, in steps no two samples
// share), so that a piece of one put after a piece of the other, or a
// sample out of order, would show as a wrong sum.
func TestMixerNeverInterleavesTwoSpeakers(t *testing.T) {
	const rate, total = 8000, 8000
	a, b := make([]int16, total), make([]int16, total)
	for i := range total {
		a[i] = int16(i % 10000)
		b[i] = int16(-3 * (i % 10000))
	}
	rng := rand.New(rand.NewPCG(1, 15))
	var in []av.Sound
	sent := [2]int{}
	turns := [2]int{} // times the same speaker sent twice running, to be sure the test tries it
	last := -1
	// First pieces under a chunk each, so that both have joined before the
	// first chunk is mixed.
	for who, s := range [][]int16{a, b} {
		in = append(in, av.Sound{Source: string(rune('A' + who)), Audio: frame.NewS16(1, rate, s[:100])})
		sent[who] = 100
	}
	for sent[0] < total || sent[1] < total {
		// The speaker behind sends next (either, when level), a piece of 1
		// to 500 samples: neither gets Latency chunks ahead, so neither is
		// ever padded with silence.
		who := rng.IntN(2)
		if sent[0] != sent[1] {
			who = 0
			if sent[1] < sent[0] {
				who = 1
			}
		}
		if sent[who] == total {
			who = 1 - who
		}
		if who == last {
			turns[who]++
		}
		last = who
		n := min(1+rng.IntN(500), total-sent[who])
		s := [][]int16{a, b}[who]
		in = append(in, av.Sound{Source: string(rune('A' + who)), Audio: frame.NewS16(1, rate, s[sent[who]:sent[who]+n])})
		sent[who] += n
	}
	require.Positive(t, turns[0]+turns[1], "the pieces alternate strictly: the test proves less than it says")
	m := av.NewMixer(rate, 1)
	res := axontest.Run[av.Sound, *frame.Audio](t, m, in...)
	require.NoError(t, res.Err)
	got := mixed(t, res.Outputs)
	require.Len(t, got, total)
	for i := range got {
		require.Equal(t, int32(a[i])+int32(b[i]), int32(got[i]), "sample %d", i)
	}
	assert.Zero(t, m.Stats().Underruns)
	assert.Zero(t, m.Stats().Clipped)
}

// The original RawAudioMixer's jitter buffer, at the Whiteboard's settings
// (8 kHz mono, ReadThreshold 0.2 s = 1600 samples, BufferingLimit 0.4 s =
// 3200): two sources starting at different times are each mixed once they
// have 0.2 s buffered and then summed sample by sample; a source that stops
// drains what it has and leaves; more than 0.4 s buffered drops the oldest
// samples, counted. Every sample of the mix is checked.
func TestMixerReadThresholdAndBufferingLimit(t *testing.T) {
	const rate = 8000
	a, b := make([]int16, 8000), make([]int16, 8000)
	for i := range a {
		a[i] = int16(1 + i%5000)        // 1 .. 5000
		b[i] = int16(-7 * (1 + i%4000)) // -7 .. -28000, never a sum of zero with a
	}
	snd := func(src string, s []int16) av.Sound {
		return av.Sound{Source: src, Audio: frame.NewS16(1, rate, s)}
	}
	in := []av.Sound{
		snd("A", a[0:800]),     // A waits: 0.1 s
		snd("A", a[800:1600]),  // A joins at 0.2 s and, alone, is mixed: out 0..1600
		snd("B", b[0:1000]),    // B waits
		snd("A", a[1600:1920]), // A alone: out 1600..1920
		snd("B", b[1000:1600]), // B joins, 0.2 s buffered, behind A, which has nothing
		snd("A", a[1920:2320]), // both: 2 chunks, A keeps 80
		snd("A", a[2320:3120]), // both: 5 chunks, A keeps 80, B 480
		snd("B", b[1600:3600]), // A stops; B reaches 2480, Latency chunks past the threshold:
		// A drains its 80 and leaves; B, alone, is mixed down to 80.
		snd("B", b[3600:7600]), // 4080 buffered: the oldest 880 (b[3520:4400]) dropped
		{Source: "B"},          // B leaves
	}
	m := av.NewMixer(rate, 1)
	m.ReadThreshold = 200 * time.Millisecond
	m.BufferingLimit = 400 * time.Millisecond
	res := axontest.Run[av.Sound, *frame.Audio](t, m, in...)
	require.NoError(t, res.Err)
	got := mixed(t, res.Outputs)

	var want []int32
	add := func(x, y []int16) { // x and y summed, y may be shorter (silence)
		for i, v := range x {
			w := int32(v)
			if i < len(y) {
				w += int32(y[i])
			}
			want = append(want, w)
		}
	}
	add(a[0:1920], nil)
	add(a[1920:3120], b[0:1200]) // A summed with B from B's first sample
	add(b[1200:1280], nil)       // the rest of the chunk A drained in
	add(b[1280:3520], nil)       // B alone
	add(b[4400:7600], nil)       // B after the drop
	require.Equal(t, len(want), len(got), "samples mixed; stats %+v", m.Stats())
	for i := range want {
		require.Equal(t, want[i], int32(got[i]), "sample %d", i)
	}
	st := m.Stats()
	assert.Equal(t, int64(2), st.Joined)
	assert.Equal(t, int64(2), st.Left)
	assert.Equal(t, int64(880), st.Dropped)
	assert.Zero(t, st.Underruns)
	assert.Zero(t, st.Clipped)
	assert.Zero(t, st.Sources)
}

// A BufferingLimit under the ReadThreshold (no source could ever join),
// or a negative one, is an error naming the fields.
func TestMixerBufferingLimitChecked(t *testing.T) {
	m := av.NewMixer(8000, 1)
	m.ReadThreshold, m.BufferingLimit = 200*time.Millisecond, 100*time.Millisecond
	res := axontest.Run[av.Sound, *frame.Audio](t, m)
	require.ErrorContains(t, res.Err, "BufferingLimit 100ms is less than ReadThreshold 200ms")
	m = av.NewMixer(8000, 1)
	m.ReadThreshold = -time.Second
	res = axontest.Run[av.Sound, *frame.Audio](t, m)
	require.ErrorContains(t, res.Err, "negative")
}

// A source that leaves, or is cut off by the end, before it has
// ReadThreshold buffered is not dropped: it joins to drain what it sent.
func TestMixerDrainsASourceThatLeavesWaiting(t *testing.T) {
	const rate = 8000
	a := make([]int16, 900)
	for i := range a {
		a[i] = int16(3 * (i + 1))
	}
	m := av.NewMixer(rate, 1)
	m.ReadThreshold = 200 * time.Millisecond
	res := axontest.Run[av.Sound, *frame.Audio](t, m,
		av.Sound{Source: "A", Audio: frame.NewS16(1, rate, a[:800])},
		av.Sound{Source: "B", Audio: frame.NewS16(1, rate, a[800:])},
		av.Sound{Source: "A"}) // A leaves waiting; B is cut off by the end
	require.NoError(t, res.Err)
	got := mixed(t, res.Outputs)
	require.Equal(t, 960, len(got), "6 chunks: A's 800, then B's 100 padded")
	for i := range 800 {
		require.Equal(t, a[i], got[i], "sample %d", i)
	}
	for i := range 160 {
		want := int16(0)
		if i < 100 {
			want = a[800+i]
		}
		require.Equal(t, want, got[800+i], "sample %d", 800+i)
	}
	st := m.Stats()
	assert.Equal(t, int64(2), st.Joined)
	assert.Equal(t, int64(2), st.Left)
	assert.Zero(t, st.Dropped)
}
