package axon

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Handle drives a component from ordinary Go code, which is not a component
// itself: a test, a main function, a callback of another library (Axon's
// Handle and LikeFile). It links a private box to each of the component's
// inboxes and from each of its outboxes, as they are when the Handle is made.
//
// Put and Get are safe for concurrent use; Gets on one box are served in turn.
type Handle struct {
	comp Component
	c    *Core
	core handleCore // owns the Handle's outboxes, which feed the component
	out  map[string]outbox
	in   map[string]*handleInbox
	put  sync.Mutex // Puts wait for room on the one core of the Handle: in turn
}

type handleCore struct{ Core }

func (*handleCore) Main(context.Context) error { return nil }

// handleInbox is one private inbox of the Handle, fed by one outbox of the
// component. It has a core of its own so that Gets on different boxes wait
// independently.
type handleInbox struct {
	mu   sync.Mutex
	core handleCore
	box  inbox
	of   *Core // the component; it wakes core when it finishes
}

// NewHandle links a Handle to comp and activates comp on s (the default
// scheduler if s is nil). The Handle feeds every inbox (fan-in, so other
// links into them stay) and takes from every outbox not linked already.
// What the Handle takes is queued without bound until Get takes it, so a
// program may Put all its input before it Gets.
//
// Boxes whose names start with "_" are private wiring and are left alone.
// With box names given, the Handle takes only those boxes (inboxes and
// outboxes by name), leaving the others to the component, for instance an
// outbox it links itself at run time. A nil comp is an error wrapping
// ErrNilArgument.
func NewHandle(s *Scheduler, comp Component, boxes ...string) (*Handle, error) {
	if isNilComponent(comp) {
		return nil, fmt.Errorf("%w: NewHandle: component is nil", ErrNilArgument)
	}
	if s == nil {
		s = Default()
	}
	c := coreOf(comp)
	c.defaultBoxes()
	h := &Handle{comp: comp, c: c, out: map[string]outbox{}, in: map[string]*handleInbox{}}
	h.core.init(&h.core)
	h.core.SetName("handle(" + c.Name() + ")")
	// Boxes named with a leading underscore are a component's private
	// wiring: a Handle takes them only when named.
	takes := func(b Box) bool {
		if len(boxes) == 0 {
			return !strings.HasPrefix(b.Name(), "_")
		}
		return slices.Contains(boxes, b.Name())
	}
	for _, name := range boxes {
		_, in := c.Inbox(name)
		_, out := c.Outbox(name)
		if !in && !out {
			return nil, fmt.Errorf("%w: handle for %s: no box %q", ErrNoSuchBox, c.Name(), name)
		}
	}
	for _, b := range c.Inboxes() {
		if !takes(b) {
			continue
		}
		o := b.(inbox).newMirror(&h.core.Core, b.Name())
		h.core.mu.Lock()
		h.core.outboxes = append(h.core.outboxes, o)
		h.core.mu.Unlock()
		if _, err := h.core.Link(o, b); err != nil {
			h.core.unlinkAll()
			return nil, fmt.Errorf("axon: handle for %s: %w", c.Name(), err)
		}
		h.out[b.Name()] = o
	}
	for _, b := range c.Outboxes() {
		if !takes(b) || b.(outbox).linked() {
			continue // already wired into the system: not the Handle's
		}
		hi := &handleInbox{of: c}
		hi.core.init(&hi.core)
		c.mu.Lock()
		x := c.extra()
		x.watchers = append(x.watchers, &hi.core.Core)
		c.mu.Unlock()
		hi.box = b.(outbox).newMirror(&hi.core.Core, b.Name())
		hi.core.mu.Lock()
		hi.core.inboxes = append(hi.core.inboxes, hi.box)
		hi.core.mu.Unlock()
		if b.Name() != "signal" {
			hi.box.(interface{ SetCapacity(int) }).SetCapacity(Unbounded)
		}
		if _, err := h.core.Link(b, hi.box); err != nil {
			h.core.unlinkAll()
			return nil, fmt.Errorf("axon: handle for %s: %w", c.Name(), err)
		}
		h.in[b.Name()] = hi
	}
	s.Activate(comp)
	return h, nil
}

// Component returns the component the Handle drives.
func (h *Handle) Component() Component { return h.comp }

// Put sends v to the component's inbox called box, waiting for room. The
// value must be of the inbox's type.
func (h *Handle) Put(ctx context.Context, box string, v any) error {
	o, ok := h.out[box]
	if !ok {
		return fmt.Errorf("%w: %s has no inbox %q", ErrNoSuchBox, h.c.Name(), box)
	}
	h.put.Lock()
	defer h.put.Unlock()
	done := h.c.Done()
	select {
	case <-done:
		return fmt.Errorf("%w: %s has ended, put on %s refused", ErrFinished, h.c.Name(), box)
	default:
	}
	// A send waiting for room would wait forever once the component has
	// ended: stop it then.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-done:
			cancel()
		case <-ctx.Done():
		}
	}()
	err := o.sendAny(ctx, v)
	if err != nil {
		select {
		case <-done:
			return fmt.Errorf("%w: %s ended before taking the put on %s", ErrFinished, h.c.Name(), box)
		default:
		}
	}
	return err
}

// Finish sends ProducerFinished to the component's control inbox: it will
// drain its inboxes and end.
func (h *Handle) Finish(ctx context.Context) error {
	return h.Put(ctx, "control", ProducerFinished{})
}

// Get takes the next message from the component's outbox called box, waiting
// for one. Once the component has finished and everything it sent on box has
// been taken, Get returns ErrFinished.
func (h *Handle) Get(ctx context.Context, box string) (any, error) {
	hi, ok := h.in[box]
	if !ok {
		return nil, fmt.Errorf("%w: %s has no outbox %q", ErrNoSuchBox, h.c.Name(), box)
	}
	hi.mu.Lock()
	defer hi.mu.Unlock()
	done := h.c.Done()
	for {
		if v, ok := hi.take(); ok {
			return v, nil
		}
		select {
		case <-done:
			// The component's last send happened before done closed.
			if v, ok := hi.take(); ok {
				return v, nil
			}
			return nil, ErrFinished
		default:
		}
		if err := hi.core.park(ctx, hi); err != nil {
			return nil, err
		}
	}
}

func (hi *handleInbox) ready(*Core) bool { return hi.box.Len() > 0 || hi.of.State() == Finished }

func (hi *handleInbox) take() (any, bool) {
	if hi.box.Len() == 0 {
		return nil, false
	}
	return hi.box.(interface{ takeAny() (any, bool) }).takeAny()
}

// TryGet takes the next message from the component's outbox called box if
// one is waiting.
func (h *Handle) TryGet(box string) (any, bool) {
	hi, ok := h.in[box]
	if !ok {
		return nil, false
	}
	hi.mu.Lock()
	defer hi.mu.Unlock()
	return hi.take()
}

// Done is closed when the component has finished.
func (h *Handle) Done() <-chan struct{} { return h.c.Done() }

// Wait waits for the component to finish and returns its failure, if any.
func (h *Handle) Wait(ctx context.Context) error {
	select {
	case <-h.c.Done():
		return h.c.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close tells the component Shutdown, waits for it to finish, removes the
// Handle's links and returns the component's failure, if any. Messages it
// sent that were not taken are discarded with the Handle.
func (h *Handle) Close() error {
	h.c.ctx.cancel(Shutdown{Reason: fmt.Errorf("handle closed")}, nil)
	<-h.c.Done()
	h.core.unlinkAll()
	return h.c.Err()
}
