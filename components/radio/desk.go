package radio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
)

// The sources of a mixer matrix, in the order QUERY ALL reports them.
const (
	DJ1       = 0 // the first DJ's feed
	DJ2       = 1 // the second DJ's feed
	Prerecord = 2 // the music (prerecorded) feed
	// NumSources is how many sources a matrix mixes.
	NumSources = 3
)

// SourceNames are the names the control protocol gives the sources, by
// index: "DJ1", "DJ2" and "PRERECORD" (the music feed).
var SourceNames = [NumSources]string{"DJ1", "DJ2", "PRERECORD"}

// unityGain is a gain of 1 in the Desk's fixed point (16 fractional bits).
const unityGain = 1 << 16

// MaxGain is the largest gain a source may be given.
const MaxGain = 16.0

// Desk is a mixer matrix's switches: which sources are on, and each
// source's gain. Every method is safe to call from any goroutine: the
// control connections change it while the Mixer reads it for each chunk.
// A new Desk has every source on at a gain of 1.
type Desk struct {
	on    atomic.Uint32            // bit i: source i is on
	gains [NumSources]atomic.Int64 // 16.16 fixed point
}

// NewDesk returns a Desk with every source on at a gain of 1.
func NewDesk() *Desk {
	d := &Desk{}
	d.on.Store(1<<NumSources - 1)
	for i := range d.gains {
		d.gains[i].Store(unityGain)
	}
	return d
}

// On reports whether source (DJ1, DJ2 or Prerecord) is on; any other index
// is off.
func (d *Desk) On(source int) bool {
	return source >= 0 && source < NumSources && d.on.Load()&(1<<source) != 0
}

// Set turns source on or off. An index out of range is an error.
func (d *Desk) Set(source int, on bool) error {
	if source < 0 || source >= NumSources {
		return fmt.Errorf("radio: no source %d (there are %d)", source, NumSources)
	}
	for {
		old := d.on.Load()
		v := old &^ (1 << source)
		if on {
			v |= 1 << source
		}
		if d.on.CompareAndSwap(old, v) {
			return nil
		}
	}
}

// Only turns source on and every other source off.
func (d *Desk) Only(source int) error {
	if source < 0 || source >= NumSources {
		return fmt.Errorf("radio: no source %d (there are %d)", source, NumSources)
	}
	d.on.Store(1 << source)
	return nil
}

// SetGain sets source's gain, a factor from 0 to MaxGain (1 leaves the
// sound as it is). It is used in the Saturate mode only. A gain out of
// range, or not a number, is an error.
func (d *Desk) SetGain(source int, gain float64) error {
	if source < 0 || source >= NumSources {
		return fmt.Errorf("radio: no source %d (there are %d)", source, NumSources)
	}
	if !(gain >= 0 && gain <= MaxGain) {
		return fmt.Errorf("radio: gain %v out of range 0 to %v", gain, MaxGain)
	}
	d.gains[source].Store(int64(math.Round(gain * unityGain)))
	return nil
}

// Gain returns source's gain.
func (d *Desk) Gain(source int) float64 {
	if source < 0 || source >= NumSources {
		return 0
	}
	return float64(d.gains[source].Load()) / unityGain
}

// gain returns source's gain in fixed point.
func (d *Desk) gain(source int) int64 { return d.gains[source].Load() }

// sourceIndex returns the index of the source named name, compared as
// given (the original compared the source word without upper-casing it).
func sourceIndex(name string) (int, bool) {
	for i, n := range SourceNames {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

// onOff is the word QUERY answers for one source.
func onOff(on bool) string {
	if on {
		return "ON"
	}
	return "OFF"
}

// Command carries out one line of the control protocol and returns the
// reply, without its newline. The line is split into words at white space;
// the first word is upper-cased, the others are compared as given:
//
//	SWITCH <dest> <source> ONLY     only source on               -> OK
//	SWITCH <dest> <source> ON|OFF   source on or off             -> OK
//	QUERY <dest> <source>           -> ON or OFF; for ALL three words in
//	                                   the order DJ1 DJ2 PRERECORD (ON OFF OFF)
//	GAIN <dest> <source> <factor>   source's gain (0 to MaxGain) -> OK
//
// A source is DJ1, DJ2, PRERECORD or ALL (every source). dest names the
// output and is not used: a matrix has one. Anything else, the wrong number
// of words included, is answered FAIL and changes nothing. GAIN is this
// package's own; the others are the original matrix's, reply for reply.
func (d *Desk) Command(line string) string {
	w := strings.Fields(line)
	if len(w) == 0 {
		return "FAIL"
	}
	switch strings.ToUpper(w[0]) {
	case "SWITCH":
		if len(w) != 4 {
			return "FAIL"
		}
		src, flag := w[2], w[3]
		if flag != "ONLY" && flag != "ON" && flag != "OFF" {
			return "FAIL"
		}
		if src == "ALL" {
			if flag == "OFF" {
				d.on.Store(0)
			} else {
				d.on.Store(1<<NumSources - 1)
			}
			return "OK"
		}
		i, ok := sourceIndex(src)
		if !ok {
			return "FAIL"
		}
		if flag == "ONLY" {
			_ = d.Only(i) // i is in range
		} else {
			_ = d.Set(i, flag == "ON")
		}
		return "OK"
	case "QUERY":
		if len(w) != 3 {
			return "FAIL"
		}
		if w[2] == "ALL" {
			words := make([]string, NumSources)
			for i := range words {
				words[i] = onOff(d.On(i))
			}
			return strings.Join(words, " ")
		}
		i, ok := sourceIndex(w[2])
		if !ok {
			return "FAIL"
		}
		return onOff(d.On(i))
	case "GAIN":
		if len(w) != 4 {
			return "FAIL"
		}
		g, err := strconv.ParseFloat(w[3], 64)
		if err != nil {
			return "FAIL"
		}
		var srcs []int
		if w[2] == "ALL" {
			srcs = []int{DJ1, DJ2, Prerecord}
		} else if i, ok := sourceIndex(w[2]); ok {
			srcs = []int{i}
		} else {
			return "FAIL"
		}
		if !(g >= 0 && g <= MaxGain) {
			return "FAIL"
		}
		for _, i := range srcs {
			_ = d.SetGain(i, g) // checked above
		}
		return "OK"
	}
	return "FAIL"
}
