package axon

import (
	"errors"
	"fmt"
)

// ProducerFinished is the shutdown message that means "finish what you have,
// then stop". Sent on a component's control inbox, it lets the component drain
// its inboxes before it ends; the runtime sends it on a component's signal
// outbox when Main returns cleanly. Reason, when set, says why the producer
// finished (end of file, peer closed); a nil Reason is an ordinary end.
//
// It is sent and compared as a value, ProducerFinished{}, never as a
// pointer (see IsShutdownMessage).
type ProducerFinished struct {
	Reason error
}

// String describes the message for logs and console components.
func (p ProducerFinished) String() string {
	if p.Reason == nil {
		return "ProducerFinished"
	}
	return "ProducerFinished: " + p.Reason.Error()
}

// Shutdown is the shutdown message that means "stop now". Sent on a
// component's control inbox it cancels the context given to Main; the runtime
// forwards it on the component's signal outbox when Main returns after it.
// Cancelling the context of a running scheduler is a Shutdown too. Reason,
// when set, says why.
//
// It is sent and compared as a value, Shutdown{}, never as a pointer (see
// IsShutdownMessage).
type Shutdown struct {
	Reason error
}

// String describes the message for logs and console components.
func (s Shutdown) String() string {
	if s.Reason == nil {
		return "Shutdown"
	}
	return "Shutdown: " + s.Reason.Error()
}

// Failure is what the runtime sends on a component's signal outbox when Main
// returned an error or panicked. It is an error itself, so a Failure received
// on a control inbox can be returned or joined as it is. It always travels
// as a pointer, *Failure, the form its methods are declared on.
type Failure struct {
	// Component is the name of the component that failed.
	Component string
	// Err is the error Main returned, or a *PanicError.
	Err error

	// byRuntime marks a failure the runtime made as its component ended:
	// the scheduler records it then, so a composite failing with it is not
	// a second failure (see failureBook.record).
	byRuntime bool
}

// Error reports the component and its error.
func (f *Failure) Error() string { return f.Component + ": " + f.Err.Error() }

// Unwrap returns the component's error.
func (f *Failure) Unwrap() error { return f.Err }

// PanicError is the error of a component whose Main panicked. The runtime
// recovers the panic, so one component's crash never takes the process down.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack when it panicked
}

// Error reports the panic value.
func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	if err, ok := p.Value.(error); ok {
		return err
	}
	return nil
}

// IsShutdownMessage reports whether msg is one of the runtime's shutdown
// messages in its canonical form: a ProducerFinished or Shutdown value, or
// a *Failure. Those are the forms the runtime sends on signal and the only
// forms it acts on when they arrive on control: a *ProducerFinished or
// *Shutdown there is an ordinary message, which stops nothing.
func IsShutdownMessage(msg any) bool {
	switch msg.(type) {
	case ProducerFinished, Shutdown, *Failure:
		return true
	}
	return false
}

var (
	// ErrBoxFull is wrapped by the error of a non-blocking send to an inbox
	// that is at its capacity (Axon's noSpaceInBox). Test with errors.Is; the
	// error is a *FullError naming the box.
	ErrBoxFull = errors.New("axon: box full")

	// ErrFinished is returned by receives once the component has been told
	// ProducerFinished and the inbox is drained, and by a Handle's Get once its
	// component has finished and the box is drained. Main may return it (or
	// wrap it, see Finish) to end cleanly.
	ErrFinished = errors.New("axon: producer finished")

	// ErrAlreadyLinked is wrapped when linking from a box that already has a
	// link: one outbox feeds one destination (fan-out is a splitter's job).
	ErrAlreadyLinked = errors.New("axon: box already linked")

	// ErrTypeMismatch is wrapped when two boxes of incompatible types are linked.
	ErrTypeMismatch = errors.New("axon: box types do not match")

	// ErrNoSuchBox is wrapped when a box is looked up by a name that does not exist.
	ErrNoSuchBox = errors.New("axon: no such box")

	// ErrBoxExists is wrapped when a box is declared with a name already in use.
	ErrBoxExists = errors.New("axon: box already exists")

	// ErrBoxLinked is wrapped when removing a box that is still linked.
	ErrBoxLinked = errors.New("axon: box is still linked")

	// ErrDefaultBox is wrapped when removing one of the boxes every
	// component has ("inbox", "control", "outbox", "signal"): they stay for
	// the component's life.
	ErrDefaultBox = errors.New("axon: default boxes cannot be removed")

	// ErrBoxNotEmpty is wrapped when removing an inbox that still holds
	// messages: they would be lost. Take them first (TryRecv, or Leftovers
	// once the component has finished).
	ErrBoxNotEmpty = errors.New("axon: box still holds messages")

	// ErrNilArgument is wrapped when a nil box, component or link is given
	// where one is needed; the error names the argument.
	ErrNilArgument = errors.New("axon: nil argument")

	// ErrLinkCycle is wrapped when a passthrough link would close a loop.
	ErrLinkCycle = errors.New("axon: link would make a cycle of passthroughs")

	// ErrNotLinked is wrapped by Unlink of a link that is already gone.
	ErrNotLinked = errors.New("axon: not linked")

	// ErrServiceExists is returned when registering a service or tracked
	// value under a name already in use (Axon's ServiceAlreadyExists).
	ErrServiceExists = errors.New("axon: service already exists")

	// ErrServiceUnknown is returned when looking up a service or tracked value
	// that is not registered (Axon's BadComponent / KeyError).
	ErrServiceUnknown = errors.New("axon: unknown service")

	// ErrBadInbox is returned when registering a service on an inbox the
	// component does not have (Axon's BadInbox).
	ErrBadInbox = errors.New("axon: component has no such inbox")
)

// Finish wraps reason so that Main can return it as a clean end: the runtime
// then sends ProducerFinished{Reason: reason} on signal instead of a Failure.
// A nil reason gives ErrFinished.
func Finish(reason error) error {
	if reason == nil {
		return ErrFinished
	}
	return &finishedError{reason}
}

type finishedError struct{ reason error }

func (f *finishedError) Error() string { return "finished: " + f.reason.Error() }
func (f *finishedError) Unwrap() []error {
	return []error{ErrFinished, f.reason}
}

// ReceiverFinishedError is the error of a send to an inbox whose component
// has finished: like a write to a pipe whose reader has gone. It wraps
// ErrFinished, so a component that returns it ends cleanly, with
// ProducerFinished on signal carrying it as the reason.
type ReceiverFinishedError struct {
	Box string // "component.box" of the inbox
}

// Error names the inbox.
func (e *ReceiverFinishedError) Error() string {
	return "axon: " + e.Box + " will take no more: its component has finished"
}

// Unwrap returns ErrFinished.
func (e *ReceiverFinishedError) Unwrap() error { return ErrFinished }

// FullError is the error of a non-blocking send to a full inbox. It wraps
// ErrBoxFull.
type FullError struct {
	Box      string // "component.box" of the full inbox
	Capacity int
}

// Error names the box and its capacity.
func (e *FullError) Error() string {
	return fmt.Sprintf("axon: box %s full (capacity %d)", e.Box, e.Capacity)
}

// Unwrap returns ErrBoxFull.
func (e *FullError) Unwrap() error { return ErrBoxFull }
