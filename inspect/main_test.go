package inspect_test

import (
	"context"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// TestMain fails the package if a goroutine outlives the tests: Close must
// leave nothing of the inspector running.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// part is a test component whose behaviour is a function: the system the
// tests inspect is made of parts.
type part struct {
	axon.Core
	in   *axon.Inbox[int]
	out  *axon.Outbox[int]
	main func(ctx context.Context, p *part) error
}

func newPart(name string, main func(ctx context.Context, p *part) error) *part {
	p := &part{main: main}
	p.SetName(name)
	p.in = axon.NewInbox[int](p, "inbox")
	p.out = axon.NewOutbox[int](p, "outbox")
	return p
}

func (p *part) Main(ctx context.Context) error {
	if p.main == nil {
		<-ctx.Done()
		return ctx.Err()
	}
	return p.main(ctx, p)
}

// idle is a part that takes nothing and waits to be shut down.
func idle(name string) *part { return newPart(name, nil) }

// pusher sends n numbers (n < 0: for ever), waiting for room, then idles.
func pusher(name string, n int) *part {
	return newPart(name, func(ctx context.Context, p *part) error {
		for i := 0; n < 0 || i < n; i++ {
			if err := p.out.Send(ctx, i); err != nil {
				return err
			}
		}
		<-ctx.Done()
		return ctx.Err()
	})
}

// relay passes on what it receives.
func relay(name string) *axontest.Relay[int] {
	r := axontest.NewRelay[int](0)
	r.SetName(name)
	return r
}

// group is a composite: its inbox feeds its first child, its children are
// linked in a chain, and the last child's outbox is its outbox.
func group(name string, kids ...*axontest.Relay[int]) *part {
	return newPart(name, func(ctx context.Context, p *part) error {
		for _, k := range kids {
			p.AddChildren(k)
		}
		links := [][2]axon.Box{{p.in, kids[0].In}, {kids[len(kids)-1].Out, p.out}}
		for i := 0; i+1 < len(kids); i++ {
			links = append(links, [2]axon.Box{kids[i].Out, kids[i+1].In})
		}
		for _, l := range links {
			if _, err := p.Link(l[0], l[1]); err != nil {
				return err
			}
		}
		p.ActivateChildren()
		return p.WaitChildren(ctx)
	})
}

// system is the live system the tests inspect: two pipelines, a composite,
// a cycle of two components deadlocked on full boxes, and an outbox linked
// to nothing that has dropped what it was sent.
type system struct {
	s        *axon.Scheduler
	a, b     *part // the deadlocked pair
	sink     *part // holds sinkLen messages in an inbox of capacity sinkCap
	dropper  *part // dropped dropCount messages
	reader   *part // a consumer that ends when told (see finishReader)
	producer *part
}

const (
	sinkLen   = 5
	sinkCap   = 8
	dropCount = 7
)

func newSystem(t *testing.T) *system {
	t.Helper()
	s := axontest.NewScheduler(t)
	sys := &system{s: s}

	// A cycle: a sends to b and b to a, and neither takes anything: both
	// end up waiting on a full inbox of the other.
	sys.a, sys.b = pusher("ping", -1), pusher("pong", -1)
	sys.a.in.SetCapacity(2)
	sys.b.in.SetCapacity(2)
	axon.MustLink(sys.a.out, sys.b.in)
	axon.MustLink(sys.b.out, sys.a.in)

	// camera -> encoder -> sink: the sink takes nothing, so its inbox fills
	// to sinkLen of sinkCap.
	cam, enc := pusher("camera", sinkLen), relay("encoder")
	sys.sink = idle("recorder")
	sys.sink.in.SetCapacity(sinkCap)
	axon.MustLink(cam.out, enc.In)
	axon.MustLink(enc.Out, sys.sink.in)
	axon.MustLink(cam.Signal(), enc.Control())

	// ticker -> [filter -> formatter] -> display, the middle a composite.
	sys.producer = pusher("ticker", 3)
	pipe := group("render", relay("filter"), relay("formatter"))
	sys.reader = newPart("display", func(ctx context.Context, p *part) error {
		for range p.in.Messages(ctx) {
		}
		return ctx.Err()
	})
	axon.MustLink(sys.producer.out, pipe.in)
	axon.MustLink(pipe.out, sys.reader.in)

	// An outbox linked to nothing drops what it is sent, and counts it.
	sys.dropper = pusher("logger", dropCount)

	s.Activate(sys.a, sys.b, cam, enc, sys.sink, sys.producer, pipe, sys.reader, sys.dropper)
	return sys
}

// systemComponents is how many components newSystem makes: the nine it
// activates and the render group's two children, which the group adds
// when it runs.
const systemComponents = 11

// ready reports whether snap shows the system settled: every component
// listed (the group's children too), the deadlock found, the sink filled
// and the drops counted.
func (sys *system) ready(snap *axon.Snapshot) bool {
	if len(snap.Components) != systemComponents {
		return false
	}
	filled, dropped := false, false
	for _, b := range snap.Boxes {
		if b.Component == sys.sink.ID() && b.Name == "inbox" && b.Len == sinkLen {
			filled = true
		}
		if b.Component == sys.dropper.ID() && b.Name == "outbox" && b.Dropped == dropCount {
			dropped = true
		}
	}
	return filled && dropped && len(snap.Deadlocks) == 1
}
