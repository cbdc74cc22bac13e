//go:build cgo

package av

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Sound is a Mixer's input: sound from one source, or (Audio nil) the
// source leaving.
type Sound struct {
	// Source names the speaker, microphone or stream the sound is from.
	Source string
	// Audio is the next of the source's sound; nil says the source has
	// left (what it sent before is still mixed).
	Audio *frame.Audio
}

// MixerStats counts what a Mixer has done. Read it with Mixer.Stats, at
// any time.
type MixerStats struct {
	Chunks    int64 // chunks sent
	Sources   int64 // sources being mixed now
	Joined    int64 // sources that have joined
	Left      int64 // sources that left (told, or idle too long)
	Underruns int64 // samples of silence put in for a source that was late
	Clipped   int64 // samples clipped to the 16-bit range
}

// Mixer mixes raw sound from any number of sources, which join and leave
// while it runs, into one stream: each chunk it sends is the sum of every
// source's sound for that time, clipped to the 16-bit range. It is
// Kamaelia's RawAudioMixer: a conference's, or a radio desk's, mix.
//
// Boxes:
//
//	inbox   Sound         sound from the sources (a Source not seen before
//	                      joins; Audio nil leaves), each of Rate and
//	                      Channels, in any sample format
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  the mix: S16 chunks of Chunk, timed from the first
//	signal  any           the outcome
//
// Each source has its own buffer; a source's sound is mixed from the time
// it joins. A chunk is mixed when every source has a chunk's worth
// buffered, or, so that a late or silent source does not hold the others
// up, when one source has Latency chunks buffered: the late one then adds
// silence for what it lacks (counted as Underruns). A source that has sent
// nothing for Idle chunks' time is taken to have left. Sources are summed,
// never taken in turns: two speakers at once are heard at once.
//
// Example:
//
//	mix := av.NewMixer(48000, 2)
//	axon.MustLink(mics.Out, mix.In) // Sound{Source: "alice", Audio: ...}
//	axon.MustLink(mix.Out, player.In)
//
// Shutdown: ProducerFinished mixes what every source has buffered (the
// short ones padded with silence), sends it and returns nil. Shutdown
// returns at once with ctx's error. Sound of another rate or channel count
// (resample with an AudioFilter first), or that is not valid, is an error
// naming the source.
type Mixer struct {
	axon.Core
	In  *axon.Inbox[Sound]
	Out *axon.Outbox[*frame.Audio]

	// Rate and Channels of every source's sound and of the mix.
	Rate, Channels int
	// Chunk is the samples in each chunk of the mix; 0 means 20 ms.
	Chunk int
	// Latency is how many chunks one source may get ahead of a late one
	// before the late one is mixed as silence; 0 means 5.
	Latency int
	// Idle is how many chunks' time a source may send nothing before it
	// is taken to have left; 0 means 50 (a second at 20 ms chunks).
	Idle int

	st struct{ chunks, sources, joined, left, underruns, clipped atomic.Int64 }
}

// NewMixer returns a Mixer of sound at rate with channels channels.
func NewMixer(rate, channels int) *Mixer {
	m := &Mixer{Rate: rate, Channels: channels}
	m.In = axon.NewInbox[Sound](m, "inbox")
	m.Out = axon.NewOutbox[*frame.Audio](m, "outbox")
	return m
}

// Stats returns what the mixer has done so far.
func (m *Mixer) Stats() MixerStats {
	return MixerStats{Chunks: m.st.chunks.Load(), Sources: m.st.sources.Load(), Joined: m.st.joined.Load(),
		Left: m.st.left.Load(), Underruns: m.st.underruns.Load(), Clipped: m.st.clipped.Load()}
}

// mixSource is one source's buffer, interleaved 16-bit samples.
type mixSource struct {
	name    string
	buf     []int16
	leaving bool
	idle    int // chunks mixed since it last sent
}

