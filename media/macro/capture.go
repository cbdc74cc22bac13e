//go:build cgo

package macro

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/ziutek/dvb/ts/psi"
)

// switchAfter bounds how long a capture waits, at a junction, for each of
// its elementary streams to reach a unit start: once the new programme's
// file has taken this many packets, the streams that have not switched yet
// (one that stopped) switch anyway.
const switchAfter = 4096

// CaptureStats counts what a Capture did. Every packet it took is counted
// once in Tables, Captured, Pre or Unrouted.
type CaptureStats struct {
	Packets  uint64 // packets taken
	Tables   uint64 // packets of the PAT, PMTs, SDT and EIT (and TDT, TOT, NIT)
	Captured uint64 // elementary stream packets written to a programme's capture
	Pre      uint64 // elementary stream packets written to a pre recording
	// Unrouted counts packets of PIDs no recorded service carries (other
	// services, null packets), and those of a recorded service that came
	// before its PMT said which PIDs it has.
	Unrouted    uint64
	TableErrors uint64 // sections dropped: bad CRC, lost packets, bad syntax
	Junctions   uint64 // present events that started a programme
	Amendments  uint64 // present events amended (no new file)
	Programmes  uint64 // captures finished and sent
}

// Capture is the capture step of the recorder: it takes a multiplex's
// transport stream, follows its PAT, PMTs, SDT and EIT present/following,
// and writes each recorded service's packets into one raw transport stream
// file per programme, in Dir, cutting at the service's programme junctions
// (a new present event_id, dvb.JunctionDetector's rule; an amendment only
// updates the programme's name and description). Each file holds the
// service alone: a PAT of that one service and its PMT at the start, then
// its elementary streams' packets as broadcast, so that FFmpeg (or any
// player) reads it. When a file is complete the Programme is sent on
// outbox, for a Transcoder (or a work queue) to make the finished
// recordings of.
//
// The cut is clean: at a junction each elementary stream moves to the new
// file at its next PES start (for video, its next random access point when
// the broadcast marks them), so no file ends or starts with half a frame,
// and no packet goes to both or neither. Packets of a service before its
// first present event go to a pre recording (Programme.Pre); packets before
// its PMT are counted (Unrouted): nothing is dropped uncounted.
//
// Boxes:
//
//	inbox    mpegts.Packets       the multiplex (at least PAT, the services' PMTs and PIDs, SDT, EIT)
//	control  any                  ProducerFinished, Shutdown
//	outbox   Programme            each programme captured, when its file is closed
//	changes  dvb.ProgrammeChange  the junctions and amendments of the recorded services
//	signal   any                  how it ended
//
// Example:
//
//	c := macro.NewCapture("/data/capture", 4228, 4351)
//	axon.MustLink(mux.Out, c.In)
//	axon.MustLink(c.Out, transcoder.In)
//
// Shutdown: ProducerFinished on control (or the end of the input, which a
// Multiplex signals so) makes it capture what is waiting, close every open
// file, send each as a Programme marked CutShort, and end cleanly: that is
// how a recorder stopped by SIGTERM finishes its programmes. A *Failure on
// control (the input failed) does the same, then fails the Capture with
// it, so that the failure goes on down the chain after the programmes. Shutdown
// stops it at once; the open captures are closed and left in Dir, unsent.
// A file it cannot write fails it.
type Capture struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Packets]
	// Out is the "outbox" box.
	Out *axon.Outbox[Programme]
	// Changes is the "changes" box.
	Changes *axon.Outbox[dvb.ProgrammeChange]

	// Now tells the time (time.Now unless set), for Programme.Captured.
	Now func() time.Time

	dir    string
	want   []uint16
	asm    mpegts.Assembler
	jd     dvb.JunctionDetector
	tsid   uint16
	pmts   map[uint16]*service // by PMT PID
	svcs   map[uint16]*service // by service_id
	es     map[uint16]*service // by elementary PID
	names  map[uint16][2]string
	seq    int
	closed []Programme // finished, to send
	st     stats
}

type stats struct {
	packets, tables, captured, pre, unrouted, tableErrors, junctions, amendments, programmes atomic.Uint64
}

// service is what a Capture knows of one recorded service.
type service struct {
	id     uint16
	pmtPID uint16
	pmt    []byte // the PMT section as broadcast
	radio  bool
	pids   map[uint16]*stream
	cur    *file // the capture being written
	next   *file // the capture a junction opened, while streams move to it
}

// stream is one elementary stream of a service.
type stream struct {
	video    bool
	rai      bool // the broadcast marks random access points on it
	switched bool // moved to the next file at this junction
}

