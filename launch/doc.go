// Package launch builds a running system from one line of text, the way
// gst-launch builds a GStreamer pipeline: components from a Registry, their
// properties, and the links between them.
//
//	ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601
//
// is a chassis.Pipeline of a file.ReadFileAdaptor and a chassis.Single, each
// made by its Registry entry from the properties given. A description with
// named elements and references to them is a chassis.Graphline instead:
//
//	UnixProcess name=p command="ls /nonexistent" ! ConsoleEchoer  p.stderr ! ToString ! ConsoleEchoer
//
// # Syntax
//
// A description is one or more chains; a chain is elements and references
// joined by '!'. An element is a component's name followed by its
// properties, name=value; the property "name" names the element (else it is
// called after its component: ReadFileAdaptor0, ReadFileAdaptor1, ...).
// A reference, "p." or "p.box", is an element named elsewhere in the
// description, before or after. A value is a word, a quoted string ("a b",
// with \" \\ \n \t \r escapes) or a list, {a, b, "c d"}. '#' starts a comment
// that runs to the end of the line.
//
// Each '!' links an outbox to an inbox: "outbox" to "inbox" unless a
// reference names a box. A link between the default boxes also links the
// source's "signal" to the destination's "control", as a Pipeline does, so a
// chain drains and stops from its head.
//
// # Errors
//
// Parse and Registry.Build return an *Error that says where (line:column)
// and what went wrong, wrapping a sentinel for its class: ErrSyntax,
// ErrUnknownComponent, ErrUnknownProperty, ErrBadValue, ErrMissingProperty,
// ErrDuplicate, ErrUnknownElement, ErrUnknownBox, axon.ErrAlreadyLinked,
// axon.ErrTypeMismatch (boxes whose types do not match, by axon's own rule
// and in its words), ErrConstruct (an entry could not make its
// component: a port in use) and ErrRegistry (an entry that does not describe
// its component truly). Building makes no component at all unless the whole
// description is valid as far as names, properties and values go.
//
// # Registry
//
// An Entry declares a component's name, a one-line summary, its typed
// properties (string, int, float, bool, duration, list of strings) with
// defaults and docs, its boxes, and a constructor that takes the checked
// property values (Args). The declared boxes are checked against the
// component each time one is built, so the listing that Registry.WriteList
// and Registry.WriteEntry print (kamaelia launch --help) stays true to the
// code. The package imports only axon and chassis; catalogues of concrete
// components are packages of their own (launch/catalog, media/catalog)
// that programs import and extend, and launch/cli is the command line of
// any Registry.
//
// docs/launch.md in the repository has the syntax, examples and every error
// message.
package launch
