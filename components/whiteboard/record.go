package whiteboard

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/framing"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/internet"
)

// Entry is one line of a recording: when it was heard, counted from the
// start of the recording, and the line without its "\n".
type Entry struct {
	At   time.Duration
	Line []byte
}

// AppendEntry appends e in the recording format: the seconds since the
// start as decimal text, one space, the line, "\n" (the format of
// Kamaelia's WhiteboardRecorder).
func AppendEntry(dst []byte, e Entry) []byte {
	dst = strconv.AppendFloat(dst, e.At.Seconds(), 'f', 6, 64)
	dst = append(dst, ' ')
	dst = append(dst, e.Line...)
	return append(dst, '\n')
}

// ErrBadRecording is wrapped by the errors of ParseEntry.
var ErrBadRecording = errors.New("whiteboard: bad recording line")

// ParseEntry reads one line of a recording (with or without its "\n").
func ParseEntry(line []byte) (Entry, error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return Entry{}, fmt.Errorf("%w: no space in %.40q", ErrBadRecording, line)
	}
	secs, err := strconv.ParseFloat(string(line[:sp]), 64)
	if err != nil || secs < 0 || secs > 1e9 {
		return Entry{}, fmt.Errorf("%w: time %.40q", ErrBadRecording, line[:sp])
	}
	return Entry{At: time.Duration(secs * float64(time.Second)), Line: bytes.Clone(line[sp+1:])}, nil
}

// RecordWriter writes the lines it is sent as a recording (Kamaelia's
// WhiteboardRecorder's writer): each with the time since the component
// started. MSGID lines are left out, so that a recording is plain 1.x
// lines, which every peer takes afresh when it is played back.
//
// Boxes:
//
//	inbox   []byte  lines heard (framing.LineSplit before it)
//	outbox  Entry   each entry once it is written
//	control, signal as usual
//
// A write error ends it with that error.
type RecordWriter struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[[]byte]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[Entry]
	w   io.Writer
}

// NewRecordWriter returns a RecordWriter writing to w.
func NewRecordWriter(w io.Writer) *RecordWriter {
	r := &RecordWriter{w: w}
	r.In = axon.NewInbox[[]byte](r, "inbox")
	r.Out = axon.NewOutbox[Entry](r, "outbox")
	return r
}

// Main records until told to stop.
func (r *RecordWriter) Main(ctx context.Context) error {
	start := time.Now()
	var buf []byte
	for line := range r.In.Messages(ctx) {
		at := time.Since(start)
		line = bytes.TrimRight(line, "\r\n")
		if l, err := wire.Unmarshal(line); err == nil {
			if _, isID := ParseID(l); isID {
				continue
			}
		}
		e := Entry{At: at, Line: line}
		buf = AppendEntry(buf[:0], e)
		if _, err := r.w.Write(buf); err != nil {
			return fmt.Errorf("whiteboard: recording: %w", err)
		}
		if err := r.Out.Send(ctx, e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// NewRecorder returns a recorder of the session of the peer serving at
// addr (Kamaelia's WhiteboardRecorder FILE host port): it connects like a
// peer, asks for the picture first, and writes every line it hears to w
// with its time. It ends when the connection does. Its outbox carries
// each Entry once written.
func NewRecorder(addr string, w io.Writer, opts ...internet.ClientOption) *chassis.Graph {
	g := chassis.Graphline(chassis.Components{
		"GETIMG":  source.NewOneShot(PictureRequest.Line()),
		"NETWORK": internet.NewTCPClient(addr, opts...),
		"LINES":   framing.NewLineSplit[[]byte](framing.WithMaxLineLength(MaxLine)),
		"RECORD":  NewRecordWriter(w),
	}, chassis.Linkages{
		{Component: "GETIMG", Box: "outbox"}:  {Component: "NETWORK", Box: "inbox"},
		{Component: "NETWORK", Box: "outbox"}: {Component: "LINES", Box: "inbox"},
		{Component: "NETWORK", Box: "signal"}: {Component: "LINES", Box: "control"},
		{Component: "LINES", Box: "outbox"}:   {Component: "RECORD", Box: "inbox"},
		{Component: "LINES", Box: "signal"}:   {Component: "RECORD", Box: "control"},
		{Component: "RECORD", Box: "outbox"}:  {Component: chassis.Self, Box: "outbox"},
	})
	g.SetName("whiteboard.Recorder(" + addr + ")")
	return g
}

// Player sends the lines of a recording on its outbox with their original
// timing (Kamaelia's WhiteboardPlayer): each line (with its "\n") when its
// time, counted from the first line's, has come since the Player started.
// It reads the recording as it goes, a few lines ahead.
//
// Boxes:
//
//	outbox  []byte  the lines, in time
//	control, signal as usual
//
// It ends with ProducerFinished after the last line; a recording it cannot
// read ends it with that error (after the lines before it).
type Player struct {
	axon.Core
	// Out is the outbox called "outbox".
	Out *axon.Outbox[[]byte]
	r   io.Reader
}

// NewPlayer returns a Player of the recording r.
func NewPlayer(r io.Reader) *Player {
	p := &Player{r: r}
	p.Out = axon.NewOutbox[[]byte](p, "outbox")
	return p
}

// Main plays the recording.
func (p *Player) Main(ctx context.Context) error {
	br := bufio.NewReaderSize(p.r, 1<<16)
	start := time.Now()
	first := time.Duration(-1)
	for {
		st := p.TakeControl(nil)
		if st.Finishing {
			return nil
		}
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("whiteboard: reading recording: %w", err)
		}
		e, perr := ParseEntry(line)
		if perr != nil {
			return perr
		}
		if first < 0 {
			first = e.At
		}
		if wait := time.Until(start.Add(e.At - first)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
		if err := p.Out.Send(ctx, append(e.Line, '\n')); err != nil {
			return err
		}
	}
}

// NewPlaybackClient returns a player of the recording r into the session of
// the peer serving at addr (Kamaelia's WhiteboardPlayer FILE host port): it
// connects like a peer and sends the recorded lines with their timing, so
// that every peer of the session sees (and hears) it again. It ends once
// the lines are sent and the connection closed.
func NewPlaybackClient(addr string, r io.Reader, opts ...internet.ClientOption) *chassis.Graph {
	g := chassis.Graphline(chassis.Components{
		"PLAYER":  NewPlayer(r),
		"NETWORK": internet.NewTCPClient(addr, opts...),
	}, chassis.Linkages{
		{Component: "PLAYER", Box: "outbox"}: {Component: "NETWORK", Box: "inbox"},
		{Component: "PLAYER", Box: "signal"}: {Component: "NETWORK", Box: "control"},
	})
	g.SetName("whiteboard.Player(" + addr + ")")
	return g
}
