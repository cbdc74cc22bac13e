package axon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultCapacity is the capacity of an inbox that was not given one: how
// many messages may wait in it before a blocking send waits for room.
const DefaultCapacity = 64

// Unbounded is the capacity of an inbox that never fills. Ask for it only
// where the producer is known to be bounded: it gives up back-pressure.
const Unbounded = -1

// Box is a named, typed inbox or outbox of a component, as seen by code that
// does not know its message type: linking by name, introspection, Handles.
type Box interface {
	// Name is the box's name within its component ("inbox", "signal", ...).
	Name() string
	// Component returns the component the box belongs to.
	Component() Component
	// Type is the type of the messages the box carries.
	Type() reflect.Type
	// IsInbox reports whether the box is an inbox (else an outbox).
	IsInbox() bool
	// String returns "component.box".
	String() string

	boxCore() *boxCore
}

// boxCore is the part of a box the link graph works on. The link fields are
// guarded by the package's topology lock.
type boxCore struct {
	name    string
	owner   *Core
	next    *Linkage // the one link out of this box (nil: none)
	ups     *Linkage // links into this box (fan-in), chained by nextUp
	self    Box
	inbox   bool
	ctl     bool // the control inbox: shutdown messages act on the owner
	removed bool
	closed  bool // inbox of a finished component (guarded by the inbox's lock)
	_       [4]byte
}

// upLinks returns the links into the box.
func (b *boxCore) upLinks() []*Linkage {
	var ls []*Linkage
	for l := b.ups; l != nil; l = l.nextUp {
		ls = append(ls, l)
	}
	return ls
}

func (b *boxCore) label() string { return b.owner.Name() + "." + b.name }

// inbox is the untyped view of an *Inbox[T].
type inbox interface {
	Box
	Len() int
	Cap() int
	putAny(ctx context.Context, v any, mode putMode, from sender) error
	moveTo(dst inbox)
	wakeAllSenders()
	wantRoom(c *Core) bool
	retire() int
	close()
	drainFinished() []any
	giveBack(dst inbox)
	takeBack(vs []any)
	setForward(dst inbox)
	newMirror(owner *Core, name string) outbox
}

// outbox is the untyped view of an *Outbox[T].
type outbox interface {
	Box
	Dropped() uint64
	linked() bool
	setRoute(dst inbox)
	forgetRoute()
	roomFor(c *Core) bool
	newMirror(owner *Core, name string) inbox
	sendAny(ctx context.Context, v any) error
}

type putMode uint8

const (
	putBlock putMode = iota // wait for room
	putTry                  // fail with ErrBoxFull when full
	putForce                // ignore capacity: shutdown messages, moved messages
)

// errRerouted ends a send's wait for room when the sending outbox was
// relinked meanwhile; the send starts over on the new route.
var errRerouted = errors.New("axon: rerouted")

// sink is where an outbox (or forwarded inbox) of T delivers: the final
// inbox itself when its type is T, else a converter to the final inbox's type.
type sink[T any] interface {
	put(ctx context.Context, v T, mode putMode, from sender) error
	putBatch(ctx context.Context, vs []T, from sender) (int, error)
	final() inbox
}

// Inbox is a typed inbox: a FIFO queue of messages for one component. Any
// number of outboxes may be linked to it (fan-in); messages from them are
// queued in the order they were sent. Senders are safe to use from any
// goroutine; only the owning component receives from it, from one goroutine
// at a time (its Main).
type Inbox[T any] struct {
	// The fields fall in three cache lines (the struct is 192 bytes, a size
	// class whose objects start on 64-byte boundaries): what the link graph
	// and senders only read, what the receiver alone writes, and what senders
	// write. Keeping the receiver's line apart from the senders' stops each
	// message bouncing a line between the cores.
	bc boxCore // 64 bytes

	// The receiver takes up to recvChunk messages at a time into out, which
	// only its goroutine touches, so it takes the senders' lock once per chunk.
	// Messages in out are still counted as waiting (Len and capacity stay
	// exact), but a move (the box becoming forwarded) leaves them with the
	// receiver, which has begun taking them.
	//
	// The count of waiting messages is sent - taken, two counters rather
	// than one so that no line is written by both sides at every message:
	// senders add to sent on their line, the receiver to taken on its own.
	// Senders read taken only when their cached copy says the box is full.
	out   ring[T]
	waits *waitLists   // who waits for room; made on the first wait
	taken atomic.Int64 // messages taken by the receiver, ever
	nwait atomic.Int32 // how many wait in waits, read by the receiver without the lock
	_     [12]byte

	mu       sync.Mutex
	q        ring[T]
	sent     atomic.Int64 // messages queued, ever, less those moved or given back; written under mu
	seen     int32        // the low bits of a recent value of taken (guarded by mu)
	capacity atomic.Int32 // 0 means DefaultCapacity
	fwd      *forward[T]  // non-nil when this inbox is forwarded onward
}

// waitLists are who waits for room in a full inbox: blocking senders, each
// on a waiter of its own, and components whose non-blocking send (TrySend)
// found the box full, which a Wait of theirs returns for when room appears.
// Guarded by the inbox's lock.
type waitLists struct {
	senders []*waiter
	rooms   []*Core
}

// forward is where a forwarded inbox sends on.
type forward[T any] struct{ sink sink[T] }

// NewInbox declares an inbox of T called name on comp and returns it. It may
// be called before or while comp runs (Axon's AdaptiveCommsComponent). With
// the same type it returns the existing box. It panics if comp already has
// an inbox of that name with another type, or comp is nil: DeclareInbox
// returns those as errors, for code that declares boxes from input.
func NewInbox[T any](comp Component, name string) *Inbox[T] {
	if isNilComponent(comp) {
		panic(fmt.Sprintf("axon: NewInbox %q on a nil component", name))
	}
	in, conflict := declareInbox[T](coreOf(comp), name)
	if conflict != "" {
		panic("axon: " + conflict + " (DeclareInbox returns this as an error)")
	}
	return in
}

