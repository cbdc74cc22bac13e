package radio

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Mode is how a Mixer adds its sources.
type Mode int

const (
	// Saturate multiplies each source on the desk by its gain, adds them and
	// clips the sum to the 16-bit range: the default.
	Saturate Mode = iota
	// DivideByThree is the original matrix's arithmetic: the sum of the
	// three sources (those off, and those with nothing, count as silence)
	// divided by 3, rounding down (Python 2's integer division), whatever
	// the gains. It never clips.
	DivideByThree
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case Saturate:
		return "saturate"
	case DivideByThree:
		return "divide3"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode returns the Mode named s: "saturate" or "divide3".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "saturate":
		return Saturate, nil
	case "divide3":
		return DivideByThree, nil
	}
	return 0, fmt.Errorf("radio: unknown mix mode %q (saturate or divide3)", s)
}

// Input is what a Mixer mixes: raw sound, signed 16-bit little-endian
// samples (interleaved when there are several channels), from one of its
// sources. The Mixer keeps Data.
type Input struct {
	Source int // DJ1, DJ2 or Prerecord
	Data   []byte
}

// DefaultChunk is the bytes of each chunk a Mixer sends unless told: 20 ms
// of 48 kHz 16-bit stereo, the matrix's sound (1 536 000 bit/s).
const DefaultChunk = 3840

// DefaultLatency is how many chunks one source may be ahead of a late one
// before the late one is mixed as silence, unless told.
const DefaultLatency = 5

// MixerStats counts what a Mixer has done. Read it with Mixer.Stats.
type MixerStats struct {
	Chunks    uint64 // chunks sent
	Bytes     uint64 // bytes sent
	Underruns uint64 // bytes of silence put in for an active source that was late
	Discarded uint64 // bytes of a source that was off, dropped unmixed
	Clipped   uint64 // samples clipped to the 16-bit range (Saturate)
}

// Mixer is the mixer matrix's mixing desk: it mixes the sound of three
// sources (DJ1, DJ2 and the music, Prerecord) into one stream, with the
// sources that are on at the Desk.
//
// Boxes:
//
//	inbox    Input   sound from the sources, in pieces of any size
//	control  any     ProducerFinished, Shutdown
//	outbox   []byte  the mix, in chunks of Chunk bytes
//	signal   any     the outcome
//
// Each source has its own buffer, so that what two sources send, in
// whatever pieces and order, is lined up sample by sample and summed. A
// chunk is mixed when every source that is on has a chunk's worth
// buffered, or, so that a source that is late, silent or not connected
// does not hold the others up, when one source that is on has Latency
// chunks buffered: the late ones then add silence for what they lack
// (counted as Underruns). What a source that is off sends is dropped as
// it comes, with what it had buffered (counted as Discarded): it is
// silence, and nothing stale is heard when it is put back on. When every source is off nothing is sent.
//
// The original matrix mixed whatever each source happened to have sent
// whenever any had sent something, so that two sources whose pieces
// arrived at different moments were played one after the other instead
// of together; this Mixer aligns them instead. The arithmetic is Mode's.
//
// Shutdown: ProducerFinished mixes what the sources that are on have
// buffered (the short ones padded with silence, the last chunk as long as
// the longest), sends it and returns nil. Shutdown returns at once. An
// Input naming no source is an error.
type Mixer struct {
	axon.Core
	In  *axon.Inbox[Input]
	Out *axon.Outbox[[]byte]

	// Desk says which sources are on and their gains.
	Desk *Desk
	// Mode is the arithmetic (Saturate unless set).
	Mode Mode
	// Chunk is the bytes of each chunk of the mix, even; 0 is DefaultChunk.
	Chunk int
	// Latency is in chunks; 0 is DefaultLatency.
	Latency int

	st struct{ chunks, bytes, underruns, discarded, clipped atomic.Uint64 }
}

// NewMixer returns a Mixer whose switches are desk's (a new Desk if nil).
func NewMixer(desk *Desk, mode Mode) *Mixer {
	if desk == nil {
		desk = NewDesk()
	}
	m := &Mixer{Desk: desk, Mode: mode}
	m.In = axon.NewInbox[Input](m, "inbox")
	m.Out = axon.NewOutbox[[]byte](m, "outbox")
	return m
}

// Stats returns what the mixer has done so far.
func (m *Mixer) Stats() MixerStats {
	return MixerStats{Chunks: m.st.chunks.Load(), Bytes: m.st.bytes.Load(), Underruns: m.st.underruns.Load(),
		Discarded: m.st.discarded.Load(), Clipped: m.st.clipped.Load()}
}

// srcBuf is one source's sound waiting to be mixed: buf[off:].
type srcBuf struct {
	buf []byte
	off int
}

func (s *srcBuf) pending() []byte { return s.buf[s.off:] }

func (s *srcBuf) take(k int) { s.off += k }

// push appends b, first moving what waits to the front once the mixed
// part is half the buffer, so that the buffer is reused, not grown.
func (s *srcBuf) push(b []byte) {
	if s.off > 0 && s.off >= len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.off:])
		s.buf, s.off = s.buf[:n], 0
	}
	s.buf = append(s.buf, b...)
}

