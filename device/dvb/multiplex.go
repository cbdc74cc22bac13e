package dvb

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// MultiplexRequest is a message to a Multiplex's inbox: a Retune, AddPIDs
// or RemovePIDs.
type MultiplexRequest interface{ multiplexRequest() }

func (Retune) multiplexRequest() {}

// AddPIDs asks a Multiplex to pass these PIDs too (mpegts.AllPIDs: the whole
// transport stream).
type AddPIDs []uint16

func (AddPIDs) multiplexRequest() {}

// RemovePIDs asks a Multiplex to stop passing these PIDs.
type RemovePIDs []uint16

func (RemovePIDs) multiplexRequest() {}

// MultiplexStats counts what a Multiplex did, over its whole life.
type MultiplexStats struct {
	// Packets counts the packets sent on outbox.
	Packets uint64
	// Messages counts the messages sent on outbox.
	Messages uint64
	// Filtered counts the packets dropped because their PID was not asked
	// for (the device's own filters normally drop them first).
	Filtered uint64
	// Resyncs, SkippedBytes and TruncatedBytes are those of the Aligner
	// (mpegts.AlignStats): sync bytes lost, bytes skipped to find them
	// again, and bytes of a last packet cut short.
	Resyncs, SkippedBytes, TruncatedBytes uint64
	// Overflows counts the DVR reads that reported a buffer overflow
	// (ErrOverflow): data the device lost.
	Overflows uint64
	// Tunings counts the successful tunings, the first one included.
	Tunings uint64
}

// Multiplex tunes a DVB adapter and emits the transport stream it receives:
// Kamaelia's DVB_Multiplex. It opens the frontend of its Device, tunes to
// the frequency (MHz) with the parameters and waits for the lock as Tuner
// does, sets PID filters for the PIDs asked for (mpegts.AllPIDs for the
// whole multiplex), then reads the DVR in a goroutine of its own and sends
// what it reads as runs of whole, aligned 188-byte packets.
//
// Boxes:
//
//	inbox   (MultiplexRequest)  Retune, AddPIDs, RemovePIDs
//	control (any)               ProducerFinished, Shutdown
//	outbox  (mpegts.Packets)    whole aligned packets of the PIDs asked for, in stream order
//	signal  (any)               how it ended: a *LockError when the frontend did not lock
//	dvr     (private)           an inbox and an outbox, linked: the reading goroutine's hand-over; link nothing to them
//
// A packet is never split across two messages, whatever the sizes of the
// device's reads: bytes are kept until their packet is whole. When the sync
// byte is lost the Multiplex finds it again and counts what it skipped
// (Stats). It filters by PID itself too, so that a device without
// hardware filters (FileDevice) gives the same stream as one with them.
// Any source of transport stream bytes works the same: an adapter, a
// recorded .ts file (FileDevice), a pipe or a connection (ReaderDevice).
//
// Example, the article's DVB source, all of the multiplex at 505.833 MHz:
//
//	mux := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.LinuxAdapter(0))
//	axon.MustLink(mux.Out, demux.In)
//
// Shutdown: at the end of the stream (a file's end) it sends the last whole
// packet and ends with ProducerFinished. ProducerFinished on control makes
// it stop reading, send what it has already read, close the devices and end
// cleanly. Shutdown stops it at once, even while a read of the DVR is
// blocked: it closes the DVR (which ends the read), waits for its reading
// goroutine, closes the filters and the frontend. A read error, a tuning
// that does not lock, a retune that fails: each ends it with a failure
// naming the adapter.
type Multiplex struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[MultiplexRequest]
	// Out is the "outbox" box.
	Out *axon.Outbox[mpegts.Packets]

	dev    Device
	mhz    float64
	params Params
	pids   []uint16
	cfg    config
	feed   *feed

	filter   Filter
	pass     pidSet
	align    mpegts.Aligner
	finished bool // the reading ended: flush and stop

	packets, messages, filtered atomic.Uint64
	resyncs, skipped, truncated atomic.Uint64
	overflows, tunings          atomic.Uint64
}

