package axon_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newWaiter returns a component that takes messages from its inbox and
// never sends: it ends only when told to.
func newWaiter(name string) *axontest.Relay[int] {
	r := newRelay[int]()
	r.SetName(name)
	return r
}

func TestDeadlockTwoComponentsWaitingOnEachOther(t *testing.T) {
	s := axontest.NewScheduler(t)
	a, b := newWaiter("a"), newWaiter("b")
	_, err := axon.Link(a.Out, b.In)
	require.NoError(t, err)
	_, err = axon.Link(b.Out, a.In)
	require.NoError(t, err)

	err = s.Run(a, b)
	require.ErrorIs(t, err, axon.ErrDeadlock)
	var d *axon.DeadlockError
	require.ErrorAs(t, err, &d)
	require.Len(t, d.Parked, 2)
	assert.Equal(t, "a", d.Parked[0].Name)
	assert.Equal(t, "a.inbox", d.Parked[0].Box)
	assert.Equal(t, "b", d.Parked[1].Name)
	assert.Equal(t, "b.inbox", d.Parked[1].Box)
	assert.Contains(t, err.Error(), "a waits for a message on a.inbox")
	// Run shut them down: nothing is left running.
	assert.Empty(t, s.Running())
	assert.Equal(t, axon.Finished, a.State())
	assert.Equal(t, axon.Finished, b.State())
}

// Each of two components sends to the other without taking anything: both
// wait for room.
func TestDeadlockCycleOfFullBoxes(t *testing.T) {
	s := axontest.NewScheduler(t)
	mk := func(name string) *funcComp {
		c := &funcComp{}
		c.SetName(name)
		in := axon.NewInbox[int](c, "inbox")
		in.SetCapacity(1)
		out := axon.NewOutbox[int](c, "outbox")
		c.main = func(ctx context.Context) error {
			for i := 0; ; i++ {
				if err := out.Send(ctx, i); err != nil {
					return err
				}
			}
		}
		return c
	}
	a, b := mk("a"), mk("b")
	_, err := axon.LinkByName(a, "outbox", b, "inbox")
	require.NoError(t, err)
	_, err = axon.LinkByName(b, "outbox", a, "inbox")
	require.NoError(t, err)
	var d *axon.DeadlockError
	require.ErrorAs(t, s.Run(a, b), &d)
	require.Len(t, d.Parked, 2)
	assert.True(t, d.Parked[0].Room)
	assert.Equal(t, "b.inbox", d.Parked[0].Box)
	assert.Contains(t, d.Error(), "a waits for room in b.inbox")
}

// Wait reports a deadlock and leaves the components as they are.
func TestDeadlockWaitReturnsItAndLeavesThem(t *testing.T) {
	s := axontest.NewScheduler(t)
	a := newWaiter("a")
	s.Activate(a)
	var d *axon.DeadlockError
	require.ErrorAs(t, s.Wait(axontest.Context(t)), &d)
	assert.Equal(t, axon.Running, a.State())
	// Shut down, it is no longer a deadlock: Wait waits for the end.
	s.ShutdownAll(axon.Shutdown{})
	require.NoError(t, s.Wait(axontest.Context(t)))
}

// A busy exchange parks and wakes both sides thousands of times: a wake-up
// in flight must never be taken for a deadlock.
func TestDeadlockNotReportedForAPingPong(t *testing.T) {
	s := axontest.NewScheduler(t)
	const n = 5000
	ping := &funcComp{}
	pin := axon.NewInbox[int](ping, "inbox")
	pout := axon.NewOutbox[int](ping, "outbox")
	ping.main = func(ctx context.Context) error {
		for i := range n {
			if err := pout.Send(ctx, i); err != nil {
				return err
			}
			if _, err := pin.Recv(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	pong := newRelay[int]()
	_, err := axon.Link(pout, pong.In)
	require.NoError(t, err)
	_, err = axon.Link(pong.Out, pin)
	require.NoError(t, err)
	_, err = axon.LinkByName(ping, "signal", pong, "control")
	require.NoError(t, err)
	require.NoError(t, s.Run(ping, pong))
}

// wakerComp waits on its inbox and a Waker, and ends when woken.
func TestDeadlockNotReportedWhileAWakerIsOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		c := &funcComp{}
		axon.NewInbox[int](c, "inbox")
		w := c.NewWaker()
		c.main = func(ctx context.Context) error {
			for {
				if err := c.Wait(ctx); err != nil {
					return err
				}
				if w.Woken() {
					return nil
				}
			}
		}
		other := newWaiter("other")
		s.Activate(c, other)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded, "a deadlock was reported while a Waker is open")
		// Closing the Waker leaves nothing that can wake them.
		w.Close()
		assert.ErrorIs(t, s.Wait(t.Context()), axon.ErrDeadlock)
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(t.Context()))
	})
}

