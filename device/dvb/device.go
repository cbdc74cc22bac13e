package dvb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Device is one DVB adapter as the components see it: the seam between them
// and the hardware. LinuxAdapter is the real one (a Linux DVB adapter's
// frontend, demux and DVR devices); FileDevice and ReaderDevice play a
// recorded or streamed transport stream through the same code, and package
// dvbtest has fakes whose frontend locks (or not) as a test says.
//
// The components open what they need when they start and close it when they
// end, in either way: a Device must allow its parts to be opened again after
// they were closed (a retune opens a new DVR reader).
type Device interface {
	// Name names the adapter in errors and logs, such as "adapter0".
	Name() string
	// OpenFrontend opens the frontend, which tunes and reports lock and
	// signal.
	OpenFrontend() (Frontend, error)
	// OpenFilter sets up PID filters that route the given PIDs to the DVR
	// (mpegts.AllPIDs: the whole transport stream). Closing the Filter
	// removes them.
	OpenFilter(pids []uint16) (Filter, error)
	// OpenDVR opens the stream of transport stream bytes that the filters
	// select. Close must make a Read blocked in another goroutine return:
	// that is how a component stops at once.
	OpenDVR() (io.ReadCloser, error)
}

// Frontend is a device's tuner and demodulator.
type Frontend interface {
	// Tune starts tuning to frequencyHz with p. It does not wait for the
	// lock: Status reports it.
	Tune(frequencyHz uint32, p Params) error
	// Status reports what the demodulator has found so far.
	Status() (LockStatus, error)
	// Signal reports the signal's quality.
	Signal() (SignalStatus, error)
	// Close releases the frontend.
	Close() error
}

// Filter is a set of PID filters routing packets to a device's DVR.
type Filter interface {
	// Add routes one more PID to the DVR.
	Add(pid uint16) error
	// Remove stops routing pid to the DVR.
	Remove(pid uint16) error
	// Close removes every PID filter of the set.
	Close() error
}

// LockStatus is a frontend's status: which stages of demodulation have
// succeeded. A usable signal has all of HasSignal to HasLock.
type LockStatus uint8

// The stages of a frontend's lock, as Linux DVB reports them.
const (
	HasSignal  LockStatus = 1 << iota // something above the noise level
	HasCarrier                        // a DVB signal
	HasViterbi                        // the inner code (FEC) is stable
	HasSync                           // sync bytes found
	HasLock                           // everything is working
	TimedOut                          // no lock within the frontend's own timeout
)

// Locked is the status of a frontend that has fully locked.
const Locked = HasSignal | HasCarrier | HasViterbi | HasSync | HasLock

var lockNames = []struct {
	s    LockStatus
	name string
}{{HasSignal, "signal"}, {HasCarrier, "carrier"}, {HasViterbi, "viterbi"}, {HasSync, "sync"}, {HasLock, "lock"}, {TimedOut, "timed out"}}

// String lists the stages reached, such as "signal carrier", or "none".
func (s LockStatus) String() string {
	var names []string
	for _, n := range lockNames {
		if s&n.s != 0 {
			names = append(names, n.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, " ")
}

// Missing returns the stages of Locked that s has not reached.
func (s LockStatus) Missing() LockStatus { return Locked &^ s }

// SignalStatus is a frontend's report on the signal it receives. Values a
// frontend does not report are 0.
type SignalStatus struct {
	// Status is the stages of the lock reached.
	Status LockStatus
	// Strength is the signal strength, 0 to 65535 (relative).
	Strength uint16
	// SNR is the signal to noise ratio, as the driver scales it.
	SNR uint16
	// BER is the bit error rate, as the driver scales it.
	BER uint32
	// UncorrectedBlocks counts the blocks the outer code could not correct.
	UncorrectedBlocks uint32
}

// ErrOverflow is wrapped by a DVR read error that means the device's buffer
// overflowed and data was lost: reading may go on. Multiplex counts these
// and carries on; the Aligner finds the packets again.
var ErrOverflow = errors.New("dvb: DVR buffer overflow, data lost")

// ErrNoLinuxDVB is returned by the devices of LinuxAdapter where the Linux
// DVB API is not available (another OS, or a Linux architecture that
// ziutek/dvb supports only with cgo).
var ErrNoLinuxDVB = errors.New("dvb: Linux DVB API not available on this platform")

// ReaderDevice returns a Device whose DVR is whatever open returns (a pipe,
// a network connection, a file): its frontend tunes to anything and locks
// at once, and its PID filters select nothing themselves (Multiplex filters
// the packets by PID itself, whatever the device). open is called at every
// OpenDVR, that is at every (re)tune.
func ReaderDevice(name string, open func() (io.ReadCloser, error)) Device {
	return &readerDevice{name: name, open: open}
}

// FileDevice returns a Device that plays the recorded transport stream in
// the file at path, from its start at every (re)tune, as fast as its
// consumers take it: a Multiplex on it ends (ProducerFinished) at the end
// of the file. It is how the DVB components run where no adapter exists.
func FileDevice(path string) Device {
	return ReaderDevice("file:"+path, func() (io.ReadCloser, error) { return os.Open(path) })
}

type readerDevice struct {
	name string
	open func() (io.ReadCloser, error)
}

func (d *readerDevice) Name() string { return d.name }

func (d *readerDevice) OpenFrontend() (Frontend, error) { return &lockedFrontend{}, nil }

func (d *readerDevice) OpenFilter(pids []uint16) (Filter, error) { return nopFilter{}, nil }

func (d *readerDevice) OpenDVR() (io.ReadCloser, error) {
	r, err := d.open()
	if err != nil {
		return nil, fmt.Errorf("dvb: %s: open: %w", d.name, err)
	}
	return r, nil
}

// lockedFrontend is the frontend of a ReaderDevice: it is always locked.
type lockedFrontend struct {
	mu     sync.Mutex
	closed bool
}

func (f *lockedFrontend) Tune(uint32, Params) error { return f.check() }

func (f *lockedFrontend) Status() (LockStatus, error) { return Locked, f.check() }

func (f *lockedFrontend) Signal() (SignalStatus, error) {
	return SignalStatus{Status: Locked, Strength: 0xFFFF}, f.check()
}

func (f *lockedFrontend) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *lockedFrontend) check() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return os.ErrClosed
	}
	return nil
}

type nopFilter struct{}

func (nopFilter) Add(uint16) error    { return nil }
func (nopFilter) Remove(uint16) error { return nil }
func (nopFilter) Close() error        { return nil }
