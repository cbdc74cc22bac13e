package axon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// A two-stage pipeline driven from plain Go code. Each stage's signal is
// linked to the next one's control, so the Finish given to the head drains
// the whole pipeline and stops it from the head.
func ExampleNewHandle() {
	s := axon.NewScheduler()
	ctx := context.Background()

	first, second := newDoubler(), newDoubler()
	axon.MustLink(first.out, second.in)
	axon.MustLink(first.Signal(), second.Control())

	tail, _ := axon.NewHandle(s, second) // takes second's outbox and signal
	head, _ := axon.NewHandle(s, first)  // feeds first's inboxes
	for i := 1; i <= 3; i++ {
		_ = head.Put(ctx, "inbox", i)
	}
	_ = head.Finish(ctx)

	for {
		v, err := tail.Get(ctx, "outbox")
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		fmt.Println(v)
	}
	sig, _ := tail.Get(ctx, "signal")
	fmt.Println(sig)
	fmt.Println(s.Run()) // every component has finished, none failed
	// Output:
	// 4
	// 8
	// 12
	// ProducerFinished
	// <nil>
}

// wrapper is a composite: its inbox and outbox are its child's, forwarded
// with passthrough links that it makes, and so owns, in its Main.
type wrapper struct {
	axon.Core
	in    *axon.Inbox[int]
	out   *axon.Outbox[int]
	inner *doubler
}

func newWrapper() *wrapper {
	w := &wrapper{inner: newDoubler()}
	w.in = axon.NewInbox[int](w, "inbox")
	w.out = axon.NewOutbox[int](w, "outbox")
	return w
}

func (w *wrapper) Main(ctx context.Context) error {
	w.AddChildren(w.inner)
	for _, l := range [][2]axon.Box{
		{w.in, w.inner.in},               // parent inbox -> child inbox
		{w.inner.out, w.out},             // child outbox -> parent outbox
		{w.Control(), w.inner.Control()}, // shutdown messages go to the child
	} {
		if _, err := w.Link(l[0], l[1]); err != nil {
			return err
		}
	}
	w.ActivateChildren()
	return w.WaitChildren(ctx)
}

// Passthrough links let a composite stand for its children. Messages sent to
// the wrapper land in the doubler's inbox directly, whatever the order in
// which the links were made, and the doubler's sends leave by the wrapper's
// outbox.
func ExampleLink_passthrough() {
	s := axon.NewScheduler()
	ctx := context.Background()

	w := newWrapper()
	h, _ := axon.NewHandle(s, w)
	for i := 1; i <= 3; i++ {
		_ = h.Put(ctx, "inbox", i)
	}
	_ = h.Finish(ctx)
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Println(v)
	}
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)

	// The kinds of link follow from the boxes.
	a, b := newDoubler(), newDoubler()
	for _, l := range [][2]axon.Box{{a.in, b.in}, {b.out, a.out}, {a.out, newDoubler().in}} {
		fmt.Println(axon.MustLink(l[0], l[1]).Kind())
	}
	// Output:
	// 2
	// 4
	// 6
	// ProducerFinished
	// passthrough-in
	// passthrough-out
	// normal
}

// IntrospectorDiff turns two snapshots of a live system into Axon's
// introspector protocol, here after a link is removed. Component ids depend
// on how many components the process made before, so this example prints
// component names in their place.
func ExampleIntrospectorDiff() {
	s := axon.NewScheduler()
	first, second := newDoubler(), newDoubler()
	l := axon.MustLink(first.out, second.in)
	s.Activate(first, second)

	names := strings.NewReplacer(
		fmt.Sprintf(`"%d.`, first.ID()), `"first.`,
		fmt.Sprintf(`"%d.`, second.ID()), `"second.`)
	before := s.Snapshot()
	_ = axon.Unlink(l)
	for _, line := range axon.IntrospectorDiff(before, s.Snapshot()) {
		fmt.Println(names.Replace(line))
	}

	s.ShutdownAll(axon.Shutdown{})
	_ = s.Wait(context.Background())
	// Output:
	// DEL LINK "first.outbox" "second.inbox"
}

// The registry (Axon's CAT) publishes a component's inbox under a name, so
// that others can find it and link to it, and tracks named values.
func ExampleRegistry() {
	s := axon.NewScheduler()
	ctx := context.Background()
	services := s.Services()

	d := newDoubler()
	d.SetName("doubler")
	h, _ := axon.NewHandle(s, d)
	_ = services.Register("double", d, "inbox")
	fmt.Println(errors.Is(services.Register("double", newDoubler(), "inbox"), axon.ErrServiceExists))
	_, err := services.Lookup("triple")
	fmt.Println(errors.Is(err, axon.ErrServiceUnknown))

	// A client finds the service and links to it.
	client := newDoubler()
	svc, _ := services.Lookup("double")
	axon.MustLink(client.out, svc.Inbox)
	_ = client.out.Send(ctx, 21)
	v, _ := h.Get(ctx, "outbox")
	fmt.Println(svc.Inbox, v)

	_ = services.Track("requests", 1)
	_ = services.Update("requests", 2)
	n, _ := services.Value("requests")
	fmt.Println("requests:", n)

	_ = h.Close()
	// Output:
	// true
	// true
	// doubler.inbox 42
	// requests: 2
}
