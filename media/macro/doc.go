//go:build cgo

// Package macro records every programme of a DVB multiplex, transcodes it
// and publishes the recordings as feeds: Kamaelia Macro ("captures and
// transcodes all BBC TV content"), and the same pattern for radio
// podcasts.
//
// A recorder is two steps that can run apart:
//
//		Multiplex --> Capture --Programme--> Transcoder --Recording--> (feeds)
//
//	  - Capture follows the multiplex's PAT, PMTs, SDT and EIT
//	    present/following and writes each chosen service's packets into one
//	    raw transport stream per programme, cut at programme junctions (a new
//	    present event_id: dvb.JunctionDetector; a corrected description is
//	    an amendment, not a new programme). Several services of one
//	    multiplex are recorded at once, each split at its own junctions; what
//	    comes before a service's first present event goes to a "pre"
//	    recording. Each programme captured is sent as a Programme: the
//	    service, its channel name from the SDT, the event's id, name,
//	    description, genres, start and duration, whether it was cut short,
//	    and the capture's path.
//	  - Transcode (a plain function; Transcoder is the component around it)
//	    encodes a Programme with each Profile (LO: H.264 at 200 kbit/s, 320
//	    wide; HI: 512 kbit/s, 640 wide; AAC, in MP4; MP3 or the broadcast MPEG
//	    audio for radio) into DIR/encoding, and renames each file into
//	    DIR/finished only once the encoder has flushed and the muxer closed
//	    the file: the commit point. A .DONE marker follows each file, and a
//	    .META file (the Recording as JSON) the programme. Committing the same
//	    programme twice is harmless, so a work queue may hand a programme to
//	    another worker after one died. TranscodeWithProgress also reports
//	    each file's progress while it is in DIR/encoding.
//	  - Server is the web front end on net/http: the recordings per channel,
//	    each channel an RSS 2.0 feed with enclosures (podcasts for radio),
//	    a search by name, description and genre, and the files with range
//	    requests.
//
// Package macrotest generates a multiplex to record: pictures and sound
// that FFmpeg decodes, with the tables and the programme junctions a test
// asks for. The kamaelia command's "macro" subcommand puts it all
// together. See docs/macro.md.
package macro
