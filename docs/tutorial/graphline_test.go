package tutorial_test

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/components/split"
)

// A Graphline: named components, a table of links, and boxes of its own.
func Example_graphline() {
	// tutorial:begin graphline
	g := chassis.Graphline(chassis.Components{
		"WORDS": source.NewDataSource([]string{"concurrency", "made", "simple"}),
		"SPLIT": split.NewTwoWaySplitter[string](),
		"LOUD":  NewUppercase(),
		"SIZE":  flow.NewPureTransformer(func(w string) int { return len(w) }),
	}, chassis.Linkages{
		{Component: "WORDS", Box: "outbox"}:  {Component: "SPLIT", Box: "inbox"},
		{Component: "WORDS", Box: "signal"}:  {Component: "SPLIT", Box: "control"},
		{Component: "SPLIT", Box: "outbox"}:  {Component: "LOUD", Box: "inbox"},
		{Component: "SPLIT", Box: "signal"}:  {Component: "LOUD", Box: "control"},
		{Component: "SPLIT", Box: "outbox2"}: {Component: "SIZE", Box: "inbox"},
		{Component: "SPLIT", Box: "signal2"}: {Component: "SIZE", Box: "control"},
		{Component: "LOUD", Box: "outbox"}:   {Component: "self", Box: "outbox"},
		{Component: "SIZE", Box: "outbox"}:   {Component: "self", Box: "sizes"}, // a new box of this Graphline, typed int
	})

	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), g)
	words, _ := axontest.Collect[string](ctx, h, "outbox")
	sizes, _ := axontest.Collect[int](ctx, h, "sizes")
	outcome, _ := h.Get(ctx, "signal")
	fmt.Println(words, sizes, outcome)
	// tutorial:end graphline

	// Output:
	// [CONCURRENCY MADE SIMPLE] [11 4 6] ProducerFinished
}

// A Graphline finds a misnamed box when it is built.
func Example_graphlineError() {
	// tutorial:begin graphlineerror
	loud := NewUppercase()
	loud.SetName("loud")
	_, err := chassis.NewGraphline(chassis.Components{
		"WORDS": source.NewDataSource([]string{"x"}),
		"LOUD":  loud,
	}, chassis.Linkages{
		{Component: "WORDS", Box: "outbox"}: {Component: "LOUD", Box: "in"},
	})
	fmt.Println(err)
	// tutorial:end graphlineerror

	// Output:
	// chassis: graphline linkage WORDS.outbox -> LOUD.in: axon: no such box: loud has no inbox "in" (inboxes: inbox, control)
}