func TestDeadlockNotReportedWhileAFeedProducerBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		r, w := net.Pipe()
		f := newFeeder(1, func(ctx context.Context, f *feeder) error {
			f.feed.Start(func(ctx context.Context, emit func(int) bool) error {
				var b [1]byte
				_, err := r.Read(b[:]) // blocks: nothing is written
				return err
			})
			_, err := f.drain(ctx, nil)
			return err
		})
		s.Activate(f)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded, "a deadlock was reported while a producer reads")
		require.NoError(t, w.Close()) // the read ends; so does the component
		require.NoError(t, s.Wait(t.Context()))
		require.NoError(t, r.Close())
	})
}

// A component blocked in a read of a connection is not asleep on its boxes:
// the one waiting for it is not deadlocked.
func TestDeadlockNotReportedWhileAComponentReadsAConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		r, w := net.Pipe()
		reader := &funcComp{}
		out := axon.NewOutbox[int](reader, "outbox")
		reader.main = func(ctx context.Context) error {
			var b [1]byte
			if _, err := r.Read(b[:]); err != nil {
				return err
			}
			return out.Send(ctx, int(b[0]))
		}
		got := make(chan int, 1)
		taker := &funcComp{}
		in := axon.NewInbox[int](taker, "inbox")
		taker.main = func(ctx context.Context) error {
			v, err := in.Recv(ctx)
			got <- v
			return err
		}
		_, err := axon.Link(out, in)
		require.NoError(t, err)
		s.Activate(reader, taker)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded, "a deadlock was reported while a component reads")
		go func() { _, _ = w.Write([]byte{9}) }()
		require.NoError(t, s.Wait(t.Context()))
		assert.Equal(t, 9, <-got)
		require.NoError(t, errors.Join(r.Close(), w.Close()))
	})
}

// Boxes of a component that is not running (a test's, a Handle's) can feed
// the system at any time: no deadlock while one is linked in.
func TestDeadlockNotReportedWhileFedFromOutside(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		src := newBox[int]("src")
		a := newWaiter("a")
		_, err := axon.Link(src.out, a.In)
		require.NoError(t, err)
		s.Activate(a)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded)
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(t.Context()))
	})
}

// A helper goroutine keeps its component alive; when it returns with Main
// asleep on its boxes, the deadlock is found.
func TestDeadlockFoundWhenTheLastHelperReturns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		release := make(chan struct{})
		c := &funcComp{}
		c.SetName("c")
		in := axon.NewInbox[int](c, "inbox")
		c.main = func(ctx context.Context) error {
			c.Go(func(context.Context) error { <-release; return nil })
			_, err := in.Recv(ctx)
			return err
		}
		s.Activate(c)
		synctest.Wait()
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded)
		close(release)
		var d *axon.DeadlockError
		require.ErrorAs(t, s.Wait(t.Context()), &d)
		assert.Equal(t, "c waits for a message on c.inbox", d.Parked[0].String())
		s.ShutdownAll(axon.Shutdown{})
		require.NoError(t, s.Wait(t.Context()))
	})
}

func TestDeadlockNamesTheBoxesOfWaitFor(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := &funcComp{}
	c.SetName("c")
	a := axon.NewInbox[int](c, "a")
	b := axon.NewInbox[int](c, "b")
	c.main = func(ctx context.Context) error { return c.WaitFor(ctx, a, b) }
	var d *axon.DeadlockError
	require.ErrorAs(t, s.Run(c), &d)
	require.Len(t, d.Parked, 1)
	assert.Equal(t, axon.Parked{Component: c, Name: "c", Box: "c.a", More: 1}, d.Parked[0])
	assert.Equal(t, "c waits for a message on c.a or 1 more", d.Parked[0].String())
}
