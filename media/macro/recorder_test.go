//go:build cgo

package macro_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// esPackets returns the packets of the PIDs in b, in order.
func esPackets(t testing.TB, b []byte, pids ...uint16) []mpegts.Packet {
	t.Helper()
	ps, err := mpegts.ParsePackets(b)
	require.NoError(t, err)
	var out []mpegts.Packet
	for _, p := range ps.All() {
		if slices.Contains(pids, p.PID()) {
			out = append(out, p)
		}
	}
	return out
}

func pts(p mpegts.Packet) (uint64, bool) {
	if !p.PayloadUnitStart() {
		return 0, false
	}
	pl, err := p.Payload()
	if err != nil {
		return 0, false
	}
	h, err := mpegts.ParsePESHeader(pl)
	return h.PTS, err == nil && h.HasPTS
}

func randomAccess(p mpegts.Packet) bool {
	af, err := mpegts.ParseAdaptationField(p)
	return err == nil && af.RandomAccess
}

func readMeta(t testing.TB, path string) macro.Recording {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var r macro.Recording
	require.NoError(t, json.Unmarshal(b, &r))
	return r
}

func finished(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(dir, macro.FinishedDir))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestSplitByProgramme is the first acceptance scenario of Macro: service
// 4228 (video 610, audio 611) whose present event changes from 1
// (Newsnight) to 2 (The Film) gives exactly two finished recordings, each
// with metadata naming its programme. The first capture holds only what
// came before the junction (each stream up to its first unit start after
// it), the second the rest: together every packet of the service's streams
// once, in order, with no PTS of the first at or after one of the second.
// The Film's description is corrected later: an amendment, which does not
// start a third recording (the second scenario) but is in its metadata.
func TestSplitByProgramme(t *testing.T) {
	cfg := macrotest.TwoChannels(5 * time.Second)
	path, st := generate(t, cfg)
	dir := t.TempDir()
	r := record(t, dvb.FileDevice(path), dir, []macro.Profile{macro.LO()}, 4228)
	require.Empty(t, r.errs)
	require.Len(t, r.programmes, 2)
	require.Len(t, r.recordings, 2)
	first, second := r.programmes[0], r.programmes[1]
	assert.Equal(t, [4]any{uint16(4228), "BBC TWO", uint16(1), "Newsnight"}, [4]any{first.Service, first.Channel, first.EventID, first.Name})
	assert.Equal(t, [3]any{uint16(2), "The Film", "A film, with subtitles."}, [3]any{second.EventID, second.Name, second.Description})
	assert.False(t, first.CutShort, "ended at a junction")
	assert.True(t, second.CutShort, "ended with the input")
	assert.Equal(t, []macro.Genre{{Level1: 2, Name: "news/current affairs"}}, first.Genres)

	// The changes: junctions 1 and 2, the amendment of 2; nothing of 4351.
	var kinds []string
	for _, c := range r.changes {
		require.Equal(t, uint16(4228), c.Service.ServiceID)
		kinds = append(kinds, c.Kind.String())
	}
	assert.Equal(t, []string{"junction", "junction", "amendment"}, kinds)
	assert.Equal(t, uint64(1), r.capture.Stats().Amendments)

	// The captures split the service's packets at the junction.
	svc := cfg.Services[0]
	in := esPackets(t, st.Bytes, svc.VideoPID(), svc.AudioPID())
	var mark int
	for _, j := range st.Junctions {
		if j.Service == 4228 && j.EventID == 2 {
			mark = j.Packet
		}
	}
	require.Positive(t, mark)
	before := len(esPackets(t, st.Bytes[:mark*188], svc.VideoPID(), svc.AudioPID()))
	var caps [2][]mpegts.Packet
	for i, p := range r.programmes {
		b, err := os.ReadFile(p.Path)
		require.NoError(t, err)
		caps[i] = esPackets(t, b, svc.VideoPID(), svc.AudioPID())
		assert.Equal(t, int64(len(caps[i])), p.Packets)
		assert.Empty(t, esPackets(t, b, 620, 621), "no packet of the other service")
	}
	require.Equal(t, len(in), len(caps[0])+len(caps[1]), "every packet once")
	for _, pid := range []uint16{svc.VideoPID(), svc.AudioPID()} {
		// Each stream's packets, in order: those of the first capture,
		// then those of the second.
		var want, got [][]byte
		for _, p := range in {
			if p.PID() == pid {
				want = append(want, p)
			}
		}
		for _, p := range append(slices.Clone(caps[0]), caps[1]...) {
			if p.PID() == pid {
				got = append(got, p)
			}
		}
		require.Equal(t, want, got, "PID %d", pid)
	}
	require.GreaterOrEqual(t, len(caps[0]), before)
	for _, p := range caps[0][before:] {
		// After the junction the first capture only finishes the units
		// it had begun: no new audio frame, no new picture group.
		if p.PID() == svc.AudioPID() {
			require.False(t, p.PayloadUnitStart())
		} else {
			require.False(t, randomAccess(p))
		}
	}
	for _, pid := range []uint16{svc.VideoPID(), svc.AudioPID()} {
		var last, firstNext uint64
		for _, p := range caps[0] {
			if v, ok := pts(p); ok && p.PID() == pid {
				last = max(last, v)
			}
		}
		for _, p := range caps[1] {
			if v, ok := pts(p); ok && p.PID() == pid && (firstNext == 0 || v < firstNext) {
				firstNext = v
			}
		}
		require.Less(t, last, firstNext, "PID %d", pid)
	}

	// Two finished recordings, each with its marker and metadata; the
	// first lasts as long as its share of the input.
	names := finished(t, dir)
	assert.Len(t, names, 6, "%v", names)
	for i, p := range r.programmes {
		meta := readMeta(t, filepath.Join(dir, macro.FinishedDir, p.ID()+".META"))
		assert.Equal(t, p.Name, meta.Name)
		assert.Equal(t, p.EventID, meta.EventID)
		assert.Equal(t, "BBC TWO", meta.Channel)
		assert.Equal(t, i == 1, meta.CutShort)
		require.Len(t, meta.Files, 1)
		assert.Contains(t, names, p.ID()+".LO.DONE")
		pr := ffprobe(t, filepath.Join(dir, macro.FinishedDir, meta.Files[0].Name))
		want := st.Junctions[2].At.Seconds() // BBC TWO's second junction
		if i == 1 {
			want = cfg.Duration.Seconds() - want
		}
		assert.InDelta(t, want, seconds(pr.Format.Duration), 0.5, "programme %d", i)
	}
}

