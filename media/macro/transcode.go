//go:build cgo

package macro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/media/av"
)

// The folders of a recording directory.
const (
	// EncodingDir holds the files being made; nothing in it is finished.
	EncodingDir = "encoding"
	// FinishedDir holds the finished recordings: each profile's file with
	// its .DONE marker, and the programme's .META file.
	FinishedDir = "finished"
)

// Recording is a finished programme: what its .META file holds.
type Recording struct {
	Programme
	// Files are the programme's files, one a profile, in the order of the
	// profiles.
	Files []File `json:"files"`
}

// File is one profile's file of a recording.
type File struct {
	Profile string `json:"profile"`
	Name    string `json:"name"` // the base name in the finished folder
	MIME    string `json:"mime"`
	Bytes   int64  `json:"bytes"`
}

// Transcode makes the finished recordings of a captured programme: for
// each profile it encodes p.Path into dir/encoding/ID.PROFILE.EXT, and only
// once the encoder has flushed and the muxer has written the trailer and
// closed the file does it rename the file into dir/finished (the commit
// point: a reader of finished never sees half a file), then writes an
// empty ID.PROFILE.DONE marker beside it. When every profile is done it
// writes ID.META, the Recording as JSON, into finished the same way
// (written in encoding, renamed). See Programme.ID for the names.
//
// Committing the same programme again is harmless: a profile whose .DONE
// marker exists is not encoded again, and the .META file is rewritten with
// the same content. So a worker that died mid-way can simply be run again,
// from a work queue or by hand; what it left in encoding is overwritten.
//
// A capture FFmpeg cannot read, an encoder that refuses its options, or a
// cancelled ctx is an error; the profiles finished before it stay
// committed, and nothing half-made reaches finished. The capture file is
// left where it is (the Transcoder removes it once committed).
func Transcode(ctx context.Context, p Programme, profiles []Profile, dir string) (Recording, error) {
	return TranscodeWithProgress(ctx, p, profiles, dir, nil)
}

// Progress is how far TranscodeWithProgress has got with one profile's
// file: the muxer's report, named.
type Progress struct {
	// ID is the programme's (Programme.ID); Profile names the profile.
	ID, Profile string
	av.Progress
}

// TranscodeWithProgress is Transcode that calls progress (when not nil)
// with each profile's progress reports: one a second of media written,
// while the file is in the encoding folder under the muxer's temporary
// name, and a last one (Done) once the file is whole and has its name in
// the encoding folder, before it is committed into finished. A profile
// already done gives no reports. progress is called from the transcode,
// one report at a time and in order, and the transcode waits for it: it
// should be quick.
func TranscodeWithProgress(ctx context.Context, p Programme, profiles []Profile, dir string, progress func(Progress)) (Recording, error) {
	rec := Recording{Programme: p}
	rec.Path = ""
	if len(profiles) == 0 {
		return rec, errors.New("macro: transcode: no profiles")
	}
	enc, fin := filepath.Join(dir, EncodingDir), filepath.Join(dir, FinishedDir)
	for _, d := range []string{enc, fin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return rec, fmt.Errorf("macro: transcode: %w", err)
		}
	}
	id := p.ID()
	for _, pr := range profiles {
		pr = pr.forProgramme(p)
		name := fmt.Sprintf("%s.%s.%s", id, pr.Name, pr.Ext)
		done := filepath.Join(fin, fmt.Sprintf("%s.%s.DONE", id, pr.Name))
		if _, err := os.Stat(done); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return rec, fmt.Errorf("macro: transcode: %w", err)
			}
			tmp := filepath.Join(enc, name)
			var report func(av.Progress)
			if progress != nil {
				report = func(ap av.Progress) { progress(Progress{ID: id, Profile: pr.Name, Progress: ap}) }
			}
			if err := encode(ctx, p, pr, tmp, report); err != nil {
				return rec, fmt.Errorf("macro: transcode %s (%s) to %s: %w", id, p.Path, pr.Name, err)
			}
			// The commit point: the file is whole and closed.
			if err := os.Rename(tmp, filepath.Join(fin, name)); err != nil {
				return rec, fmt.Errorf("macro: commit: %w", err)
			}
			if err := os.WriteFile(done, nil, 0o644); err != nil {
				return rec, fmt.Errorf("macro: commit: %w", err)
			}
		}
		st, err := os.Stat(filepath.Join(fin, name))
		if err != nil {
			return rec, fmt.Errorf("macro: commit: %s is marked done but: %w", name, err)
		}
		rec.Files = append(rec.Files, File{Profile: pr.Name, Name: name, MIME: pr.MIME, Bytes: st.Size()})
	}
	meta, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return rec, fmt.Errorf("macro: metadata: %w", err)
	}
	tmp := filepath.Join(enc, id+".META")
	if err := os.WriteFile(tmp, append(meta, '\n'), 0o644); err != nil {
		return rec, fmt.Errorf("macro: metadata: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(fin, id+".META")); err != nil {
		return rec, fmt.Errorf("macro: metadata: %w", err)
	}
	return rec, nil
}

