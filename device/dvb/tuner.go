package dvb

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// TunerStatus is what a Tuner reports: where it is tuned and the signal
// there.
type TunerStatus struct {
	Adapter     string       // the Device's Name
	FrequencyHz uint32       // where it is tuned
	Params      Params       // with what parameters
	Signal      SignalStatus // the signal there, when the status was read
}

// Locked reports whether the frontend had the lock when the status was read.
func (s TunerStatus) Locked() bool { return s.Signal.Status&HasLock != 0 }

// Tuner tunes a DVB-T/T2 frontend and holds it tuned: Kamaelia's Tuner.
// It opens the frontend of its Device, tunes to the frequency (in MHz, as
// the article gives it) with the parameters (the zero Params: DVB-T, 8 MHz,
// everything else automatic), waits for the lock, and reports the signal.
//
// Boxes:
//
//	inbox   (Retune)       tune again: a new frequency or parameters
//	control (any)          ProducerFinished, Shutdown
//	outbox  (TunerStatus)  the signal, after each lock and (WithStatusEvery) every so often
//	signal  (any)          how it ended: a *LockError names the adapter and what was missing
//
// It reads the frontend's status at once and then every WithLockPoll
// (100 ms) until the lock, for at most WithLockTimeout (5 s); no lock in
// time ends it with a *LockError on signal, as does a failed retune.
//
// Example:
//
//	t := dvb.NewTuner(505.833333, dvb.Params{}, dvb.LinuxAdapter(0))
//	axon.Activate(t)
//
// Shutdown: ProducerFinished on control makes it handle the retunes it
// was already sent, close the frontend and end cleanly; Shutdown stops it
// at once (also while it waits for the lock), closing the frontend. A
// Tuner tunes the frontend only: to read the multiplex, use Multiplex,
// which tunes the same way.
type Tuner struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[Retune]
	// Out is the "outbox" box.
	Out *axon.Outbox[TunerStatus]

	dev    Device
	mhz    float64
	params Params
	cfg    config
}

// NewTuner returns a Tuner for freqMHz with params on dev.
func NewTuner(freqMHz float64, params Params, dev Device, opts ...Option) *Tuner {
	t := &Tuner{dev: dev, mhz: freqMHz, params: params, cfg: newConfig(opts)}
	t.In = axon.NewInbox[Retune](t, "inbox")
	t.Out = axon.NewOutbox[TunerStatus](t, "outbox")
	return t
}

// Main tunes, then serves retunes until told to stop.
func (t *Tuner) Main(ctx context.Context) error {
	hz, err := FrequencyHz(t.mhz)
	if err != nil {
		return fmt.Errorf("dvb: %s: %w", t.dev.Name(), err)
	}
	fe, err := t.dev.OpenFrontend()
	if err != nil {
		return err
	}
	defer fe.Close()
	if err := t.lock(ctx, fe, hz); err != nil {
		return err
	}
	var next time.Time
	if t.cfg.statusEvery > 0 {
		next = time.Now().Add(t.cfg.statusEvery)
	}
	for {
		if err := t.wait(ctx, next); err != nil {
			return err
		}
		discard(t.Control())
		for req, ok := t.In.TryRecv(); ok; req, ok = t.In.TryRecv() {
			if req.FrequencyMHz != 0 {
				if hz, err = FrequencyHz(req.FrequencyMHz); err != nil {
					return fmt.Errorf("dvb: %s: retune: %w", t.dev.Name(), err)
				}
			}
			if req.Params != nil {
				t.params = *req.Params
			}
			if err := t.lock(ctx, fe, hz); err != nil {
				return err
			}
			if !next.IsZero() {
				next = time.Now().Add(t.cfg.statusEvery)
			}
		}
		if !next.IsZero() && !time.Now().Before(next) {
			if err := t.report(ctx, fe, hz); err != nil {
				return err
			}
			next = next.Add(t.cfg.statusEvery)
		}
		if t.Finishing() {
			return nil
		}
	}
}

// wait waits for a message, or until next (if set), or ctx's end.
func (t *Tuner) wait(ctx context.Context, next time.Time) error {
	if next.IsZero() {
		return t.Wait(ctx)
	}
	dctx, cancel := context.WithDeadline(ctx, next)
	defer cancel()
	if err := t.Wait(dctx); err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

func (t *Tuner) lock(ctx context.Context, fe Frontend, hz uint32) error {
	if _, err := tuneAndLock(ctx, t.dev, fe, hz, t.params, t.cfg); err != nil {
		return err
	}
	return t.report(ctx, fe, hz)
}

func (t *Tuner) report(ctx context.Context, fe Frontend, hz uint32) error {
	sig, err := fe.Signal()
	if err != nil {
		return fmt.Errorf("dvb: %s: reading the signal: %w", t.dev.Name(), err)
	}
	return t.Out.Send(ctx, TunerStatus{Adapter: t.dev.Name(), FrequencyHz: hz, Params: t.params, Signal: sig})
}

// discard drops the messages waiting in in: the runtime has already acted
// on shutdown messages, and Core.Wait would not sleep while they wait.
func discard[T any](in *axon.Inbox[T]) {
	for {
		if _, ok := in.TryRecv(); !ok {
			return
		}
	}
}
