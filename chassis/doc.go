// Package chassis holds the shapes Kamaelia systems are built from:
// components that wrap other components up as one, each itself a component,
// so that shapes nest.
//
//   - Pipeline (Pipe): a chain, each outbox to the next inbox and each signal
//     to the next control; CircularPipeline closes it into a ring.
//   - Graphline (Graph): named components wired by a table of linkages.
//   - Carousel: one child at a time, each made from a message on "next".
//   - Seq (Sequence): components run one after another.
//   - PAR (Parallel): components run side by side, their outputs fanned in.
//   - Backplane, PublishTo, SubscribeTo: a named publish/subscribe hub,
//     found through the scheduler's services.
//   - SupervisedGraphline and SupervisedPAR: the same shapes with a Restart
//     policy (one-for-one, all-for-one, a maximum restart intensity), which
//     Kamaelia did not have: there, one crash stopped everything.
//
// A program reads like the diagram of the system:
//
//	err := chassis.Pipeline(
//		internet.NewTCPClient("127.0.0.1:1601"),
//		av.NewDiracDecoder(),
//		timing.NewMessageRateLimit[*frame.Video](15, 15),
//		sdl.NewVideoOverlay(image.Pt(0, 0)),
//	).Run()
//
// (internet, components/timing, media/av, media/frame and media/sdl; the
// VideoOverlay draws on an sdl.Display published in the scheduler's
// services.) Linkages name a Graphline's boxes with Port literals, which
// name their fields outside this package, as go vet requires:
//
//	links := chassis.Linkages{
//		{Component: "READ", Box: "outbox"}: {Component: "CHECK", Box: "inbox"},
//	}
//
// Every chassis makes its links when it is built (Pipeline, Graphline, PAR)
// or as its children change (Carousel, Seq), as passthrough links where it
// forwards its own boxes: the runtime resolves chains of links when they are
// made, so a message crosses any depth of nesting straight into its final
// inbox. A wiring error (boxes of different types, an unknown name) is found
// when the chassis is built: each constructor keeps it, SetupErr returns it,
// and the chassis fails with it as soon as it is activated; NewPipeline and
// NewGraphline also return it.
//
// # Shutdown
//
// Shutdown flows as in Kamaelia, through the control and signal boxes: see
// each type. A chassis activates its children when it is activated, ends
// when they have all ended, and removes the links it made. Shutdown of a
// chassis stops all its children at once. A child that fails makes the
// chassis that holds it shut its other children down and fail with a
// *ChildError naming the child, unless a Restart policy replaces it (after
// a back-off); a supervisor that gives up fails with a *SupervisionError. A
// child that has not ended its scheduler's grace period after it was told
// to stop is given up on, and the chassis fails with an *axon.StuckError
// naming it.
//
// docs/composing.md in the repository shows the shapes together.
package chassis
