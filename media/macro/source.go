//go:build cgo

package macro

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// FileRate returns the bit rate of the transport stream in the file at
// path, from the PCRs of its first PCR-carrying PID: the bits between the
// first and the last PCR over the time between them. A file with fewer
// than two PCRs on that PID is an error.
func FileRate(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	ps, err := mpegts.ParsePackets(b[:len(b)/mpegts.PacketSize*mpegts.PacketSize])
	if err != nil {
		return 0, fmt.Errorf("macro: %s: %w", path, err)
	}
	pid, n := -1, 0
	var first, last uint64
	var firstAt, lastAt int
	for i, p := range ps.All() {
		if pid >= 0 && int(p.PID()) != pid {
			continue
		}
		af, err := mpegts.ParseAdaptationField(p)
		if err != nil || !af.HasPCR {
			continue
		}
		if pid < 0 {
			pid, first, firstAt = int(p.PID()), af.PCR, i
		}
		last, lastAt = af.PCR, i
		n++
	}
	if n < 2 || last <= first {
		return 0, fmt.Errorf("macro: %s: not enough PCRs to tell its rate", path)
	}
	secs := float64(last-first) / 27e6
	return float64(lastAt-firstAt) * mpegts.PacketSize * 8 / secs, nil
}

// PacedFile returns a dvb.Device that plays the transport stream in the
// file at path at bitRate bits a second, as a broadcast arrives (FileRate
// tells a file's own rate); a rate of 0 or less plays it as fast as it is
// taken, as dvb.FileDevice does.
func PacedFile(path string, bitRate float64) dvb.Device {
	return dvb.ReaderDevice("file:"+path, func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil || bitRate <= 0 {
			return f, err
		}
		return &pacedReader{f: f, rate: bitRate / 8, start: time.Now(), done: make(chan struct{})}, nil
	})
}

// pacedReader hands out no more bytes than the time since it started
// allows at its rate; Close ends a wait at once.
type pacedReader struct {
	f     *os.File
	rate  float64 // bytes a second
	start time.Time
	read  int64
	once  sync.Once
	done  chan struct{}
}

// errClosed is what a read of a closed pacedReader returns.
var errClosed = errors.New("macro: paced file closed")

func (r *pacedReader) Read(b []byte) (int, error) {
	// At most a tenth of a second a read, so that the stream flows evenly.
	b = b[:min(len(b), max(int(r.rate/10), mpegts.PacketSize))]
	due := r.start.Add(time.Duration(float64(r.read) / r.rate * float64(time.Second)))
	if wait := time.Until(due); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.done:
			t.Stop()
			return 0, errClosed
		}
	}
	n, err := r.f.Read(b)
	r.read += int64(n)
	return n, err
}

func (r *pacedReader) Close() error {
	r.once.Do(func() { close(r.done) })
	return r.f.Close()
}
