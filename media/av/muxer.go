//go:build cgo

package av

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
)

// maxPending bounds the packets a Muxer holds while it waits for the first
// packet of every stream before it can write the container's header.
const maxPending = 4096

// Muxer writes Packets into a container of any format FFmpeg writes
// ("mp4", "matroska", "ogg", "mpegts", "mp3", "wav", ...): to a file
// (NewFileMuxer), or as a byte stream on its outbox (NewMuxer) for a
// socket, a server or a Pipethrough.
//
// Boxes:
//
//	inbox    *Packet   packets of streams 0 to Streams-1 (Packet.Stream;
//	                   set each Encoder's Stream), each stream in decode
//	                   order
//	done     any       the signals of the producers of a muxer of several
//	                   streams (see below)
//	control  any       ProducerFinished, Shutdown
//	outbox   []byte    the container, in the pieces FFmpeg writes (NewMuxer)
//	progress Progress  how far it has got: after each second of media
//	                   written (ProgressEvery), and once at the end
//	signal   any       the outcome
//
// The streams are declared from the Params of each stream's first packet:
// the muxer holds packets until every stream has sent one (at most 4096),
// then writes the header, and then the packets, interleaved by time. A
// file is written under a temporary name in its directory and renamed to
// its name when the trailer is written, so a reader never sees half a
// file; on failure or Shutdown the temporary file is removed. A byte stream
// cannot seek back, so an mp4 (or mov) stream is written fragmented
// (movflags frag_keyframe+empty_moov+default_base_moof) unless Options say
// otherwise.
//
// Example:
//
//	enc := av.NewEncoder("libx264")
//	mux := av.NewFileMuxer("out.mp4", "")
//	axon.MustLink(enc.Out, mux.In)
//	axon.MustLink(enc.Signal(), mux.Control())
//
// Shutdown: ProducerFinished on control, or (for several streams) the
// signals of Streams producers on done, makes the muxer write what is
// queued and the trailer, then return nil; link every encoder's signal to
// done when there are several, since the first ProducerFinished on control
// ends the muxer. A Failure on done fails the muxer too. Shutdown returns at
// once with ctx's error and leaves no file. A container that cannot hold a
// codec, packets of a stream it was not told of, or FFmpeg refusing a
// packet is an error on signal. FFmpeg's resources are freed on every path.
type Muxer struct {
	axon.Core
	In       *axon.Inbox[*Packet]
	DoneIn   *axon.Inbox[any]
	Out      *axon.Outbox[[]byte]
	Progress *axon.Outbox[Progress]

	// Format is FFmpeg's name of the container; "" guesses it from a
	// file's name.
	Format string
	// Streams is the number of streams (1 unless set).
	Streams int
	// Options are the muxer's options by name (as the ffmpeg CLI's
	// -movflags); an option the muxer does not have is an error.
	Options map[string]string
	// ProgressEvery is the media time between two Progress reports; 0
	// means a second.
	ProgressEvery time.Duration
	// Duration is how long the media will be, when known (a Transcode
	// takes it from its input), for Progress.Fraction.
	Duration time.Duration

	path string
	st   stats
}

// NewFileMuxer returns a Muxer to the file at path in format ("" guesses
// from path's extension).
func NewFileMuxer(path, format string) *Muxer {
	m := newMuxer(format)
	m.path = path
	return m
}

// NewMuxer returns a Muxer that sends the container as a byte stream on its
// outbox; format must be named.
func NewMuxer(format string) *Muxer { return newMuxer(format) }

func newMuxer(format string) *Muxer {
	m := &Muxer{Format: format, Streams: 1}
	m.In = axon.NewInbox[*Packet](m, "inbox")
	m.DoneIn = axon.NewInbox[any](m, "done")
	m.Out = axon.NewOutbox[[]byte](m, "outbox")
	m.Progress = axon.NewOutbox[Progress](m, "progress")
	return m
}

// Progress is how far a Muxer has got.
type Progress struct {
	// Packets and Bytes written so far (Bytes counts the packets' data).
	Packets, Bytes int64
	// Time is the latest media time written.
	Time time.Duration
	// Duration is how long the media will be, when the Muxer was told.
	Duration time.Duration
	// Done says the trailer is written: the last report.
	Done bool
}

// Fraction returns Time over Duration, between 0 and 1 (0 when the
// duration is not known; 1 when Done).
func (p Progress) Fraction() float64 {
	if p.Done {
		return 1
	}
	if p.Duration <= 0 {
		return 0
	}
	return min(max(float64(p.Time)/float64(p.Duration), 0), 1)
}

