//go:build cgo

package av

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
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
	Joined    int64 // sources that have joined the mix
	Left      int64 // sources that left (told, idle too long, or drained)
	Underruns int64 // samples of silence put in for a source that was late
	Clipped   int64 // samples clipped to the 16-bit range
	Dropped   int64 // samples dropped, oldest first, past BufferingLimit
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
// ReadThreshold and BufferingLimit, left zero, change none of that. Set,
// they are the original RawAudioMixer's jitter buffer (the Whiteboard's
// settings are 0.2 s and 0.4 s):
//
//   - A source joins the mix (Stats().Joined) only once ReadThreshold of
//     its sound is buffered; until then it is waiting, is not mixed and
//     holds nobody up. It is then mixed from its oldest sample, so it stays
//     about ReadThreshold behind the time it sends, and the others wait for
//     it as they would for any source, except that one source gets
//     Latency chunks ahead only when it is Latency chunks past
//     ReadThreshold (or at BufferingLimit, if that is less).
//   - More than BufferingLimit of one source's sound buffered (a source
//     joined or waiting that sends too much at once) drops that source's
//     oldest samples down to BufferingLimit, counted in Stats().Dropped.
//   - A source that stops sending drains: once a chunk is mixed and it has
//     less than a chunk, what it has is mixed (padded with silence, not
//     counted as Underruns) and it leaves the mix (Stats().Left). Sound it
//     sends later waits for ReadThreshold again. A waiting source that is
//     told to leave, is Idle, or is at ProducerFinished joins to drain what
//     it has: nothing it sent is dropped but past BufferingLimit.
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
	// ReadThreshold is how much of a source's sound must be buffered
	// before it joins the mix; 0 means a source joins with its first
	// sound.
	ReadThreshold time.Duration
	// BufferingLimit is the most of one source's sound buffered; more
	// drops its oldest samples (Stats().Dropped). 0 means no limit. Set,
	// it is at least ReadThreshold and a chunk.
	BufferingLimit time.Duration

	st struct{ chunks, sources, joined, left, underruns, clipped, dropped atomic.Int64 }
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
		Left: m.st.left.Load(), Underruns: m.st.underruns.Load(), Clipped: m.st.clipped.Load(),
		Dropped: m.st.dropped.Load()}
}

// mixSource is one source's buffer: its sound waiting to be mixed, in
// the order it came, as interleaved 16-bit samples. Each source has its
// own, so that what two speakers send, in whatever pieces and turns, is
// lined up sample by sample and summed, never one's piece after the
// other's.
type mixSource struct {
	name    string
	buf     []int16 // buf[off:] waits to be mixed
	off     int
	leaving bool
	joined  bool // in the mix, not waiting for ReadThreshold
	idle    int  // chunks mixed since it last sent
}

// pending returns the samples waiting to be mixed.
func (s *mixSource) pending() []int16 { return s.buf[s.off:] }

// take drops the first k waiting samples, mixed.
func (s *mixSource) take(k int) { s.off += k }

