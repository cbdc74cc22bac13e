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
//
// # Lock order
//
// Sends take no package-wide lock: an outbox's route is one atomic load, and
// a send locks only the inbox it lands in. Where the runtime holds more than
// one lock at a time, it takes them in this order, outermost first:
//
//  1. Handle.put or a handleInbox.mu: a Handle's own, held across a send
//     (Put) or a receive (Get).
//  2. topo, the topology lock (link.go): the link graph, every box's next
//     and ups, and the resolution of routes. Linking, unlinking, RemoveBox,
//     RemoveChild, a finishing component's unlinking and Snapshot take it.
//     A send takes it only when its route was cut and it waits for a new
//     one (Outbox.waitRoute), holding no inbox's or component's lock.
//  3. Inbox.mu, an inbox's lock: its queue, its forward and who waits for
//     room. Two inbox locks are held together only under topo (moving the
//     messages of an inbox that becomes forwarded, or giving a finished
//     child's back to its parent), so no two such pairs are taken at once
//     and their order cannot deadlock.
//  4. Core.mu, a component's lock: its boxes, children, links and name.
//     Taken inside an inbox's lock when a shutdown message lands on control
//     (observeControl cancels the component) and when an error names a box
//     ("component.box" reads the component's name). Two components' locks
//     are never held together: a parent and its children are told and
//     adopted one lock at a time.
//  5. runCtx.mu, a component context's lock: leaf, taken inside Core.mu.
//
// Scheduler.mu and Registry.mu are leaves: nothing is taken inside them.
//
// So nothing may take an inbox's lock, or topo, while holding Core.mu:
// Core.AnyReady holds its component's lock while it asks every inbox for
// its length, which is why Inbox.Len (and DataReady) read two atomic
// counters and take no lock. Wake-ups (Core.notify, a waiter's channel)
// never block and take no lock, so they may be sent with any lock held.
package axon
