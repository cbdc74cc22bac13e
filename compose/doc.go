// Package compose is Kamaelia's Compose for kamaelia-go: design a system
// in the browser from a launch.Registry's components, see it as a launch
// description and as Go source while you draw, run it in-process with the
// live inspector, and save it as JSON.
//
//	srv := compose.New(catalog.New(catalog.Stdio()), compose.Options{})
//	l, err := compose.Start(srv, "127.0.0.1:0")
//	if err != nil { ... }
//	defer l.Close()
//	log.Println("Compose:", l.URL())
//
// `kamaelia compose` (and any program's, through launch/cli) is this.
//
// # The design and its rules
//
// A Design is components (each a Registry entry, a uid from 1, the
// properties set) and links from box to box. The Editor changes it one
// operation at a time (Add, Set, Link, Remove, Unlink, Move, Clear, Load)
// (and ImportLaunch reads a launch description into one) and refuses,
// with ErrRefused and the launcher's own words, what the
// launcher would refuse: a link from an inbox or to an outbox, a second
// link from one outbox, boxes whose types do not match, an unknown
// component or box. The checks are launch's (Registry.CheckLinks on the
// design written as a description), not a copy of them. Properties are
// checked as they are typed (Check: a value not of its kind, a required
// property left empty) and the design runs only when there is no Problem.
// A link of outbox to inbox brings signal to control with it, as a launch
// description's '!' does. Each operation also returns the TopologyViewer
// commands (ADD NODE, ADD LINK, DEL NODE, DEL LINK) that Kamaelia's
// Compose sent its topology view for the same change (Topology).
//
// # What it generates
//
// Each component is labelled as Kamaelia's Compose labelled it: its type
// abbreviated, then its uid (Abbreviate: ReadFileAdaptor uid 1 is RFA1).
// Launch writes the design as a launch description of named elements and
// references; GoSource writes a Go program that makes each component with
// its Registry entry (launch.Registry.Make), joins them in a
// chassis.Graphline by their labels and runs it. GoCatalog says which
// packages register the entries in the generated program.
//
// # The page and its API
//
// Server serves one Editor: the page (one self-contained file, embedded,
// loading nothing from elsewhere) and a JSON API:
//
//	GET  /                 the page
//	GET  /api/palette      every Registry entry: boxes, types, properties
//	GET  /api/state        the View: design, labels, problems, launch, Go, run
//	POST /api/add          {"type", "x", "y"}
//	POST /api/set          {"uid", "prop", "value", "unset"}
//	POST /api/link         {"from": {"uid", "box"}, "to": {"uid", "box"}}
//	POST /api/remove       {"uid"}
//	POST /api/unlink       {"uid", "box"}: every link of the box
//	POST /api/move         {"uid", "x", "y"}
//	POST /api/clear
//	POST /api/launch       {"launch"}: the design a launch description makes
//	GET  /api/design.json  the design, to save
//	POST /api/design.json  a design to load
//	POST /api/run          build and run the design; POST /api/stop
//	GET  /api/run          the run's status; ?wait=1 waits until it ends
//	GET  /run/             the inspector of the run (inspect.Handler)
//
// An operation answers with a Result: the View after it and its topology
// commands; a refused one with 409 Conflict and why, a malformed one with
// 400. Start serves a Server on an address of its own, on the loopback
// interface by default: Compose runs what its page tells it to, so it is
// not for a network others reach. For the same reason it serves its own
// page only: a request addressed to a host name other than localhost, an
// IP address or Options.AllowedHosts is refused (403, against DNS
// rebinding), and so is a POST not sent as application/json (415) or from
// another origin (403), which a page elsewhere could make a browser send.
//
// # Running
//
// Run builds the design's launch description with the Registry on a
// scheduler of its own and runs it in the process, with the inspector at
// /run/; Stop shuts it down and waits for it; the design can then be
// edited and run again. Components that write to the console write to the
// Env the Registry's catalogue was made with (the terminal of `kamaelia
// compose`).
package compose
