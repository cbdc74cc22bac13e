package whiteboard

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// MsgID names a message across a mesh of peers: the peer it entered the
// mesh at (Origin) and its sequence number there. The zero MsgID is none:
// a plain line, as Kamaelia 1.x peers send.
type MsgID struct {
	Origin string
	Seq    uint64
}

// IsZero reports whether id is none.
func (id MsgID) IsZero() bool { return id.Origin == "" && id.Seq == 0 }

// IDCommand is the name of the command that carries a MsgID on the wire. A
// peer sends, before each message line, the line
//
//	[ MSGID <origin> <seq> ]
//
// A Kamaelia 1.x peer takes it for a drawing command its canvas does not
// know, so does nothing with it but pass it on; a Go peer reads it as the id
// of the line that follows on the same connection.
const IDCommand = "MSGID"

// IDLine returns the line that announces id.
func IDLine(id MsgID) []byte {
	return wire.Batch{{IDCommand, id.Origin, strconv.FormatUint(id.Seq, 10)}}.Line()
}

// ParseID returns the id a MSGID message announces, and whether l is one.
func ParseID(l wire.List) (MsgID, bool) {
	if len(l) != 1 {
		return MsgID{}, false
	}
	c, ok := l[0].(wire.List)
	if !ok || len(c) != 3 || c[0] != IDCommand {
		return MsgID{}, false
	}
	origin, ok1 := c[1].(string)
	seqs, ok2 := c[2].(string)
	if !ok1 || !ok2 || origin == "" {
		return MsgID{}, false
	}
	seq, err := strconv.ParseUint(seqs, 10, 64)
	if err != nil {
		return MsgID{}, false
	}
	return MsgID{origin, seq}, true
}

// NewOrigin returns a fresh random origin: 16 hex digits.
func NewOrigin() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// Envelope is a message on a peer's backplanes (Kamaelia's tagged items):
// From is the tag of the member that published it (a connection, the local
// sketcher, an audio part), so that it is not sent back there; To, when not
// zero, is the one member it is for (the picture that answers a
// connection's request); ID is its name in the mesh; LocalOnly keeps it
// from the network (a picture request answered here, the "fetching" notice
// of a joining peer).
type Envelope struct {
	From      uint64
	To        uint64
	ID        MsgID
	LocalOnly bool
	Msg       wire.List
}

// For reports whether a member tagged tag should take e: not its own, and
// for everyone or for it.
func (e Envelope) For(tag uint64) bool { return e.From != tag && (e.To == 0 || e.To == tag) }

// seenWindow is how many sequence numbers below the highest seen from an
// origin a peer remembers: older ones count as seen.
const seenWindow = 4096

// maxOrigins bounds how many origins a peer remembers; the least recently
// heard is forgotten first.
const maxOrigins = 4096

// window remembers which of the last seenWindow sequence numbers of one
// origin have been seen (a sliding bitmap, as IPsec's anti-replay window).
type window struct {
	top  uint64 // highest seen
	bits [seenWindow / 64]uint64
	elem *list.Element
}

func (w *window) bit(seq uint64) (*uint64, uint64) {
	i := seq % seenWindow
	return &w.bits[i/64], 1 << (i % 64)
}

// fresh reports whether seq is new, and marks it seen.
func (w *window) fresh(seq uint64) bool {
	switch {
	case seq > w.top:
		if seq-w.top >= seenWindow {
			w.bits = [seenWindow / 64]uint64{}
		} else {
			for s := w.top + 1; s < seq; s++ {
				word, m := w.bit(s)
				*word &^= m
			}
		}
		w.top = seq
		word, m := w.bit(seq)
		*word |= m
		return true
	case w.top-seq >= seenWindow:
		return false
	}
	word, m := w.bit(seq)
	if *word&m != 0 {
		return false
	}
	*word |= m
	return true
}

// Seen is the set of MsgIDs a peer has passed on.
type Seen struct {
	origins map[string]*window
	lru     *list.List // of origin strings, most recent at the front
}

// NewSeen returns an empty set.
func NewSeen() *Seen { return &Seen{origins: map[string]*window{}, lru: list.New()} }

// Fresh reports whether id has not been seen, and marks it seen. Sequence
// numbers more than seenWindow below the highest seen from the same origin
// count as seen.
func (s *Seen) Fresh(id MsgID) bool {
	w, ok := s.origins[id.Origin]
	if !ok {
		if len(s.origins) >= maxOrigins {
			old := s.lru.Back()
			delete(s.origins, old.Value.(string))
			s.lru.Remove(old)
		}
		w = &window{elem: s.lru.PushFront(id.Origin)}
		s.origins[id.Origin] = w
		w.top = id.Seq
		word, m := w.bit(id.Seq)
		*word |= m
		return true
	}
	s.lru.MoveToFront(w.elem)
	return w.fresh(id.Seq)
}

// Dedupe is the gate of a peer's backplanes: everything the peer's members
// publish comes through it once, to be named and passed on, or dropped as a
// message the peer has already passed on (one that came round a cycle of
// connections, or by two paths).
//
// A message without an id (from the local sketcher, or a plain line from a
// Kamaelia 1.x peer) is given one: the peer's origin and its next sequence
// number. A message with an id is passed on the first time only.
//
// Boxes:
//
//	inbox     Envelope  everything published on the peer's IN backplane
//	outbox    Envelope  drawing messages, named, for WHITEBOARD
//	audio     Envelope  SOUND messages, named, for AUDIO
//	control, signal as usual
//
// Duplicates reports how many it dropped.
type Dedupe struct {
	axon.Core
	// In is the inbox called "inbox".
	In *axon.Inbox[Envelope]
	// Out is the outbox called "outbox".
	Out *axon.Outbox[Envelope]
	// Audio is the outbox called "audio".
	Audio *axon.Outbox[Envelope]

	origin string
	seq    uint64
	seen   *Seen
	dups   atomic.Uint64
}

