// Package split has the components that send one stream of messages to
// several places (fan-out, which a single outbox does not do): Fanout to a
// fixed set of named outboxes, TwoWaySplitter to two, Splitter and
// PlugSplitter to destinations added and removed while they run, and Plug,
// which plugs a component into a PlugSplitter (Kamaelia's Fanout,
// TwoWaySplitter, Splitter, PlugSplitter and Plug).
//
// Messages are not copied: every destination gets the same value, so they
// should treat it as read-only (or the sender should send values, not
// pointers). A destination that stops taking messages holds the splitter
// up, and with it every other destination: that is back-pressure, and why
// a consumer removes itself before it stops.
package split

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Fanout sends each message it is sent to every one of a fixed set of
// named outboxes, in the order they were named (Kamaelia's Fanout).
//
// Boxes:
//
//	inbox   (T)    messages
//	control (any)  ProducerFinished, Shutdown
//	outbox  (any)  not used
//	<name>  (T)    one outbox per name given: every message
//	signal  (any)  how it ended
//
// Example: to the console and to a file:
//
//	fan := split.NewFanout[string]("toConsole", "toFile")
//	axon.MustLink(fan.Box("toFile"), writer.In)
//
// Shutdown: ProducerFinished on control makes it send on every message
// waiting, then end with ProducerFinished. Shutdown stops it at once.
type Fanout[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In    *axon.Inbox[T]
	boxes []*axon.Outbox[T]
}

// NewFanout returns a Fanout to outboxes of the given names. It panics if a
// name is "signal" or is given twice, as NewOutbox does.
func NewFanout[T any](names ...string) *Fanout[T] {
	f := &Fanout[T]{}
	f.In = axon.NewInbox[T](f, "inbox")
	for _, n := range names {
		if n == "signal" || slices.ContainsFunc(f.boxes, func(b *axon.Outbox[T]) bool { return b.Name() == n }) {
			panic(fmt.Sprintf("split: Fanout outbox name %q used twice or reserved", n))
		}
		f.boxes = append(f.boxes, axon.NewOutbox[T](f, n))
	}
	return f
}

// Box returns the outbox called name, or nil if the Fanout has none.
func (f *Fanout[T]) Box(name string) *axon.Outbox[T] {
	for _, b := range f.boxes {
		if b.Name() == name {
			return b
		}
	}
	return nil
}

