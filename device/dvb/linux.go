//go:build linux && (cgo || amd64 || arm)

// The real device path. ziutek/dvb's linuxdvb packages build on Linux with
// cgo (from the kernel's headers), and without cgo only where they carry
// generated ioctl numbers (amd64 and arm); elsewhere linux_other.go stands
// in.

package dvb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/ziutek/dvb/linuxdvb/demux"
	"github.com/ziutek/dvb/linuxdvb/frontend"
)

// LinuxAdapter returns Linux DVB adapter n: the devices frontend0, demux0
// and dvr0 under /dev/dvb/adapterN.
//
//   - The frontend is opened read-write and tuned with the DVBv5 property
//     API (FE_SET_PROPERTY: delivery system, frequency, bandwidth,
//     modulation, code rates, transmission mode, guard interval, hierarchy,
//     inversion, then DTV_TUNE); its lock is read with FE_READ_STATUS and
//     its signal with the DVBv3 calls (strength, SNR, BER, uncorrected
//     blocks).
//   - Each PID is one demux0 file descriptor with a PES filter (input the
//     frontend, output the TS tap, type "other", started at once); PID 0x2000
//     asks the kernel for the whole transport stream.
//   - The DVR is dvr0, opened read-only: the kernel supports poll on it, so
//     Go's poller serves its reads and closing it makes a blocked Read
//     return at once. A read that fails with EOVERFLOW (the kernel's ring
//     buffer overflowed) wraps ErrOverflow; reading may go on.
//
// None of this is exercised by the tests of this package, which have no DVB
// hardware: see docs/dvb.md for how to run it on a real adapter.
func LinuxAdapter(n int) Device {
	return &linuxAdapter{dir: fmt.Sprintf("/dev/dvb/adapter%d", n), name: fmt.Sprintf("adapter%d", n)}
}

type linuxAdapter struct {
	dir, name string
}

func (a *linuxAdapter) Name() string { return a.name }

func (a *linuxAdapter) OpenFrontend() (Frontend, error) {
	d, err := frontend.Open(a.dir + "/frontend0")
	if err != nil {
		return nil, fmt.Errorf("dvb: %s: %w", a.name, err)
	}
	return &linuxFrontend{d: d}, nil
}

type linuxFrontend struct {
	d frontend.Device
}

func (f *linuxFrontend) Tune(hz uint32, p Params) error {
	d := f.d
	steps := []func() error{
		d.Clear,
		func() error { return d.SetDeliverySystem(p.System.linux()) },
		func() error { return d.SetFrequency(hz) },
		func() error { return d.SetBandwidth(p.Bandwidth()) },
		func() error { return d.SetModulation(p.Modulation.linux()) },
		func() error { return d.SetCodeRateHP(p.CodeRateHP.linux()) },
		func() error { return d.SetCodeRateLP(p.CodeRateLP.linux()) },
		func() error { return d.SetTxMode(p.Transmission.linux()) },
		func() error { return d.SetGuard(p.Guard.linux()) },
		func() error { return d.SetHierarchy(p.Hierarchy.linux()) },
		func() error { return d.SetInversion(p.Inversion.linux()) },
		d.Tune,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (f *linuxFrontend) Status() (LockStatus, error) {
	s, err := frontend.API3{Device: f.d}.Status()
	return LockStatus(s & 0x3F), err
}

func (f *linuxFrontend) Signal() (SignalStatus, error) {
	fe := frontend.API3{Device: f.d}
	st, err := f.Status()
	if err != nil {
		return SignalStatus{}, err
	}
	sig := SignalStatus{Status: st}
	// Drivers leave some of these unsupported: they stay 0.
	if v, err := fe.SignalStrength(); err == nil {
		sig.Strength = uint16(v)
	}
	if v, err := fe.SNR(); err == nil {
		sig.SNR = uint16(v)
	}
	if v, err := fe.BER(); err == nil {
		sig.BER = v
	}
	if v, err := fe.UncorrectedBlocks(); err == nil {
		sig.UncorrectedBlocks = v
	}
	return sig, nil
}

func (f *linuxFrontend) Close() error { return f.d.Close() }

func (a *linuxAdapter) OpenFilter(pids []uint16) (Filter, error) {
	f := &linuxFilter{dev: demux.Device(a.dir + "/demux0"), name: a.name, pids: map[uint16]demux.StreamFilter{}}
	for _, pid := range pids {
		if err := f.Add(pid); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

type linuxFilter struct {
	mu   sync.Mutex
	dev  demux.Device
	name string
	pids map[uint16]demux.StreamFilter
}

func (f *linuxFilter) Add(pid uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.pids[pid]; ok {
		return nil
	}
	sf, err := f.dev.NewStreamFilter(&demux.StreamFilterParam{
		Pid:   int16(pid),
		In:    demux.InFrontend,
		Out:   demux.OutTSTap,
		Type:  demux.Other,
		Flags: demux.ImmediateStart,
	})
	if err != nil {
		return fmt.Errorf("dvb: %s: PID filter 0x%04x: %w", f.name, pid, err)
	}
	f.pids[pid] = sf
	return nil
}

func (f *linuxFilter) Remove(pid uint16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	sf, ok := f.pids[pid]
	if !ok {
		return nil
	}
	delete(f.pids, pid)
	return sf.Close()
}

func (f *linuxFilter) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for pid, sf := range f.pids {
		errs = append(errs, sf.Close())
		delete(f.pids, pid)
	}
	return errors.Join(errs...)
}

// DVRBufferSize is the size of the kernel's DVR ring buffer that
// LinuxAdapter asks for: about a second of a 30 Mbit/s multiplex.
const DVRBufferSize = 4 << 20

func (a *linuxAdapter) OpenDVR() (io.ReadCloser, error) {
	f, err := os.OpenFile(a.dir+"/dvr0", os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("dvb: %s: %w", a.name, err)
	}
	// A failure here leaves the driver's default buffer: not fatal.
	_ = demux.DVR{File: f}.SetBufferSize(DVRBufferSize)
	return linuxDVR{f}, nil
}

type linuxDVR struct{ f *os.File }

func (d linuxDVR) Read(b []byte) (int, error) {
	n, err := d.f.Read(b)
	if errors.Is(err, syscall.EOVERFLOW) {
		err = fmt.Errorf("%w: %w", ErrOverflow, err)
	}
	return n, err
}

func (d linuxDVR) Close() error { return d.f.Close() }
