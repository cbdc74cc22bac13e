package split_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/split"
)

func ExampleNewFanout() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), split.NewFanout[string]("toConsole", "toFile"))
	_ = h.Put(ctx, "inbox", "news")
	_ = h.Finish(ctx)
	a, _ := h.Get(ctx, "toConsole")
	b, _ := h.Get(ctx, "toFile")
	fmt.Println(a, b)
	// Output:
	// news news
}

func ExampleNewTwoWaySplitter() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), split.NewTwoWaySplitter[int]())
	_ = h.Put(ctx, "inbox", 7)
	_ = h.Finish(ctx)
	for _, box := range []string{"outbox", "outbox2", "signal", "signal2"} {
		v, _ := h.Get(ctx, box)
		fmt.Println(box, v)
	}
	// Output:
	// outbox 7
	// outbox2 7
	// signal ProducerFinished
	// signal2 ProducerFinished
}

// Two consumers plugged into one splitter: each gets every message, and
// each ends when the splitter does.
func ExampleNewPlug() {
	ctx := context.Background()
	s := axon.NewScheduler()
	splitter := split.NewPlugSplitter[string]()
	upper, _ := split.NewPlug(splitter, flow.NewPureTransformer(strings.ToUpper))
	title, _ := split.NewPlug(splitter, flow.NewPureTransformer(func(s string) string { return "* " + s }))
	hu, _ := axon.NewHandle(s, upper)
	ht, _ := axon.NewHandle(s, title)
	hs, _ := axon.NewHandle(s, splitter)
	_ = hs.Put(ctx, "inbox", "hello")
	_ = hs.Put(ctx, "inbox", "world")
	_ = hs.Finish(ctx)
	for _, h := range []*axon.Handle{hu, ht} {
		for {
			v, err := h.Get(ctx, "outbox")
			if err != nil {
				break
			}
			fmt.Println(v)
		}
	}
	// Output:
	// HELLO
	// WORLD
	// * hello
	// * world
}