// TestTwoChannelsSplitIndependently is the fifth scenario: two services of
// one multiplex with junctions at different times give two recordings
// each, each capture holding only its own service's PIDs. The multiplex
// comes through the tuner seam: a fake adapter whose frontend locks after
// two polls and whose DVR reads split packets.
func TestTwoChannelsSplitIndependently(t *testing.T) {
	cfg := macrotest.TwoChannels(5 * time.Second)
	_, st := generate(t, cfg)
	dir := t.TempDir()
	r := record(t, dvbtest.NewDevice(dvbtest.NewFrontend(2, 0), st.Bytes, 5*188+7), dir, []macro.Profile{macro.LO()})
	require.Empty(t, r.errs)
	got := map[uint16][]string{}
	for _, p := range r.programmes {
		got[p.Service] = append(got[p.Service], p.Name)
		b, err := os.ReadFile(p.Path)
		require.NoError(t, err)
		pids := dvbPIDs(t, b)
		svc := cfg.Services[0]
		if p.Service == cfg.Services[1].ID {
			svc = cfg.Services[1]
		}
		assert.ElementsMatch(t, []uint16{0, svc.PMTPID, svc.VideoPID(), svc.AudioPID()}, pids, "service %d", p.Service)
	}
	assert.Equal(t, map[uint16][]string{4228: {"Newsnight", "The Film"}, 4351: {"Gardening", "Quiz"}}, got)
	assert.Len(t, r.recordings, 4)
	assert.Len(t, finished(t, dir), 4*3)
	// The junctions came at different times: Newsnight is shorter than
	// Gardening.
	dur := map[string]float64{}
	for _, rec := range r.recordings {
		dur[rec.Name] = seconds(ffprobe(t, filepath.Join(dir, macro.FinishedDir, rec.Files[0].Name)).Format.Duration)
	}
	assert.InDelta(t, 2.0, dur["Newsnight"], 0.5)
	assert.InDelta(t, 3.0, dur["Gardening"], 0.5)
}

