// Package whiteboard is Kamaelia's Whiteboard rebuilt on kamaelia-go: a
// collaborative whiteboard whose peers draw on each other's canvases over
// TCP, wire-compatible with Kamaelia 1.x Whiteboard peers (the line
// protocol is package wire).
//
// The parts, each a component or a plain Go type usable alone:
//
//   - Canvas, the drawing engine: an RGB raster on image.RGBA that carries
//     out CLEAR, NEW, LINE, CIRCLE, WRITE, LOAD, SAVE, GETIMG and SETIMG as
//     pygame drew them (1-pixel lines, filled discs, text, no
//     antialiasing), so that tests need no window; CanvasComponent runs
//     one and reports each change on "updates", the hook a display (such
//     as an SDL window) draws from.
//   - Painter turns mouse events into LINE and eraser CIRCLE commands.
//   - History, the page history (Kamaelia's CheckpointSequencer): pages
//     kept as slide.N.png files, checkpoint, new page, previous and next,
//     delete with renumbering, undo; decks of pages saved and loaded as
//     zip files.
//   - Peer, one whiteboard: a local sketcher and any number of
//     connections, made with Serve (--serveport) and Connect (--connectto)
//     at once, joined by a backplane the way Kamaelia joined them, with a
//     sender id and sequence number on each message so that a cycle of
//     connections does not circulate messages for ever.
//   - Recorder and Player: record the lines of a session with their time
//     offsets, and play them into a live session with the original timing.
package whiteboard
