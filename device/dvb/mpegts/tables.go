package mpegts

import (
	"errors"
	"fmt"
	"time"

	"github.com/ziutek/dvb/ts/psi"
)

// ErrUnknownTable is wrapped by ParseTable for a table_id it does not parse.
var ErrUnknownTable = errors.New("mpegts: table not parsed")

// Table is a parsed PSI/SI table section: *PAT, *PMT, *SDT, *NIT, *EIT,
// *TDT or *TOT.
type Table interface {
	// Header returns the fields of the section the table came from.
	Header() TableHeader
}

// TableHeader holds the section fields every table has. The long-form
// fields (Version to LastNumber) are zero for TDT and TOT.
type TableHeader struct {
	PID        uint16 // the PID the section arrived on
	TableID    uint8  // table_id
	TableIDExt uint16 // table_id_extension
	Version    uint8  // version_number
	Current    bool   // current_next_indicator
	Number     uint8  // section_number
	LastNumber uint8  // last_section_number
}

// Header returns h itself, so that every table embedding it is a Table.
func (h TableHeader) Header() TableHeader { return h }

func headerOf(s Section) TableHeader {
	return TableHeader{PID: s.PID, TableID: s.TableID, TableIDExt: s.TableIDExt, Version: s.Version,
		Current: s.Current, Number: s.Number, LastNumber: s.LastNumber}
}

// ParseTable parses a section by its table_id: PAT (0x00), PMT (0x02), NIT
// (0x40, 0x41), SDT (0x42, 0x46), EIT (0x4E to 0x6F), TDT (0x70) and TOT
// (0x73). Others give an error wrapping ErrUnknownTable; a section that
// does not follow its table's syntax gives one wrapping ErrSectionSyntax
// or ErrDescriptor.
func ParseTable(s Section) (Table, error) {
	switch t := s.TableID; {
	case t == TableIDPAT:
		return ParsePAT(s)
	case t == TableIDPMT:
		return ParsePMT(s)
	case t == TableIDNITActual || t == TableIDNITOther:
		return ParseNIT(s)
	case t == TableIDSDTActual || t == TableIDSDTOther:
		return ParseSDT(s)
	case t >= TableIDEITActualPF && t <= 0x6F:
		return ParseEIT(s)
	case t == TableIDTDT:
		return ParseTDT(s)
	case t == TableIDTOT:
		return ParseTOT(s)
	}
	return nil, fmt.Errorf("%w: table_id 0x%02x", ErrUnknownTable, s.TableID)
}

func syntaxErr(s Section, format string, args ...any) error {
	return fmt.Errorf("%w: table 0x%02x on PID 0x%04x: %s", ErrSectionSyntax, s.TableID, s.PID, fmt.Sprintf(format, args...))
}

func needLong(s Section, tids ...uint8) error {
	for _, t := range tids {
		if s.TableID == t {
			if !s.Syntax {
				return syntaxErr(s, "section_syntax_indicator not set")
			}
			return nil
		}
	}
	return syntaxErr(s, "wrong table_id, want one of % x", tids)
}

func u16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

// loop splits off a 12-bit length-prefixed loop of descriptors.
func loop(s Section, b []byte, what string) (Descriptors, []byte, error) {
	if len(b) < 2 {
		return nil, nil, syntaxErr(s, "%s length cut short", what)
	}
	n := int(u16(b) & 0x0FFF)
	if len(b) < 2+n {
		return nil, nil, syntaxErr(s, "%s of %d bytes, only %d left", what, n, len(b)-2)
	}
	ds, err := ParseDescriptors(b[2 : 2+n])
	if err != nil {
		return nil, nil, fmt.Errorf("table 0x%02x on PID 0x%04x: %s: %w", s.TableID, s.PID, what, err)
	}
	return ds, b[2+n:], nil
}

// PAT is a program association table section: which PID carries the PMT
// of each program.
type PAT struct {
	TableHeader
	// TransportStreamID is the table_id_extension.
	TransportStreamID uint16
	// NetworkPID is the PID of the NIT (program 0), or 0 if none is listed.
	NetworkPID uint16
	// Programs lists the programs other than 0, in order.
	Programs []PATProgram
}

// PATProgram is one program of a PAT.
type PATProgram struct {
	Number uint16 // program_number, the service_id of DVB
	PMTPID uint16 // the PID of its PMT
}

