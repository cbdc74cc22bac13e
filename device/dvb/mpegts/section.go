package mpegts

import (
	"errors"
	"fmt"
)

// Errors of section parsing and reassembly. Errors returned by this package
// wrap them: test with errors.Is.
var (
	// ErrCRC is wrapped when a section's CRC_32 does not match its bytes.
	ErrCRC = errors.New("mpegts: section CRC mismatch")
	// ErrSectionTooLong is wrapped when a section_length exceeds what its
	// table allows (1021 for PSI and most SI, 4093 for EIT and private
	// sections).
	ErrSectionTooLong = errors.New("mpegts: section longer than allowed")
	// ErrSectionTruncated is wrapped when a section ends before its
	// section_length says (in the bytes given, or because the next section
	// started before it was complete).
	ErrSectionTruncated = errors.New("mpegts: section truncated")
	// ErrSectionSyntax is wrapped when a section's header or body does not
	// follow the syntax of its table.
	ErrSectionSyntax = errors.New("mpegts: bad section syntax")
	// ErrPointerField is wrapped when a pointer_field points past the end
	// of its packet's payload.
	ErrPointerField = errors.New("mpegts: pointer_field past the end of the payload")
	// ErrContinuity is wrapped when packets of a PID were lost (a gap in
	// the continuity counter) while a section was being reassembled: the
	// section is dropped.
	ErrContinuity = errors.New("mpegts: continuity counter gap")
	// ErrTransportError is wrapped when a packet with the
	// transport_error_indicator set arrives in a section: the section is
	// dropped.
	ErrTransportError = errors.New("mpegts: packet with transport error")
	// ErrScrambled is wrapped when a scrambled packet arrives where a
	// section was expected.
	ErrScrambled = errors.New("mpegts: scrambled packet")
)

// Table IDs (ISO/IEC 13818-1 table 2-31, EN 300 468 table 2).
const (
	TableIDPAT          = 0x00
	TableIDCAT          = 0x01
	TableIDPMT          = 0x02
	TableIDNITActual    = 0x40
	TableIDNITOther     = 0x41
	TableIDSDTActual    = 0x42
	TableIDSDTOther     = 0x46
	TableIDBAT          = 0x4A
	TableIDEITActualPF  = 0x4E // present/following, this transport stream
	TableIDEITOtherPF   = 0x4F // present/following, another transport stream
	TableIDEITActualSch = 0x50 // schedule, this transport stream: 0x50-0x5F
	TableIDEITOtherSch  = 0x60 // schedule, another transport stream: 0x60-0x6F
	TableIDTDT          = 0x70
	TableIDTOT          = 0x73
	TableIDStuffing     = 0x72
)

// MaxSectionLength returns the largest section_length allowed for a table:
// 1021 bytes for the PSI tables and the SI tables NIT, SDT, BAT, TDT and TOT
// (sections of at most 1024 bytes), 4093 for EIT and private sections (at
// most 4096 bytes).
func MaxSectionLength(tableID uint8) int {
	switch {
	case tableID <= 0x03, tableID >= 0x40 && tableID <= 0x4D, tableID >= 0x70 && tableID <= 0x7F:
		return 1021
	}
	return 4093
}

// Section is one PSI/SI section, checked: its length fits its bytes and its
// table, and its CRC (when it has one) matches. Data and Raw share the
// memory the section was parsed from.
type Section struct {
	// PID is the PID the section arrived on (set by Assembler; ParseSection
	// leaves it 0).
	PID uint16
	// TableID is the table_id.
	TableID uint8
	// Syntax is the section_syntax_indicator: the long form, with the
	// fields below and a CRC.
	Syntax bool
	// Private is the private_indicator bit.
	Private bool
	// TableIDExt is the table_id_extension (long form): the
	// transport_stream_id of a PAT, program_number of a PMT, service_id of
	// an EIT, and so on.
	TableIDExt uint16
	// Version is the version_number (long form), 0 to 31.
	Version uint8
	// Current is the current_next_indicator (long form): false for a table
	// not yet in force.
	Current bool
	// Number and LastNumber are section_number and last_section_number
	// (long form).
	Number, LastNumber uint8
	// Data is the body: the bytes after the header and before the CRC.
	Data []byte
	// Raw is the whole section, from table_id to the end of the CRC.
	Raw []byte
}