// DeclareInbox is NewInbox returning an error instead of panicking: one
// wrapping ErrBoxExists if comp already has an inbox called name of another
// type ("control" always carries any), or ErrNilArgument if comp is nil.
// With the same type it returns the existing box.
func DeclareInbox[T any](comp Component, name string) (*Inbox[T], error) {
	if isNilComponent(comp) {
		return nil, fmt.Errorf("%w: DeclareInbox %q on a nil component", ErrNilArgument, name)
	}
	in, conflict := declareInbox[T](coreOf(comp), name)
	if conflict != "" {
		return nil, fmt.Errorf("%w: %s", ErrBoxExists, conflict)
	}
	return in, nil
}

// declareInbox returns c's inbox of T called name, made if need be, or
// describes why it cannot.
func declareInbox[T any](c *Core, name string) (*Inbox[T], string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "control" {
		c.controlLocked() // control always carries any
	}
	if b := c.findInbox(name); b != nil {
		if in, ok := b.(*Inbox[T]); ok {
			return in, ""
		}
		return nil, fmt.Sprintf("%s already has inbox %q of type %s, not %s", c.nameLocked(), name, b.Type(), reflect.TypeFor[T]())
	}
	in := newInbox[T](c, name)
	c.inboxes = append(c.inboxes, in)
	return in, ""
}

func newInbox[T any](c *Core, name string) *Inbox[T] {
	in := &Inbox[T]{}
	in.bc = boxCore{name: name, owner: c, inbox: true, self: in}
	return in
}

// Name returns the box's name.
func (in *Inbox[T]) Name() string { return in.bc.name }

// Component returns the component that owns the box.
func (in *Inbox[T]) Component() Component { return in.bc.owner.self }

// Type returns T.
func (in *Inbox[T]) Type() reflect.Type { return reflect.TypeFor[T]() }

// IsInbox returns true.
func (in *Inbox[T]) IsInbox() bool { return true }

// String returns "component.box".
func (in *Inbox[T]) String() string { return in.bc.label() }

func (in *Inbox[T]) boxCore() *boxCore {
	if in == nil {
		return nil // a typed nil box: see isNilBox
	}
	return &in.bc
}

// Len returns the number of messages waiting. It takes no lock, so it may
// be asked from any goroutine, while any lock is held (see Lock order in
// the package doc).
func (in *Inbox[T]) Len() int { return int(in.waiting()) }

// waiting returns how many messages wait, without a lock (Core.AnyReady
// asks with its component's lock held, which a send to control takes inside
// the inbox's lock). Taken is read first, so the answer is never negative:
// taken only grows, and sent never falls below it.
func (in *Inbox[T]) waiting() int64 {
	t := in.taken.Load()
	return in.sent.Load() - t
}

// DataReady reports whether a message is waiting (Axon's dataReady).
func (in *Inbox[T]) DataReady() bool { return in.waiting() > 0 }

// Cap returns the box's capacity, or Unbounded.
func (in *Inbox[T]) Cap() int {
	if c := in.capacity.Load(); c != 0 {
		return int(c)
	}
	return DefaultCapacity
}

// SetCapacity sets how many messages may wait in the box: n > 0, or
// Unbounded. Senders waiting for room are woken if the box grew. The capacity
// matters only while the box is a final destination: a forwarded inbox holds
// nothing.
func (in *Inbox[T]) SetCapacity(n int) {
	if n == 0 || n < Unbounded {
		panic(fmt.Sprintf("axon: bad capacity %d for %s (want > 0 or Unbounded)", n, in))
	}
	in.capacity.Store(int32(n))
	in.wakeSenders()
}

// hasRoom reports whether a message fits now, with in.mu held. It looks at
// the receiver's count only when the copy cached from the last look says the
// box is full, so a sender to a box that keeps up reads the receiver's line
// once per capacity's worth of messages, not once per message. The cached
// copy can only make the box look fuller than it is, never emptier.
func (in *Inbox[T]) hasRoom() bool {
	return in.room(1) > 0
}

// room returns how many messages fit now (a large number when Unbounded),
// with in.mu held. It looks at the receiver's count when the cached copy
// leaves room for fewer than want.
func (in *Inbox[T]) room(want int64) int64 {
	c := int64(in.Cap())
	if c < 0 {
		return 1 << 62
	}
	// The counters differ by at most the capacity plus what was forced in,
	// so their low 32 bits, subtracted with wrap-around, give the difference.
	s := int32(in.sent.Load())
	if r := c - int64(s-in.seen); r >= want {
		return r
	}
	in.seen = int32(in.taken.Load())
	return c - int64(s-in.seen)
}

// wakeSenders wakes the senders waiting for room, if there is room now. The
// test is apart from the work so that it is inlined into every receive.
func (in *Inbox[T]) wakeSenders() {
	if in.nwait.Load() != 0 {
		in.wakeWaiting()
	}
}

// wakeWaiting is wakeSenders once it knows that senders wait.
func (in *Inbox[T]) wakeWaiting() {
	in.mu.Lock()
	if !in.hasRoom() && in.fwd == nil {
		in.mu.Unlock()
		return
	}
	var wb [4]*waiter
	var cb [4]*Core
	ws, cs := in.takeWaitsLocked(wb[:0], cb[:0])
	in.mu.Unlock()
	wakeAll(ws, cs)
}

func (in *Inbox[T]) final() inbox { return in }

