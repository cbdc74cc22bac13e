package dvb

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// DemuxStats counts what a Demuxer or DemuxerService did.
type DemuxStats struct {
	// Packets counts the packets received (whole ones, and the malformed
	// ones counted below).
	Packets uint64
	// Delivered counts packet deliveries: a packet sent to two outboxes
	// counts twice.
	Delivered uint64
	// Unrouted counts the packets of PIDs that no outbox asked for.
	Unrouted uint64
	// TransportErrors counts the packets dropped because their
	// transport_error_indicator was set.
	TransportErrors uint64
	// Scrambled counts the packets dropped because they were scrambled.
	Scrambled uint64
	// Duplicates counts the packets dropped as repeats of the packet before
	// (same PID and continuity counter, which the standard allows once).
	Duplicates uint64
	// ContinuityErrors counts the breaks in the continuity counter of a PID
	// among the packets received with a good header: each is one or more
	// packets lost, including a packet dropped for a transport error
	// (whose own PID and counter cannot be trusted).
	ContinuityErrors uint64
	// Malformed counts what was dropped as not a packet: a message whose
	// length is not a multiple of 188 (its tail), a packet without its sync
	// byte, or one whose adaptation field does not fit.
	Malformed uint64
}

// demuxCore checks packets before they are routed: it drops and counts the
// bad ones and counts the gaps in each PID's continuity counter. Only
// Main's goroutine uses it; the counts are atomics, read by Stats.
type demuxCore struct {
	// cc is each PID's last continuity counter with seenCC set; 0: none
	// seen. One byte a PID, read and written once a packet.
	cc [mpegts.MaxPID + 1]uint8

	packets, delivered, unrouted, tei, scrambled, dups, gaps, malformed atomic.Uint64
}

// seenCC marks a demuxCore.cc entry as holding a counter.
const seenCC = 0x10

func (d *demuxCore) stats() DemuxStats {
	return DemuxStats{
		Packets: d.packets.Load(), Delivered: d.delivered.Load(), Unrouted: d.unrouted.Load(),
		TransportErrors: d.tei.Load(), Scrambled: d.scrambled.Load(), Duplicates: d.dups.Load(),
		ContinuityErrors: d.gaps.Load(), Malformed: d.malformed.Load(),
	}
}

// each calls f for each packet of ps that is to be routed, counting and
// dropping the others. ps need not be well formed.
func (d *demuxCore) each(ps mpegts.Packets, f func(i int, p mpegts.Packet)) {
	n := len(ps) / mpegts.PacketSize
	if rest := len(ps) % mpegts.PacketSize; rest != 0 {
		d.packets.Add(1)
		d.malformed.Add(1)
	}
	d.packets.Add(uint64(n))
	for i := range n {
		p := mpegts.Packet(ps[i*mpegts.PacketSize : (i+1)*mpegts.PacketSize : (i+1)*mpegts.PacketSize])
		if _, ok := d.check(p); ok {
			f(i, p)
		}
	}
}

// check reports whether p is to be routed, and its PID. It reads the
// 4-byte header once and each PID's continuity state in one byte: it runs
// once a packet.
func (d *demuxCore) check(p mpegts.Packet) (uint16, bool) {
	h := binary.BigEndian.Uint32(p[:4])
	pid := uint16(h>>8) & mpegts.MaxPID
	if h>>24 != mpegts.SyncByte {
		d.malformed.Add(1)
		return pid, false
	}
	if h&0x800000 != 0 { // transport_error_indicator
		d.tei.Add(1)
		return pid, false
	}
	payload := h&0x10 != 0
	discontinuity := false
	if h&0x20 != 0 { // adaptation field
		n := int(p[4])
		if payload && n > 182 || !payload && n != 183 {
			d.malformed.Add(1)
			return pid, false
		}
		discontinuity = n > 0 && p[5]&0x80 != 0
	}
	if payload && pid != mpegts.NullPID {
		cc := uint8(h) & 0x0F
		if st := d.cc[pid]; st != 0 && !discontinuity {
			switch last := st & 0x0F; cc {
			case last:
				d.dups.Add(1)
				return pid, false
			case (last + 1) & 0x0F:
			default:
				d.gaps.Add(1)
			}
		}
		d.cc[pid] = seenCC | cc
	}
	if h&0xC0 != 0 { // transport_scrambling_control
		d.scrambled.Add(1)
		return pid, false
	}
	return pid, true
}

