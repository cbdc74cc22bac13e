// Package topology is Kamaelia's TopologyViewer without its window: the
// graph that the viewer's command protocol builds, the particle-physics
// layout that keeps it readable, selection and dragging, and the TCP server
// (TopologyViewerServer, port 1500) that takes the commands as lines of
// text; Viewer is the same as a component, taking token lists on its inbox
// and sending replies on its outbox. Renderers draw a Graph's Snapshot: Draw paints one onto an
// image.RGBA in pure Go (the SDL window of media/topoview shows that
// picture), and Handler serves a web page that draws the same model in a
// browser.
//
// # Commands
//
// A command is a token list; on TCP, one line, tokens separated by spaces,
// quoted with double or single quotes when they hold spaces (Tokenize,
// Quote):
//
//	ADD NODE id name posSpec type   posSpec randompos, auto or x,y; type -,
//	                                component, inbox or outbox
//	DEL NODE id                     the node and its links
//	ADD LINK from to                a directed link
//	DEL LINK from to
//	DEL ALL                         clear
//	GET ALL                         reply TOPOLOGY: DEL ALL, then commands
//	                                that rebuild the graph as it is
//	UPDATE_NAME NODE id name        rename (never creates a node)
//	GET_NAME NODE id                reply UPDATE_NAME NODE id name
//	FREEZE ALL, UNFREEZE ALL        stop and restart the physics
//
// Replies are SELECT (a node clicked, or None when the selection is
// cleared), ERROR (what was wrong with a command, naming it), TOPOLOGY and
// UPDATE_NAME. Unlike Kamaelia, a command about a node or link that does
// not exist, or a node type the viewer does not know, is an ERROR rather
// than an exception or nothing.
//
// # Layout
//
// Linked nodes pull towards the bond length; unlinked nodes closer than the
// repulsion radius push apart, with a force falling with the square of the
// distance; each step velocities are damped (SimpleLaws gives Kamaelia's
// defaults for a bond length). Neighbours are found through a grid of cells
// the size of the repulsion radius, so a step costs about the number of
// nodes times their neighbours, not the square of the number of nodes.
// AxonLaws gives the AxonVisualiser's laws, per pair of node types.
package topology
