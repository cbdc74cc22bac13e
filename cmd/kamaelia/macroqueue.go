//go:build cgo

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/nats-io/nats.go"
)

func init() { workHandlers["macro"] = macroHandler }

// macroJob is the Meta of a job "kamaelia macro -nats/-embedded" queues:
// the captured programme and the profiles to transcode it to.
type macroJob struct {
	Programme macro.Programme `json:"programme"`
	Profiles  string          `json:"profiles"` // "LO,HI", as macro.Profiles reads it
}

// macroHandler transcodes each job "kamaelia macro" queued into dir (its
// capture, encoding and finished folders) with macro.Transcode, whose
// commit is idempotent by the programme's ID: a profile whose .DONE marker
// is in finished is not made again, and the .META is rewritten the same.
// The capture travels in the job (Payload: the worker copies it into
// dir/encoding for the transcode and removes the copy), or is named by a
// path on storage the workers share (Path: removed once committed, as the
// recorder's own Transcoder does).
func macroHandler(dir string) (workqueue.Handler, error) {
	if err := os.MkdirAll(filepath.Join(dir, macro.EncodingDir), 0o755); err != nil {
		return nil, err
	}
	astiav.SetLogLevel(astiav.LogLevelError)
	return func(ctx context.Context, j workqueue.Job) error {
		var mj macroJob
		if err := json.Unmarshal(j.Meta, &mj); err != nil {
			return fmt.Errorf("macro job %s: its metadata is not a programme: %w", j.ID, err)
		}
		prs, err := macro.Profiles(mj.Profiles)
		if err != nil {
			return fmt.Errorf("macro job %s: %w", j.ID, err)
		}
		p := mj.Programme
		// Said on standard error so that whoever runs the worker sees
		// which programme it is on (and which attempt).
		fmt.Fprintf(os.Stderr, "worker: transcoding %s (attempt %d)\n", j.ID, j.Attempt)
		switch {
		case len(j.Payload) > 0:
			// Each attempt its own copy, among the files being made: an
			// attempt that died left its own behind, never one a later
			// attempt reads.
			f, err := os.CreateTemp(filepath.Join(dir, macro.EncodingDir), p.ID()+".capture.*.ts")
			if err != nil {
				return err
			}
			defer os.Remove(f.Name())
			_, werr := f.Write(j.Payload)
			if err := errors.Join(werr, f.Close()); err != nil {
				return err
			}
			p.Path = f.Name()
		case j.Path != "":
			p.Path = j.Path
		default:
			return fmt.Errorf("macro job %s: no capture (neither bytes nor a path)", j.ID)
		}
		if _, err := macro.Transcode(ctx, p, prs, dir); err != nil {
			return err
		}
		if j.Path != "" {
			if err := os.Remove(j.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("macro job %s: committed, but removing its capture: %w", j.ID, err)
			}
		}
		return nil
	}, nil
}

// macroQueuer is "kamaelia macro"'s transcode step when the transcoding is
// done by workers: it queues each captured programme as a job on a NATS
// JetStream work queue, its ID the programme's, its Meta a macroJob. The
// capture's bytes go in the job, and the capture file is removed once the
// server has stored it; with shared set, the job names the capture's path
// instead (the capture folder is on storage every worker reaches) and the
// worker removes it. A capture larger than the server's max_payload is an
// error on errors, naming the programme and the way out, and the capture
// is kept.
//
// Boxes:
//
//	inbox    macro.Programme  captured programmes
//	control  any              ProducerFinished, Shutdown
//	outbox   string           each job's ID, once the server has stored it
//	errors   error            a programme that could not be queued
//	signal   any              how it ended
type macroQueuer struct {
	axon.Core
	In     *axon.Inbox[macro.Programme]
	Out    *axon.Outbox[string]
	Errors *axon.Outbox[error]

	q        *workqueue.Queue
	nc       *nats.Conn
	profiles string
	shared   bool
}

func newMacroQueuer(q *workqueue.Queue, nc *nats.Conn, profiles []macro.Profile, shared bool) *macroQueuer {
	names := make([]string, len(profiles))
	for i, pr := range profiles {
		names[i] = pr.Name
	}
	m := &macroQueuer{q: q, nc: nc, profiles: strings.Join(names, ","), shared: shared}
	m.In = axon.NewInbox[macro.Programme](m, "inbox")
	m.Out = axon.NewOutbox[string](m, "outbox")
	m.Errors = axon.NewOutbox[error](m, "errors")
	return m
}

// Main queues programmes until told to stop. A server that does not take a
// job is its failure.
func (m *macroQueuer) Main(ctx context.Context) error {
	for p := range m.In.Messages(ctx) {
		err := m.queue(ctx, p)
		var big *tooBig
		if errors.As(err, &big) {
			if err := m.Errors.Send(ctx, err); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := m.Out.Send(ctx, p.ID()); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// tooBig is the error of a capture too large to go in a job.
type tooBig struct {
	id         string
	size, most int64
}

func (e *tooBig) Error() string {
	return fmt.Sprintf("programme %s not queued: its capture is %d bytes, more than the %d bytes the server's max_payload "+
		"leaves beside the job's metadata; raise the server's max_payload, or put the capture folder on storage the workers share and give -shared",
		e.id, e.size, e.most)
}

func (m *macroQueuer) queue(ctx context.Context, p macro.Programme) error {
	capture := p.Path
	meta, err := json.Marshal(macroJob{Programme: p, Profiles: m.profiles})
	if err != nil {
		return err
	}
	j := workqueue.Job{ID: p.ID(), Meta: meta}
	if m.shared {
		j.Path = capture
	} else {
		st, err := os.Stat(capture)
		if err != nil {
			return err
		}
		// The headers (the metadata, the ID) count against max_payload
		// too; a kilobyte is room for the rest of them.
		if most := m.nc.MaxPayload() - int64(len(meta)) - 1024; st.Size() > most {
			return &tooBig{id: j.ID, size: st.Size(), most: most}
		}
		if j.Payload, err = os.ReadFile(capture); err != nil {
			return err
		}
	}
	if _, err := m.q.Publish(ctx, j); err != nil {
		return err
	}
	if !m.shared {
		return os.Remove(capture)
	}
	return nil
}