// Demuxer sends the packets of each PID to the outboxes named for it:
// Kamaelia's DVB_Demuxer. It is made from a table of PID to outbox names;
// it declares one outbox of mpegts.Packets per name when it is made, named
// as the table says, so the names are the program's, not the component's.
// A PID may go to several outboxes and an outbox may take several PIDs;
// mpegts.AllPIDs sends every packet to its outboxes.
//
// Boxes:
//
//	inbox   (mpegts.Packets)  the transport stream, from a Multiplex or any other source
//	control (any)             ProducerFinished, Shutdown
//	NAME    (mpegts.Packets)  one per outbox name: the packets of its PIDs, in stream order
//	signal  (any)             how it ended
//
// Each message on inbox gives at most one message on each outbox (the
// packets of that message for that outbox), so packets stay whole and in
// order. Packets with the transport_error_indicator set, scrambled packets,
// repeated packets and malformed ones are dropped and counted; gaps in each
// PID's continuity counter are counted (Stats). A slow consumer of one
// outbox holds back all of them (back-pressure).
//
// Example, the video and audio of one service, and its EIT:
//
//	d, err := dvb.NewDemuxer(map[uint16][]string{0x200: {"video"}, 0x201: {"audio"}, 0x12: {"eit"}})
//	axon.MustLink(mux.Out, d.In)
//	axon.MustLink(d.Stream("eit"), reassembler.In)
//
// Shutdown: ProducerFinished on control makes it route what is waiting in
// its inbox and end cleanly; Shutdown stops it at once.
type Demuxer struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Packets]

	names []string
	outs  []*axon.Outbox[mpegts.Packets]
	route [mpegts.MaxPID + 1]uint16 // index into lists
	lists [][]int                   // the outputs of a route; lists[0]: PIDs not in the table
	core  demuxCore
}

