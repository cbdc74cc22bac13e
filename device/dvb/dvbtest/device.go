package dvbtest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/kamaelia-go/kamaelia/device/dvb"
)

// Tuning is one call of Frontend.Tune.
type Tuning struct {
	FrequencyHz uint32     // the frequency asked for
	Params      dvb.Params // the parameters asked for
}

// Frontend is a fake dvb.Frontend. After each Tune, its first LockAfter
// Status calls report Partial, and the following ones report dvb.Locked; a
// negative LockAfter never locks. It records the tunings it was asked for.
// It is safe for concurrent use.
type Frontend struct {
	mu        sync.Mutex
	lockAfter int
	partial   dvb.LockStatus
	signal    dvb.SignalStatus
	tunings   []Tuning
	polls     int
	closed    bool
	tuneErr   error
}

// NewFrontend returns a Frontend that locks after lockAfter polls of
// Status (never, if negative), reporting partial until then.
func NewFrontend(lockAfter int, partial dvb.LockStatus) *Frontend {
	return &Frontend{lockAfter: lockAfter, partial: partial,
		signal: dvb.SignalStatus{Strength: 0xC000, SNR: 0x0100, BER: 7, UncorrectedBlocks: 0}}
}

// FailTune makes the next Tunes fail with err (nil: succeed again).
func (f *Frontend) FailTune(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tuneErr = err
}

// Tune records the tuning and starts counting polls afresh.
func (f *Frontend) Tune(hz uint32, p dvb.Params) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	if f.tuneErr != nil {
		return f.tuneErr
	}
	f.tunings = append(f.tunings, Tuning{hz, p})
	f.polls = 0
	return nil
}

func (f *Frontend) statusLocked() dvb.LockStatus {
	if len(f.tunings) == 0 || f.lockAfter < 0 || f.polls <= f.lockAfter {
		return f.partial
	}
	return dvb.Locked
}

// Status reports Partial for the first LockAfter polls after a Tune, then
// dvb.Locked.
func (f *Frontend) Status() (dvb.LockStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return 0, os.ErrClosed
	}
	f.polls++
	return f.statusLocked(), nil
}

// Signal reports a fixed signal with the current status (without counting
// a poll).
func (f *Frontend) Signal() (dvb.SignalStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return dvb.SignalStatus{}, os.ErrClosed
	}
	s := f.signal
	s.Status = f.statusLocked()
	return s, nil
}

// Close marks the frontend closed: every later call fails.
func (f *Frontend) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Tunings returns the tunings asked for so far.
func (f *Frontend) Tunings() []Tuning {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.tunings)
}

// Polls returns the Status calls since the last Tune.
func (f *Frontend) Polls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls
}

// Closed reports whether Close was called.
func (f *Frontend) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Device is a fake dvb.Device: its frontend is Frontend (opened as often as
// asked; each open sees the same fake), and each OpenDVR calls DVR with the
// number of the opening (0 for the first). It records the PID filters set.
type Device struct {
	DeviceName string                    // what Name returns
	Frontend   *Frontend                 // what OpenFrontend returns
	DVR        func(n int) io.ReadCloser // what the n-th OpenDVR returns

	mu      sync.Mutex
	opens   int
	filters []*Filter
	readers []io.ReadCloser
}

// NewDevice returns a Device called "fake0" whose DVR plays stream at every
// opening, in reads of at most readSize bytes (any size if 0).
func NewDevice(fe *Frontend, stream []byte, readSize int) *Device {
	return &Device{DeviceName: "fake0", Frontend: fe, DVR: func(int) io.ReadCloser {
		return NewReader(stream, readSize)
	}}
}

// Name returns DeviceName.
func (d *Device) Name() string { return d.DeviceName }

// OpenFrontend returns the Frontend.
func (d *Device) OpenFrontend() (dvb.Frontend, error) {
	if d.Frontend == nil {
		return nil, errors.New("dvbtest: device has no frontend")
	}
	return d.Frontend, nil
}

// OpenFilter records a Filter for pids.
func (d *Device) OpenFilter(pids []uint16) (dvb.Filter, error) {
	f := &Filter{pids: slices.Clone(pids)}
	d.mu.Lock()
	d.filters = append(d.filters, f)
	d.mu.Unlock()
	return f, nil
}

// OpenDVR returns DVR(n) for the n-th opening.
func (d *Device) OpenDVR() (io.ReadCloser, error) {
	d.mu.Lock()
	n := d.opens
	d.opens++
	d.mu.Unlock()
	r := d.DVR(n)
	d.mu.Lock()
	d.readers = append(d.readers, r)
	d.mu.Unlock()
	return r, nil
}

// Filters returns the filters opened so far.
func (d *Device) Filters() []*Filter {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.filters)
}

// DVRs returns the readers OpenDVR returned so far.
func (d *Device) DVRs() []io.ReadCloser {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.readers)
}

// Filter is the fake dvb.Filter of a Device.
type Filter struct {
	mu     sync.Mutex
	pids   []uint16
	closed bool
}

// Add adds pid.
func (f *Filter) Add(pid uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.pids, pid) {
		f.pids = append(f.pids, pid)
	}
	return nil
}

// Remove removes pid.
func (f *Filter) Remove(pid uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pids = slices.DeleteFunc(f.pids, func(p uint16) bool { return p == pid })
	return nil
}

// Close marks the filter closed.
func (f *Filter) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// PIDs returns the PIDs the filter routes, in the order they were added.
func (f *Filter) PIDs() []uint16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pids)
}

// Closed reports whether Close was called.
func (f *Filter) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Reader plays bytes as a DVR does: in reads of at most a given size, then
// io.EOF; or, made with NewBlockingReader, a Read that blocks until Close.
// Close makes a blocked Read return os.ErrClosed, as closing a device does.
// It is safe for concurrent use.
type Reader struct {
	mu       sync.Mutex
	r        *bytes.Reader
	size     int
	block    bool
	closed   bool
	closedCh chan struct{}
}

// NewReader returns a Reader of b in reads of at most size bytes (any size
// if size is 0), ending with io.EOF.
func NewReader(b []byte, size int) *Reader {
	return &Reader{r: bytes.NewReader(b), size: size, closedCh: make(chan struct{})}
}

// NewBlockingReader returns a Reader that gives b (in reads of at most
// size bytes) and then blocks, as a tuned device with no more signal does,
// until it is closed.
func NewBlockingReader(b []byte, size int) *Reader {
	r := NewReader(b, size)
	r.block = true
	return r
}

// Read reads the next bytes.
func (r *Reader) Read(p []byte) (int, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return 0, os.ErrClosed
	}
	if r.size > 0 && len(p) > r.size {
		p = p[:r.size]
	}
	n, err := r.r.Read(p)
	if n > 0 || !r.block {
		r.mu.Unlock()
		return n, err
	}
	r.mu.Unlock()
	<-r.closedCh
	return 0, os.ErrClosed
}

// Close makes every Read, blocked or later, return os.ErrClosed.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.closedCh)
	}
	return nil
}

// Closed reports whether Close was called.
func (r *Reader) Closed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}
