//go:build cgo

package whiteboard_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tone16 returns n samples of a sine at freq Hz and amplitude amp (of full
// scale) at 8 kHz.
func tone16(freq, amp float64, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/whiteboard.AudioRate))
	}
	return s
}

// speak encodes samples as the Whiteboard's Speex frames, with an encoder
// of FFmpeg's libspeex, as a peer's microphone does.
func speak(t testing.TB, samples []int16) [][]byte {
	t.Helper()
	enc, err := av.NewSpeexEncoder(av.SpeexOptions{Quality: whiteboard.SpeexQuality})
	require.NoError(t, err)
	var in []*frame.Audio
	for i := 0; i < len(samples); i += whiteboard.FrameSamples {
		in = append(in, frame.NewS16(1, whiteboard.AudioRate, samples[i:min(i+whiteboard.FrameSamples, len(samples))]))
	}
	g, err := chassis.NewGraphline(chassis.Components{"ENC": enc}, chassis.Linkages{
		{Component: chassis.Self, Box: "inbox"}: {Component: "ENC", Box: "audio"},
		{Component: "ENC", Box: "outbox"}:       {Component: chassis.Self, Box: "outbox"},
	})
	require.NoError(t, err)
	r := axontest.Run[*frame.Audio, *av.Packet](t, g, in...)
	require.NoError(t, r.Err)
	out := make([][]byte, len(r.Outputs))
	for i, p := range r.Outputs {
		out[i] = p.Data
	}
	return out
}

// goertzel returns the power of s at freq Hz (8 kHz samples), normalised
// so that a full-scale sine gives 1.
func goertzel(s []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / whiteboard.AudioRate
	k := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v)/32768 + k*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - k*s1*s2
	n := float64(len(s))
	return 4 * p / (n * n)
}

// strongest returns the frequency, in 5 Hz steps from 50 Hz to 3950 Hz,
// at which s has the most power.
func strongest(s []int16) float64 {
	best, bestHz := -1.0, 0.0
	for hz := 50.0; hz < 4000; hz += 5 {
		if p := goertzel(s, hz); p > best {
			best, bestHz = p, hz
		}
	}
	return bestHz
}

// samples joins the mix's chunks, checking their format.
func samples(t *testing.T, mix []*frame.Audio) []int16 {
	t.Helper()
	var s []int16
	for _, a := range mix {
		require.Equal(t, whiteboard.AudioRate, a.Rate)
		require.Equal(t, 1, a.Channels)
		require.Equal(t, whiteboard.FrameSamples, a.Samples)
		s = append(s, a.Int16s()...)
	}
	return s
}

func voices(from string, frames [][]byte) []whiteboard.Voice {
	v := make([]whiteboard.Voice, len(frames))
	for i, f := range frames {
		v[i] = whiteboard.Voice{From: from, Frame: f}
	}
	return v
}

// A second of a 1 kHz tone from peer X is heard by Y, strongest at 1 kHz,
// and not by X itself: X's Conference plays nothing and counts its own
// frames.
func TestConferenceHearsOthersButNotItself(t *testing.T) {
	frames := speak(t, tone16(1000, 0.5, whiteboard.AudioRate))
	require.Len(t, frames, 50)
	for _, f := range frames {
		require.Len(t, f, 20, "8 kbit/s: 20 bytes a frame")
	}
	y := whiteboard.NewConference("Y")
	r := axontest.Run[whiteboard.Voice, *frame.Audio](t, y, voices("X", frames)...)
	require.NoError(t, r.Err)
	heard := samples(t, r.Outputs)
	require.Len(t, heard, whiteboard.AudioRate)
	hz := strongest(heard[800:])
	assert.InDelta(t, 1000, hz, 20)
	assert.Greater(t, goertzel(heard[800:], 1000), 0.1, "the tone is loud")
	assert.Equal(t, whiteboard.ConferenceStats{Frames: 50, Speakers: 1}, y.Stats())
	t.Logf("Y hears %d samples, strongest at %.0f Hz", len(heard), hz)

	x := whiteboard.NewConference("X")
	r = axontest.Run[whiteboard.Voice, *frame.Audio](t, x, voices("X", frames)...)
	require.NoError(t, r.Err)
	assert.Empty(t, r.Outputs, "X does not hear itself")
	assert.Equal(t, whiteboard.ConferenceStats{Own: 50}, x.Stats())
}

