// Package mpegts parses MPEG-2 transport streams (ISO/IEC 13818-1) and the
// DVB service information carried in them (ETSI EN 300 468): 188-byte
// packets, their adaptation fields and PES headers, PSI/SI sections
// reassembled across packets with their CRC checked, and the tables PAT,
// PMT, SDT, NIT, EIT, TDT and TOT with the descriptors they carry.
//
// It is pure Go, with no cgo and no goroutines, and knows nothing of the
// axon runtime: the components of package dvb are built on it. Field access
// on packets interoperates with github.com/ziutek/dvb/ts (Packet.Pkt), and
// DVB text is decoded with github.com/ziutek/dvb/ts/psi.
//
// Every parser here takes untrusted bytes. Malformed input gives an error
// that wraps one of the Err* values of this package and names what was
// wrong; it never panics and never reads outside its input. The parsers are
// fuzzed (see the Fuzz* targets in the tests).
//
// The pieces, in the order data flows through them:
//
//   - Aligner turns an arbitrary byte stream (a device, a file, a pipe, a
//     TCP connection) into runs of whole, aligned packets (Packets), finding
//     the sync byte again when it is lost, and counts what it skipped.
//   - Packet gives the header fields of one packet, its adaptation field
//     (ParseAdaptationField) and its payload.
//   - Assembler reassembles PSI/SI sections from the packets of any number
//     of PIDs, checks their length and CRC, and counts what it dropped.
//   - ParseTable turns a Section into a *PAT, *PMT, *SDT, *NIT, *EIT, *TDT
//     or *TOT; ParseDescriptors and the Descriptor methods decode what the
//     tables carry.
package mpegts