// file is one capture being written.
type file struct {
	prog Programme
	f    *os.File
	w    *bufio.Writer
	cc   [2]uint8 // continuity counters of the PAT and PMT written
	took int      // packets written
}

// NewCapture returns a Capture that writes into dir (made if missing) the
// programmes of the services given; none means every service of the PAT.
func NewCapture(dir string, services ...uint16) *Capture {
	c := &Capture{dir: dir, want: slices.Clone(services), Now: time.Now,
		pmts: map[uint16]*service{}, svcs: map[uint16]*service{}, es: map[uint16]*service{}, names: map[uint16][2]string{}}
	c.In = axon.NewInbox[mpegts.Packets](c, "inbox")
	c.Out = axon.NewOutbox[Programme](c, "outbox")
	c.Changes = axon.NewOutbox[dvb.ProgrammeChange](c, "changes")
	return c
}

// Stats returns the counts so far; it is safe to call at any time.
func (c *Capture) Stats() CaptureStats {
	s := &c.st
	return CaptureStats{Packets: s.packets.Load(), Tables: s.tables.Load(), Captured: s.captured.Load(), Pre: s.pre.Load(),
		Unrouted: s.unrouted.Load(), TableErrors: s.tableErrors.Load(), Junctions: s.junctions.Load(),
		Amendments: s.amendments.Load(), Programmes: s.programmes.Load()}
}

// Main captures the packets on inbox.
func (c *Capture) Main(ctx context.Context) (err error) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("macro: capture: %w", err)
	}
	// Programme.Path is absolute, so that a transcoder in another process
	// (with another working directory) finds the capture.
	abs, err := filepath.Abs(c.dir)
	if err != nil {
		return fmt.Errorf("macro: capture: %w", err)
	}
	c.dir = abs
	defer func() {
		if ctx.Err() != nil || err != nil {
			for _, s := range c.svcs {
				for _, f := range []*file{s.cur, s.next} {
					if f != nil {
						_ = f.w.Flush()
						_ = f.f.Close()
					}
				}
			}
		}
	}()
	var upstream error // the failure of the input, told on control
	for upstream == nil {
		if err := c.Wait(ctx); err != nil {
			return err
		}
		st := c.TakeControl(nil)
		for ps, ok := c.In.TryRecv(); ok; ps, ok = c.In.TryRecv() {
			for _, p := range ps.All() {
				if err := c.packet(ctx, p); err != nil {
					return err
				}
			}
			if err := c.flush(ctx); err != nil {
				return err
			}
		}
		if st.Failure != nil {
			upstream = st.Failure
		} else if st.Finishing {
			break
		}
	}
	// The input ended or we were told to finish: every open capture is
	// cut short.
	for _, id := range c.order() {
		s := c.svcs[id]
		for _, f := range []*file{s.cur, s.next} {
			if f != nil {
				f.prog.CutShort = true
				if err := c.close(s, f); err != nil {
					return err
				}
			}
		}
		s.cur, s.next = nil, nil
	}
	if err := c.flush(ctx); err != nil {
		return err
	}
	if upstream != nil {
		return fmt.Errorf("macro: capture: the input failed (the programmes so far were sent, cut short): %w", upstream)
	}
	return nil
}