// Main fans messages out until told to stop.
func (f *Fanout[T]) Main(ctx context.Context) error {
	for v := range f.In.Messages(ctx) {
		for _, b := range f.boxes {
			if err := b.Send(ctx, v); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// TwoWaySplitter sends each message it is sent to two outboxes, and the
// way it ends to two signal outboxes, so that both destinations hear of
// shutdown (Kamaelia's TwoWaySplitter).
//
// Boxes:
//
//	inbox   (T)    messages
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    every message
//	outbox2 (T)    every message
//	signal  (any)  how it ended
//	signal2 (any)  how it ended, the same
//
// Each message goes to outbox, then to outbox2, each waiting for room.
//
// Example:
//
//	two := split.NewTwoWaySplitter[[]byte]()
//	axon.MustLink(two.Out, player.In)
//	axon.MustLink(two.Signal(), player.Control())
//	axon.MustLink(two.Out2, recorder.In)
//	axon.MustLink(two.Signal2, recorder.Control())
//
// Shutdown: ProducerFinished on control makes it send on every message
// waiting, then end with ProducerFinished on signal and on signal2.
// Shutdown stops it at once, with the Shutdown on signal and Shutdown{} on
// signal2 (sent if there is room: it does not wait).
type TwoWaySplitter[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	// Out2 is the outbox called "outbox2".
	Out2 *axon.Outbox[T]
	// Signal2 is the outbox called "signal2".
	Signal2 *axon.Outbox[any]
}

// NewTwoWaySplitter returns a TwoWaySplitter.
func NewTwoWaySplitter[T any]() *TwoWaySplitter[T] {
	s := &TwoWaySplitter[T]{}
	s.In = axon.NewInbox[T](s, "inbox")
	s.Out = axon.NewOutbox[T](s, "outbox")
	s.Out2 = axon.NewOutbox[T](s, "outbox2")
	s.Signal2 = axon.NewOutbox[any](s, "signal2")
	return s
}

// Main splits messages until told to stop.
func (s *TwoWaySplitter[T]) Main(ctx context.Context) error {
	for v := range s.In.Messages(ctx) {
		if err := s.Out.Send(ctx, v); err != nil {
			break
		}
		if err := s.Out2.Send(ctx, v); err != nil {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		_ = s.Signal2.TrySend(axon.Shutdown{})
		return err
	}
	return s.Signal2.Send(ctx, axon.ProducerFinished{})
}

// AddSink asks a Splitter or PlugSplitter to send to Inbox too, and a
// PlugSplitter to send how it ends to Control, if given. The boxes' types
// must take the splitter's messages (checked when the splitter links them).
type AddSink struct {
	Inbox   axon.Box // the inbox to send the messages to
	Control axon.Box // optional: a control inbox, for PlugSplitter
}

// RemoveSink asks a Splitter or PlugSplitter to stop sending to Inbox (and
// to the control box added with it).
type RemoveSink struct {
	Inbox axon.Box // the inbox given in the AddSink
}

// sink is one destination of a splitter: an outbox of the splitter made
// for it, linked to its inbox, and maybe one linked to its control.
type sink[T any] struct {
	inbox   axon.Box
	out     *axon.Outbox[T]
	link    *axon.Linkage
	ctl     *axon.Outbox[any]
	ctlLink *axon.Linkage
}

// sinks is the set of destinations of a splitter, which makes and removes
// their boxes and links while the splitter runs.
type sinks[T any] struct {
	owner axon.CoreComponent
	list  []*sink[T]
	n     int
}

// configureAll carries out every configuration message waiting in box.
func (s *sinks[T]) configureAll(box *axon.Inbox[any]) error {
	for {
		msg, ok := box.TryRecv()
		if !ok {
			return nil
		}
		if err := s.configure(msg); err != nil {
			return err
		}
	}
}

func (s *sinks[T]) configure(msg any) error {
	switch m := msg.(type) {
	case AddSink:
		return s.add(m)
	case *AddSink:
		return s.add(*m)
	case RemoveSink:
		s.remove(m.Inbox)
	case *RemoveSink:
		s.remove(m.Inbox)
	default:
		return fmt.Errorf("split: configuration message %T (%v): want AddSink or RemoveSink", msg, msg)
	}
	return nil
}

func (s *sinks[T]) add(m AddSink) error {
	if m.Inbox == nil {
		return fmt.Errorf("split: AddSink with no inbox")
	}
	if slices.ContainsFunc(s.list, func(k *sink[T]) bool { return k.inbox == m.Inbox }) {
		return nil // already a destination
	}
	s.n++
	k := &sink[T]{inbox: m.Inbox, out: axon.NewOutbox[T](s.owner, fmt.Sprintf("sink%d", s.n))}
	var err error
	if k.link, err = s.owner.Link(k.out, m.Inbox); err != nil {
		_ = s.owner.RemoveBox(k.out)
		return fmt.Errorf("split: adding sink: %w", err)
	}
	if m.Control != nil {
		k.ctl = axon.NewOutbox[any](s.owner, fmt.Sprintf("sink%d.control", s.n))
		if k.ctlLink, err = s.owner.Link(k.ctl, m.Control); err != nil {
			s.drop(k)
			return fmt.Errorf("split: adding sink: %w", err)
		}
	}
	s.list = append(s.list, k)
	return nil
}

func (s *sinks[T]) remove(inbox axon.Box) {
	i := slices.IndexFunc(s.list, func(k *sink[T]) bool { return k.inbox == inbox })
	if i < 0 {
		return
	}
	k := s.list[i]
	s.list = slices.Delete(s.list, i, i+1)
	s.drop(k)
}

// drop unlinks and removes a sink's boxes.
func (s *sinks[T]) drop(k *sink[T]) {
	for _, l := range []*axon.Linkage{k.link, k.ctlLink} {
		if l != nil {
			_ = axon.Unlink(l)
		}
	}
	_ = s.owner.RemoveBox(k.out)
	if k.ctl != nil {
		_ = s.owner.RemoveBox(k.ctl)
	}
}

// send sends v to every destination, in the order they were added.
func (s *sinks[T]) send(ctx context.Context, v T) error {
	for i := 0; i < len(s.list); i++ {
		k := s.list[i]
		err := k.out.Send(ctx, v)
		if errors.Is(err, axon.ErrFinished) {
			// That destination's component has ended: it takes no more,
			// and the others go on getting everything.
			s.remove(k.inbox)
			i--
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// tell sends msg to every control destination: waiting for room unless the
// splitter is stopping now (then only if there is room).
func (s *sinks[T]) tell(ctx context.Context, msg any) {
	for _, k := range s.list {
		if k.ctl == nil {
			continue
		}
		if ctx.Err() != nil {
			_ = k.ctl.TrySend(msg)
		} else {
			_ = k.ctl.Send(ctx, msg)
		}
	}
}

// Splitter sends each message it is sent to every destination added to it,
// and destinations are added and removed while it runs (Kamaelia's
// Splitter).
//
// Boxes:
//
//	inbox         (T)    messages
//	configuration (any)  AddSink and RemoveSink
//	control       (any)  ProducerFinished, Shutdown
//	outbox        (any)  not used
//	sink<N>       (T)    one outbox per destination, made and removed as they come and go
//	signal        (any)  how it ended
//
// Configuration is carried out before each message is sent on, after the
// message is taken: a destination gets every message sent to the splitter
// after its AddSink was delivered (and may get one sent just before), and
// none taken after its RemoveSink was delivered. Each
// message goes to the destinations in the order they were added, each
// waiting for room. Adding a destination twice is a no-op; removing one
// that is not there too.
//
// Example:
//
//	sp := split.NewSplitter[string]()
//	// ... from any component linked to sp.Configuration:
//	config.Send(ctx, split.AddSink{Inbox: consumer.In})
//
// Shutdown: ProducerFinished on control makes it send on every message
// waiting, then end with ProducerFinished; its links to the destinations
// go with it. Shutdown stops it at once. A configuration message that is
// not an AddSink or RemoveSink, or an AddSink whose box cannot take its
// messages, is a *axon.Failure.
type Splitter[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Configuration is the inbox called "configuration".
	Configuration *axon.Inbox[any]
	sinks         sinks[T]
}

// NewSplitter returns a Splitter with no destinations.
func NewSplitter[T any]() *Splitter[T] {
	s := &Splitter[T]{}
	s.In = axon.NewInbox[T](s, "inbox")
	s.Configuration = axon.NewInbox[any](s, "configuration")
	s.sinks.owner = s
	return s
}

// Main splits messages until told to stop.
func (s *Splitter[T]) Main(ctx context.Context) error {
	finishing := false
	for {
		// Finishing is read before the inbox: what was sent before
		// ProducerFinished is in the inbox by then, so an empty inbox is
		// drained.
		finishing = s.TakeControl(nil).Finishing || finishing
		// The message is taken first, then the configuration: an AddSink
		// delivered before the message was is in force for it.
		v, ok := s.In.TryRecv()
		if err := s.sinks.configureAll(s.Configuration); err != nil {
			return err
		}
		if ok {
			if err := s.sinks.send(ctx, v); err != nil {
				return err
			}
			continue
		}
		if finishing {
			return nil
		}
		if err := s.Wait(ctx); err != nil {
			return err
		}
	}
}

// PlugSplitter sends each message it is sent to its outbox and to every
// destination added to it, and how it ends to every destination's control
// inbox (Kamaelia's PlugSplitter). Destinations are added and removed
// while it runs, by AddSink and RemoveSink or, more simply, by a Plug.
//
// Boxes:
//
//	inbox         (T, or the source's inbox type)  messages; with a source, forwarded to the source's inbox
//	configuration (any)                            AddSink and RemoveSink
//	control       (any)                            ProducerFinished, Shutdown
//	outbox        (T)                              every message
//	sink<N>       (T)                              one outbox per destination
//	sink<N>.control (any)                          how it ended, to each destination that gave a control inbox
//	signal        (any)                            how it ended
//
// Made with NewPlugSplitterOf, it wraps a source component as its child:
// what the source sends on its outbox is what is split, its inbox is the
// PlugSplitter's, and the PlugSplitter ends when the source does.
//
// Example:
//
//	sp, err := split.NewPlugSplitterOf[string](producer)
//	plug, err := split.NewPlug(sp, consumer)
//
// Shutdown: ProducerFinished on control (or, with a source, the source's
// end) makes it send on every message waiting, tell every destination
// ProducerFinished, then end with ProducerFinished; with a source,
// ProducerFinished on control is passed to the source, and a source that
// failed gives ProducerFinished{Reason: its failure} to the destinations
// and a *axon.Failure on signal. Shutdown stops it (and its source) at
// once and tells the destinations Shutdown{} where there is room.
type PlugSplitter[T any] struct {
	axon.Core
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[T]
	// Configuration is the inbox called "configuration".
	Configuration *axon.Inbox[any]
	data          *axon.Inbox[T] // "inbox", or "_inbox" fed by the source
	source        axon.Component
	toSource      *axon.Outbox[any]
	sinks         sinks[T]
}

// NewPlugSplitter returns a PlugSplitter of what is sent to its inbox.
func NewPlugSplitter[T any]() *PlugSplitter[T] {
	p := newPlugSplitter[T]()
	p.data = axon.NewInbox[T](p, "inbox")
	return p
}

func newPlugSplitter[T any]() *PlugSplitter[T] {
	p := &PlugSplitter[T]{}
	p.Configuration = axon.NewInbox[any](p, "configuration")
	p.Out = axon.NewOutbox[T](p, "outbox")
	p.sinks.owner = p
	return p
}

// NewPlugSplitterOf returns a PlugSplitter of what source sends on its
// outbox, which must carry T. source becomes its child: do not activate it
// yourself.
func NewPlugSplitterOf[T any](source axon.Component) (*PlugSplitter[T], error) {
	src, ok := source.(axon.CoreComponent)
	if !ok {
		return nil, fmt.Errorf("split: %T does not embed axon.Core", source)
	}
	p := newPlugSplitter[T]()
	p.source = source
	p.data = axon.NewInbox[T](p, "_inbox")
	p.toSource = axon.NewOutbox[any](p, "_source_control")
	srcIn, _ := src.Inbox("inbox")
	srcOut, _ := src.Outbox("outbox")
	in, err := axon.NewInboxLike(p, "inbox", srcIn)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	p.AddChildren(source)
	for _, l := range [][2]axon.Box{{in, srcIn}, {srcOut, p.data}, {p.toSource, src.Control()}} {
		if _, err := p.Link(l[0], l[1]); err != nil {
			return nil, fmt.Errorf("split: PlugSplitter of %s: %w", src.Name(), err)
		}
	}
	return p, nil
}

// Main splits messages until told to stop, or until its source ends.
func (p *PlugSplitter[T]) Main(ctx context.Context) (err error) {
	defer func() {
		switch {
		case ctx.Err() != nil:
			p.sinks.tell(ctx, axon.Shutdown{})
		case err != nil:
			p.sinks.tell(ctx, axon.ProducerFinished{Reason: err})
		default:
			p.sinks.tell(ctx, axon.ProducerFinished{})
		}
	}()
	p.ActivateChildren()
	told := false
	pf := false // ProducerFinished on control
	for {
		pf = p.TakeControl(nil).Finishing || pf
		if p.source != nil && pf && !told {
			told = true
			// A source that has ended already needs no telling.
			if err := p.toSource.Send(ctx, axon.ProducerFinished{}); err != nil && !errors.Is(err, axon.ErrFinished) {
				return err
			}
		}
		// Whether the source has ended is read before the data: all it sent
		// happened before it ended, so if it had, an empty box is drained.
		sourceDone := p.source != nil && p.source.(axon.CoreComponent).State() == axon.Finished
		finishing := p.source == nil && pf // likewise
		v, ok := p.data.TryRecv()
		if err := p.sinks.configureAll(p.Configuration); err != nil {
			return err
		}
		if ok {
			if err := p.Out.Send(ctx, v); err != nil {
				return err
			}
			if err := p.sinks.send(ctx, v); err != nil {
				return err
			}
			continue
		}
		if finishing {
			return nil
		}
		if sourceDone {
			return p.source.(axon.CoreComponent).Err()
		}
		if err := p.Wait(ctx); err != nil {
			return err
		}
	}
}

// Plug plugs a component into a PlugSplitter: the component gets every
// message the splitter sends, and how the splitter ends on its control
// inbox, and is unplugged when it ends (Kamaelia's Plug).
//
// Boxes: the Plug's inbox and control forward to the component's; its
// outbox and signal carry the component's.
//
//	inbox   (T)          forwarded to the component's inbox
//	control (any)        forwarded to the component's control
//	outbox  (the component's outbox type)  what the component sends
//	signal  (any)        how the component ended
//	splitter_config (any)  AddSink and RemoveSink, to the splitter
//
// NewPlug plugs it in: every message sent to the splitter after NewPlug
// returns reaches the component (it waits in the component's inbox until
// the Plug is activated). The component becomes the Plug's child: do not
// activate it yourself.
//
// Example:
//
//	plug, err := split.NewPlug(sp, console.NewEchoer())
//
// Shutdown: the Plug ends when its component does, which it makes hear the
// splitter's ProducerFinished or Shutdown, or anything sent to the Plug's
// control; it then unplugs (RemoveSink, sent if there is room) and ends.
// Its signal carries only the component's outcome. Messages the splitter
// sends between the component's end and the unplugging wait in the Plug's
// inbox, which is unbounded, so the splitter is never held up by a Plug
// that has ended.
type Plug[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In     *axon.Inbox[T]
	config *axon.Outbox[any]
	sink   axon.CoreComponent
	fwd    *axon.Linkage // In -> the component's inbox
}

// NewPlug returns a Plug of sink into splitter. The component's inbox must
// take T.
func NewPlug[T any](splitter *PlugSplitter[T], sink axon.Component) (*Plug[T], error) {
	k, ok := sink.(axon.CoreComponent)
	if !ok {
		return nil, fmt.Errorf("split: %T does not embed axon.Core", sink)
	}
	p := &Plug[T]{sink: k}
	p.In = axon.NewInbox[T](p, "inbox")
	p.In.SetCapacity(axon.Unbounded)
	p.config = axon.NewOutbox[any](p, "splitter_config")
	kin, _ := k.Inbox("inbox")
	kout, _ := k.Outbox("outbox")
	out, err := axon.NewOutboxLike(p, "outbox", kout)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	p.AddChildren(sink)
	if p.fwd, err = p.Link(p.In, kin); err != nil {
		return nil, fmt.Errorf("split: Plug of %s: %w", k.Name(), err)
	}
	for _, l := range [][2]axon.Box{{p.Control(), k.Control()}, {kout, out}, {k.Signal(), p.Signal()}, {p.config, splitter.Configuration}} {
		if _, err := p.Link(l[0], l[1]); err != nil {
			return nil, fmt.Errorf("split: Plug of %s: %w", k.Name(), err)
		}
	}
	// Plugged in now: what the splitter is sent from here on reaches the
	// component's inbox (bounded, so the splitter feels its back-pressure
	// even before the Plug runs).
	if err := p.config.TrySend(AddSink{Inbox: p.In, Control: p.Control()}); err != nil {
		return nil, fmt.Errorf("split: Plug of %s: %w", k.Name(), err)
	}
	return p, nil
}

// Main runs the component, and unplugs it when it ends.
func (p *Plug[T]) Main(ctx context.Context) error {
	p.ActivateChildren()
	for p.sink.State() != axon.Finished {
		if err := p.Wait(ctx); err != nil {
			break
		}
	}
	// What the splitter sends from now on waits here, not in the ended
	// component's inbox, where a full box would hold the splitter up.
	_ = axon.Unlink(p.fwd)
	_ = p.config.TrySend(RemoveSink{Inbox: p.In})
	return nil
}