// ParsePAT parses a PAT section.
func ParsePAT(s Section) (*PAT, error) {
	if err := needLong(s, TableIDPAT); err != nil {
		return nil, err
	}
	if len(s.Data)%4 != 0 {
		return nil, syntaxErr(s, "program loop of %d bytes, not a multiple of 4", len(s.Data))
	}
	p := &PAT{TableHeader: headerOf(s), TransportStreamID: s.TableIDExt}
	for b := s.Data; len(b) >= 4; b = b[4:] {
		num, pid := u16(b), u16(b[2:])&0x1FFF
		if num == 0 {
			p.NetworkPID = pid
			continue
		}
		p.Programs = append(p.Programs, PATProgram{Number: num, PMTPID: pid})
	}
	return p, nil
}

// PMT is a program map table section: the elementary streams of one
// program.
type PMT struct {
	TableHeader
	ProgramNumber uint16      // program_number (the table_id_extension)
	PCRPID        uint16      // the PID that carries the program's PCR
	Descriptors   Descriptors // the program_info descriptors
	Streams       []PMTStream // the elementary streams, in order
}

// PMTStream is one elementary stream of a PMT.
type PMTStream struct {
	Type        psi.StreamType // stream_type
	PID         uint16         // elementary_PID
	Descriptors Descriptors    // the ES_info descriptors
}

// ParsePMT parses a PMT section.
func ParsePMT(s Section) (*PMT, error) {
	if err := needLong(s, TableIDPMT); err != nil {
		return nil, err
	}
	if len(s.Data) < 2 {
		return nil, syntaxErr(s, "no PCR_PID")
	}
	p := &PMT{TableHeader: headerOf(s), ProgramNumber: s.TableIDExt, PCRPID: u16(s.Data) & 0x1FFF}
	ds, b, err := loop(s, s.Data[2:], "program_info")
	if err != nil {
		return nil, err
	}
	p.Descriptors = ds
	for len(b) > 0 {
		if len(b) < 3 {
			return nil, syntaxErr(s, "stream entry cut short")
		}
		st := PMTStream{Type: psi.StreamType(b[0]), PID: u16(b[1:]) & 0x1FFF}
		if st.Descriptors, b, err = loop(s, b[3:], "ES_info"); err != nil {
			return nil, err
		}
		p.Streams = append(p.Streams, st)
	}
	return p, nil
}

// RunningStatus is the running_status of a service or event (EN 300 468
// table 6).
type RunningStatus uint8

// The running statuses.
const (
	StatusUndefined RunningStatus = iota
	StatusNotRunning
	StatusStartsSoon
	StatusPausing
	StatusRunning
	StatusOffAir
)

// String names the status.
func (r RunningStatus) String() string {
	switch r {
	case StatusUndefined:
		return "undefined"
	case StatusNotRunning:
		return "not running"
	case StatusStartsSoon:
		return "starts in a few seconds"
	case StatusPausing:
		return "pausing"
	case StatusRunning:
		return "running"
	case StatusOffAir:
		return "service off-air"
	}
	return fmt.Sprintf("reserved(%d)", uint8(r))
}

// SDT is a service description table section: the services of a transport
// stream, with their names and providers.
type SDT struct {
	TableHeader
	// Actual is true for this transport stream (table 0x42), false for
	// another (0x46).
	Actual            bool
	TransportStreamID uint16       // transport_stream_id (the table_id_extension)
	OriginalNetworkID uint16       // original_network_id
	Services          []SDTService // the services, in order
}

// SDTService is one service of an SDT. Type, Provider and Name come from
// its service_descriptor, if it has one.
type SDTService struct {
	ServiceID           uint16        // service_id
	EITSchedule         bool          // EIT_schedule_flag: a schedule is broadcast
	EITPresentFollowing bool          // EIT_present_following_flag
	RunningStatus       RunningStatus // running_status
	FreeCAMode          bool          // true: scrambled
	Descriptors         Descriptors   // the service's descriptors

	Type     psi.ServiceType // from the service_descriptor
	Provider string          // from the service_descriptor
	Name     string          // from the service_descriptor
}