// put delivers v to this inbox, or onward if it has been forwarded since the
// sender resolved its route.
func (in *Inbox[T]) put(ctx context.Context, v T, mode putMode, from sender) error {
	yielded := false
	for {
		in.mu.Lock()
		if f := in.fwd; f != nil {
			in.mu.Unlock()
			return f.sink.put(ctx, v, mode, from)
		}
		if in.bc.closed && mode != putForce {
			in.mu.Unlock()
			return in.closedError()
		}
		if mode == putForce || in.hasRoom() {
			in.q.push(v)
			in.sent.Add(1)
			if in.bc.ctl {
				// Act on a shutdown message once it is in the box but
				// before it can be taken (taking it needs in.mu): a
				// component that takes ProducerFinished then asks
				// Finishing() hears yes, and one that hears
				// Finishing() (its other inboxes end) and then looks
				// at control finds the message there.
				in.bc.owner.observeControl(any(v))
			}
			in.mu.Unlock()
			in.bc.owner.notify()
			return nil
		}
		if mode == putTry {
			if from.core != nil {
				// Axon's way with a full box is to pause and try again:
				// the sender's next Wait returns when room appears.
				in.wantRoomLocked(from.core)
			}
			in.mu.Unlock()
			return &FullError{Box: in.String(), Capacity: in.Cap()}
		}
		if !yielded {
			// The box is full: let its receiver run once before sleeping,
			// as a receiver that runs dry does (see park). It often takes
			// a chunk meanwhile, and a sender that then fills the room in
			// a burst is cheaper than a sleep and a wake-up per message.
			yielded = true
			in.mu.Unlock()
			runtime.Gosched()
			continue
		}
		if err := in.waitRoom(ctx, from); err != nil {
			return err
		}
	}
}

// putBatch delivers vs in order, waiting for room as a blocking send would,
// taking the lock once per run of messages that fit.
func (in *Inbox[T]) putBatch(ctx context.Context, vs []T, from sender) (int, error) {
	done := 0
	for len(vs) > 0 {
		in.mu.Lock()
		if f := in.fwd; f != nil {
			in.mu.Unlock()
			n, err := f.sink.putBatch(ctx, vs, from)
			return done + n, err
		}
		if in.bc.closed {
			in.mu.Unlock()
			return done, in.closedError()
		}
		k := int(min(int64(len(vs)), in.room(int64(len(vs)))))
		if k > 0 {
			in.q.pushAll(vs[:k])
			in.sent.Add(int64(k))
			if in.bc.ctl { // after the push, as put does
				for _, v := range vs[:k] {
					in.bc.owner.observeControl(any(v))
				}
			}
			in.mu.Unlock()
			in.bc.owner.notify()
			vs = vs[k:]
			done += k
			continue
		}
		if err := in.waitRoom(ctx, from); err != nil {
			return done, err
		}
	}
	return done, nil
}

// sender is who is sending, passed by value down a send so that a send that
// must wait knows what to wait for without allocating.
type sender struct {
	core  *Core          // the sending component, for introspection
	epoch *atomic.Uint32 // the sending outbox's route epoch
	seen  uint32         // its value when the send resolved its route
}

// rerouted reports whether the sending outbox was relinked since the send
// resolved its route.
func (s sender) rerouted() bool { return s.epoch != nil && s.epoch.Load() != s.seen }

// waiter is a send waiting for room: a one-slot channel of its own, so that
// any goroutine may send (a component's helper goroutines as well as its
// Main), each waiting independently. Each component keeps one spare, so a
// busy pipeline under back-pressure does not allocate at every wait; a
// shared pool would not do, as a channel must stay in the testing/synctest
// bubble it was made in.
type waiter struct {
	ch   chan struct{}
	core *Core // the sending component, for deadlock detection
}

func (c *Core) takeWaiter() *waiter {
	if c != nil {
		if w := c.spare.Swap(nil); w != nil {
			return w
		}
	}
	return &waiter{ch: make(chan struct{}, 1), core: c}
}

func (c *Core) putWaiter(w *waiter) {
	select { // a wake-up that raced with leaving must not reach the next user
	case <-w.ch:
	default:
	}
	if c != nil {
		c.spare.Store(w)
	}
}

