//go:build cgo

package macro

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Transcoder is the transcode step as a component: for each Programme on
// inbox it runs Transcode into its directory and sends the Recording on
// outbox once committed; the capture file is then removed (unless
// KeepCaptures). Up to Workers programmes are transcoded at once (one
// unless set), so that the programmes of several services use several
// cores.
//
// Boxes:
//
//	inbox   Programme  captured programmes, from a Capture (or a work queue)
//	control any        ProducerFinished, Shutdown
//	outbox  Recording  each programme committed into finished
//	errors  error      a programme that could not be transcoded; its
//	                   capture is kept, for a later attempt
//	progress Progress  how far each programme's files have got (see
//	                   TranscodeWithProgress): a second of media a
//	                   report, and a Done one per file before it is
//	                   committed; a slow reader slows the transcodes
//	signal  any        how it ended
//
// Example:
//
//	tc := macro.NewTranscoder("/data", macro.LO(), macro.HI())
//	tc.Workers = 2
//	axon.MustLink(capture.Out, tc.In)
//	axon.MustLink(capture.Signal(), tc.Control())
//
// Shutdown: ProducerFinished on control makes it transcode and commit
// every programme waiting and in progress, then end cleanly: linked to a
// Capture's signal, the last programmes (cut short) are committed before
// the recorder ends. A *Failure on control (the Capture failed) does the
// same, then fails the Transcoder with it. Shutdown stops the transcodes at once; what they had
// made is left in encoding, nothing reaches finished.
type Transcoder struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[Programme]
	// Out is the "outbox" box.
	Out *axon.Outbox[Recording]
	// Errors is the "errors" box.
	Errors *axon.Outbox[error]
	// Progress is the "progress" box.
	Progress *axon.Outbox[Progress]

	// Workers is how many programmes are transcoded at once (1 unless set).
	Workers int
	// KeepCaptures keeps each capture file after its commit.
	KeepCaptures bool

	dir      string
	profiles []Profile
	done     atomic.Int64
	failed   atomic.Int64
}

// NewTranscoder returns a Transcoder that commits into dir with the
// profiles.
func NewTranscoder(dir string, profiles ...Profile) *Transcoder {
	t := &Transcoder{dir: dir, profiles: slices.Clone(profiles)}
	t.In = axon.NewInbox[Programme](t, "inbox")
	t.Out = axon.NewOutbox[Recording](t, "outbox")
	t.Errors = axon.NewOutbox[error](t, "errors")
	t.Progress = axon.NewOutbox[Progress](t, "progress")
	return t
}

// Committed returns how many programmes it has committed and how many it
// failed to; it is safe to call at any time.
func (t *Transcoder) Committed() (done, failed int64) { return t.done.Load(), t.failed.Load() }

// Main transcodes the programmes on inbox.
func (t *Transcoder) Main(ctx context.Context) error {
	if len(t.profiles) == 0 {
		return errors.New("macro: transcoder: no profiles")
	}
	slots := make(chan struct{}, max(t.Workers, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if err := t.Wait(ctx); err != nil {
			return err
		}
		st := t.TakeControl(nil)
		for p, ok := t.In.TryRecv(); ok; p, ok = t.In.TryRecv() {
			if err := t.start(ctx, p, slots, &wg); err != nil {
				return err
			}
		}
		if st.Failure != nil {
			// The capture failed after sending what it had: commit
			// that, then fail with it.
			wg.Wait()
			return fmt.Errorf("macro: transcoder: the capture failed: %w", st.Failure)
		}
		if st.Finishing {
			return nil
		}
	}
}

// start transcodes p in a goroutine of its own once a worker is free.
func (t *Transcoder) start(ctx context.Context, p Programme, slots chan struct{}, wg *sync.WaitGroup) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	wg.Add(1)
	t.Go(func(ctx context.Context) error {
		defer wg.Done()
		defer func() { <-slots }()
		// A report that cannot be sent (ctx ended) is let go: the
		// transcode itself then ends with ctx's error.
		rec, err := TranscodeWithProgress(ctx, p, t.profiles, t.dir, func(pr Progress) { _ = t.Progress.Send(ctx, pr) })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			t.failed.Add(1)
			return t.Errors.Send(ctx, err)
		}
		t.done.Add(1)
		if !t.KeepCaptures && p.Path != "" {
			if err := os.Remove(p.Path); err != nil {
				return t.Errors.Send(ctx, fmt.Errorf("macro: removing the capture of %s: %w", p.ID(), err))
			}
		}
		return t.Out.Send(ctx, rec)
	})
	return nil
}
