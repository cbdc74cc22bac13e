package dvb

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// SectionReassembler reassembles PSI/SI sections from transport stream
// packets and checks them: Kamaelia's ReassemblePSITables. Give it the
// packets of the PIDs that carry tables (PAT 0x00, NIT 0x10, SDT 0x11,
// EIT 0x12, TDT/TOT 0x14, a PMT's PID), from a Demuxer; it keeps each PID
// apart.
//
// Boxes:
//
//	inbox   (mpegts.Packets)  packets of section-carrying PIDs
//	control (any)             ProducerFinished, Shutdown
//	outbox  (mpegts.Section)  each whole section whose length and CRC are right
//	errors  (error)           each section or packet dropped, and why
//	signal  (any)             how it ended
//
// A section with a bad CRC, one longer than its table allows, one cut short
// by the next, one that lost packets (a continuity counter gap), a pointer
// field past its payload, a packet with a transport error: each is dropped,
// counted (Stats) and reported on errors with the PID and the reason (see
// mpegts.Assembler). Linking errors is optional: unlinked, the reports are
// dropped and counted by the runtime, the Stats stay.
//
// Example:
//
//	d, _ := dvb.NewDemuxer(map[uint16][]string{0x00: {"psi"}, 0x11: {"psi"}, 0x12: {"psi"}})
//	r := dvb.NewSectionReassembler()
//	axon.MustLink(d.Stream("psi"), r.In)
//
// Shutdown: ProducerFinished on control makes it reassemble what is waiting
// in its inbox and end cleanly (a section still incomplete is dropped);
// Shutdown stops it at once.
type SectionReassembler struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Packets]
	// Out is the "outbox" box.
	Out *axon.Outbox[mpegts.Section]
	// Errors is the "errors" box.
	Errors *axon.Outbox[error]

	asm   mpegts.Assembler
	stats atomic.Pointer[mpegts.AssemblerStats]
}

// NewSectionReassembler returns a SectionReassembler.
func NewSectionReassembler() *SectionReassembler {
	r := &SectionReassembler{}
	r.In = axon.NewInbox[mpegts.Packets](r, "inbox")
	r.Out = axon.NewOutbox[mpegts.Section](r, "outbox")
	r.Errors = axon.NewOutbox[error](r, "errors")
	r.stats.Store(&mpegts.AssemblerStats{})
	return r
}

// Stats returns the counts so far. It is safe to call at any time.
func (r *SectionReassembler) Stats() mpegts.AssemblerStats { return *r.stats.Load() }