// NewMultiplex returns a Multiplex of the PIDs pids at freqMHz with params
// on dev.
func NewMultiplex(freqMHz float64, pids []uint16, params Params, dev Device, opts ...Option) *Multiplex {
	m := &Multiplex{dev: dev, mhz: freqMHz, params: params, pids: slices.Clone(pids), cfg: newConfig(opts)}
	m.In = axon.NewInbox[MultiplexRequest](m, "inbox")
	m.Out = axon.NewOutbox[mpegts.Packets](m, "outbox")
	m.feed = newFeed(m, "dvr", m.cfg.window, &m.overflows)
	return m
}

// Stats returns the counts so far. It is safe to call at any time.
func (m *Multiplex) Stats() MultiplexStats {
	return MultiplexStats{
		Packets: m.packets.Load(), Messages: m.messages.Load(), Filtered: m.filtered.Load(),
		Resyncs: m.resyncs.Load(), SkippedBytes: m.skipped.Load(), TruncatedBytes: m.truncated.Load(),
		Overflows: m.overflows.Load(), Tunings: m.tunings.Load(),
	}
}

// Main tunes, reads and sends until the stream ends or it is told to stop.
func (m *Multiplex) Main(ctx context.Context) error {
	hz, err := FrequencyHz(m.mhz)
	if err != nil {
		return fmt.Errorf("dvb: %s: %w", m.dev.Name(), err)
	}
	for _, pid := range m.pids {
		if err := checkPID(pid); err != nil {
			return fmt.Errorf("dvb: %s: %w", m.dev.Name(), err)
		}
	}
	fe, err := m.dev.OpenFrontend()
	if err != nil {
		return err
	}
	defer fe.Close()
	defer m.closeStream()
	if err := m.tune(ctx, fe, hz); err != nil {
		return err
	}
	for {
		if err := m.Wait(ctx); err != nil {
			return err
		}
		discard(m.Control())
		// Requests first: data read after a request was sent is handled
		// as the request says.
		for req, ok := m.In.TryRecv(); ok; req, ok = m.In.TryRecv() {
			if err := m.handle(ctx, fe, &hz, req); err != nil {
				return err
			}
		}
		if err := m.drain(ctx, true); err != nil {
			return err
		}
		if m.finished {
			return nil
		}
		if m.Finishing() {
			m.feed.stop() // the reading ends; drain then sees its end
		}
	}
}

func checkPID(pid uint16) error {
	if pid > mpegts.MaxPID && pid != mpegts.AllPIDs {
		return fmt.Errorf("PID 0x%04x out of range", pid)
	}
	return nil
}

// tune tunes and locks, then opens the filters and the DVR and starts
// reading.
func (m *Multiplex) tune(ctx context.Context, fe Frontend, hz uint32) error {
	if _, err := tuneAndLock(ctx, m.dev, fe, hz, m.params, m.cfg); err != nil {
		return err
	}
	m.tunings.Add(1)
	f, err := m.dev.OpenFilter(m.pids)
	if err != nil {
		return err
	}
	m.filter = f
	m.pass = pidSet{}
	for _, pid := range m.pids {
		m.pass.add(pid)
	}
	r, err := m.dev.OpenDVR()
	if err != nil {
		return err
	}
	m.feed.start(r, m.cfg.readSize)
	return nil
}

// drain takes what the reading goroutine has read and sends it on. When it
// takes the end of the reading, it flushes the Aligner and sets finished
// (or returns the read's error). With requestsFirst it stops when a request
// comes: sent before the data still waiting was read, it is served first.
func (m *Multiplex) drain(ctx context.Context, requestsFirst bool) error {
	for {
		if requestsFirst && m.In.Len() > 0 {
			return nil
		}
		c, ok := m.feed.tryRecv()
		if !ok {
			return nil
		}
		if !c.end {
			if err := m.emit(ctx, m.align.Align(c.data)); err != nil {
				return err
			}
			continue
		}
		m.feed.ended()
		err := m.emit(ctx, m.align.Flush())
		m.syncStats()
		if c.err != nil {
			return fmt.Errorf("dvb: %s: reading the DVR: %w", m.dev.Name(), c.err)
		}
		m.finished = true
		return err
	}
}