// hasCRC reports whether a section ends with a CRC_32: the long form, and
// the TOT, which is short but carries one.
func hasCRC(tableID uint8, syntax bool) bool { return syntax || tableID == TableIDTOT }

// ParseSection checks and parses the section at the start of b (bytes after
// it are ignored). It fails, with an error wrapping ErrSectionTruncated,
// ErrSectionTooLong, ErrSectionSyntax or ErrCRC, when b is shorter than the
// section's length, the length exceeds MaxSectionLength or cannot hold the
// header and CRC, or the CRC does not match.
func ParseSection(b []byte) (Section, error) {
	if len(b) < 3 {
		return Section{}, fmt.Errorf("%w: %d bytes, no room for a section header", ErrSectionTruncated, len(b))
	}
	s := Section{TableID: b[0], Syntax: b[1]&0x80 != 0, Private: b[1]&0x40 != 0}
	length := int(b[1]&0x0F)<<8 | int(b[2])
	if max := MaxSectionLength(s.TableID); length > max {
		return Section{}, fmt.Errorf("%w: table 0x%02x section_length %d, at most %d", ErrSectionTooLong, s.TableID, length, max)
	}
	if len(b) < 3+length {
		return Section{}, fmt.Errorf("%w: table 0x%02x section_length %d, only %d bytes", ErrSectionTruncated, s.TableID, length, len(b)-3)
	}
	s.Raw = b[: 3+length : 3+length]
	body := s.Raw[3:]
	if s.Syntax {
		if length < 5+4 {
			return Section{}, fmt.Errorf("%w: table 0x%02x section_length %d too short for the long header and CRC", ErrSectionSyntax, s.TableID, length)
		}
		s.TableIDExt = uint16(body[0])<<8 | uint16(body[1])
		s.Version = body[2] >> 1 & 0x1F
		s.Current = body[2]&1 != 0
		s.Number, s.LastNumber = body[3], body[4]
		body = body[5:]
		if s.Number > s.LastNumber {
			return Section{}, fmt.Errorf("%w: table 0x%02x section_number %d after last_section_number %d", ErrSectionSyntax, s.TableID, s.Number, s.LastNumber)
		}
	}
	if hasCRC(s.TableID, s.Syntax) {
		if len(body) < 4 {
			return Section{}, fmt.Errorf("%w: table 0x%02x has no room for its CRC", ErrSectionSyntax, s.TableID)
		}
		want := uint32(s.Raw[len(s.Raw)-4])<<24 | uint32(s.Raw[len(s.Raw)-3])<<16 | uint32(s.Raw[len(s.Raw)-2])<<8 | uint32(s.Raw[len(s.Raw)-1])
		if got := CRC32(s.Raw[:len(s.Raw)-4]); got != want {
			return Section{}, fmt.Errorf("%w: table 0x%02x carries 0x%08x, bytes give 0x%08x", ErrCRC, s.TableID, want, got)
		}
		body = body[:len(body)-4]
	}
	s.Data = body
	return s, nil
}

// crcTable is the table of the MPEG-2 CRC-32, most significant bit first.
var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC32 returns the CRC-32/MPEG-2 of b (polynomial 0x04C11DB7, initial
// value 0xFFFFFFFF, not reflected, no final XOR): the CRC_32 of PSI/SI
// sections. A section's CRC over all its bytes, CRC included, is 0.
func CRC32(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

// AppendCRC32 appends the CRC32 of b to b, big-endian, as a section ends.
func AppendCRC32(b []byte) []byte {
	c := CRC32(b)
	return append(b, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
}