// Main reassembles the packets of each message on inbox.
func (r *SectionReassembler) Main(ctx context.Context) error {
	var secs []mpegts.Section
	var errs []error
	yield := func(s mpegts.Section, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		secs = append(secs, s)
	}
	for ps := range r.In.Messages(ctx) {
		secs, errs = secs[:0], errs[:0]
		for off := 0; off < len(ps); off += mpegts.PacketSize {
			p, err := mpegts.ParsePacket(ps[off:min(off+mpegts.PacketSize, len(ps))])
			if err != nil {
				errs = append(errs, err)
				continue
			}
			r.asm.Push(p, yield)
		}
		st := r.asm.Stats()
		r.stats.Store(&st)
		for _, s := range secs {
			if err := r.Out.Send(ctx, s); err != nil {
				return err
			}
		}
		for _, e := range errs {
			if err := r.Errors.Send(ctx, e); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// ParserStats counts what a TableParser did.
type ParserStats struct {
	// Sections counts the sections received.
	Sections uint64
	// Tables counts the tables sent.
	Tables uint64
	// Repeats counts the sections dropped as unchanged (WithChangesOnly).
	Repeats uint64
	// NotCurrent counts the sections dropped because they are not yet in
	// force (current_next_indicator 0).
	NotCurrent uint64
	// Unknown counts the sections of tables it does not parse.
	Unknown uint64
	// Errors counts the sections dropped because they did not follow their
	// table's syntax (each reported on errors).
	Errors uint64
}

// ParserOption configures a TableParser.
type ParserOption func(*TableParser)

// WithChangesOnly makes a TableParser send a section only when it differs
// from the last one with the same PID, table_id, table_id_extension and
// section_number: a table repeated every few hundred milliseconds is sent
// once, and again when its version (or, for TDT and TOT, the time) changes.
func WithChangesOnly() ParserOption { return func(p *TableParser) { p.changesOnly = true } }

// TableParser parses PSI/SI sections into tables: Kamaelia's
// ParseProgramAssociationTable, ParseProgramMapTable,
// ParseServiceDescriptionTable, ParseNetworkInformationTable,
// ParseEventInformationTable, ParseTimeDateTable and ParseTimeOffsetTable in
// one. It sends each section as its table: *mpegts.PAT, *mpegts.PMT,
// *mpegts.SDT, *mpegts.NIT, *mpegts.EIT, *mpegts.TDT or *mpegts.TOT (one
// message per section: a table of several sections gives several, each
// with its Number and LastNumber).
//
// Boxes:
//
//	inbox   (mpegts.Section)  sections, from a SectionReassembler
//	control (any)             ProducerFinished, Shutdown
//	outbox  (mpegts.Table)    the tables parsed
//	errors  (error)           sections that did not follow their table's syntax
//	signal  (any)             how it ended
//
// Sections not yet in force (current_next_indicator 0) and sections of
// other tables are dropped and counted (Stats); WithChangesOnly drops
// repeats too.
//
// Example:
//
//	p := dvb.NewTableParser(dvb.WithChangesOnly())
//	axon.MustLink(reassembler.Out, p.In)
//
// Shutdown: ProducerFinished on control makes it parse what is waiting in
// its inbox and end cleanly; Shutdown stops it at once.
type TableParser struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Section]
	// Out is the "outbox" box.
	Out *axon.Outbox[mpegts.Table]
	// Errors is the "errors" box.
	Errors *axon.Outbox[error]

	changesOnly bool
	last        map[sectionKey][]byte

	sections, tables, repeats, notCurrent, unknown, errs atomic.Uint64
}

type sectionKey struct {
	pid    uint16
	table  uint8
	ext    uint16
	number uint8
}

// NewTableParser returns a TableParser.
func NewTableParser(opts ...ParserOption) *TableParser {
	p := &TableParser{last: map[sectionKey][]byte{}}
	p.In = axon.NewInbox[mpegts.Section](p, "inbox")
	p.Out = axon.NewOutbox[mpegts.Table](p, "outbox")
	p.Errors = axon.NewOutbox[error](p, "errors")
	for _, o := range opts {
		o(p)
	}
	return p
}

// Stats returns the counts so far. It is safe to call at any time.
func (p *TableParser) Stats() ParserStats {
	return ParserStats{Sections: p.sections.Load(), Tables: p.tables.Load(), Repeats: p.repeats.Load(),
		NotCurrent: p.notCurrent.Load(), Unknown: p.unknown.Load(), Errors: p.errs.Load()}
}

// Main parses each section on inbox.
func (p *TableParser) Main(ctx context.Context) error {
	for s := range p.In.Messages(ctx) {
		p.sections.Add(1)
		if s.Syntax && !s.Current {
			p.notCurrent.Add(1)
			continue
		}
		if p.changesOnly {
			k := sectionKey{s.PID, s.TableID, s.TableIDExt, s.Number}
			if prev, ok := p.last[k]; ok && bytes.Equal(prev, s.Raw) {
				p.repeats.Add(1)
				continue
			}
			p.last[k] = s.Raw
		}
		t, err := mpegts.ParseTable(s)
		switch {
		case errors.Is(err, mpegts.ErrUnknownTable):
			p.unknown.Add(1)
			continue
		case err != nil:
			p.errs.Add(1)
			if err := p.Errors.Send(ctx, err); err != nil {
				return err
			}
			continue
		}
		p.tables.Add(1)
		if err := p.Out.Send(ctx, t); err != nil {
			return err
		}
	}
	return ctx.Err()
}