func dvbPIDs(t testing.TB, b []byte) []uint16 {
	var out []uint16
	for pid := range dvbtestCount(b) {
		out = append(out, pid)
	}
	return out
}

// TestProfilesLOAndHI is the fourth scenario: with LO and HI, each
// programme gives two files, 320 and 640 wide, whose video bit rates are
// within 25 % of 200 and 512 kbit/s (an SD multiplex, 720x576).
func TestProfilesLOAndHI(t *testing.T) {
	cfg := macrotest.TwoChannels(6 * time.Second)
	cfg.Width, cfg.Height, cfg.VideoBitRate = 720, 576, 3_000_000
	cfg.Services = cfg.Services[:1]
	path, _ := generate(t, cfg)
	dir := t.TempDir()
	r := record(t, dvb.FileDevice(path), dir, []macro.Profile{macro.LO(), macro.HI()})
	require.Empty(t, r.errs)
	require.Len(t, r.recordings, 2)
	for _, rec := range r.recordings {
		require.Len(t, rec.Files, 2)
		for i, want := range []struct {
			width int
			kbps  float64
		}{{320, 200}, {640, 512}} {
			f := rec.Files[i]
			assert.Equal(t, []string{"LO", "HI"}[i], f.Profile)
			assert.Equal(t, "video/mp4", f.MIME)
			pr := ffprobe(t, filepath.Join(dir, macro.FinishedDir, f.Name))
			require.Len(t, pr.Streams, 2)
			v := pr.Streams[0]
			assert.Equal(t, [2]any{"h264", want.width}, [2]any{v.CodecName, v.Width}, f.Name)
			assert.Equal(t, 256*want.width/320, v.Height, "720x576 keeps its aspect")
			assert.InEpsilon(t, want.kbps, kbps(v.BitRate), 0.25, "%s video bit rate", f.Name)
			t.Logf("%s: %dx%d, video %.0f kbit/s", f.Name, v.Width, v.Height, kbps(v.BitRate))
			assert.Equal(t, "aac", pr.Streams[1].CodecName)
			fi, err := os.Stat(filepath.Join(dir, macro.FinishedDir, f.Name))
			require.NoError(t, err)
			assert.Equal(t, fi.Size(), f.Bytes)
		}
	}
}

// TestPacketsBeforeTheFirstPresentEventGoToAPreRecording holds back the
// EIT for the first second: what came before goes to a pre recording,
// committed like any other, and is counted.
func TestPacketsBeforeTheFirstPresentEventGoToAPreRecording(t *testing.T) {
	cfg := macrotest.TwoChannels(4 * time.Second)
	cfg.Services = cfg.Services[:1]
	cfg.EITFrom = time.Second
	path, st := generate(t, cfg)
	dir := t.TempDir()
	r := record(t, dvb.FileDevice(path), dir, []macro.Profile{macro.LO()})
	require.Empty(t, r.errs)
	require.Len(t, r.programmes, 3)
	pre := r.programmes[0]
	assert.True(t, pre.Pre)
	assert.Equal(t, "BBC TWO", pre.Channel)
	assert.True(t, strings.HasPrefix(pre.ID(), "bbc-two.pre-"), pre.ID())
	stats := r.capture.Stats()
	assert.Equal(t, uint64(pre.Packets), stats.Pre)
	assert.Equal(t, stats.Packets, stats.Tables+stats.Captured+stats.Pre+stats.Unrouted, "every packet counted once")
	svc := cfg.Services[0]
	all := len(esPackets(t, st.Bytes, svc.VideoPID(), svc.AudioPID()))
	assert.Equal(t, uint64(all), stats.Captured+stats.Pre)
	assert.Len(t, r.recordings, 3)
	assert.Contains(t, finished(t, dir), pre.ID()+".META")
}

// seen is what the encoding and finished folders held when a progress
// report came.
type seen struct {
	macro.Progress
	encoding, finished []string
	err                error
}