// String is a progress line: "12.0s of 60.0s (20%), 300 packets, 1.2 MB".
func (p Progress) String() string {
	s := fmt.Sprintf("%.1fs", p.Time.Seconds())
	if p.Duration > 0 {
		s += fmt.Sprintf(" of %.1fs (%.0f%%)", p.Duration.Seconds(), 100*p.Fraction())
	}
	s += fmt.Sprintf(", %d packets, %.1f MB", p.Packets, float64(p.Bytes)/1e6)
	if p.Done {
		s += ", done"
	}
	return s
}

// Stats returns what the muxer has done so far: Packets counts packets
// written.
func (m *Muxer) Stats() Stats { return m.st.get() }

// Main muxes until the streams end or the muxer is told to stop.
func (m *Muxer) Main(ctx context.Context) (err error) {
	name := m.path
	if name == "" {
		name = "stream"
	}
	defer outcome(ctx, &err, "muxer "+name)
	if m.Streams <= 0 {
		return fmt.Errorf("%d streams", m.Streams)
	}
	if m.path == "" && m.Format == "" {
		return errors.New("a byte stream needs its format named")
	}
	w := &muxWriter{m: m, ctx: ctx, prog: Progress{Duration: m.Duration}}
	defer w.cleanup()
	var pending []*Packet
	params := make([]*StreamParams, m.Streams)
	have, ends := 0, 0
	finishing := false
	handle := func(p *Packet) error {
		if p == nil || p.Stream < 0 || p.Stream >= m.Streams {
			return fmt.Errorf("a packet of stream %v; the muxer has %d", streamOf(p), m.Streams)
		}
		if p.Params == nil {
			return fmt.Errorf("a packet of stream %d without Params", p.Stream)
		}
		if params[p.Stream] == nil {
			params[p.Stream] = p.Params
			have++
		} else if params[p.Stream] != p.Params && params[p.Stream].codecID() != p.Params.codecID() {
			return fmt.Errorf("stream %d changed from %s to %s", p.Stream, params[p.Stream].Codec, p.Params.Codec)
		}
		if w.fc == nil {
			pending = append(pending, p)
			if have < m.Streams {
				if len(pending) > maxPending {
					return fmt.Errorf("%d packets and still no packet of %d of the %d streams", len(pending), m.Streams-have, m.Streams)
				}
				return nil
			}
			if err := w.open(params); err != nil {
				return err
			}
			for _, q := range pending {
				if err := w.write(q); err != nil {
					return err
				}
			}
			pending = nil
			return nil
		}
		return w.write(p)
	}
	for {
		if p, ok := m.In.TryRecv(); ok {
			if err := handle(p); err != nil {
				return err
			}
			continue
		}
		if s, ok := m.DoneIn.TryRecv(); ok {
			if f, ok := s.(*axon.Failure); ok {
				return fmt.Errorf("a producer failed: %w", f)
			}
			ends++
			continue
		}
		if m.Control().Len() > 0 {
			finishing = m.TakeControl(nil).Finishing || finishing
			continue
		}
		if finishing || ends >= m.Streams { // TakeControl's answer, not Finishing now: see axon's Core.Finishing
			break
		}
		if err := m.WaitFor(ctx, m.In, m.DoneIn, m.Control()); err != nil {
			return err
		}
	}
	if w.fc == nil {
		if have == 0 {
			return errors.New("no packets to mux")
		}
		return fmt.Errorf("the input ended with no packet of %d of the %d streams", m.Streams-have, m.Streams)
	}
	return w.finish()
}

func streamOf(p *Packet) any {
	if p == nil {
		return "nil"
	}
	return p.Stream
}

// muxWriter is a Muxer's FFmpeg state.
type muxWriter struct {
	m        *Muxer
	ctx      context.Context
	fc       *astiav.FormatContext
	ioc      *astiav.IOContext
	file     *os.File
	tmp      string
	pkt      *astiav.Packet
	streams  []*astiav.Stream
	done     bool
	prog     Progress
	reported time.Duration // the media time of the last report
}

