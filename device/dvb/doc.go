// Package dvb receives digital terrestrial television (DVB-T and DVB-T2)
// with the components of Kamaelia's Kamaelia.Device.DVB, on the axon
// runtime: tuning, PID filtering, transport stream demultiplexing, and the
// PSI/SI tables with now-and-next programme information.
//
// The article's DVB source reads like the diagram of the system:
//
//	Multiplex(505.833 MHz, all PIDs) --> Demuxer --"eit"--> SectionReassembler --> TableParser
//	                                                   --> NowNextServiceFilter --> NowNextChanges
//
// The components:
//
//   - Tuner tunes a frontend, waits for the lock (or fails naming what was
//     missing) and reports the signal.
//   - Multiplex tunes, sets PID filters, reads the DVR and sends whole,
//     aligned 188-byte packets (mpegts.Packets), never split across
//     messages; it retunes and changes PIDs on request.
//   - Packetizer aligns transport stream bytes from any other source (a TCP
//     connection, a pipe) the same way.
//   - Demuxer sends the packets of each PID to outboxes named for them,
//     dropping and counting packets with transport errors or scrambling
//     and counting continuity gaps; DemuxerService does the same for
//     components that ask at run time, through the service registry.
//   - SectionReassembler and TableParser turn packets into checked
//     sections and those into PAT, PMT, SDT, NIT, EIT, TDT and TOT
//     (package mpegts parses them).
//   - NowNextServiceFilter and NowNextChanges follow the present and
//     following programmes of chosen services; ProgrammeJunctions (on a
//     JunctionDetector) tells a new programme (a junction: a new present
//     event_id) from an amended description of the same one.
//
// The device is reached through a narrow seam, the Device interface (a
// Frontend, PID Filters and a DVR reader). LinuxAdapter is the real one,
// on the Linux DVB API through github.com/ziutek/dvb; FileDevice and
// ReaderDevice play a recorded or streamed transport stream through the
// same code, and package dvbtest fakes a frontend that locks or does not.
//
// Every component ends as axon's components do: ProducerFinished on control
// makes it finish what it has and end cleanly, Shutdown stops it at once,
// closing any device it holds, even while a device read is blocked. See
// docs/dvb.md for the boxes of each component, how to run them on a real
// adapter, and what is tested how.
package dvb
