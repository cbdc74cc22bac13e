package axon_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// numbers sends 1, 2, 3, ... up to limit (for ever when limit is 0), and
// ends early when told ProducerFinished.
type numbers struct {
	axon.Core
	out   *axon.Outbox[int]
	limit int
	sent  int
}

func newNumbers(limit int) *numbers {
	n := &numbers{limit: limit}
	n.out = axon.NewOutbox[int](n, "outbox")
	return n
}

func (n *numbers) Main(ctx context.Context) error {
	for n.limit == 0 || n.sent < n.limit {
		if n.Finishing() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err // told to stop now (a send to no one does not wait)
		}
		if err := n.out.Send(ctx, n.sent+1); err != nil {
			return err
		}
		n.sent++
	}
	return nil
}

// printer prints what it receives (the first few only, when quiet), until
// told to finish; it calls seen, if set, with the count so far.
type printer struct {
	axon.Core
	in    *axon.Inbox[int]
	quiet bool
	got   int
	seen  func(got int)
}

func newPrinter() *printer {
	p := &printer{}
	p.in = axon.NewInbox[int](p, "inbox")
	return p
}

func (p *printer) Main(ctx context.Context) error {
	for v := range p.in.Messages(ctx) {
		p.got++
		if !p.quiet {
			fmt.Println(v)
		}
		if p.seen != nil {
			p.seen(p.got)
		}
	}
	return ctx.Err()
}

// chain links a source to a sink the way a Pipeline does: outbox to inbox,
// signal to control, so the sink ends when the source has.
func chain(src *numbers, dst *printer) {
	axon.MustLink(src.out, dst.in)
	axon.MustLink(src.Signal(), dst.Control())
}

// Run until done: Run returns when every component has ended, with their
// failures joined (nil here: none failed).
func ExampleScheduler_Run() {
	s := axon.NewScheduler()
	src, out := newNumbers(3), newPrinter()
	chain(src, out)
	err := s.Run(src, out)
	fmt.Println("err:", err)
	// Output:
	// 1
	// 2
	// 3
	// err: <nil>
}

// RunContext with signal.NotifyContext: Ctrl-C (SIGINT) cancels the
// context, and every component is told Shutdown. Here the process sends
// itself the SIGINT once three numbers are printed, standing for the user.
func ExampleScheduler_RunContext() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	s := axon.NewScheduler()
	src, out := newNumbers(0), newPrinter()
	out.quiet = true
	out.seen = func(got int) {
		switch {
		case got < 3:
			fmt.Println(got)
		case got == 3:
			fmt.Println(got)
			_ = syscall.Kill(os.Getpid(), syscall.SIGINT) // the user's Ctrl-C
		}
	}
	chain(src, out)
	err := s.RunContext(ctx, src, out)
	fmt.Println("err:", err) // a shutdown is not a failure
	// Output:
	// 1
	// 2
	// 3
	// err: <nil>
}

// FinishAll drains a system: its sources are told ProducerFinished, finish
// what they have and tell the next, so nothing in flight is lost. Had they
// not ended before ctx, they would have been told Shutdown.
func ExampleScheduler_FinishAll() {
	s := axon.NewScheduler()
	src, out := newNumbers(0), newPrinter()
	out.quiet = true
	busy := make(chan struct{})
	out.seen = func(got int) {
		if got == 1000 {
			close(busy)
		}
	}
	chain(src, out)
	s.Activate(src, out)
	<-busy

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.FinishAll(ctx)
	fmt.Println("err:", err)
	fmt.Println("everything sent was received:", src.sent == out.got)
	// Output:
	// err: <nil>
	// everything sent was received: true
}

// mule ignores its context: it ends only when release is closed.
type mule struct {
	axon.Core
	release chan struct{}
}

func (m *mule) Main(context.Context) error {
	<-m.release
	return nil
}

// Shutdown with a deadline: everything is told to stop now, and what is
// still running at the deadline (or after the grace period) is named by a
// *StuckError. Go cannot kill a goroutine: the stuck component runs on.
func ExampleScheduler_Shutdown() {
	s := axon.NewScheduler()
	stuck := &mule{release: make(chan struct{})}
	stuck.SetName("mule")
	s.Activate(newNumbers(0), stuck)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	var se *axon.StuckError
	fmt.Println(errors.As(err, &se), se.Components)

	close(stuck.release) // so that the example leaves nothing running
	fmt.Println(s.Wait(context.Background()))
	// Output:
	// true [mule]
	// <nil>
}

// Stopping one component from plain Go code: Tell puts a shutdown message
// on its control inbox. ProducerFinished drains it (and, through its
// signal, what it feeds); Shutdown would stop it now.
func ExampleCore_Tell() {
	s := axon.NewScheduler()
	src, out := newNumbers(0), newPrinter()
	out.quiet = true
	busy := make(chan struct{})
	out.seen = func(got int) {
		if got == 100 {
			close(busy)
		}
	}
	chain(src, out)
	s.Activate(src, out)
	<-busy

	fmt.Println(src.Tell(axon.ProducerFinished{}))
	fmt.Println(s.Wait(context.Background()))
	fmt.Println("everything sent was received:", src.sent == out.got)
	fmt.Println(src.Tell(axon.Shutdown{}) != nil) // it has ended: nothing to tell
	// Output:
	// <nil>
	// <nil>
	// everything sent was received: true
	// true
}
