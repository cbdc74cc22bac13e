// Package radio holds the community radio of Kamaelia's "Collaborative
// Community Radio": the networked audio mixer matrix and the peer-to-peer
// radio swarm.
//
// The mixer matrix (Matrix) takes three feeds of raw signed 16-bit
// little-endian sound over TCP (two DJs and the music, called PRERECORD on
// the control port), mixes the ones switched on (Mixer, Desk) and serves
// the mix to any number of listeners; a control port takes the original
// matrix's line protocol:
//
//	SWITCH <dest> <source> ONLY|ON|OFF   -> OK or FAIL
//	QUERY <dest> <source>                -> ON, OFF, or for ALL "ON OFF ON"
//
// The default arithmetic multiplies each source by its gain and adds them,
// clipping to the 16-bit range (Saturate); DivideByThree is the original's
// sum divided by 3.
//
// The swarm (SwarmNode) relays one byte stream through a tree of peers: a
// peer asks the root's control port to join (REQCONNECT), is told where to
// read the stream (CONNECT) or, when that node already has its most
// children, sent on to one of them (REQCONNECT), and then serves what it
// reads to children of its own, so that every peer receives the same bytes.
// A node remembers the children it took (at most MaxChildren, so what it
// keeps is bounded however many peers ask) and does not forget one that
// leaves: the protocol does not tie a child's data connection to the
// control address it gave, so a node cannot tell which one went. Join
// passes over a child that cannot be reached.
//
// The package is pure Go: the sound is bytes, mixed sample by sample.
package radio
