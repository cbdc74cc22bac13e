package source_test

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/source"
)

// printAll prints what comp sends until it has finished, then how it ended.
func printAll(h *axon.Handle) {
	ctx := context.Background()
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Println(v)
	}
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)
}

func ExampleNewDataSource() {
	h, _ := axon.NewHandle(axon.NewScheduler(), source.NewDataSource([]string{"hello", "world"}))
	printAll(h)
	// Output:
	// hello
	// world
	// ProducerFinished
}

func ExampleNewOneShot() {
	h, _ := axon.NewHandle(axon.NewScheduler(), source.NewOneShot(42))
	printAll(h)
	// Output:
	// 42
	// ProducerFinished
}

func ExampleNewTriggeredOneShot() {
	h, _ := axon.NewHandle(axon.NewScheduler(), source.NewTriggeredOneShot("fired"))
	_ = h.Put(context.Background(), "inbox", "poke")
	printAll(h)
	// Output:
	// fired
	// ProducerFinished
}

func ExampleNewTriggeredSource() {
	h, _ := axon.NewHandle(axon.NewScheduler(), source.NewTriggeredSource("wibble"))
	ctx := context.Background()
	_ = h.Put(ctx, "inbox", "line one")
	_ = h.Put(ctx, "inbox", "line two")
	_ = h.Finish(ctx)
	printAll(h)
	// Output:
	// wibble
	// wibble
	// ProducerFinished
}