// Main mixes until the sources end or the mixer is told to stop.
func (m *Mixer) Main(ctx context.Context) error {
	if m.Rate <= 0 || m.Channels <= 0 {
		return fmt.Errorf("mixer: %d channels at %d Hz", m.Channels, m.Rate)
	}
	chunk := m.Chunk
	if chunk <= 0 {
		chunk = m.Rate / 50
	}
	latency, idle := m.Latency, m.Idle
	if latency <= 0 {
		latency = 5
	}
	if idle <= 0 {
		idle = 50
	}
	n := chunk * m.Channels // samples a chunk, all channels
	var (
		sources []*mixSource
		mixed   int64 // samples a channel sent
		acc     = make([]int32, n)
	)
	find := func(name string) *mixSource {
		for _, s := range sources {
			if s.name == name {
				return s
			}
		}
		return nil
	}
	// mix sends one chunk of every source's sound, and drops the sources
	// that have left and have nothing more.
	mix := func() error {
		clear(acc)
		for _, s := range sources {
			k := min(len(s.buf), n)
			for i, v := range s.buf[:k] {
				acc[i] += int32(v)
			}
			if k < n && !s.leaving {
				m.st.underruns.Add(int64((n - k) / m.Channels))
			}
			if k == 0 {
				s.idle++
			}
			s.buf = s.buf[k:]
		}
		out := make([]byte, 2*n)
		clipped := int64(0)
		for i, v := range acc {
			if v > 32767 {
				v, clipped = 32767, clipped+1
			} else if v < -32768 {
				v, clipped = -32768, clipped+1
			}
			binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(v)))
		}
		m.st.clipped.Add(clipped)
		kept := sources[:0]
		for _, s := range sources {
			if (s.leaving || s.idle >= idle) && len(s.buf) == 0 {
				m.st.left.Add(1)
				continue
			}
			kept = append(kept, s)
		}
		clear(sources[len(kept):])
		sources = kept
		m.st.sources.Store(int64(len(sources)))
		a := &frame.Audio{Format: frame.S16, Channels: m.Channels, Rate: m.Rate, Samples: chunk, Data: [][]byte{out},
			PTS: time.Duration(mixed * int64(time.Second) / int64(m.Rate))}
		mixed += int64(chunk)
		if err := m.Out.Send(ctx, a); err != nil {
			return err
		}
		m.st.chunks.Add(1)
		return nil
	}
	ready := func() bool {
		if len(sources) == 0 {
			return false
		}
		all := true
		for _, s := range sources {
			if len(s.buf) >= latency*n {
				return true
			}
			if len(s.buf) < n && !s.leaving {
				all = false
			}
		}
		return all
	}
	for {
		snd, err := m.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		s := find(snd.Source)
		if snd.Audio == nil {
			if s != nil {
				s.leaving = true
			}
		} else {
			a := snd.Audio
			if err := a.Validate(); err != nil {
				return fmt.Errorf("mixer: source %q: %w", snd.Source, err)
			}
			if a.Rate != m.Rate || a.Channels != m.Channels {
				return fmt.Errorf("mixer: source %q sends %d channels at %d Hz; the mix is %d at %d Hz (resample with an AudioFilter)",
					snd.Source, a.Channels, a.Rate, m.Channels, m.Rate)
			}
			if s == nil {
				s = &mixSource{name: snd.Source}
				sources = append(sources, s)
				m.st.joined.Add(1)
				m.st.sources.Store(int64(len(sources)))
			}
			s.buf = appendS16(s.buf, a)
			s.idle, s.leaving = 0, false
		}
		for ready() {
			if err := mix(); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The end: mix what is buffered, the short ones padded with silence.
	buffered := func() bool {
		for _, s := range sources {
			if len(s.buf) > 0 {
				return true
			}
		}
		return false
	}
	for _, s := range sources {
		s.leaving = true
	}
	for buffered() {
		if err := mix(); err != nil {
			return err
		}
	}
	m.st.left.Add(int64(len(sources)))
	m.st.sources.Store(0)
	return nil
}

// appendS16 appends a's samples to buf as interleaved 16-bit integers; S16
// buffers are copied straight.
func appendS16(buf []int16, a *frame.Audio) []int16 {
	if a.Format == frame.S16 {
		b := a.Data[0][:2*a.Samples*a.Channels]
		for i := 0; i < len(b); i += 2 {
			buf = append(buf, int16(binary.LittleEndian.Uint16(b[i:])))
		}
		return buf
	}
	return append(buf, a.Int16s()...)
}
