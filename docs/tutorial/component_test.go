package tutorial_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// tutorial:begin uppercase
// Uppercase turns each line it is sent into capitals.
//
//	inbox    string  lines
//	control  any     ProducerFinished: deal with the lines waiting, then end
//	                 Shutdown: end at once
//	outbox   string  the lines, in capitals
//	signal   any     how it ended
type Uppercase struct {
	axon.Core
	In  *axon.Inbox[string]
	Out *axon.Outbox[string]
}

// NewUppercase makes an Uppercase. Declaring "inbox" and "outbox" with a
// type replaces the untyped ones every component starts with.
func NewUppercase() *Uppercase {
	u := &Uppercase{}
	u.In = axon.NewInbox[string](u, "inbox")
	u.Out = axon.NewOutbox[string](u, "outbox")
	return u
}

// Main runs in a goroutine of its own once the component is activated.
func (u *Uppercase) Main(ctx context.Context) error {
	for line := range u.In.Messages(ctx) {
		if err := u.Out.Send(ctx, strings.ToUpper(line)); err != nil {
			return err
		}
	}
	return ctx.Err() // nil after ProducerFinished, context.Canceled after Shutdown
}

// tutorial:end uppercase

// A component driven from plain Go code through a Handle.
func Example_handle() {
	// tutorial:begin handle
	ctx := context.Background()
	h, err := axon.NewHandle(axon.NewScheduler(), NewUppercase())
	if err != nil {
		panic(err)
	}
	_ = h.Put(ctx, "inbox", "hello")
	_ = h.Put(ctx, "inbox", "world")
	_ = h.Finish(ctx) // ProducerFinished on control: finish what you have, then stop
	for {
		line, err := h.Get(ctx, "outbox")
		if err != nil { // axon.ErrFinished: it has ended and everything has been taken
			break
		}
		fmt.Println(line)
	}
	outcome, _ := h.Get(ctx, "signal")
	fmt.Println(outcome)
	// tutorial:end handle

	// Output:
	// HELLO
	// WORLD
	// ProducerFinished
}