// emit filters ps by PID, in place, and sends what is left.
func (m *Multiplex) emit(ctx context.Context, ps mpegts.Packets) error {
	if !m.pass.all {
		w := 0
		for i := 0; i < len(ps); i += mpegts.PacketSize {
			p := mpegts.Packet(ps[i : i+mpegts.PacketSize])
			if !m.pass.has(p.PID()) {
				m.filtered.Add(1)
				continue
			}
			if w != i {
				copy(ps[w:w+mpegts.PacketSize], p)
			}
			w += mpegts.PacketSize
		}
		ps = ps[:w:w]
	}
	m.syncStats()
	if len(ps) == 0 {
		return nil
	}
	m.packets.Add(uint64(ps.Len()))
	m.messages.Add(1)
	return m.Out.Send(ctx, ps)
}

func (m *Multiplex) syncStats() {
	s := m.align.Stats()
	m.resyncs.Store(s.Resyncs)
	m.skipped.Store(s.SkippedBytes)
	m.truncated.Store(s.TruncatedBytes)
}

func (m *Multiplex) handle(ctx context.Context, fe Frontend, hz *uint32, req MultiplexRequest) error {
	switch r := req.(type) {
	case Retune:
		if r.FrequencyMHz != 0 {
			f, err := FrequencyHz(r.FrequencyMHz)
			if err != nil {
				return fmt.Errorf("dvb: %s: retune: %w", m.dev.Name(), err)
			}
			*hz = f
		}
		if r.Params != nil {
			m.params = *r.Params
		}
		// Send on what was read at the old frequency, then start afresh.
		m.feed.stop()
		for m.feed.running() {
			if err := m.Wait(ctx); err != nil {
				return err
			}
			discard(m.Control())
			if err := m.drain(ctx, false); err != nil {
				return err
			}
		}
		m.finished = false
		m.closeFilter()
		return m.tune(ctx, fe, *hz)
	case AddPIDs:
		for _, pid := range r {
			if err := checkPID(pid); err != nil {
				return fmt.Errorf("dvb: %s: %w", m.dev.Name(), err)
			}
			if !slices.Contains(m.pids, pid) {
				m.pids = append(m.pids, pid)
				m.pass.add(pid)
				if err := m.filter.Add(pid); err != nil {
					return fmt.Errorf("dvb: %s: adding PID 0x%04x: %w", m.dev.Name(), pid, err)
				}
			}
		}
	case RemovePIDs:
		for _, pid := range r {
			if i := slices.Index(m.pids, pid); i >= 0 {
				m.pids = slices.Delete(m.pids, i, i+1)
				m.pass.remove(pid)
				if err := m.filter.Remove(pid); err != nil {
					return fmt.Errorf("dvb: %s: removing PID 0x%04x: %w", m.dev.Name(), pid, err)
				}
			}
		}
	case nil:
	default:
		return fmt.Errorf("dvb: %s: unknown request %T", m.dev.Name(), req)
	}
	return nil
}

func (m *Multiplex) closeFilter() {
	if m.filter != nil {
		m.filter.Close()
		m.filter = nil
	}
}

// closeStream stops the reading at once (closing the DVR) and closes the
// filters.
func (m *Multiplex) closeStream() {
	m.feed.kill()
	m.closeFilter()
}

// pidSet is a set of PIDs; all means every PID (mpegts.AllPIDs).
type pidSet struct {
	bits [(mpegts.MaxPID + 1) / 64]uint64
	all  bool
}

func (s *pidSet) add(pid uint16) {
	if pid == mpegts.AllPIDs {
		s.all = true
		return
	}
	s.bits[pid>>6] |= 1 << (pid & 63)
}

func (s *pidSet) remove(pid uint16) {
	if pid == mpegts.AllPIDs {
		s.all = false
		return
	}
	s.bits[pid>>6] &^= 1 << (pid & 63)
}

func (s *pidSet) has(pid uint16) bool {
	return s.all || s.bits[pid>>6]&(1<<(pid&63)) != 0
}

func (s *pidSet) empty() bool {
	if s.all {
		return false
	}
	for _, b := range s.bits {
		if b != 0 {
			return false
		}
	}
	return true
}
