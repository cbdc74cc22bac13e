package framing_test

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/framing"
)

// run puts pieces into comp, tells it ProducerFinished, and prints what it
// sends.
func run(comp axon.Component, pieces ...string) {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), comp)
	for _, p := range pieces {
		_ = h.Put(ctx, "inbox", p)
	}
	_ = h.Finish(ctx)
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			return
		}
		fmt.Printf("%q\n", v)
	}
}

func ExampleNewChunkifier() {
	run(framing.NewChunkifier[string](5), "Kamae", "lia ", "in Go")
	// Output:
	// "Kamae"
	// "lia i"
	// "n Go"
}

func ExampleNewLineSplit() {
	run(framing.NewLineSplit[string](), "first li", "ne\nsecond\nthi", "rd")
	// Output:
	// "first line"
	// "second"
	// "third"
}