// ParseSDT parses an SDT section.
func ParseSDT(s Section) (*SDT, error) {
	if err := needLong(s, TableIDSDTActual, TableIDSDTOther); err != nil {
		return nil, err
	}
	if len(s.Data) < 3 {
		return nil, syntaxErr(s, "no original_network_id")
	}
	t := &SDT{TableHeader: headerOf(s), Actual: s.TableID == TableIDSDTActual, TransportStreamID: s.TableIDExt, OriginalNetworkID: u16(s.Data)}
	b := s.Data[3:]
	for len(b) > 0 {
		if len(b) < 3 {
			return nil, syntaxErr(s, "service entry cut short")
		}
		sv := SDTService{
			ServiceID:           u16(b),
			EITSchedule:         b[2]&0x02 != 0,
			EITPresentFollowing: b[2]&0x01 != 0,
		}
		if len(b) >= 4 {
			sv.RunningStatus = RunningStatus(b[3] >> 5)
			sv.FreeCAMode = b[3]&0x10 != 0
		}
		var err error
		if sv.Descriptors, b, err = loop(s, b[3:], "service descriptors"); err != nil {
			return nil, err
		}
		if d, ok := sv.Descriptors.Find(TagService); ok {
			sd, err := d.Service()
			if err != nil {
				return nil, fmt.Errorf("SDT service %d: %w", sv.ServiceID, err)
			}
			sv.Type, sv.Provider, sv.Name = sd.Type, sd.Provider, sd.Name
		}
		t.Services = append(t.Services, sv)
	}
	return t, nil
}

// NIT is a network information table section: the network's name and the
// transport streams (multiplexes) it carries, with how each is delivered.
type NIT struct {
	TableHeader
	// Actual is true for this network (table 0x40), false for another (0x41).
	Actual      bool
	NetworkID   uint16      // network_id (the table_id_extension)
	Descriptors Descriptors // the network descriptors
	// Name comes from the network_name_descriptor, if there is one.
	Name       string
	Transports []NITTransport // the transport streams, in order
}

// NITTransport is one transport stream of a NIT.
type NITTransport struct {
	TransportStreamID uint16      // transport_stream_id
	OriginalNetworkID uint16      // original_network_id
	Descriptors       Descriptors // how it is delivered, its services...
}

// ParseNIT parses a NIT section.
func ParseNIT(s Section) (*NIT, error) {
	if err := needLong(s, TableIDNITActual, TableIDNITOther); err != nil {
		return nil, err
	}
	n := &NIT{TableHeader: headerOf(s), Actual: s.TableID == TableIDNITActual, NetworkID: s.TableIDExt}
	ds, b, err := loop(s, s.Data, "network descriptors")
	if err != nil {
		return nil, err
	}
	n.Descriptors = ds
	if d, ok := ds.Find(TagNetworkName); ok {
		n.Name, _ = d.NetworkName()
	}
	if len(b) < 2 {
		return nil, syntaxErr(s, "no transport_stream_loop_length")
	}
	tl := int(u16(b) & 0x0FFF)
	b = b[2:]
	if len(b) != tl {
		return nil, syntaxErr(s, "transport stream loop of %d bytes, %d in the section", tl, len(b))
	}
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, syntaxErr(s, "transport stream entry cut short")
		}
		ts := NITTransport{TransportStreamID: u16(b), OriginalNetworkID: u16(b[2:])}
		if ts.Descriptors, b, err = loop(s, b[4:], "transport descriptors"); err != nil {
			return nil, err
		}
		n.Transports = append(n.Transports, ts)
	}
	return n, nil
}

// EIT is an event information table section: events of one service, either
// the present and following ones (table 0x4E for this transport stream,
// 0x4F for another) or a schedule (0x50 to 0x5F, 0x60 to 0x6F). In a
// present/following table, section 0 holds the present event and section 1
// the following one.
type EIT struct {
	TableHeader
	ServiceID         uint16  // service_id (the table_id_extension)
	TransportStreamID uint16  // transport_stream_id
	OriginalNetworkID uint16  // original_network_id
	SegmentLastNumber uint8   // segment_last_section_number
	LastTableID       uint8   // last_table_id
	Events            []Event // the events, in order
}

// Actual reports whether the table describes this transport stream.
func (e *EIT) Actual() bool {
	return e.TableID == TableIDEITActualPF || e.TableID >= TableIDEITActualSch && e.TableID <= 0x5F
}

// PresentFollowing reports whether the table is a present/following one.
func (e *EIT) PresentFollowing() bool {
	return e.TableID == TableIDEITActualPF || e.TableID == TableIDEITOtherPF
}

// Event is one event (programme) of an EIT. Name, Text and Language come
// from its first short_event_descriptor, if it has one.
type Event struct {
	EventID       uint16        // event_id
	Start         time.Time     // UTC; zero when undefined
	Duration      time.Duration // duration
	RunningStatus RunningStatus // running_status
	FreeCAMode    bool          // true: scrambled
	Descriptors   Descriptors   // the event's descriptors

	Language string // from the short_event_descriptor
	Name     string // from the short_event_descriptor
	Text     string // from the short_event_descriptor
}