// lookAt lists the two folders of dir, for a progress callback: it is
// called from the transcode's goroutine, so it fails nothing itself.
func lookAt(dir string, pr macro.Progress) seen {
	s := seen{Progress: pr}
	for _, d := range []struct {
		name string
		to   *[]string
	}{{macro.EncodingDir, &s.encoding}, {macro.FinishedDir, &s.finished}} {
		es, err := os.ReadDir(filepath.Join(dir, d.name))
		if err != nil {
			s.err = errors.Join(s.err, err)
		}
		for _, e := range es {
			*d.to = append(*d.to, e.Name())
		}
	}
	return s
}

// TestTranscodeCommitPoint is the third scenario: while a profile's file
// is being made it is in encoding only (under the muxer's temporary name,
// then, whole, under its own), never in finished, which has only the
// profiles committed before it; a transcode stopped mid-programme leaves
// nothing in finished (and nothing half-made in encoding); run again, it
// commits; run a third time it does nothing new (the same files,
// untouched, no progress), as a work queue redelivering a job needs. The
// progress reports are the points at which the folders are looked at: the
// transcode waits for each.
func TestTranscodeCommitPoint(t *testing.T) {
	cfg := macrotest.TwoChannels(8 * time.Second)
	cfg.Width, cfg.Height = 720, 576
	cfg.Services = cfg.Services[:1]
	cfg.Services[0].Programmes = cfg.Services[0].Programmes[:1]
	cfg.Services[0].Programmes[0].Duration = 8 * time.Second
	path, _ := generate(t, cfg)
	cap := filepath.Join(t.TempDir(), "capture")
	r := record(t, dvb.FileDevice(path), cap, []macro.Profile{macro.MP2()}) // capture only, cheaply
	require.Len(t, r.programmes, 1)
	// The programme goes to the transcode as JSON, as to a worker in
	// another process.
	b, err := json.Marshal(r.programmes[0])
	require.NoError(t, err)
	var p macro.Programme
	require.NoError(t, json.Unmarshal(b, &p))
	require.Equal(t, r.programmes[0], p)
	require.True(t, filepath.IsAbs(p.Path))
	dir := t.TempDir()
	profiles := []macro.Profile{macro.HI(), macro.LO()}

	id := p.ID()
	// inTheMaking matches the muxer's temporary name for a profile's file.
	inTheMaking := func(profile string, names []string) bool {
		return len(names) == 1 && strings.HasPrefix(names[0], "."+id+"."+profile+".") && strings.HasSuffix(names[0], ".tmp")
	}

	// Killed mid-programme: stopped at HI's first progress report, while
	// its file is half-made in encoding.
	ctx, cancel := context.WithCancel(t.Context())
	var killed []seen
	_, err = macro.TranscodeWithProgress(ctx, p, profiles, dir, func(pr macro.Progress) {
		if len(killed) == 0 {
			killed = append(killed, lookAt(dir, pr))
			cancel()
		}
	})
	cancel()
	require.ErrorIs(t, err, context.Canceled, "killed mid-programme")
	require.Len(t, killed, 1, "a progress report came before the end")
	k := killed[0]
	require.NoError(t, k.err)
	assert.Equal(t, "HI", k.Profile)
	assert.False(t, k.Done)
	assert.True(t, inTheMaking("HI", k.encoding), "HI's file is being written in encoding: %q", k.encoding)
	assert.Empty(t, k.finished, "nothing is in finished while HI is made")
	assert.Empty(t, finished(t, dir), "nothing reaches finished before the encoder has closed")
	left, err := os.ReadDir(filepath.Join(dir, macro.EncodingDir))
	require.NoError(t, err)
	assert.Empty(t, left, "the muxer removed its unfinished file")

	var made []seen
	rec, err := macro.TranscodeWithProgress(t.Context(), p, profiles, dir, func(pr macro.Progress) {
		made = append(made, lookAt(dir, pr))
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{id + ".HI.mp4", id + ".HI.DONE", id + ".LO.mp4", id + ".LO.DONE", id + ".META"}, finished(t, dir))
	// Every report, HI's then LO's: the file in encoding, not in finished,
	// which holds what was committed before it (HI's file and marker, for
	// LO) and no more; the last report of each is the whole file under its
	// own name, still in encoding.
	committedBefore := map[string][]string{"HI": nil, "LO": {id + ".HI.mp4", id + ".HI.DONE"}}
	writing, whole := map[string]int{}, map[string]int{}
	for i, s := range made {
		require.NoError(t, s.err)
		require.Equal(t, id, s.ID)
		if i > 0 && made[i-1].Profile != s.Profile {
			assert.True(t, made[i-1].Done, "%s's reports end with Done", made[i-1].Profile)
		}
		assert.ElementsMatch(t, committedBefore[s.Profile], s.finished, "finished during %s (%v)", s.Profile, s.Progress.Progress)
		if s.Done {
			whole[s.Profile]++
			assert.Equal(t, []string{id + "." + s.Profile + ".mp4"}, s.encoding, "%s whole, not yet committed", s.Profile)
		} else {
			writing[s.Profile]++
			assert.True(t, inTheMaking(s.Profile, s.encoding), "%s being written (%v): encoding holds %q", s.Profile, s.Progress.Progress, s.encoding)
		}
	}
	assert.Equal(t, []string{"HI", "LO"}, []string{made[0].Profile, made[len(made)-1].Profile})
	t.Logf("reports while writing: %v; of the whole file: %v", writing, whole)
	assert.Equal(t, map[string]int{"HI": 1, "LO": 1}, whole, "one Done report a profile")
	assert.Positive(t, writing["HI"], "HI reported while writing")
	assert.Positive(t, writing["LO"], "LO reported while writing")
	assert.Empty(t, func() []string {
		es, err := os.ReadDir(filepath.Join(dir, macro.EncodingDir))
		require.NoError(t, err)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}(), "encoding is empty once everything is committed")
	before := map[string]time.Time{}
	for _, n := range finished(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, macro.FinishedDir, n))
		require.NoError(t, err)
		before[n] = fi.ModTime()
	}
	reports := 0
	again, err := macro.TranscodeWithProgress(t.Context(), p, profiles, dir, func(macro.Progress) { reports++ })
	require.NoError(t, err)
	assert.Equal(t, rec, again)
	assert.Zero(t, reports, "nothing encoded again, so no progress")
	for _, n := range []string{id + ".HI.mp4", id + ".LO.mp4", id + ".HI.DONE"} {
		fi, err := os.Stat(filepath.Join(dir, macro.FinishedDir, n))
		require.NoError(t, err)
		assert.Equal(t, before[n], fi.ModTime(), "%s not made again", n)
	}
	assert.Equal(t, rec, readMeta(t, filepath.Join(dir, macro.FinishedDir, id+".META")))

	// A profile that copies the broadcast audio (MP2) reports the same way.
	copyDir := t.TempDir()
	var copied []seen
	_, err = macro.TranscodeWithProgress(t.Context(), p, []macro.Profile{macro.MP2()}, copyDir, func(pr macro.Progress) {
		copied = append(copied, lookAt(copyDir, pr))
	})
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(copied), 2, "reports while copying, and Done")
	for i, s := range copied {
		require.NoError(t, s.err)
		assert.Equal(t, "MP2", s.Profile)
		assert.Empty(t, s.finished)
		if i < len(copied)-1 {
			assert.False(t, s.Done)
			assert.True(t, inTheMaking("MP2", s.encoding), "MP2 being written: encoding holds %q", s.encoding)
		}
	}
	last := copied[len(copied)-1]
	assert.True(t, last.Done)
	assert.Equal(t, []string{id + ".MP2.mp2"}, last.encoding)
	assert.Contains(t, finished(t, copyDir), id+".MP2.mp2")

	// A capture FFmpeg cannot read is an error, and commits nothing.
	bad := p
	bad.EventID, bad.Path = 99, filepath.Join(t.TempDir(), "missing.ts")
	_, err = macro.Transcode(t.Context(), bad, profiles, dir)
	require.Error(t, err)
	assert.NotContains(t, finished(t, dir), bad.ID()+".META")
	_, err = macro.Transcode(t.Context(), p, nil, dir)
	require.ErrorContains(t, err, "no profiles")
}