// Main mixes until the sources end or the mixer is told to stop.
func (m *Mixer) Main(ctx context.Context) error {
	chunk, latency := m.Chunk, m.Latency
	if chunk == 0 {
		chunk = DefaultChunk
	}
	if chunk < 2 || chunk%2 != 0 {
		return fmt.Errorf("radio: mixer chunk of %d bytes: it must be a positive even number", chunk)
	}
	if latency <= 0 {
		latency = DefaultLatency
	}
	if m.Mode != Saturate && m.Mode != DivideByThree {
		return fmt.Errorf("radio: mixer: unknown %v", m.Mode)
	}
	var srcs [NumSources]srcBuf
	limit := latency * chunk
	// ready reports whether a chunk is to be mixed now.
	ready := func() bool {
		some, all := false, true
		for i := range srcs {
			if !m.Desk.On(i) {
				continue
			}
			k := len(srcs[i].pending())
			if k >= limit {
				return true
			}
			some = true
			if k < chunk {
				all = false
			}
		}
		return some && all
	}
	batch := make([]Input, 0, 64)
	for {
		var err error
		batch, err = m.In.RecvBatch(ctx, batch[:0], cap(batch))
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		for _, in := range batch {
			if in.Source < 0 || in.Source >= NumSources {
				return fmt.Errorf("radio: mixer: input from source %d: there are sources 0 to %d", in.Source, NumSources-1)
			}
			m.accept(&srcs, in)
		}
		clear(batch)
		for ready() {
			if err := m.mix(ctx, &srcs, chunk, false); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The end: mix what the sources that are on have, padded.
	for {
		longest := 0
		for i := range srcs {
			if m.Desk.On(i) {
				longest = max(longest, len(srcs[i].pending()))
			}
		}
		if longest == 0 {
			return nil
		}
		n := min(longest, chunk)
		n -= n % 2
		if n == 0 {
			return nil // a lone odd byte: half a sample, not sound
		}
		if err := m.mix(ctx, &srcs, n, true); err != nil {
			return err
		}
	}
}

// accept adds in to its source's buffer. A source that is off is
// silence: what it sends is dropped as it comes, with what it had
// buffered, so that nothing stale is heard when it is put back on.
func (m *Mixer) accept(srcs *[NumSources]srcBuf, in Input) {
	s := &srcs[in.Source]
	if !m.Desk.On(in.Source) {
		m.st.discarded.Add(uint64(len(in.Data) + len(s.pending())))
		s.take(len(s.pending()))
		return
	}
	s.push(in.Data)
}

// mix sends one chunk of n bytes of the sources' sound and takes it from
// their buffers.
func (m *Mixer) mix(ctx context.Context, srcs *[NumSources]srcBuf, n int, end bool) error {
	out := make([]byte, n)
	var parts [NumSources][]byte
	var gains [NumSources]int64
	for i := range srcs {
		p := srcs[i].pending()
		k := min(len(p), n)
		if m.Desk.On(i) {
			parts[i], gains[i] = p[:k], m.Desk.gain(i)
			if k < n && !end {
				m.st.underruns.Add(uint64(n - k))
			}
		} else if k > 0 {
			m.st.discarded.Add(uint64(k))
		}
		srcs[i].take(k)
	}
	var clipped uint64
	if m.Mode == DivideByThree {
		MixDivideByThree(out, parts[:])
	} else {
		clipped = MixSaturate(out, parts[:], gains[:])
	}
	m.st.clipped.Add(clipped)
	if err := m.Out.Send(ctx, out); err != nil {
		return err
	}
	m.st.chunks.Add(1)
	m.st.bytes.Add(uint64(n))
	return nil
}

// MixDivideByThree writes into out the original matrix's mix of srcs (each
// raw S16LE; a nil or short one is silence past its end): per sample, the
// sum of the sources divided by 3, rounded down. len(out) must be even.
func MixDivideByThree(out []byte, srcs [][]byte) {
	const bias = 3 * 32768 * 4 // a multiple of 3 past the most negative sum of 4 sources
	n := len(out) / 2
	for i := range n {
		var sum int64
		for _, p := range srcs {
			if 2*i+1 < len(p) {
				sum += int64(int16(binary.LittleEndian.Uint16(p[2*i:])))
			}
		}
		// Rounded down, as Python 2's integer division does: the sum made
		// positive by a multiple of 3 divides the same way, and an
		// unsigned division by a constant is a multiplication.
		var q int64
		if len(srcs) <= 4 {
			q = int64(uint64(sum+bias)/3) - bias/3
		} else {
			q = sum / 3
			if sum%3 != 0 && sum < 0 {
				q--
			}
		}
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(q)))
	}
}

// MixSaturate writes into out the sum of srcs (each raw S16LE; a nil or
// short one is silence past its end), each multiplied by its gain in
// gains (16.16 fixed point: 65536 is 1), clipped to the 16-bit range, and
// returns how many samples were clipped. len(out) must be even.
func MixSaturate(out []byte, srcs [][]byte, gains []int64) (clipped uint64) {
	for i := range len(out) / 2 {
		var sum int64
		for j, p := range srcs {
			if 2*i+1 < len(p) {
				sum += int64(int16(binary.LittleEndian.Uint16(p[2*i:]))) * gains[j]
			}
		}
		v := sum >> 16
		if v > 32767 {
			v, clipped = 32767, clipped+1
		} else if v < -32768 {
			v, clipped = -32768, clipped+1
		}
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(v)))
	}
	return clipped
}
