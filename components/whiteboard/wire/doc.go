// Package wire is the line protocol of Kamaelia's Whiteboard: the escaped
// token-list marshalling (Kamaelia's EscapedListMarshalling) that every
// Whiteboard peer speaks on its drawing port, and the components that turn
// a byte stream into token lists and back.
//
// A message is a List: tokens (strings of any bytes) and nested Lists. On
// the wire it is one line: each token escaped and followed by one space, a
// nested list opened by "[ " and closed by "] ", the line ended by "\n".
// Escaping replaces "%" with "%25" first, then each of the characters NUL,
// the digit 9, LF, CR, space, "[" and "]" with "%" and its code in
// lower-case hex without padding ("%0", "%39", "%a", "%d", "%20", "%5b",
// "%5d"). The digit 9 is Kamaelia's quirk: its substitution set was meant to
// hold TAB but holds the digit, so every 9 is escaped and TAB is not; a peer
// must keep the quirk to be understood. Unescaping undoes the same list in
// the same order, then turns "%25" back into "%".
//
// Reading a line splits it at single spaces and skips empty pieces, so an
// empty token does not survive the trip (as in Kamaelia); "\r" anywhere in
// a line is dropped first, as Kamaelia's chunks_to_lines drops it. A "]"
// with no "[" open, or a "[" never closed, is an error (Kamaelia crashed on
// the first and accepted the second).
//
// The Whiteboard's messages are of two shapes: drawing messages, a List of
// commands, each a List of tokens (Batch and Command), and audio messages,
// the flat list "SOUND" and the encoded audio (Sound).
package wire