// encode runs one profile's transcode of p into the file out, on a
// scheduler of its own that ctx stops; report, when not nil, is given the
// muxer's progress reports.
func encode(ctx context.Context, p Programme, pr Profile, out string, report func(av.Progress)) error {
	if pr.Copy {
		// The capture's audio packets, copied: the output has that one
		// stream, numbered 0.
		dmx := av.NewFileDemuxer(p.Path)
		one := flow.NewPureTransformer(func(pk *av.Packet) *av.Packet {
			c := *pk
			c.Stream = 0
			return &c
		})
		mux := av.NewFileMuxer(out, pr.Format)
		axon.MustLink(dmx.AudioOut, one.In)
		axon.MustLink(dmx.Signal(), one.Control())
		axon.MustLink(one.Out, mux.In)
		axon.MustLink(one.Signal(), mux.Control())
		comps := []axon.Component{dmx, one, mux}
		if report != nil {
			rep := newReporter(report)
			axon.MustLink(mux.Progress, rep.In)
			axon.MustLink(mux.Signal(), rep.Control())
			comps = append(comps, rep)
		}
		if err := axon.NewScheduler().RunContext(ctx, comps...); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if mux.Stats().Packets == 0 {
			return errors.New("the capture has no audio")
		}
		return nil
	}
	video, audio := cloneSpec(pr.Video), cloneSpec(pr.Audio)
	// Count the recording's time from its first PTS, every stream by the
	// same amount, so that the file starts at 0 with sound and pictures
	// still in step.
	t0 := float64(p.FirstPTS) / 90000
	if video != nil {
		video.Filter = joinFilters(video.Filter, fmt.Sprintf("setpts=PTS-%.6f/TB", t0))
	}
	if audio != nil {
		audio.Filter = joinFilters(audio.Filter, fmt.Sprintf("asetpts=PTS-%.6f/TB", t0))
	}
	tc, err := av.NewTranscode(av.TranscodeSpec{Input: p.Path, Output: out, Format: pr.Format,
		Video: video, Audio: audio, OnCorrupt: av.Skip})
	if err != nil {
		return err
	}
	comps := []axon.Component{tc}
	if report != nil {
		rep := newReporter(report)
		progress, ok := tc.Outbox("progress")
		if !ok {
			return errors.New("the transcode has no progress outbox")
		}
		axon.MustLink(progress, rep.In)
		axon.MustLink(tc.Signal(), rep.Control())
		comps = append(comps, rep)
	}
	if err := axon.NewScheduler().RunContext(ctx, comps...); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, err := os.Stat(out); err != nil {
		return fmt.Errorf("the transcode ended without its file: %w", err)
	}
	return nil
}

func joinFilters(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}

// reporter calls f with each progress report on its inbox, until the
// component whose signal is linked to its control ends (however it ends).
type reporter struct {
	axon.Core
	In *axon.Inbox[av.Progress]
	f  func(av.Progress)
}

func newReporter(f func(av.Progress)) *reporter {
	r := &reporter{f: f}
	r.In = axon.NewInbox[av.Progress](r, "inbox")
	return r
}

func (r *reporter) Main(ctx context.Context) error {
	for {
		// The control message is taken first: the reports sent before the
		// producer ended are then all waiting, and are taken next.
		st := r.TakeControl(nil)
		for ap, ok := r.In.TryRecv(); ok; ap, ok = r.In.TryRecv() {
			r.f(ap)
		}
		if st.Finishing || st.Failure != nil {
			return nil
		}
		if err := r.Wait(ctx); err != nil {
			return err
		}
	}
}