func (w *muxWriter) open(params []*StreamParams) error {
	m := w.m
	fc, err := astiav.AllocOutputFormatContext(nil, m.Format, m.path)
	if err != nil || fc == nil {
		if m.Format != "" {
			return fmt.Errorf("FFmpeg has no muxer %q", m.Format)
		}
		return fmt.Errorf("FFmpeg knows no container for the name %q (name the format)", m.path)
	}
	w.fc = fc
	of := fc.OutputFormat()
	for i, sp := range params {
		if containerTakes(of, sp.codecID()) == 0 {
			return fmt.Errorf("%s cannot hold %s (stream %d)", of.Name(), sp.Codec, i)
		}
		s := fc.NewStream(nil)
		if s == nil {
			return fmt.Errorf("adding stream %d failed", i)
		}
		if err := sp.toAV(s.CodecParameters()); err != nil {
			return err
		}
		if sp.FrameRate.Num > 0 && sp.FrameRate.Den > 0 {
			s.SetAvgFrameRate(rational(sp.FrameRate))
		}
		w.streams = append(w.streams, s)
	}
	opts := map[string]string{}
	for k, v := range m.Options {
		opts[k] = v
	}
	seek := func(off int64, whence int) (int64, error) {
		const avseekSize, avseekForce = 0x10000, 0x20000
		if whence&avseekSize != 0 {
			fi, err := w.file.Stat()
			if err != nil {
				return 0, err
			}
			return fi.Size(), nil
		}
		return w.file.Seek(off, whence&^avseekForce)
	}
	var write astiav.IOContextWriteFunc
	if m.path != "" {
		f, err := os.CreateTemp(filepath.Dir(m.path), "."+filepath.Base(m.path)+".*.tmp")
		if err != nil {
			return err
		}
		w.file, w.tmp = f, f.Name()
		write = func(b []byte) (int, error) { return w.file.Write(b) }
	} else {
		seek = nil
		switch of.Name() {
		case "mp4", "mov", "ipod", "ismv":
			if _, ok := opts["movflags"]; !ok {
				opts["movflags"] = "frag_keyframe+empty_moov+default_base_moof"
			}
		}
		write = func(b []byte) (int, error) {
			// b is FFmpeg's buffer copied into Go memory: the receiver owns it.
			if err := m.Out.Send(w.ctx, b); err != nil {
				return 0, err
			}
			return len(b), nil
		}
	}
	ioc, err := astiav.AllocIOContext(64<<10, true, nil, seek, write)
	if err != nil {
		return err
	}
	w.ioc = ioc
	fc.SetPb(ioc)
	dict, err := newOptions(opts)
	if err != nil {
		return err
	}
	defer dict.free()
	if err := fc.WriteHeader(dict.d); err != nil {
		var codecs []string
		for _, sp := range params {
			codecs = append(codecs, sp.Codec)
		}
		// FFmpeg says why in its log; the usual reason is a codec the
		// container has no place for.
		return fmt.Errorf("writing the %s header for %s: %w", of.Name(), strings.Join(codecs, ", "), err)
	}
	if err := dict.unused(); err != nil {
		return fmt.Errorf("%s has %w", of.Name(), err)
	}
	w.pkt = astiav.AllocPacket()
	return nil
}

func (w *muxWriter) write(p *Packet) error {
	if err := packetToAV(p, w.pkt); err != nil {
		return err
	}
	s := w.streams[p.Stream]
	if p.TimeBase.Num > 0 && p.TimeBase.Den > 0 {
		w.pkt.RescaleTs(rational(p.TimeBase), s.TimeBase())
	}
	if err := w.fc.WriteInterleavedFrame(w.pkt); err != nil {
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		return fmt.Errorf("writing %v: %w", p, err)
	}
	w.m.st.packets.Add(1)
	w.prog.Packets++
	w.prog.Bytes += int64(len(p.Data))
	if t := p.Time(); t > w.prog.Time {
		w.prog.Time = t
	}
	every := w.m.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	if w.prog.Time-w.reported >= every {
		w.reported = w.prog.Time
		return w.m.Progress.Send(w.ctx, w.prog)
	}
	return nil
}

// finish writes the trailer and, for a file, puts it in its place.
func (w *muxWriter) finish() error {
	if err := w.fc.WriteTrailer(); err != nil {
		return fmt.Errorf("writing the trailer: %w", err)
	}
	w.ioc.Flush()
	if w.file != nil {
		if err := w.file.Sync(); err != nil {
			return err
		}
		if err := w.file.Close(); err != nil {
			return err
		}
		w.file = nil
		if err := os.Rename(w.tmp, w.m.path); err != nil {
			return err
		}
	}
	w.done = true
	w.prog.Done = true
	return w.m.Progress.Send(w.ctx, w.prog)
}

// cleanup frees FFmpeg's state and, unless the file was put in place,
// removes the temporary file.
func (w *muxWriter) cleanup() {
	if w.pkt != nil {
		w.pkt.Free()
	}
	if w.fc != nil {
		// avformat_free_context releases what the header allocated when
		// no trailer was written.
		w.fc.Free()
	}
	if w.ioc != nil {
		w.ioc.Free()
	}
	if w.file != nil {
		_ = w.file.Close()
	}
	if w.tmp != "" && !w.done {
		_ = os.Remove(w.tmp)
	}
}
