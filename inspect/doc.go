// Package inspect is kamaelia-go's live introspector: one call, Start,
// serves a running system's component graph over HTTP, as a web page that
// draws it and updates while it runs, as JSON and as Graphviz DOT, and,
// when asked, in Axon's introspector text protocol: served on a TCP port
// to clients that connect and read, or sent to a viewer that listens
// (Kamaelia's own AxonVisualiser, or kamaelia visualise).
//
//	srv, err := inspect.Start(axon.Default())
//	if err != nil { ... }
//	defer srv.Close()
//	log.Println("inspector:", srv.URL()) // http://127.0.0.1:PORT/
//
// A program with an HTTP server of its own mounts Handler instead:
//
//	mux.Handle("/debug/axon/", http.StripPrefix("/debug/axon", inspect.Handler(sched)))
//
// # What it shows
//
// Everything comes from axon.Scheduler.Snapshot: the components running
// (nested in their parents), each inbox with its fill level (messages
// waiting of its capacity), each outbox with what it dropped while linked
// to nothing, every link (passthroughs dashed), components waiting to send
// into a full inbox, and cycles of them that can never move again
// (axon.Snapshot.Deadlocks), in red. The page is one self-contained file,
// its script and style inline: it loads nothing from elsewhere.
//
// # Endpoints
//
//	GET /               the page
//	GET /snapshot.json  the snapshot as JSON
//	GET /graph.dot      the snapshot as a Graphviz digraph
//	GET /events         Server-Sent Events: a "snapshot" event (the JSON)
//	                    at once and each time the system changes
//
// With WithAxonProtocol, each client of the TCP port gets "DEL ALL" and the
// whole graph as ADD NODE and ADD LINK lines, then the lines that turn it
// into each later state (axon.IntrospectorDiff); WithAxonConnect sends the
// same to a viewer that listens, connecting again whenever it goes. Watch follows an
// inspector's event stream from Go; the kamaelia command's "inspect"
// subcommand is built on it.
//
// # Costs and limits
//
// The system is looked at (one Snapshot, encoded once and shared) every
// WithInterval while at least one event stream or protocol client is open,
// and not at all otherwise. Watchers never hold anything up: each keeps
// only the newest look it has not sent yet, so one that falls behind skips
// states rather than queueing them, and one whose writes block for longer
// than WithWriteTimeout is disconnected. HTTP listens on 127.0.0.1 unless
// WithAddr says otherwise: the inspector shows a program's inside and has
// no authentication. Start's server answers only requests addressed to it
// (its Host header its own address, localhost, a loopback address, or a
// name given to WithAllowedHosts; 403 otherwise), against DNS rebinding;
// it bounds idle connections and slow headers, and every response says
// X-Content-Type-Options: nosniff. A client that half-closes after its
// requests still gets every response whole; an event stream or protocol
// client that half-closes has said it is finished, and its stream ends.
//
// # Shutdown
//
// Server.Close ends every event stream and protocol client, stops
// listening and returns once every goroutine the inspector started has
// exited. It never touches the system inspected. A Handler mounted
// elsewhere stops looking when its last event stream ends.
package inspect
