//go:build cgo

package sdl_test

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// microphone makes SDL's disk driver stand in for a microphone for the
// rest of the test: the capture device reads rate Hz mono 16-bit samples
// of a sine at freq Hz and amplitude amp from a raw file, for seconds,
// then silence. It reads without pausing between buffers.
func microphone(t *testing.T, freq, amp float64, rate int, seconds float64) {
	t.Helper()
	n := int(seconds * float64(rate))
	b := make([]byte, 2*n)
	for i := range n {
		v := int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	p := filepath.Join(t.TempDir(), "mic.raw")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	t.Setenv("SDL_AUDIODRIVER", "disk")
	t.Setenv("SDL_DISKAUDIOFILEIN", p)
	t.Setenv("SDL_DISKAUDIOFILE", filepath.Join(t.TempDir(), "speaker.raw"))
	t.Setenv("SDL_DISKAUDIODELAY", "1")
}

// crossings counts the sign changes of s (ignoring the near-silence
// within +-0.05 of full scale) and returns the tone's frequency and RMS
// level (of full scale) over s.
func measure(s []int16, rate int) (hz, level float64) {
	state, swings, first, last := 0, 0, -1, 0
	var sum float64
	for i, v := range s {
		f := float64(v) / 32768
		sum += f * f
		c := 0
		if f > 0.05 {
			c = 1
		} else if f < -0.05 {
			c = -1
		}
		if c != 0 && c != state {
			if state != 0 {
				swings++
				if first < 0 {
					first = i
				}
				last = i
			}
			state = c
		}
	}
	if swings < 2 {
		return 0, math.Sqrt(sum / float64(len(s)))
	}
	return float64(swings-1) / 2 / (float64(last-first) / float64(rate)), math.Sqrt(sum / float64(len(s)))
}

// The capture records what the device hears: a second of a 1 kHz tone at
// half scale comes through at 1 kHz and -9 dB (RMS 0.354), in whole,
// timed chunks, followed by the silence the device gives when the tone
// ends. ProducerFinished ends it cleanly.
func TestAudioCaptureRecordsWhatTheDeviceHears(t *testing.T) {
	const rate = 8000
	microphone(t, 1000, 0.5, rate, 1)
	s := axon.NewScheduler()
	mic := sdl.NewAudioCapture(rate, 1)
	mic.Buffer = 400
	h, err := axon.NewHandle(s, mic)
	require.NoError(t, err)
	ctx := t.Context()
	var got []int16
	for len(got) < rate+rate/2 {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		a := v.(*frame.Audio)
		require.NoError(t, a.Validate())
		require.Equal(t, frame.S16, a.Format)
		require.Equal(t, 1, a.Channels)
		require.Equal(t, rate, a.Rate)
		require.Equal(t, 400, a.Samples)
		require.Equal(t, time.Duration(len(got))*time.Second/rate, a.PTS, "PTS of the chunk at sample %d", len(got))
		got = append(got, a.Int16s()...)
	}
	require.NoError(t, h.Finish(ctx))
	for {
		if _, err := h.Get(ctx, "outbox"); err != nil {
			require.ErrorIs(t, err, axon.ErrFinished)
			break
		}
	}
	require.NoError(t, h.Wait(ctx))
	require.NoError(t, h.Close())
	require.NoError(t, s.Wait(ctx))

	// SDL's capture may start a buffer or two of silence late; the tone
	// is the second that follows the first sound.
	start := 0
	for start < len(got) && got[start] == 0 {
		start++
	}
	require.Less(t, start, rate/2, "the tone was not heard")
	hz, level := measure(got[start:start+rate], rate)
	assert.InDelta(t, 1000, hz, 5, "frequency")
	assert.InDelta(t, 0.5/math.Sqrt2, level, 0.01, "level")
	t.Logf("captured %d samples, the tone from sample %d: %.1f Hz at RMS %.4f", len(got), start, hz, level)
	_, after := measure(got[start+rate:], rate)
	assert.Zero(t, after, "silence after the tone")
	assert.GreaterOrEqual(t, mic.Captured(), int64(len(got)))
}

// Shutdown closes the device at once, with the reason for stopping.
func TestAudioCaptureShutdown(t *testing.T) {
	microphone(t, 440, 0.3, 16000, 0.5)
	s := axon.NewScheduler()
	mic := sdl.NewAudioCapture(16000, 2)
	h, err := axon.NewHandle(s, mic)
	require.NoError(t, err)
	v, err := h.Get(t.Context(), "outbox")
	require.NoError(t, err)
	assert.Equal(t, 2, v.(*frame.Audio).Channels)
	err = h.Close()
	require.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
	require.NoError(t, s.Wait(t.Context()))
}

// A device that does not exist, or a bad format, is an error that says so.
func TestAudioCaptureRejectsBadDevicesAndFormats(t *testing.T) {
	microphone(t, 440, 0.3, 8000, 0.1)
	for _, c := range []struct {
		mic  *sdl.AudioCapture
		want string
	}{
		{func() *sdl.AudioCapture { m := sdl.NewAudioCapture(8000, 1); m.Device = "no such microphone"; return m }(),
			`opening no such microphone`},
		{sdl.NewAudioCapture(0, 1), "1 channels at 0 Hz"},
		{func() *sdl.AudioCapture { m := sdl.NewAudioCapture(8000, 1); m.Buffer = 70000; return m }(), "a buffer of 70000"},
	} {
		s := axon.NewScheduler()
		h, err := axon.NewHandle(s, c.mic)
		require.NoError(t, err)
		require.ErrorContains(t, h.Wait(t.Context()), c.want)
		_ = h.Close()
		require.Error(t, s.Wait(t.Context()))
	}
}

// A consumer that stops reading holds the capture to its Backlog: the
// oldest sound beyond it is dropped and counted, what is held stays
// bounded, and once the consumer reads again the chunks' PTS show the gap
// the dropped sound left.
func TestAudioCaptureBoundsItsBacklogWhileTheOutboxBlocks(t *testing.T) {
	const rate, chunk = 8000, 400 // 50 ms chunks
	microphone(t, 1000, 0.5, rate, 5)
	s := axontest.NewScheduler(t)
	mic := sdl.NewAudioCapture(rate, 1)
	mic.Buffer = chunk
	mic.Backlog = 200 * time.Millisecond        // 4 chunks
	stuck := axontest.NewRelay[*frame.Audio](1) // not running yet: it reads nothing
	axon.MustLink(mic.Out, stuck.In)
	s.Activate(mic)

	// The disk driver records faster than real time, so sound is dropped
	// soon; nothing tells the test when, so it looks.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for deadline := time.Now().Add(axontest.Safety); mic.Dropped() == 0; <-tick.C {
		require.True(t, time.Now().Before(deadline), "nothing dropped while the outbox blocked")
	}
	// Held at most: the relay's one, the send under way, the feed's 8,
	// the backlog's 4.
	held := mic.Captured() - mic.Dropped()
	assert.LessOrEqual(t, held, int64((1+1+8+4)*chunk), "samples held")
	assert.Zero(t, mic.Dropped()%chunk, "whole chunks are dropped")

	h := axontest.NewHandle(t, s, stuck, "outbox")
	var last time.Duration = -1
	gap := time.Duration(0)
	for gap == 0 {
		v, err := h.Get(t.Context(), "outbox")
		require.NoError(t, err)
		a := v.(*frame.Audio)
		if last >= 0 {
			gap = a.PTS - last - chunk*time.Second/rate
		}
		last = a.PTS
	}
	require.Positive(t, gap, "the PTS jump over what was dropped")
	assert.Zero(t, gap%(chunk*time.Second/rate), "by whole chunks")
	assert.LessOrEqual(t, int64(gap*rate/time.Second), mic.Dropped(), "no more than was dropped")
}