func (w *waiter) wake() {
	if w.core != nil {
		w.core.woke() // for deadlock detection
	}
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// waitRoom waits, with in.mu held on entry and released, until the box has
// room, has been forwarded, or the sending outbox has been relinked (then it
// returns errRerouted). What the sender waits for is recorded so that
// introspection can find cycles of full boxes.
func (in *Inbox[T]) waitRoom(ctx context.Context, from sender) error {
	w := from.core.takeWaiter()
	if in.waits == nil {
		in.waits = &waitLists{}
	}
	in.waits.senders = append(in.waits.senders, w)
	in.countWaitsLocked()
	in.mu.Unlock()
	if from.core != nil {
		from.core.blockedOn.Store(&in.bc)
	}
	// Deadlock detection counts a send waiting on the component's own
	// context, or on one that is never done (see deadlock.go).
	counted := from.core != nil && from.core.sched != nil &&
		(ctx == context.Context(&from.core.ctx) || ctx.Done() == nil)
	var err error
	for {
		// Registered before looking: a receiver that makes room after this
		// look sees the waiter and wakes it.
		in.mu.Lock()
		ready := in.fwd != nil || in.hasRoom() || in.bc.closed
		if !ready && !slices.Contains(in.waits.senders, w) {
			in.waits.senders = append(in.waits.senders, w)
			in.countWaitsLocked()
		}
		in.mu.Unlock()
		if ready {
			break
		}
		if from.rerouted() {
			err = errRerouted
			break
		}
		if counted {
			from.core.roomSleepStart(&in.bc)
		}
		select {
		case <-w.ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if counted {
			from.core.sleepEnd()
		}
		if err != nil {
			break
		}
	}
	if from.core != nil {
		from.core.blockedOn.Store(nil)
	}
	in.mu.Lock()
	if i := slices.Index(in.waits.senders, w); i >= 0 {
		in.waits.senders = slices.Delete(in.waits.senders, i, i+1)
		in.countWaitsLocked()
	}
	in.mu.Unlock()
	from.core.putWaiter(w)
	return err
}

// countWaitsLocked publishes how many wait for room, for the receiver's
// lock-free look (wakeSenders).
func (in *Inbox[T]) countWaitsLocked() {
	in.nwait.Store(int32(len(in.waits.senders) + len(in.waits.rooms)))
}

// wantRoomLocked records, with in.mu held, that c found the box full and
// wants to hear when room appears. The list is kept from wait to wait, so
// once it has grown recording a want allocates nothing.
func (in *Inbox[T]) wantRoomLocked(c *Core) {
	if in.waits == nil {
		in.waits = &waitLists{}
	}
	if !slices.Contains(in.waits.rooms, c) {
		in.waits.rooms = append(in.waits.rooms, c)
		in.countWaitsLocked()
	}
}

// wantRoom reports whether a send from c would find room (or would not
// wait for it: the box is forwarded or closed); if not, c is woken when
// room appears. Registered under the lock that room is made under, so the
// wake-up cannot be missed.
func (in *Inbox[T]) wantRoom(c *Core) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fwd != nil || in.bc.closed || in.hasRoom() {
		return true
	}
	in.wantRoomLocked(c)
	return false
}

// takeWaitsLocked appends the waiting senders to ws and the components
// that want room to cs, and forgets them.
func (in *Inbox[T]) takeWaitsLocked(ws []*waiter, cs []*Core) ([]*waiter, []*Core) {
	if in.waits == nil {
		return ws, cs
	}
	ws = append(ws, in.waits.senders...)
	cs = append(cs, in.waits.rooms...)
	clear(in.waits.senders)
	clear(in.waits.rooms)
	in.waits.senders = in.waits.senders[:0]
	in.waits.rooms = in.waits.rooms[:0]
	in.nwait.Store(0)
	return ws, cs
}

// wakeAll wakes the senders ws and tells the components cs that room
// appeared, outside the inbox's lock.
func wakeAll(ws []*waiter, cs []*Core) {
	for _, w := range ws {
		w.wake()
	}
	for _, c := range cs {
		c.set(flagRoom)
		c.notify()
	}
}

// takeAndWakeAll wakes everyone waiting for room in the box; in.mu is held
// on entry and released.
func (in *Inbox[T]) takeAndWakeAll() {
	var wb [4]*waiter
	var cb [4]*Core
	ws, cs := in.takeWaitsLocked(wb[:0], cb[:0])
	in.mu.Unlock()
	wakeAll(ws, cs)
}

// wakeAllSenders wakes every waiting sender, to look again at their route.
func (in *Inbox[T]) wakeAllSenders() {
	in.mu.Lock()
	in.takeAndWakeAll()
}

func (in *Inbox[T]) putAny(ctx context.Context, v any, mode putMode, from sender) error {
	t, ok := v.(T)
	if !ok && v != nil {
		return fmt.Errorf("%w: %T sent to %s of %s", ErrTypeMismatch, v, in, in.Type())
	}
	return in.put(ctx, t, mode, from)
}

// recvChunk is at most how many messages a receiver takes from the shared
// queue at a time.
const recvChunk = 64

// refill moves up to recvChunk messages from the shared queue into out, which
// is empty: by swapping the two rings when they all fit, which copies
// nothing. Only the receiving goroutine calls it.
func (in *Inbox[T]) refill() {
	in.mu.Lock()
	if in.q.len() <= recvChunk {
		in.out, in.q = in.q, in.out
	} else {
		for range recvChunk {
			v, _ := in.q.pop()
			in.out.push(v)
		}
	}
	in.mu.Unlock()
}

// TryRecv takes the oldest message, if there is one (Axon's recv).
func (in *Inbox[T]) TryRecv() (T, bool) {
	if in.out.len() == 0 {
		if in.waiting() == 0 {
			var zero T
			return zero, false
		}
		in.refill()
	}
	v, ok := in.out.pop()
	if ok {
		in.bc.owner.set(flagHot)
		in.taken.Add(1)
		in.wakeSenders()
	}
	return v, ok
}

func (in *Inbox[T]) takeAny() (any, bool) { return in.TryRecv() }

// TryRecvBatch appends up to max waiting messages to dst, oldest first, and
// returns it. It is the cheap way to drain a busy inbox.
func (in *Inbox[T]) TryRecvBatch(dst []T, max int) []T {
	if in.out.len() == 0 && in.waiting() == 0 {
		return dst
	}
	n0 := len(dst)
	dst = in.out.popInto(dst, max)
	if k := len(dst) - n0; k < max {
		in.mu.Lock()
		dst = in.q.popInto(dst, max-k)
		in.mu.Unlock()
	}
	k := len(dst) - n0
	if k > 0 {
		in.bc.owner.set(flagHot)
		in.taken.Add(int64(k))
		in.wakeSenders()
	}
	return dst
}

// Recv waits for a message and takes it. It returns ctx's error when ctx is
// done (the component was told Shutdown), and ErrFinished once the component
// has been told ProducerFinished and the box is empty (except on control,
// where the ProducerFinished itself arrives).
func (in *Inbox[T]) Recv(ctx context.Context) (T, error) {
	c := in.bc.owner
	for {
		// Shutdown means now, even with messages waiting.
		if err := ctx.Err(); err != nil {
			var zero T
			return zero, err
		}
		if v, ok := in.TryRecv(); ok {
			return v, nil
		}
		if c.has(flagFinishing) && !in.bc.ctl {
			if v, ok := in.TryRecv(); ok {
				return v, nil
			}
			var zero T
			return zero, ErrFinished
		}
		if err := c.park(ctx, in); err != nil {
			var zero T
			return zero, err
		}
	}
}

// RecvBatch waits for at least one message, then appends up to max waiting
// messages to dst. Its errors are Recv's.
func (in *Inbox[T]) RecvBatch(ctx context.Context, dst []T, max int) ([]T, error) {
	c := in.bc.owner
	for {
		if err := ctx.Err(); err != nil {
			return dst, err
		}
		if in.waiting() > 0 {
			return in.TryRecvBatch(dst, max), nil
		}
		if c.has(flagFinishing) && !in.bc.ctl {
			if in.waiting() > 0 {
				continue
			}
			return dst, ErrFinished
		}
		if err := c.park(ctx, in); err != nil {
			return dst, err
		}
	}
}

// ready is what a receiver parks for: a message, or ProducerFinished.
func (in *Inbox[T]) ready(*Core) bool {
	return in.waiting() > 0 || (in.bc.owner.has(flagFinishing) && !in.bc.ctl)
}

// Messages returns an iterator over the messages of the box, in order. It
// ends when ctx is done (Shutdown: at once, even with messages waiting) or
// when the component has been told ProducerFinished and the box is drained.
// Main can then return ctx.Err(): nil after ProducerFinished, which the
// runtime turns into ProducerFinished on signal, and context.Canceled after
// Shutdown, which it turns into the Shutdown.
func (in *Inbox[T]) Messages(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := in.Recv(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// moveTo forwards the box to dst and moves the messages waiting in it there,
// in order. Holding this box's lock while dst takes them means no sender can
// slip a newer message in ahead of them. The few messages the receiver has
// already begun taking (see out) stay with it.
func (in *Inbox[T]) moveTo(dst inbox) {
	in.mu.Lock()
	in.fwd = &forward[T]{sinkFor[T](dst)}
	moved := 0
	for {
		v, ok := in.q.pop()
		if !ok {
			break
		}
		_ = dst.putAny(context.Background(), any(v), putForce, sender{})
		moved++
	}
	in.sent.Add(int64(-moved))
	in.takeAndWakeAll()
}

// closedError is the error of a send to a closed box, with in.mu held.
func (in *Inbox[T]) closedError() error {
	if in.bc.removed {
		return fmt.Errorf("%w: %s was removed", ErrNoSuchBox, in)
	}
	return &ReceiverFinishedError{Box: in.String()}
}

// retire closes the box for its removal, unless messages wait in it: then it
// returns how many, and leaves the box as it was. RemoveBox calls it with
// topo held, and marks the box removed under both locks, so either lock
// suffices to read the mark.
func (in *Inbox[T]) retire() int {
	in.mu.Lock()
	if n := in.waiting(); n > 0 {
		in.mu.Unlock()
		return int(n)
	}
	in.bc.closed = true
	in.bc.removed = true
	in.takeAndWakeAll()
	return 0
}

// close marks the inbox of a finished component: sends to it fail with a
// *ReceiverFinishedError from now on, and sends waiting for room wake to
// fail so. Only the finishing component's goroutine calls it.
func (in *Inbox[T]) close() {
	in.mu.Lock()
	in.bc.closed = true
	in.takeAndWakeAll()
}

// giveBack hands the messages waiting in the inbox of a finished child back
// to dst, the parent's inbox that forwarded them here, ahead of anything sent
// after, and forwards later sends there too. It runs on the finished child's
// goroutine (so its private chunk is safe to take), with the topology lock
// held, before the passthrough link is removed.
func (in *Inbox[T]) giveBack(dst inbox) {
	in.mu.Lock()
	vs := in.takeAllLocked()
	if in.bc.ctl {
		// Shutdown messages on control were acted on by the child when
		// they arrived: they are its, not the parent's.
		vs = slices.DeleteFunc(vs, IsShutdownMessage)
	}
	in.fwd = &forward[T]{sinkFor[T](dst)}
	dst.takeBack(vs)
	in.takeAndWakeAll()
}

// takeBack makes the inbox a final destination again and queues vs in it,
// in order, ahead of later sends: the other half of giveBack.
func (in *Inbox[T]) takeBack(vs []any) {
	in.mu.Lock()
	in.fwd = nil
	k := 0
	for _, v := range vs {
		if t, ok := v.(T); ok || v == nil {
			in.q.push(t)
			k++
		}
	}
	in.sent.Add(int64(k))
	in.mu.Unlock()
	in.bc.owner.notify()
}

// setForward makes the box deliver onward to dst (nil: hold messages
// itself). Senders waiting for room are woken to follow the new route.
func (in *Inbox[T]) setForward(dst inbox) {
	var f *forward[T]
	if dst != nil && dst != inbox(in) {
		f = &forward[T]{sinkFor[T](dst)}
	}
	in.mu.Lock()
	in.fwd = f
	in.takeAndWakeAll()
}

func (in *Inbox[T]) newMirror(owner *Core, name string) outbox {
	return newOutbox[T](owner, name)
}

// sinkFor returns how a sender of T delivers to dst.
func sinkFor[T any](dst inbox) sink[T] {
	if in, ok := dst.(*Inbox[T]); ok {
		return in
	}
	return convertSink[T]{dst}
}

// convertSink delivers values of T to an inbox of an interface type that T
// implements (checked when linked).
type convertSink[T any] struct{ dst inbox }

func (s convertSink[T]) put(ctx context.Context, v T, mode putMode, from sender) error {
	return s.dst.putAny(ctx, any(v), mode, from)
}

func (s convertSink[T]) putBatch(ctx context.Context, vs []T, from sender) (int, error) {
	for i, v := range vs {
		if err := s.dst.putAny(ctx, any(v), putBlock, from); err != nil {
			return i, err
		}
	}
	return len(vs), nil
}

func (s convertSink[T]) final() inbox { return s.dst }

// Outbox is a typed outbox. A send delivers straight into the inbox at the
// end of the outbox's link chain, however many passthrough links lie between,
// with no copy and no goroutine per hop: the message received is the value
// sent. An outbox linked to nothing when a send starts drops what it is sent,
// and counts it; a send already under way when its route is cut waits for a
// new one (see Send).
type Outbox[T any] struct {
	bc      boxCore
	route   atomic.Pointer[route[T]]
	epoch   atomic.Uint32 // bumped at every change of route
	dropped atomic.Uint64
	// routed is closed when the outbox gets a route again or is removed, to
	// wake the sends whose route was cut while they waited. Made by the
	// first such send; guarded by topo.
	routed chan struct{}
}

// route is where an outbox delivers. in is the sink itself when it is an
// inbox of T, the common case, so that a send calls it directly rather than
// through the interface.
type route[T any] struct {
	sink sink[T]
	in   *Inbox[T]
}

// NewOutbox declares an outbox of T called name on comp and returns it. It
// may be called before or while comp runs. With the same type it returns the
// existing box. It panics if comp already has an outbox of that name with
// another type, or comp is nil: DeclareOutbox returns those as errors.
func NewOutbox[T any](comp Component, name string) *Outbox[T] {
	if isNilComponent(comp) {
		panic(fmt.Sprintf("axon: NewOutbox %q on a nil component", name))
	}
	out, conflict := declareOutbox[T](coreOf(comp), name)
	if conflict != "" {
		panic("axon: " + conflict + " (DeclareOutbox returns this as an error)")
	}
	return out
}

// DeclareOutbox is NewOutbox returning an error instead of panicking: one
// wrapping ErrBoxExists if comp already has an outbox called name of another
// type ("signal" always carries any), or ErrNilArgument if comp is nil.
// With the same type it returns the existing box.
func DeclareOutbox[T any](comp Component, name string) (*Outbox[T], error) {
	if isNilComponent(comp) {
		return nil, fmt.Errorf("%w: DeclareOutbox %q on a nil component", ErrNilArgument, name)
	}
	out, conflict := declareOutbox[T](coreOf(comp), name)
	if conflict != "" {
		return nil, fmt.Errorf("%w: %s", ErrBoxExists, conflict)
	}
	return out, nil
}

// declareOutbox returns c's outbox of T called name, made if need be, or
// describes why it cannot.
func declareOutbox[T any](c *Core, name string) (*Outbox[T], string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "signal" {
		c.signalLocked() // signal always carries any
	}
	if b := c.findOutbox(name); b != nil {
		if out, ok := b.(*Outbox[T]); ok {
			return out, ""
		}
		return nil, fmt.Sprintf("%s already has outbox %q of type %s, not %s", c.nameLocked(), name, b.Type(), reflect.TypeFor[T]())
	}
	out := newOutbox[T](c, name)
	c.outboxes = append(c.outboxes, out)
	return out, ""
}

func newOutbox[T any](c *Core, name string) *Outbox[T] {
	out := &Outbox[T]{}
	out.bc = boxCore{name: name, owner: c, self: out}
	return out
}

// Name returns the box's name.
func (o *Outbox[T]) Name() string { return o.bc.name }

// Component returns the component that owns the box.
func (o *Outbox[T]) Component() Component { return o.bc.owner.self }

// Type returns T.
func (o *Outbox[T]) Type() reflect.Type { return reflect.TypeFor[T]() }

// IsInbox returns false.
func (o *Outbox[T]) IsInbox() bool { return false }

// String returns "component.box".
func (o *Outbox[T]) String() string { return o.bc.label() }

func (o *Outbox[T]) boxCore() *boxCore {
	if o == nil {
		return nil // a typed nil box: see isNilBox
	}
	return &o.bc
}

// Dropped returns how many messages were sent while the outbox led nowhere.
func (o *Outbox[T]) Dropped() uint64 { return o.dropped.Load() }

func (o *Outbox[T]) linked() bool {
	topo.Lock()
	defer topo.Unlock()
	return o.bc.next != nil
}

// Linked reports whether the outbox leads to an inbox.
func (o *Outbox[T]) Linked() bool {
	r := o.route.Load()
	return r != nil && r.sink != nil
}

// sender describes a send from o; the epoch is read before the route, so a
// relink between the two is seen.
func (o *Outbox[T]) sender() sender {
	return sender{core: o.bc.owner, epoch: &o.epoch, seen: o.epoch.Load()}
}

// Send delivers v, waiting while the destination inbox is full. It returns
// ctx's error if ctx ends first. Once Send has begun, v is either delivered
// or Send returns an error: a send waiting for room whose route is cut
// (a link of its chain removed) waits for a route again, or room, or ctx,
// as a message held in an Axon outbox waits for a link. Only an outbox
// linked to nothing when Send is called drops v, and counts it (see
// Dropped), as Axon's scheduler drops what an unlinked outbox holds;
// unless ctx has ended or the outbox's component has been told to stop
// now (Shutdown): then Send returns that context's error, as a send that
// waited would, so that a loop that only sends stops instead of dropping
// message after message.
func (o *Outbox[T]) Send(ctx context.Context, v T) error {
	started := false // v was handed to a route: it must not be dropped now
	for {
		from := o.sender()
		r := o.route.Load()
		if r == nil || r.sink == nil {
			if !started {
				return o.drop(ctx, 1)
			}
			if err := o.waitRoute(ctx, from.seen); err != nil {
				return err
			}
			continue
		}
		// A send waiting for room gives up that wait when the outbox is
		// relinked, and follows the new route.
		var err error
		if r.in != nil {
			err = r.in.put(ctx, v, putBlock, from)
		} else {
			err = r.sink.put(ctx, v, putBlock, from)
		}
		if err != errRerouted {
			return err
		}
		started = true
	}
}

// waitRoute waits, for a send whose route was cut, until the route of o
// changes from the one of epoch seen, or o is removed (an error wrapping
// ErrNoSuchBox: no route will come), or ctx ends (ctx's error).
func (o *Outbox[T]) waitRoute(ctx context.Context, seen uint32) error {
	topo.Lock()
	if o.bc.removed {
		topo.Unlock()
		return fmt.Errorf("%w: %s was removed while a send on it waited for a link", ErrNoSuchBox, o)
	}
	// setRoute bumps the epoch under topo: a change after this look closes
	// the channel taken here.
	if o.epoch.Load() != seen {
		topo.Unlock()
		return nil
	}
	if o.routed == nil {
		o.routed = make(chan struct{})
	}
	ch := o.routed
	topo.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// forgetRoute wakes the sends waiting for a route, with topo held: the
// outbox was relinked or removed.
func (o *Outbox[T]) forgetRoute() {
	if o.routed != nil {
		close(o.routed)
		o.routed = nil
	}
}

// TrySend delivers v if the destination inbox has room, else returns a
// *FullError wrapping ErrBoxFull (Axon's noSpaceInBox) and v is not sent.
// Then the component's next Wait (or a WaitFor naming this outbox) returns
// when room appears in that inbox, so Axon's "try, and pause when the box
// is full" works as written there. An outbox linked to nothing drops v and
// counts it, as Send does, unless its component has been told to stop now:
// then TrySend returns the error of the component's context.
func (o *Outbox[T]) TrySend(v T) error {
	r := o.route.Load()
	if r == nil || r.sink == nil {
		return o.drop(context.Background(), 1)
	}
	return r.sink.put(context.Background(), v, putTry, sender{core: o.bc.owner})
}

// SendBatch delivers vs in order, as len(vs) Sends would, taking the
// destination's lock once per run of messages that fit. Like Send, it drops
// (and counts) vs only when the outbox is linked to nothing when it is
// called, and returns an error instead when ctx has ended or the component
// has been told to stop now; a batch whose route is cut part way waits for
// a route for the rest. When it returns an error, the messages before the one it failed on
// were delivered and the rest were not sent.
func (o *Outbox[T]) SendBatch(ctx context.Context, vs []T) error {
	started := false
	for {
		from := o.sender()
		r := o.route.Load()
		if r == nil || r.sink == nil {
			if !started {
				return o.drop(ctx, len(vs))
			}
			if err := o.waitRoute(ctx, from.seen); err != nil {
				return err
			}
			continue
		}
		n, err := r.sink.putBatch(ctx, vs, from)
		if err != errRerouted {
			return err
		}
		vs = vs[n:]
		started = true
	}
}

// drop is a send of n messages on an outbox linked to nothing: they are
// dropped and counted, unless ctx has ended or the outbox's component has
// been told to stop now, which is then the send's error.
func (o *Outbox[T]) drop(ctx context.Context, n int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c := o.bc.owner; c != nil {
		if err := c.ctx.Err(); err != nil {
			return err
		}
	}
	o.dropped.Add(uint64(n))
	return nil
}

func (o *Outbox[T]) fedByPassthrough() bool {
	topo.Lock()
	defer topo.Unlock()
	return o.bc.ups != nil
}

// sendFinal delivers a shutdown message regardless of capacity.
func (o *Outbox[T]) sendFinal(v T) {
	r := o.route.Load()
	if r == nil || r.sink == nil {
		o.dropped.Add(1)
		return
	}
	_ = r.sink.put(context.Background(), v, putForce, sender{})
}

func (o *Outbox[T]) sendAny(ctx context.Context, v any) error {
	t, ok := v.(T)
	if !ok && v != nil {
		return fmt.Errorf("%w: %T sent to %s of %s", ErrTypeMismatch, v, o, o.Type())
	}
	return o.Send(ctx, t)
}

func (o *Outbox[T]) setRoute(dst inbox) {
	old := o.route.Load()
	if dst == nil {
		o.route.Store(&route[T]{})
	} else {
		in, _ := dst.(*Inbox[T])
		o.route.Store(&route[T]{sink: sinkFor[T](dst), in: in})
	}
	o.epoch.Add(1)
	if dst != nil {
		o.forgetRoute()
	}
	if old != nil && old.sink != nil {
		// A send may be waiting for room at the old end: wake it to follow
		// the new route.
		old.sink.final().wakeAllSenders()
	}
}

// roomFor reports whether a send on o would find room now (or would not
// wait for it: o leads nowhere); if not, c is woken when room appears.
func (o *Outbox[T]) roomFor(c *Core) bool {
	r := o.route.Load()
	if r == nil || r.sink == nil {
		return true
	}
	return r.sink.final().wantRoom(c)
}

func (o *Outbox[T]) newMirror(owner *Core, name string) inbox {
	return newInbox[T](owner, name)
}

// NewInboxLike declares on comp an inbox called name of the same message
// type as like, for code that wires boxes by name without knowing their types
// (a Graphline making its own boxes to match its children's). It returns the
// existing box if comp has an inbox of that name and type, and an error
// wrapping ErrBoxExists if it has one of another type. A nil comp or like is
// an error wrapping ErrNilArgument.
func NewInboxLike(comp Component, name string, like Box) (Box, error) {
	if isNilComponent(comp) {
		return nil, fmt.Errorf("%w: NewInboxLike %q: component is nil", ErrNilArgument, name)
	}
	if isNilBox(like) {
		return nil, fmt.Errorf("%w: NewInboxLike %q: box like is nil", ErrNilArgument, name)
	}
	c := coreOf(comp)
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "control" {
		c.controlLocked()
	}
	if b := c.findInbox(name); b != nil {
		if b.Type() != like.Type() {
			return nil, fmt.Errorf("%w: %s has inbox %q of type %s, not %s", ErrBoxExists, c.nameLocked(), name, b.Type(), like.Type())
		}
		return b, nil
	}
	var in inbox
	if l, ok := like.(outbox); ok {
		in = l.newMirror(c, name)
	} else {
		in = like.(inbox).newMirror(c, name).newMirror(c, name)
	}
	c.inboxes = append(c.inboxes, in)
	return in, nil
}

// NewOutboxLike declares on comp an outbox called name of the same message
// type as like; see NewInboxLike.
func NewOutboxLike(comp Component, name string, like Box) (Box, error) {
	if isNilComponent(comp) {
		return nil, fmt.Errorf("%w: NewOutboxLike %q: component is nil", ErrNilArgument, name)
	}
	if isNilBox(like) {
		return nil, fmt.Errorf("%w: NewOutboxLike %q: box like is nil", ErrNilArgument, name)
	}
	c := coreOf(comp)
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "signal" {
		c.signalLocked()
	}
	if b := c.findOutbox(name); b != nil {
		if b.Type() != like.Type() {
			return nil, fmt.Errorf("%w: %s has outbox %q of type %s, not %s", ErrBoxExists, c.nameLocked(), name, b.Type(), like.Type())
		}
		return b, nil
	}
	var out outbox
	if l, ok := like.(inbox); ok {
		out = l.newMirror(c, name)
	} else {
		out = like.(outbox).newMirror(c, name).newMirror(c, name)
	}
	c.outboxes = append(c.outboxes, out)
	return out, nil
}

// SendAny sends v on the outbox b, for code that knows b's message type only
// at run time (routing by name). v must be of b's type: otherwise the error
// wraps ErrTypeMismatch and nothing is sent.
func SendAny(ctx context.Context, b Box, v any) error {
	if isNilBox(b) {
		return fmt.Errorf("%w: SendAny on a nil box", ErrNilArgument)
	}
	o, ok := b.(outbox)
	if !ok {
		return fmt.Errorf("axon: SendAny on %s, which is not an outbox", b)
	}
	return o.sendAny(ctx, v)
}

// TryRecvAny takes the oldest message from the inbox b, if there is one, for
// code that knows b's message type only at run time. Like every receive, it
// is for b's component's own goroutine.
func TryRecvAny(b Box) (any, bool) {
	in, ok := b.(interface{ takeAny() (any, bool) })
	if !ok {
		return nil, false
	}
	return in.takeAny()
}

// Leftovers takes every message still waiting in the inbox b of a finished
// component, oldest first, so that a supervisor can hand them to the
// component that replaces it. It fails while the component is running.
func Leftovers(b Box) ([]any, error) {
	if isNilBox(b) {
		return nil, fmt.Errorf("%w: Leftovers of a nil box", ErrNilArgument)
	}
	in, ok := b.(inbox)
	if !ok {
		return nil, fmt.Errorf("axon: Leftovers of %s, which is not an inbox", b)
	}
	if c := b.boxCore().owner; c.State() != Finished {
		return nil, fmt.Errorf("axon: Leftovers of %s while its component is %s", b, c.State())
	}
	return in.drainFinished(), nil
}

// drainFinished empties the inbox of a finished component, private chunk
// first: its owner's goroutine has ended, so the chunk is safe to take.
func (in *Inbox[T]) drainFinished() []any {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.takeAllLocked()
}

// takeAllLocked empties the box, private chunk first, with in.mu held. Only
// for a box whose receiver has finished: the chunk is its goroutine's.
func (in *Inbox[T]) takeAllLocked() []any {
	var vs []any
	for _, r := range []*ring[T]{&in.out, &in.q} {
		for {
			v, ok := r.pop()
			if !ok {
				break
			}
			vs = append(vs, any(v))
		}
	}
	// Everything counted as waiting is in vs now: the messages in out were
	// never counted as taken, so the count falls by all of them.
	in.sent.Add(int64(-len(vs)))
	return vs
}

// ring is a FIFO queue that grows by doubling and shrinks back when empty.
type ring[T any] struct {
	buf  []T
	head int32
	size int32
}

func (r *ring[T]) len() int { return int(r.size) }

func (r *ring[T]) push(v T) {
	if int(r.size) == len(r.buf) {
		r.grow()
	}
	r.buf[int(r.head+r.size)&(len(r.buf)-1)] = v
	r.size++
}

func (r *ring[T]) pop() (T, bool) {
	var zero T
	if r.size == 0 {
		return zero, false
	}
	v := r.buf[r.head]
	r.buf[r.head] = zero // the queue no longer holds a reference
	r.head = (r.head + 1) & int32(len(r.buf)-1)
	r.size--
	if r.size == 0 {
		r.head = 0
		if len(r.buf) > 1<<16 {
			r.buf = nil // a burst in a big box is over: give its memory back
		}
	}
	return v, true
}

// pushAll appends vs in order.
func (r *ring[T]) pushAll(vs []T) {
	for int(r.size)+len(vs) > len(r.buf) {
		r.grow()
	}
	mask := len(r.buf) - 1
	start := (int(r.head) + int(r.size)) & mask
	n := copy(r.buf[start:], vs)
	copy(r.buf, vs[n:])
	r.size += int32(len(vs))
}

// popInto appends up to max of the oldest values to dst and removes them.
func (r *ring[T]) popInto(dst []T, max int) []T {
	k := min(max, int(r.size))
	if k == 0 {
		return dst
	}
	head := int(r.head)
	end := min(head+k, len(r.buf))
	dst = append(dst, r.buf[head:end]...)
	clear(r.buf[head:end])
	if rest := k - (end - head); rest > 0 {
		dst = append(dst, r.buf[:rest]...)
		clear(r.buf[:rest])
	}
	r.head = int32((head + k) & (len(r.buf) - 1))
	r.size -= int32(k)
	if r.size == 0 {
		r.head = 0
	}
	return dst
}

func (r *ring[T]) grow() {
	n := max(2, 2*len(r.buf)) // small: most boxes hold a message or two at a time
	buf := make([]T, n)
	for i := range int(r.size) {
		buf[i] = r.buf[(int(r.head)+i)&(len(r.buf)-1)]
	}
	r.buf = buf
	r.head = 0
}