// ParseEIT parses an EIT section.
func ParseEIT(s Section) (*EIT, error) {
	if s.TableID < TableIDEITActualPF || s.TableID > 0x6F {
		return nil, syntaxErr(s, "not an EIT table_id")
	}
	if err := needLong(s, s.TableID); err != nil {
		return nil, err
	}
	if len(s.Data) < 6 {
		return nil, syntaxErr(s, "header cut short")
	}
	e := &EIT{TableHeader: headerOf(s), ServiceID: s.TableIDExt, TransportStreamID: u16(s.Data),
		OriginalNetworkID: u16(s.Data[2:]), SegmentLastNumber: s.Data[4], LastTableID: s.Data[5]}
	b := s.Data[6:]
	for len(b) > 0 {
		if len(b) < 12 {
			return nil, syntaxErr(s, "event entry cut short")
		}
		ev := Event{EventID: u16(b)}
		var err error
		if ev.Start, err = DecodeMJDUTC(b[2:7]); err != nil {
			return nil, fmt.Errorf("EIT service %d event %d start: %w", e.ServiceID, ev.EventID, err)
		}
		if ev.Duration, err = DecodeBCDDuration(b[7:10]); err != nil {
			return nil, fmt.Errorf("EIT service %d event %d duration: %w", e.ServiceID, ev.EventID, err)
		}
		ev.RunningStatus = RunningStatus(b[10] >> 5)
		ev.FreeCAMode = b[10]&0x10 != 0
		if ev.Descriptors, b, err = loop(s, b[10:], "event descriptors"); err != nil {
			return nil, err
		}
		if d, ok := ev.Descriptors.Find(TagShortEvent); ok {
			se, err := d.ShortEvent()
			if err != nil {
				return nil, fmt.Errorf("EIT service %d event %d: %w", e.ServiceID, ev.EventID, err)
			}
			ev.Language, ev.Name, ev.Text = se.Language, se.Name, se.Text
		}
		e.Events = append(e.Events, ev)
	}
	return e, nil
}

// TDT is a time and date table: the current UTC time.
type TDT struct {
	TableHeader
	UTC time.Time // the time now
}

// ParseTDT parses a TDT section.
func ParseTDT(s Section) (*TDT, error) {
	if s.TableID != TableIDTDT || s.Syntax {
		return nil, syntaxErr(s, "not a TDT (table 0x70, short form)")
	}
	if len(s.Data) != 5 {
		return nil, syntaxErr(s, "%d bytes of UTC time, want 5", len(s.Data))
	}
	t, err := DecodeMJDUTC(s.Data)
	if err != nil {
		return nil, fmt.Errorf("TDT: %w", err)
	}
	return &TDT{TableHeader: headerOf(s), UTC: t}, nil
}

// TOT is a time offset table: the current UTC time and the local time
// offsets in force.
type TOT struct {
	TableHeader
	UTC         time.Time   // the time now
	Descriptors Descriptors // the descriptors
	// Offsets are those of the local_time_offset_descriptors.
	Offsets []LocalTimeOffset
}

// ParseTOT parses a TOT section.
func ParseTOT(s Section) (*TOT, error) {
	if s.TableID != TableIDTOT || s.Syntax {
		return nil, syntaxErr(s, "not a TOT (table 0x73, short form)")
	}
	if len(s.Data) < 7 {
		return nil, syntaxErr(s, "%d bytes, too short for UTC time and descriptor loop", len(s.Data))
	}
	t := &TOT{TableHeader: headerOf(s)}
	var err error
	if t.UTC, err = DecodeMJDUTC(s.Data[:5]); err != nil {
		return nil, fmt.Errorf("TOT: %w", err)
	}
	ds, rest, err := loop(s, s.Data[5:], "descriptors")
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, syntaxErr(s, "%d bytes after the descriptor loop", len(rest))
	}
	t.Descriptors = ds
	for _, d := range ds {
		if d.Tag != TagLocalTimeOffset {
			continue
		}
		lto, err := d.LocalTimeOffset()
		if err != nil {
			return nil, fmt.Errorf("TOT: %w", err)
		}
		t.Offsets = append(t.Offsets, lto...)
	}
	return t, nil
}
