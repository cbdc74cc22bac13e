package frame

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// SampleFormat is how an Audio's samples are stored.
type SampleFormat uint8

// The sample formats audio buffers carry.
const (
	SampleFormatUnknown SampleFormat = iota
	// S16 is signed 16-bit samples, channels interleaved in one plane.
	S16
	// F32 is 32-bit float samples in [-1, 1], channels interleaved.
	F32
	// S16P is signed 16-bit samples, one plane a channel.
	S16P
	// F32P is 32-bit float samples, one plane a channel: what FFmpeg's
	// Vorbis decoder gives and its libvorbis encoder takes.
	F32P
)

// String returns the format's name, as FFmpeg spells it.
func (f SampleFormat) String() string {
	switch f {
	case S16:
		return "s16"
	case F32:
		return "flt"
	case S16P:
		return "s16p"
	case F32P:
		return "fltp"
	}
	return fmt.Sprintf("sampleformat(%d)", uint8(f))
}

// BytesPerSample returns the size of one sample of one channel.
func (f SampleFormat) BytesPerSample() int {
	switch f {
	case S16, S16P:
		return 2
	case F32, F32P:
		return 4
	}
	return 0
}

// Planar reports whether the format keeps one plane a channel.
func (f SampleFormat) Planar() bool { return f == S16P || f == F32P }

// Audio is a buffer of sound: Samples samples of each of Channels channels,
// at Rate samples a second.
type Audio struct {
	Format   SampleFormat
	Channels int
	Rate     int
	// Samples is the number of samples in each channel.
	Samples int
	// Data holds the samples: one plane for an interleaved format, one a
	// channel for a planar one.
	Data [][]byte
	// PTS is when the first sample is played, from the start of the stream.
	PTS time.Duration
}

// Duration returns how long the buffer plays for.
func (a *Audio) Duration() time.Duration {
	if a.Rate <= 0 {
		return 0
	}
	return time.Duration(int64(a.Samples) * int64(time.Second) / int64(a.Rate))
}

// Validate reports whether the buffer's planes hold its samples: an error
// wrapping ErrBadFrame if not.
func (a *Audio) Validate() error {
	bps := a.Format.BytesPerSample()
	switch {
	case bps == 0:
		return fmt.Errorf("%w: unknown sample format %v", ErrBadFrame, a.Format)
	case a.Channels <= 0 || a.Rate <= 0 || a.Samples < 0:
		return fmt.Errorf("%w: %d channels at %d Hz, %d samples", ErrBadFrame, a.Channels, a.Rate, a.Samples)
	}
	planes, per := 1, a.Samples*a.Channels*bps
	if a.Format.Planar() {
		planes, per = a.Channels, a.Samples*bps
	}
	if len(a.Data) != planes {
		return fmt.Errorf("%w: %v with %d channels has %d planes, got %d", ErrBadFrame, a.Format, a.Channels, planes, len(a.Data))
	}
	for i, p := range a.Data {
		if len(p) < per {
			return fmt.Errorf("%w: plane %d has %d bytes, needs %d", ErrBadFrame, i, len(p), per)
		}
	}
	return nil
}

// NewS16 returns a buffer of interleaved 16-bit samples (len(samples) must be
// a multiple of channels).
func NewS16(channels, rate int, samples []int16) *Audio {
	b := make([]byte, 2*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(s))
	}
	return &Audio{Format: S16, Channels: channels, Rate: rate, Samples: len(samples) / channels, Data: [][]byte{b}}
}

// NewF32 returns a buffer of interleaved float samples (len(samples) must be
// a multiple of channels).
func NewF32(channels, rate int, samples []float32) *Audio {
	b := make([]byte, 4*len(samples))
	for i, s := range samples {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(s))
	}
	return &Audio{Format: F32, Channels: channels, Rate: rate, Samples: len(samples) / channels, Data: [][]byte{b}}
}

// sample returns sample i of channel ch as a float in [-1, 1].
func (a *Audio) sample(ch, i int) float32 {
	bps := a.Format.BytesPerSample()
	plane, off := 0, (i*a.Channels+ch)*bps
	if a.Format.Planar() {
		plane, off = ch, i*bps
	}
	b := a.Data[plane][off:]
	if bps == 2 {
		return float32(int16(binary.LittleEndian.Uint16(b))) / 32768
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}

// Float32s returns the samples interleaved as floats in [-1, 1], whatever
// the buffer's format.
func (a *Audio) Float32s() []float32 {
	out := make([]float32, 0, a.Samples*a.Channels)
	for i := range a.Samples {
		for ch := range a.Channels {
			out = append(out, a.sample(ch, i))
		}
	}
	return out
}

// Int16s returns the samples interleaved as 16-bit integers, whatever the
// buffer's format; floats are clipped to [-1, 1].
func (a *Audio) Int16s() []int16 {
	fs := a.Float32s()
	out := make([]int16, len(fs))
	for i, f := range fs {
		out[i] = floatToS16(f)
	}
	return out
}

func floatToS16(f float32) int16 {
	v := math.Round(float64(f) * 32768)
	return int16(max(-32768, min(32767, v)))
}

// Convert returns the buffer in another sample format, or a itself if it is
// in that format already. Channels, rate and time stay the same.
func (a *Audio) Convert(to SampleFormat) (*Audio, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if to == a.Format {
		return a, nil
	}
	bps := to.BytesPerSample()
	if bps == 0 {
		return nil, fmt.Errorf("%w: unknown sample format %v", ErrBadFrame, to)
	}
	out := &Audio{Format: to, Channels: a.Channels, Rate: a.Rate, Samples: a.Samples, PTS: a.PTS}
	if to.Planar() {
		for range a.Channels {
			out.Data = append(out.Data, make([]byte, a.Samples*bps))
		}
	} else {
		out.Data = [][]byte{make([]byte, a.Samples*a.Channels*bps)}
	}
	for i := range a.Samples {
		for ch := range a.Channels {
			f := a.sample(ch, i)
			plane, off := 0, (i*a.Channels+ch)*bps
			if to.Planar() {
				plane, off = ch, i*bps
			}
			if bps == 2 {
				binary.LittleEndian.PutUint16(out.Data[plane][off:], uint16(floatToS16(f)))
			} else {
				binary.LittleEndian.PutUint32(out.Data[plane][off:], math.Float32bits(f))
			}
		}
	}
	return out, nil
}

// String describes the buffer: format, channels, rate, length and time.
func (a *Audio) String() string {
	return fmt.Sprintf("audio %v %dch %dHz %d samples @%v", a.Format, a.Channels, a.Rate, a.Samples, a.PTS)
}