// live gives c the frames of each tick every 20 ms, as they come from
// people talking, then finishes it and returns what it sent.
func live(t *testing.T, c *whiteboard.Conference, ticks [][]whiteboard.Voice) []*frame.Audio {
	t.Helper()
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	ctx := t.Context()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for _, vs := range ticks {
		<-tick.C // the pace of speech, not a wait for the components
		for _, v := range vs {
			require.NoError(t, h.Put(ctx, "inbox", v))
		}
	}
	require.NoError(t, h.Finish(ctx))
	out, err := axontest.Collect[*frame.Audio](ctx, h, "outbox")
	require.NoError(t, err)
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
	require.NoError(t, s.Wait(ctx))
	return out
}

// Two speakers at once are mixed, not taken in turns: every 20 ms of what
// a third hears holds both tones.
func TestConferenceMixesTwoSpeakers(t *testing.T) {
	a := speak(t, tone16(1000, 0.3, whiteboard.AudioRate/2))
	b := speak(t, tone16(1500, 0.3, whiteboard.AudioRate/2))
	var ticks [][]whiteboard.Voice
	for i := range a {
		ticks = append(ticks, []whiteboard.Voice{{From: "A", Frame: a[i]}, {From: "B", Frame: b[i]}})
	}
	y := whiteboard.NewConference("Y")
	// A loaded machine may run one speaker's decoder late; the mix waits
	// up to half a second for it rather than fill in silence.
	y.Mixer.Latency = 25
	mix := live(t, y, ticks)
	heard := samples(t, mix)
	// The first frames may come before the other speaker has joined.
	require.InDelta(t, whiteboard.AudioRate/2, len(heard), 2*whiteboard.FrameSamples, "two speakers' 0.5 s mixed into 0.5 s")
	assert.Equal(t, int64(2), y.Stats().Speakers)
	for i := 5; i < len(mix)-1; i++ {
		chunk := heard[i*160 : (i+1)*160]
		p1, p2, off := goertzel(chunk, 1000), goertzel(chunk, 1500), goertzel(chunk, 2500)
		require.Greater(t, p1, 0.01, "chunk %d: 1 kHz", i)
		require.Greater(t, p2, 0.01, "chunk %d: 1.5 kHz", i)
		require.Less(t, off, p1/20, "chunk %d: little at 2.5 kHz", i)
	}
}

// A frame that is not Speex costs its speaker 20 ms, not the call.
func TestConferenceSkipsBadFrames(t *testing.T) {
	frames := speak(t, tone16(1000, 0.5, 800))
	in := voices("X", frames)
	in = append(in[:2:2], append([]whiteboard.Voice{{From: "X"}}, in[2:]...)...)
	r := axontest.Run[whiteboard.Voice, *frame.Audio](t, whiteboard.NewConference("Y"), in...)
	require.NoError(t, r.Err)
	assert.Len(t, samples(t, r.Outputs), 800)
}

// microphone makes SDL's disk driver stand in for a microphone for the
// rest of the test: the capture device reads the samples from a raw file,
// then silence; delay is the driver's pause between buffers, in ms.
func microphone(t *testing.T, s []int16, delay string) {
	t.Helper()
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	p := filepath.Join(t.TempDir(), "mic.raw")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	t.Setenv("SDL_AUDIODRIVER", "disk")
	t.Setenv("SDL_DISKAUDIOFILEIN", p)
	t.Setenv("SDL_DISKAUDIOFILE", filepath.Join(t.TempDir(), "speaker.raw"))
	t.Setenv("SDL_DISKAUDIODELAY", delay)
}

// The microphone records 20 ms chunks from SDL's capture device and sends
// one Speex frame of 20 bytes for each; a listener decodes the tone.
func TestMicrophoneSendsSpeexFrames(t *testing.T) {
	microphone(t, tone16(1000, 0.5, whiteboard.AudioRate), "1")
	mic, err := whiteboard.NewMicrophone("")
	require.NoError(t, err)
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, mic)
	require.NoError(t, err)
	ctx := t.Context()
	var frames [][]byte
	for len(frames) < 75 {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		frames = append(frames, v.([]byte))
	}
	require.NoError(t, h.Finish(ctx))
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			require.ErrorIs(t, err, axon.ErrFinished)
			break
		}
		frames = append(frames, v.([]byte))
	}
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
	require.NoError(t, s.Wait(ctx))
	for i, f := range frames {
		require.Len(t, f, 20, "frame %d", i)
	}
	r := axontest.Run[whiteboard.Voice, *frame.Audio](t, whiteboard.NewConference("Y"), voices("X", frames)...)
	require.NoError(t, r.Err)
	heard := samples(t, r.Outputs)
	start := 0
	for start < len(heard) && math.Abs(float64(heard[start])) < 1000 {
		start++
	}
	require.Less(t, start+4000, len(heard), "the tone was heard")
	assert.InDelta(t, 1000, strongest(heard[start:start+4000]), 20)
}