// TestTranscoderReportsAFailedProgrammeAndGoesOn gives the Transcoder a
// programme whose capture is missing, then a good one: the first is an
// error on errors (its capture kept), the second is committed, and the
// Transcoder ends cleanly.
func TestTranscoderReportsAFailedProgrammeAndGoesOn(t *testing.T) {
	path, _ := generate(t, radioConfig(2*time.Second))
	r := record(t, dvb.FileDevice(path), t.TempDir(), []macro.Profile{macro.MP2()})
	require.NotEmpty(t, r.programmes)
	good := r.programmes[0]
	bad := good
	bad.EventID, bad.Path = 99, filepath.Join(t.TempDir(), "gone.ts")

	dir := t.TempDir()
	tc := macro.NewTranscoder(dir, macro.MP3())
	h := axontest.NewHandle(t, axontest.NewScheduler(t), tc)
	ctx := axontest.Context(t)
	require.NoError(t, h.Put(ctx, "inbox", bad))
	require.NoError(t, h.Put(ctx, "inbox", good))
	require.NoError(t, h.Finish(ctx))
	recs, err := axontest.Collect[macro.Recording](ctx, h, "outbox")
	require.NoError(t, err)
	errs, err := axontest.Collect[error](ctx, h, "errors")
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, good.Name, recs[0].Name)
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "gone.ts")
	// The committed programme's file reported its progress, ending with
	// one Done report; the failed one reported nothing.
	reports, err := axontest.Collect[macro.Progress](ctx, h, "progress")
	require.NoError(t, err)
	require.NotEmpty(t, reports)
	for i, pr := range reports {
		assert.Equal(t, good.ID(), pr.ID, "report %d", i)
		assert.Equal(t, "MP3", pr.Profile, "report %d", i)
		assert.Equal(t, i == len(reports)-1, pr.Done, "report %d: only the last is Done", i)
	}
	done, failed := tc.Committed()
	assert.Equal(t, [2]int64{1, 1}, [2]int64{done, failed})
	_, err = os.Stat(good.Path)
	assert.True(t, os.IsNotExist(err), "a committed capture is removed")
}