// NewDemuxer returns a Demuxer for routes, a table of PID to the names of
// the outboxes its packets go to. A PID above mpegts.MaxPID (other than
// mpegts.AllPIDs), an empty name or a reserved one (inbox, control, signal)
// is an error.
func NewDemuxer(routes map[uint16][]string) (*Demuxer, error) {
	d := &Demuxer{}
	d.In = axon.NewInbox[mpegts.Packets](d, "inbox")
	index := map[string]int{}
	pids := make([]uint16, 0, len(routes))
	for pid := range routes {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	outsOf := map[uint16][]int{}
	for _, pid := range pids {
		if err := checkPID(pid); err != nil {
			return nil, fmt.Errorf("dvb: demuxer: %w", err)
		}
		for _, name := range routes[pid] {
			switch name {
			case "", "inbox", "control", "signal":
				return nil, fmt.Errorf("dvb: demuxer: outbox name %q for PID 0x%04x not allowed", name, pid)
			}
			i, ok := index[name]
			if !ok {
				i = len(d.names)
				index[name] = i
				d.names = append(d.names, name)
				d.outs = append(d.outs, axon.NewOutbox[mpegts.Packets](d, name))
			}
			if !slices.Contains(outsOf[pid], i) {
				outsOf[pid] = append(outsOf[pid], i)
			}
		}
	}
	all := outsOf[mpegts.AllPIDs]
	d.lists = [][]int{all}
	for _, pid := range pids {
		if pid == mpegts.AllPIDs {
			continue
		}
		l := slices.Clone(outsOf[pid])
		for _, i := range all {
			if !slices.Contains(l, i) {
				l = append(l, i)
			}
		}
		sort.Ints(l)
		d.route[pid] = uint16(len(d.lists))
		d.lists = append(d.lists, l)
	}
	return d, nil
}

// Stream returns the outbox called name, or nil if the routing table has
// no such name.
func (d *Demuxer) Stream(name string) *axon.Outbox[mpegts.Packets] {
	if i := slices.Index(d.names, name); i >= 0 {
		return d.outs[i]
	}
	return nil
}

// Names returns the names of the outboxes, in the order they were made.
func (d *Demuxer) Names() []string { return slices.Clone(d.names) }

// Stats returns the counts so far. It is safe to call at any time.
func (d *Demuxer) Stats() DemuxStats { return d.core.stats() }

// Main routes the packets of each message on inbox.
//
// The cost per packet is what a loop copying each PID's packets into
// buffers of their own pays: one look at the header (check, route) and
// one copy. Everything else is paid per message: the one allocation
// holding every outbox's packets, the counters (atomics, added once per
// message, not per packet), and one send per outbox.
func (d *Demuxer) Main(ctx context.Context) error {
	counts := make([]int, len(d.outs))
	bufs := make([][]byte, len(d.outs))
	var sel []uint16 // per packet: its route, or noRoute
	for ps := range d.In.Messages(ctx) {
		clear(counts)
		n := len(ps) / mpegts.PacketSize
		if len(ps)%mpegts.PacketSize != 0 {
			d.core.packets.Add(1)
			d.core.malformed.Add(1)
		}
		d.core.packets.Add(uint64(n))
		if cap(sel) < n {
			sel = make([]uint16, n)
		}
		sel = sel[:n]
		routed, unrouted := 0, 0
		for i := range sel {
			p := mpegts.Packet(ps[i*mpegts.PacketSize : (i+1)*mpegts.PacketSize : (i+1)*mpegts.PacketSize])
			sel[i] = noRoute
			pid, ok := d.core.check(p)
			if !ok {
				continue
			}
			r := d.route[pid]
			l := d.lists[r]
			if len(l) == 0 {
				unrouted++
				continue
			}
			for _, o := range l {
				counts[o]++
			}
			sel[i] = r
			routed++
		}
		if unrouted > 0 {
			d.core.unrouted.Add(uint64(unrouted))
		}
		if routed == 0 {
			continue
		}
		// One outbox takes every packet of the message: hand it on as it
		// is, without a copy.
		if sole := d.sole(counts, n); sole >= 0 && len(ps)%mpegts.PacketSize == 0 {
			d.core.delivered.Add(uint64(routed))
			if err := d.outs[sole].Send(ctx, ps); err != nil {
				return err
			}
			continue
		}
		// One allocation for all the outboxes' messages: each gets its own
		// part, capped, so that no two share a byte.
		total := 0
		for _, n := range counts {
			total += n
		}
		mem := make([]byte, total*mpegts.PacketSize)
		for o, n := range counts {
			bufs[o] = nil
			if n > 0 {
				size := n * mpegts.PacketSize
				bufs[o], mem = mem[:0:size], mem[size:]
			}
		}
		// Runs of packets of one route (a PES spans several packets in a
		// row) are copied with one copy each, not one a packet.
		for i := 0; i < n; {
			r, j := sel[i], i+1
			for j < n && sel[j] == r {
				j++
			}
			if r != noRoute {
				run := ps[i*mpegts.PacketSize : j*mpegts.PacketSize]
				for _, o := range d.lists[r] {
					bufs[o] = append(bufs[o], run...)
				}
			}
			i = j
		}
		for o, b := range bufs {
			bufs[o] = nil // the receiver's now
			if len(b) == 0 {
				continue
			}
			d.core.delivered.Add(uint64(len(b) / mpegts.PacketSize))
			if err := d.outs[o].Send(ctx, mpegts.Packets(b)); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// noRoute marks a packet that goes nowhere.
const noRoute = 0xFFFF

// sole returns the outbox that takes all n packets when no other takes any,
// else -1.
func (d *Demuxer) sole(counts []int, n int) int {
	sole := -1
	for i, c := range counts {
		switch {
		case c == 0:
		case c == n && sole < 0:
			sole = i
		default:
			return -1
		}
	}
	return sole
}