// push appends a's samples. The mixed ones before them are dropped first
// once they are half the buffer, so that the buffer is reused rather than
// grown: a source's buffer stays the size of what it holds at most.
func (s *mixSource) push(a *frame.Audio) {
	if s.off > 0 && s.off >= len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.off:])
		s.buf, s.off = s.buf[:n], 0
	}
	s.buf = appendS16(s.buf, a)
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
	if m.ReadThreshold < 0 || m.BufferingLimit < 0 {
		return fmt.Errorf("mixer: ReadThreshold %v or BufferingLimit %v is negative", m.ReadThreshold, m.BufferingLimit)
	}
	threshold, limit := m.samples(m.ReadThreshold), m.samples(m.BufferingLimit)
	if limit > 0 && (limit < threshold || limit < n) {
		return fmt.Errorf("mixer: BufferingLimit %v is less than ReadThreshold %v or a chunk (%d samples)",
			m.BufferingLimit, m.ReadThreshold, chunk)
	}
	// ahead is what one source buffers before a late one is mixed as
	// silence (or, with a ReadThreshold, drained): Latency chunks past
	// what every joined source holds back.
	ahead := latency*n + threshold
	if limit > 0 {
		ahead = min(ahead, limit)
	}
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
	join := func(s *mixSource) {
		s.joined = true
		m.st.joined.Add(1)
	}
	// mix sends one chunk of every joined source's sound, and drops the
	// sources that have left and have nothing more.
	mix := func() error {
		clear(acc)
		for _, s := range sources {
			if !s.joined {
				// Waiting for ReadThreshold: not mixed, but idle all
				// the same if it sends nothing.
				s.idle++
				if s.idle >= idle {
					s.leaving = true
					join(s)
				}
				continue
			}
			p := s.pending()
			k := min(len(p), n)
			sum := acc[:k]
			for i, v := range p[:k] {
				sum[i] += int32(v)
			}
			if k < n && !s.leaving {
				if threshold > 0 {
					s.leaving = true // drained: it leaves the mix
				} else {
					m.st.underruns.Add(int64((n - k) / m.Channels))
				}
			}
			if k == 0 {
				s.idle++
			}
			s.take(k)
		}
		out := make([]byte, 2*n)
		clipped := int64(0)
		for i, v := range acc {
			if v > 32767 {
				v, clipped = 32767, clipped+1
			} else if v < -32768 {
				v, clipped = -32768, clipped+1
			}
			binary.LittleEndian.PutUint16(out[2*i:2*i+2], uint16(int16(v)))
		}
		m.st.clipped.Add(clipped)
		kept := sources[:0]
		for _, s := range sources {
			if s.joined && (s.leaving || s.idle >= idle) && len(s.pending()) == 0 {
				m.st.left.Add(1)
				continue
			}
			kept = append(kept, s)
		}
		clear(sources[len(kept):])
		sources = kept
		m.st.sources.Store(joined(sources))
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
		all, some := true, false
		for _, s := range sources {
			if !s.joined {
				continue
			}
			k := len(s.pending())
			some = some || k > 0 // a chunk is never made of nothing
			if k >= ahead {
				return true
			} else if k < n && !s.leaving {
				all = false
			}
		}
		return all && some
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
			if s != nil && s.joined && len(s.pending()) == 0 {
				// Nothing left to mix: it leaves now, rather than with
				// a chunk of silence.
				sources = slices.DeleteFunc(sources, func(x *mixSource) bool { return x == s })
				m.st.left.Add(1)
				m.st.sources.Store(joined(sources))
			} else if s != nil {
				s.leaving = true
				if !s.joined {
					join(s) // to drain what it has
				}
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
			}
			s.push(a)
			s.idle, s.leaving = 0, false
			if p := len(s.pending()); limit > 0 && p > limit {
				s.take(p - limit)
				m.st.dropped.Add(int64((p - limit) / m.Channels))
			}
			if !s.joined && len(s.pending()) >= threshold {
				join(s)
			}
			m.st.sources.Store(joined(sources))
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
			if len(s.pending()) > 0 {
				return true
			}
		}
		return false
	}
	for _, s := range sources {
		s.leaving = true
		if !s.joined {
			join(s) // to drain what it has
		}
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

// samples returns how many samples, all channels, d of the mix's sound
// is: rounded up, so that a threshold is never less than asked.
func (m *Mixer) samples(d time.Duration) int {
	frames := (int64(d)*int64(m.Rate) + int64(time.Second) - 1) / int64(time.Second)
	return int(frames) * m.Channels
}

// joined returns how many sources are in the mix, not waiting.
func joined(sources []*mixSource) int64 {
	n := int64(0)
	for _, s := range sources {
		if s.joined {
			n++
		}
	}
	return n
}

// appendS16 appends a's samples to buf as interleaved 16-bit integers; S16
// buffers are copied straight.
func appendS16(buf []int16, a *frame.Audio) []int16 {
	if a.Format == frame.S16 {
		b := a.Data[0][:2*a.Samples*a.Channels]
		n := len(buf)
		buf = slices.Grow(buf, len(b)/2)[:n+len(b)/2]
		dst := buf[n:]
		for i := range dst {
			dst[i] = int16(binary.LittleEndian.Uint16(b[2*i : 2*i+2]))
		}
		return buf
	}
	return append(buf, a.Int16s()...)
}