// failingReader gives b and then fails, as an adapter that is unplugged.
type failingReader struct{ r io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("adapter unplugged")
	}
	return n, err
}

func (f *failingReader) Close() error { return nil }

// TestAFailedInputCommitsWhatItHad cuts the input mid-programme with a
// read error: the Capture sends the programmes it has (cut short) and
// fails, and the Transcoder commits them and then fails with it.
func TestAFailedInputCommitsWhatItHad(t *testing.T) {
	_, st := generate(t, radioConfig(4*time.Second))
	half := st.Bytes[:len(st.Bytes)/2/188*188]
	dev := dvb.ReaderDevice("unplugged", func() (io.ReadCloser, error) {
		return &failingReader{bytes.NewReader(half)}, nil
	})
	dir := t.TempDir()
	m := dvb.NewMultiplex(505.833, []uint16{mpegts.AllPIDs}, dvb.Params{}, dev)
	c := macro.NewCapture(filepath.Join(dir, "capture"))
	tc := macro.NewTranscoder(dir, macro.MP2())
	axon.MustLink(m.Out, c.In)
	axon.MustLink(m.Signal(), c.Control())
	axon.MustLink(c.Out, tc.In)
	axon.MustLink(c.Signal(), tc.Control())
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, tc, "outbox", "signal")
	s.Activate(m, c)
	recs, err := axontest.Collect[macro.Recording](axontest.Context(t), h, "outbox")
	require.NoError(t, err)
	sig, err := h.Get(axontest.Context(t), "signal")
	require.NoError(t, err)
	f, ok := sig.(*axon.Failure)
	require.True(t, ok, "%v", sig)
	assert.ErrorContains(t, f, "adapter unplugged")
	assert.ErrorContains(t, f, "the capture failed")
	require.Len(t, recs, 2, "Today, and The Archers cut short by the failure")
	assert.False(t, recs[0].CutShort)
	assert.True(t, recs[1].CutShort)
	<-c.Done()
	assert.ErrorContains(t, c.Err(), "the input failed")
}