// Duplicates returns how many messages it has dropped as already passed on.
func (d *Dedupe) Duplicates() uint64 { return d.dups.Load() }

// NewDedupe returns the gate of the peer whose origin is origin.
func NewDedupe(origin string) *Dedupe {
	d := &Dedupe{origin: origin, seen: NewSeen()}
	d.In = axon.NewInbox[Envelope](d, "inbox")
	d.Out = axon.NewOutbox[Envelope](d, "outbox")
	d.Audio = axon.NewOutbox[Envelope](d, "audio")
	return d
}

// Main passes messages on until told to stop.
func (d *Dedupe) Main(ctx context.Context) error {
	for e := range d.In.Messages(ctx) {
		if e.ID.IsZero() {
			d.seq++
			e.ID = MsgID{d.origin, d.seq}
			d.seen.Fresh(e.ID)
		} else if !d.seen.Fresh(e.ID) {
			d.dups.Add(1)
			continue
		}
		out := d.Out
		if wire.IsSound(e.Msg) {
			out = d.Audio
		}
		if err := out.Send(ctx, e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// idReader reads a connection's messages into envelopes: a MSGID message
// names the message after it and is not passed on itself. A lone picture
// request ([["GETIMG"]]) is answered by this peer's canvas, to this
// connection only: it goes on LocalOnly, as [["GETIMG", tag]]. A client's
// reader first publishes the "fetching" notice.
type idReader struct {
	axon.Core
	in      *axon.Inbox[wire.List]
	out     *axon.Outbox[Envelope]
	tag     uint64
	ready   []<-chan struct{}
	preface []wire.Batch
}

// newIDReader returns the reader of the connection tagged tag. It reads
// nothing before every channel of ready is closed: the connection's
// subscribers have joined, so that nothing meant for it (the answer to its
// picture request) is published before it can hear it.
func newIDReader(tag uint64, ready []<-chan struct{}, preface ...wire.Batch) *idReader {
	r := &idReader{tag: tag, ready: ready, preface: preface}
	r.in = axon.NewInbox[wire.List](r, "inbox")
	r.out = axon.NewOutbox[Envelope](r, "outbox")
	r.SetName(fmt.Sprintf("whiteboard.idReader(%d)", tag))
	return r
}

func (r *idReader) Main(ctx context.Context) error {
	for _, ch := range r.ready {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, b := range r.preface {
		if err := r.out.Send(ctx, Envelope{From: r.tag, LocalOnly: true, Msg: b.List()}); err != nil {
			return err
		}
	}
	var pending MsgID
	for l := range r.in.Messages(ctx) {
		if id, ok := ParseID(l); ok {
			pending = id
			continue
		}
		e := Envelope{From: r.tag, ID: pending, Msg: l}
		pending = MsgID{}
		if isPictureRequest(l) {
			e.LocalOnly = true
			e.Msg = wire.List{wire.List{"GETIMG", strconv.FormatUint(r.tag, 10)}}
		}
		if err := r.out.Send(ctx, e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func isPictureRequest(l wire.List) bool {
	if len(l) != 1 {
		return false
	}
	c, ok := l[0].(wire.List)
	if !ok || len(c) != 1 {
		return false
	}
	s, _ := c[0].(string)
	return wire.Command{s}.Name() == "GETIMG"
}

// idWriter writes envelopes as lines: the MSGID line, then the message's.
// A client's writer first writes its picture request.
type idWriter struct {
	axon.Core
	in      *axon.Inbox[Envelope]
	out     *axon.Outbox[[]byte]
	errs    *axon.Outbox[error]
	preface []byte
}

func newIDWriter(preface []byte) *idWriter {
	w := &idWriter{preface: preface}
	w.in = axon.NewInbox[Envelope](w, "inbox")
	w.out = axon.NewOutbox[[]byte](w, "outbox")
	w.errs = axon.NewOutbox[error](w, "errors")
	return w
}

func (w *idWriter) Main(ctx context.Context) error {
	if len(w.preface) > 0 {
		if err := w.out.Send(ctx, w.preface); err != nil {
			return err
		}
	}
	for e := range w.in.Messages(ctx) {
		var buf []byte
		if !e.ID.IsZero() {
			buf = IDLine(e.ID)
		}
		buf, err := wire.AppendMarshal(buf, e.Msg)
		if err != nil {
			if err := w.errs.Send(ctx, err); err != nil {
				return err
			}
			continue
		}
		if err := w.out.Send(ctx, buf); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// errLog logs the errors it is sent, so that none is lost in silence.
type errLog struct {
	axon.Core
	in   *axon.Inbox[error]
	log  *slog.Logger
	what string
}

func newErrLog(log *slog.Logger, what string) *errLog {
	l := &errLog{log: log, what: what}
	l.in = axon.NewInbox[error](l, "inbox")
	return l
}

func (l *errLog) Main(ctx context.Context) error {
	for err := range l.in.Messages(ctx) {
		l.log.Warn("whiteboard: "+l.what, "err", err)
	}
	return ctx.Err()
}

var errNotDrawing = errors.New("whiteboard: message is not a drawing message")
