package chassis

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// member is what a chassis needs of a child: the methods every component
// has through the axon.Core it embeds.
type member = axon.CoreComponent

// asMember returns comp as a member, or an error when comp is nil or hides
// the methods of axon.Core behind methods of its own.
func asMember(comp axon.Component) (member, error) {
	if comp == nil {
		return nil, errors.New("nil component")
	}
	m, ok := comp.(member)
	if !ok {
		return nil, fmt.Errorf("%T does not expose the methods of axon.Core", comp)
	}
	return m, nil
}

// inboxOf returns m's inbox called name, or an error listing m's inboxes.
func inboxOf(m member, name string) (axon.Box, error) {
	if b, ok := m.Inbox(name); ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s has no inbox %q (inboxes: %s)", axon.ErrNoSuchBox, m.Name(), name, boxList(m.Inboxes()))
}

// outboxOf returns m's outbox called name, or an error listing m's outboxes.
func outboxOf(m member, name string) (axon.Box, error) {
	if b, ok := m.Outbox(name); ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s has no outbox %q (outboxes: %s)", axon.ErrNoSuchBox, m.Name(), name, boxList(m.Outboxes()))
}

func boxList(bs []axon.Box) string {
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name()
	}
	return strings.Join(names, ", ")
}

// assignable reports whether messages of src may go to a box of dst: the
// rule axon.Link applies.
func assignable(src, dst reflect.Type) bool {
	return src == dst || (dst.Kind() == reflect.Interface && src.Implements(dst))
}

// sameType returns the type every box has, or false when they differ.
func sameType(boxes []axon.Box) (reflect.Type, bool) {
	if len(boxes) == 0 {
		return nil, false
	}
	t := boxes[0].Type()
	for _, b := range boxes[1:] {
		if b.Type() != t {
			return nil, false
		}
	}
	return t, true
}

// ChildError is the error a chassis fails with when one of its children
// failed and no supervision restarts it. It names the child as the chassis
// knows it: "stage 2" of a Pipeline, the name given to a Graphline, the
// position in a PAR or a Seq.
type ChildError struct {
	Child string // the child, as the chassis names it
	Err   error  // the child's failure: an *axon.Failure
}

// Error names the child and its failure.
func (e *ChildError) Error() string { return fmt.Sprintf("child %s failed: %v", e.Child, e.Err) }

// Unwrap returns the child's failure.
func (e *ChildError) Unwrap() error { return e.Err }

// graceOr is how long a chassis waits for a child it told to stop (a
// Shutdown, or a restart under AllForOne) before it gives up on it: d when
// the chassis was given one (SetGrace), else its scheduler's grace period
// (axon.Scheduler.SetGracePeriod, axon.DefaultGracePeriod unless set). A
// child that ignores its context must not keep its chassis, and so its
// whole system, from ending.
func graceOr(owner interface{ Scheduler() *axon.Scheduler }, d time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	if s := owner.Scheduler(); s != nil {
		return s.GracePeriod()
	}
	return axon.DefaultGracePeriod
}

// awaitEnd waits for m to end, for grace at most, and reports whether it did.
func awaitEnd(m member, grace time.Duration) bool {
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-m.Done():
		return true
	case <-t.C:
		return false
	}
}

// ErrNoChildren is the setup error of a Pipeline or Seq given no components.
var ErrNoChildren = errors.New("chassis: no components given")

// allDone reports whether every member has finished.
func allDone(ms []member) bool {
	for _, m := range ms {
		if m.State() != axon.Finished {
			return false
		}
	}
	return true
}

// failedAt returns the index of the first member that has finished with a
// failure, or -1.
func failedAt(ms []member) int {
	for i, m := range ms {
		if m.State() == axon.Finished && m.Err() != nil {
			return i
		}
	}
	return -1
}

// dynOutbox sends values of a type known only at run time on an outbox.
// axon gives typed Send only, so the call goes through reflection; PAR uses
// it to route its inbox, which is not a hot path (see PAR).
type dynOutbox struct {
	box  axon.Box
	send reflect.Value // func(context.Context, T) error
}

func newDynOutbox(b axon.Box) dynOutbox {
	return dynOutbox{box: b, send: reflect.ValueOf(b).MethodByName("Send")}
}

// Send sends v, which must be assignable to the box's type, waiting for room.
func (d dynOutbox) Send(ctx context.Context, v any) error {
	t := d.box.Type()
	var rv reflect.Value
	switch {
	case v == nil && canBeNil(t):
		rv = reflect.Zero(t)
	case v != nil && reflect.TypeOf(v).AssignableTo(t):
		rv = reflect.ValueOf(v)
	default:
		return fmt.Errorf("%w: %T sent to %s of %s", axon.ErrTypeMismatch, v, d.box, t)
	}
	out := d.send.Call([]reflect.Value{reflect.ValueOf(&ctx).Elem(), rv})
	if err, _ := out[0].Interface().(error); err != nil {
		return err
	}
	return nil
}

func canBeNil(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	}
	return false
}

// dynInbox takes values from an inbox whose type is known only at run time.
type dynInbox struct {
	tryRecv reflect.Value // func() (T, bool)
}

func newDynInbox(b axon.Box) dynInbox {
	return dynInbox{tryRecv: reflect.ValueOf(b).MethodByName("TryRecv")}
}

// TryRecv takes the oldest message, if there is one.
func (d dynInbox) TryRecv() (any, bool) {
	out := d.tryRecv.Call(nil)
	if !out[1].Bool() {
		return nil, false
	}
	return out[0].Interface(), true
}

// unlinkTouching removes every link that owner made into or out of a box of
// one of comps.
func unlinkTouching(links []*axon.Linkage, comps map[axon.Component]bool) {
	for _, l := range links {
		if comps[l.From().Component()] || comps[l.To().Component()] {
			_ = axon.Unlink(l) // only a link already gone fails
		}
	}
}