// order returns the recorded services' ids in order, so that programmes
// are sent in an order that does not depend on a map.
func (c *Capture) order() []uint16 {
	ids := make([]uint16, 0, len(c.svcs))
	for id := range c.svcs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// flush sends the programmes closed so far.
func (c *Capture) flush(ctx context.Context) error {
	for len(c.closed) > 0 {
		p := c.closed[0]
		c.closed = c.closed[1:]
		if err := c.Out.Send(ctx, p); err != nil {
			return err
		}
		c.st.programmes.Add(1)
	}
	return nil
}

func (c *Capture) recorded(id uint16) bool { return len(c.want) == 0 || slices.Contains(c.want, id) }

func (c *Capture) packet(ctx context.Context, p mpegts.Packet) error {
	c.st.packets.Add(1)
	pid := p.PID()
	if s := c.es[pid]; s != nil {
		return c.elementary(s, pid, p)
	}
	switch {
	case pid == mpegts.PIDPAT || pid == mpegts.PIDSDT || pid == mpegts.PIDEIT || c.pmts[pid] != nil:
		c.st.tables.Add(1)
		var ferr error
		c.asm.Push(p, func(s mpegts.Section, err error) {
			if ferr != nil {
				return
			}
			if err != nil {
				c.st.tableErrors.Add(1)
				return
			}
			ferr = c.section(ctx, s)
		})
		return ferr
	case pid == mpegts.PIDTDT || pid == mpegts.PIDNIT:
		c.st.tables.Add(1)
	default:
		c.st.unrouted.Add(1)
	}
	return nil
}

// section acts on one table section.
func (c *Capture) section(ctx context.Context, sec mpegts.Section) error {
	if !sec.Current {
		return nil
	}
	t, err := mpegts.ParseTable(sec)
	if err != nil {
		c.st.tableErrors.Add(1)
		return nil
	}
	switch t := t.(type) {
	case *mpegts.PAT:
		c.tsid = t.TransportStreamID
		for _, pr := range t.Programs {
			if !c.recorded(pr.Number) {
				continue
			}
			s := c.svcs[pr.Number]
			if s == nil {
				s = &service{id: pr.Number, pids: map[uint16]*stream{}}
				c.svcs[pr.Number] = s
			}
			if s.pmtPID != pr.PMTPID {
				delete(c.pmts, s.pmtPID)
				s.pmtPID = pr.PMTPID
				c.pmts[pr.PMTPID] = s
			}
		}
	case *mpegts.PMT:
		s := c.svcs[t.ProgramNumber]
		if s == nil || string(s.pmt) == string(sec.Raw) {
			return nil
		}
		return c.pmt(s, t, sec.Raw)
	case *mpegts.SDT:
		if !t.Actual {
			return nil
		}
		for _, sv := range t.Services {
			c.names[sv.ServiceID] = [2]string{sv.Name, sv.Provider}
		}
	case *mpegts.EIT:
		s := c.svcs[t.ServiceID]
		if s == nil || !t.Actual() {
			return nil
		}
		ch, ok := c.jd.Observe(t)
		if !ok {
			return nil
		}
		if err := c.Changes.Send(ctx, ch); err != nil {
			return err
		}
		if ch.Kind == dvb.Amendment {
			c.st.amendments.Add(1)
			for _, f := range []*file{s.cur, s.next} {
				if f != nil && !f.prog.Pre && f.prog.EventID == ch.Now.EventID {
					c.describe(&f.prog, ch.Now)
				}
			}
			return nil
		}
		c.st.junctions.Add(1)
		return c.junction(s, ch.Now)
	}
	return nil
}

// pmt takes a service's new PMT: its elementary PIDs, and a copy in each
// open capture.
func (c *Capture) pmt(s *service, t *mpegts.PMT, raw []byte) error {
	s.pmt = append([]byte(nil), raw...)
	old := s.pids
	s.pids = map[uint16]*stream{}
	s.radio = true
	for pid := range old {
		delete(c.es, pid)
	}
	for _, st := range t.Streams {
		video := isVideo(st.Type)
		if video {
			s.radio = false
		}
		x := old[st.PID]
		if x == nil {
			x = &stream{video: video}
		}
		s.pids[st.PID] = x
		c.es[st.PID] = s
	}
	for _, f := range []*file{s.cur, s.next} {
		if f != nil {
			if err := c.writeTables(s, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func isVideo(t psi.StreamType) bool {
	switch t {
	case psi.MPEG1Video, psi.MPEG2Video, psi.MPEG4Video, psi.H264Video, 0x24 /* HEVC */ :
		return true
	}
	return false
}

// junction starts a new programme of s.
func (c *Capture) junction(s *service, ev mpegts.Event) error {
	f, err := c.open(s, ev, false)
	if err != nil {
		return err
	}
	if s.next != nil { // a junction before the last one was done: finish it
		if err := c.close(s, s.cur); err != nil {
			return err
		}
		s.cur, s.next = s.next, nil
	}
	if s.cur == nil {
		s.cur = f
		return nil
	}
	s.next = f
	for _, x := range s.pids {
		x.switched = false
	}
	return nil
}

// elementary writes a packet of one of s's elementary streams to the
// capture it belongs to.
func (c *Capture) elementary(s *service, pid uint16, p mpegts.Packet) error {
	x := s.pids[pid]
	if s.cur == nil {
		if s.pmt == nil {
			c.st.unrouted.Add(1)
			return nil
		}
		f, err := c.open(s, mpegts.Event{}, true)
		if err != nil {
			return err
		}
		s.cur = f
	}
	to := s.cur
	if s.next != nil {
		if !x.switched && p.PayloadUnitStart() && (!x.video || !x.rai || randomAccess(p)) {
			x.switched = true
		}
		if x.switched {
			to = s.next
		}
	}
	if x.video && !x.rai && randomAccess(p) {
		x.rai = true
	}
	if to.prog.Pre {
		c.st.pre.Add(1)
	} else {
		c.st.captured.Add(1)
	}
	if err := to.write(p); err != nil {
		return fmt.Errorf("macro: capture %s: %w", to.prog.Path, err)
	}
	to.prog.Packets++
	if p.PayloadUnitStart() {
		if pl, err := p.Payload(); err == nil {
			if h, err := mpegts.ParsePESHeader(pl); err == nil && h.HasPTS && (to.prog.FirstPTS == 0 || int64(h.PTS) < to.prog.FirstPTS) {
				to.prog.FirstPTS = int64(h.PTS)
			}
		}
	}
	if s.next != nil && (s.next.took >= switchAfter || c.allSwitched(s)) {
		if err := c.close(s, s.cur); err != nil {
			return err
		}
		s.cur, s.next = s.next, nil
	}
	return nil
}

func (c *Capture) allSwitched(s *service) bool {
	for _, x := range s.pids {
		if !x.switched {
			return false
		}
	}
	return true
}

func randomAccess(p mpegts.Packet) bool {
	af, err := mpegts.ParseAdaptationField(p)
	return err == nil && af.RandomAccess
}

func (c *Capture) describe(p *Programme, ev mpegts.Event) {
	p.EventID, p.Name, p.Description, p.Genres = ev.EventID, ev.Name, ev.Text, genresOf(ev)
	p.Start, p.Duration = ev.Start, ev.Duration
}

// open starts the capture file of a programme of s.
func (c *Capture) open(s *service, ev mpegts.Event, pre bool) (*file, error) {
	c.seq++
	p := Programme{Service: s.id, Radio: s.radio, Pre: pre, Captured: c.Now().UTC()}
	if !pre {
		c.describe(&p, ev)
	}
	name := fmt.Sprintf("%d-%d-%d.ts", s.id, ev.EventID, c.seq)
	if pre {
		name = fmt.Sprintf("%d-pre-%d.ts", s.id, c.seq)
	}
	p.Path = filepath.Join(c.dir, name)
	fh, err := os.Create(p.Path)
	if err != nil {
		return nil, fmt.Errorf("macro: capture: %w", err)
	}
	f := &file{prog: p, f: fh, w: bufio.NewWriterSize(fh, 64<<10)}
	if err := c.writeTables(s, f); err != nil {
		_ = fh.Close()
		return nil, err
	}
	return f, nil
}

// close finishes a capture and queues its Programme to be sent.
func (c *Capture) close(s *service, f *file) error {
	if err := f.w.Flush(); err != nil {
		_ = f.f.Close()
		return fmt.Errorf("macro: capture %s: %w", f.prog.Path, err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("macro: capture %s: %w", f.prog.Path, err)
	}
	if f.prog.Packets == 0 {
		// Nothing of the programme arrived (the input ended at its
		// junction): there is nothing to record.
		return os.Remove(f.prog.Path)
	}
	f.prog.Bytes = int64(f.took) * mpegts.PacketSize
	f.prog.Radio = s.radio
	if n, ok := c.names[s.id]; ok {
		f.prog.Channel, f.prog.Provider = n[0], n[1]
	}
	c.closed = append(c.closed, f.prog)
	return nil
}

// writeTables writes a PAT of s alone and s's PMT into f.
func (c *Capture) writeTables(s *service, f *file) error {
	pat := []byte{mpegts.TableIDPAT, 0xB0, 13, byte(c.tsid >> 8), byte(c.tsid), 0xC1, 0, 0,
		byte(s.id >> 8), byte(s.id), 0xE0 | byte(s.pmtPID>>8), byte(s.pmtPID)}
	pat = mpegts.AppendCRC32(pat)
	if err := f.section(mpegts.PIDPAT, pat, &f.cc[0]); err != nil {
		return err
	}
	if s.pmt != nil {
		return f.section(s.pmtPID, s.pmt, &f.cc[1])
	}
	return nil
}

// section writes one section into packets of pid: a pointer_field of 0,
// the section, 0xFF stuffing.
func (f *file) section(pid uint16, sec []byte, cc *uint8) error {
	payload := append([]byte{0}, sec...)
	for first := true; len(payload) > 0; first = false {
		var p [mpegts.PacketSize]byte
		p[0], p[1], p[2], p[3] = mpegts.SyncByte, byte(pid>>8)&0x1F, byte(pid), 0x10|*cc
		if first {
			p[1] |= 0x40
		}
		*cc = (*cc + 1) & 0x0F
		n := copy(p[4:], payload)
		for i := 4 + n; i < len(p); i++ {
			p[i] = 0xFF
		}
		payload = payload[n:]
		if err := f.write(p[:]); err != nil {
			return err
		}
	}
	return nil
}

func (f *file) write(p []byte) error {
	f.took++
	_, err := f.w.Write(p)
	return err
}
