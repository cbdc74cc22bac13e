package flow_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/flow"
)

// feed puts msgs into comp's inbox, tells it ProducerFinished, and prints
// what it sends until it has finished.
func feed(comp axon.Component, msgs ...any) {
	ctx := context.Background()
	h, err := axon.NewHandle(axon.NewScheduler(), comp)
	if err != nil {
		panic(err)
	}
	for _, m := range msgs {
		if err := h.Put(ctx, "inbox", m); err != nil {
			panic(err)
		}
	}
	if err := h.Finish(ctx); err != nil {
		panic(err)
	}
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Println(v)
	}
	_ = h.Close()
}

func ExampleNewPureTransformer() {
	feed(flow.NewPureTransformer(strings.ToUpper), "hello", "world")
	// Output:
	// HELLO
	// WORLD
}

func ExampleNewFilter() {
	feed(flow.NewFilter(func(n int) bool { return n%2 == 0 }), 1, 2, 3, 4)
	// Output:
	// 2
	// 4
}

func ExampleNewCollate() {
	feed(flow.NewCollate[string](), "a", "b", "c")
	// Output:
	// [a b c]
}

func ExampleNewTagWithSequenceNumber() {
	feed(flow.NewTagWithSequenceNumber[string](), "zero", "one")
	// Output:
	// {0 zero}
	// {1 one}
}

func ExampleNewDetupler() {
	feed(flow.NewDetupler[string](1), []string{"key", "value"})
	// Output:
	// value
}

// A pipeline of two stages, linked as Kamaelia's Pipeline would: outbox to
// inbox, and signal to control, so that the second drains and stops after
// the first.
func Example_pipeline() {
	trim := flow.NewPureTransformer(strings.TrimSpace)
	nonEmpty := flow.NewFilter(func(s string) bool { return s != "" })
	axon.MustLink(trim.Out, nonEmpty.In)
	axon.MustLink(trim.Signal(), nonEmpty.Control())

	ctx := context.Background()
	s := axon.NewScheduler()
	last, _ := axon.NewHandle(s, nonEmpty)
	first, _ := axon.NewHandle(s, trim)
	for _, line := range []string{"  one ", "   ", "two"} {
		_ = first.Put(ctx, "inbox", line)
	}
	_ = first.Finish(ctx)
	for {
		v, err := last.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Printf("%q\n", v)
	}
	_ = s.Wait(ctx)
	// Output:
	// "one"
	// "two"
}
