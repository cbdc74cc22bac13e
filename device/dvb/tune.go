package dvb

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// Defaults of the options.
const (
	// DefaultLockTimeout is how long a tuning waits for the frontend's lock.
	DefaultLockTimeout = 5 * time.Second
	// DefaultLockPoll is how often a tuning reads the frontend's status
	// while it waits for the lock.
	DefaultLockPoll = 100 * time.Millisecond
	// DefaultReadSize is the size of each read of the DVR: 348 packets,
	// about 64 KiB.
	DefaultReadSize = 348 * mpegts.PacketSize
	// DefaultReadWindow is how many reads may wait for Main to take them
	// before the reading goroutine waits.
	DefaultReadWindow = 8
)

// Option configures Tuner and Multiplex.
type Option func(*config)

type config struct {
	lockTimeout time.Duration
	lockPoll    time.Duration
	readSize    int
	window      int
	statusEvery time.Duration
}

func newConfig(opts []Option) config {
	c := config{lockTimeout: DefaultLockTimeout, lockPoll: DefaultLockPoll, readSize: DefaultReadSize, window: DefaultReadWindow}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithLockTimeout sets how long a tuning waits for the frontend's lock
// (DefaultLockTimeout unless set).
func WithLockTimeout(d time.Duration) Option { return func(c *config) { c.lockTimeout = max(d, 0) } }

// WithLockPoll sets how often a tuning reads the frontend's status while it
// waits for the lock (DefaultLockPoll unless set).
func WithLockPoll(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lockPoll = d
		}
	}
}

// WithReadSize sets the size of each read of the DVR (DefaultReadSize
// unless set; rounded up to whole packets).
func WithReadSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readSize = (n + mpegts.PacketSize - 1) / mpegts.PacketSize * mpegts.PacketSize
		}
	}
}

// WithReadWindow sets how many reads of the DVR may wait for the component
// before the reading goroutine waits (DefaultReadWindow unless set).
func WithReadWindow(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.window = n
		}
	}
}

// WithStatusEvery makes a Tuner send its status every d while it holds the
// lock, as well as after each lock (only then, unless set).
func WithStatusEvery(d time.Duration) Option { return func(c *config) { c.statusEvery = max(d, 0) } }

// LockError is the error of a tuning that did not lock in time. It names
// the adapter and what the frontend had found and had not.
type LockError struct {
	Adapter     string        // the Device's Name
	FrequencyHz uint32        // where it was tuned
	Timeout     time.Duration // how long it waited
	// Status is the last status the frontend reported.
	Status LockStatus
}

// Error says which adapter did not lock, where, and what was missing.
func (e *LockError) Error() string {
	return fmt.Sprintf("dvb: %s: no lock on %.6g MHz within %v: has %s; missing %s",
		e.Adapter, float64(e.FrequencyHz)/1e6, e.Timeout, e.Status, e.Status.Missing())
}

// Retune asks a Tuner or a Multiplex to tune again. Fields left zero keep
// their current value.
type Retune struct {
	FrequencyMHz float64 // the new frequency in MHz; 0: keep it
	Params       *Params // the new parameters; nil: keep them
}

// tuneAndLock tunes fe and waits, polling its status, until it locks,
// timeout passes (a *LockError) or ctx ends (ctx's error). It reads the
// status at once, then every poll, and a last time at the timeout.
func tuneAndLock(ctx context.Context, dev Device, fe Frontend, hz uint32, p Params, c config) (LockStatus, error) {
	if err := fe.Tune(hz, p); err != nil {
		return 0, fmt.Errorf("dvb: %s: tuning %.6g MHz (%s): %w", dev.Name(), float64(hz)/1e6, p, err)
	}
	start := time.Now()
	deadline := start.Add(c.lockTimeout)
	for k := 1; ; k++ {
		st, err := fe.Status()
		if err != nil {
			return st, fmt.Errorf("dvb: %s: reading the frontend status: %w", dev.Name(), err)
		}
		if st&HasLock != 0 {
			return st, nil
		}
		if !time.Now().Before(deadline) {
			return st, &LockError{Adapter: dev.Name(), FrequencyHz: hz, Timeout: c.lockTimeout, Status: st}
		}
		next := start.Add(time.Duration(k) * c.lockPoll)
		if next.After(deadline) {
			next = deadline
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return st, ctx.Err()
		case <-t.C:
		}
	}
}
