// Package axon is the runtime of kamaelia-go: components with named, typed
// inboxes and outboxes, links between them, and a scheduler that runs,
// waits for and supervises them. It is the Go counterpart of BBC Research's
// Axon, the runtime under Kamaelia.
//
// A component is a struct that embeds Core and has a Main method. Main runs
// in its own goroutine once the component is activated; it takes messages
// from its inboxes and sends messages on its outboxes, and owns what it took
// until it sends it on: components share no state. Every component has the
// inboxes "inbox" and "control" and the outboxes "outbox" and "signal"; more
// are declared with NewInbox and NewOutbox, while running too.
//
// Linking an outbox to an inbox makes the sends of one the messages of the
// other, the way a Unix pipe joins two programs. Composites forward their own
// boxes to their children's with passthrough links; a send always lands in
// the final inbox directly, however long the chain. Inboxes are bounded
// (DefaultCapacity unless set), so a slow consumer slows its producer instead
// of filling memory.
//
// Shutdown travels as messages: ProducerFinished on control means "finish
// what you have, then stop"; Shutdown means "stop now" and cancels the
// component's context. When Main returns, the runtime sends the outcome on
// signal (ProducerFinished, the Shutdown, or a *Failure), so linking each
// component's signal to the next one's control makes a pipeline drain and
// stop from its head. A panic in a component is recovered and reported the
// same way; it never takes the process down.
//
// A component that needs goroutines of its own starts them with Core.Go (a
// Feed carries what a producer goroutine reads into an inbox; a Waker lets
// a library's callback wake Main), so that their panics are reported and
// the runtime waits for them. When every component of a scheduler waits on
// its boxes and nothing can wake any of them, Run returns a *DeadlockError
// naming them instead of hanging: see Scheduler for the rule.
//
// Scheduler.Snapshot shows the live system; it renders as JSON, as Graphviz
// DOT and as Axon's introspector protocol, and names cycles of components
// stuck on full boxes. A Handle drives a component from plain Go code, and
// the scheduler's Registry (Axon's CAT) holds named services.
//
// The package uses only the standard library and no cgo.
package axon
