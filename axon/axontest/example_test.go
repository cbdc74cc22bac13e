package axontest_test

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// Doubler sends twice each int it is given.
type Doubler struct {
	axon.Core
	In  *axon.Inbox[int]
	Out *axon.Outbox[int]
}

func NewDoubler() *Doubler {
	d := &Doubler{}
	d.In = axon.NewInbox[int](d, "inbox")
	d.Out = axon.NewOutbox[int](d, "outbox")
	return d
}

func (d *Doubler) Main(ctx context.Context) error {
	for v := range d.In.Messages(ctx) {
		if err := d.Out.Send(ctx, 2*v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// printT reports failures on standard output. A test passes its *testing.T.
type printT struct{}

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (printT) Fatalf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

func ExampleRun() {
	var t axontest.TestingT = printT{} // in a test: t *testing.T

	res := axontest.Run[int, int](t, NewDoubler(), 1, 2, 3)
	fmt.Println("outputs:", res.Outputs)
	fmt.Println("signals:", res.Signals)
	fmt.Println("err:", res.Err)
	// Output:
	// outputs: [2 4 6]
	// signals: [ProducerFinished]
	// err: <nil>
}
