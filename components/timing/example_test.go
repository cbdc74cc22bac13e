package timing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/timing"
)

// Messages go on one every millisecond (a thousand a second), after a
// pre-roll of two.
func ExampleNewMessageRateLimit() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), timing.NewMessageRateLimit[string](1000, 2))
	for _, m := range []string{"one", "two", "three"} {
		_ = h.Put(ctx, "inbox", m)
	}
	_ = h.Finish(ctx)
	start := time.Now()
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Println(v)
	}
	fmt.Println("at least 2ms:", time.Since(start) >= 2*time.Millisecond)
	// Output:
	// one
	// two
	// three
	// at least 2ms: true
}

func ExampleNewClock() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), timing.NewClock(time.Millisecond))
	var last time.Time
	for range 3 {
		v, _ := h.Get(ctx, "outbox")
		tick := v.(time.Time)
		fmt.Println("tick, later than the last:", tick.After(last))
		last = tick
	}
	_ = h.Finish(ctx)
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)
	// Output:
	// tick, later than the last: true
	// tick, later than the last: true
	// tick, later than the last: true
	// ProducerFinished
}

// 1000 units a second in chunks of 250: four requests a second.
func ExampleNewByteRateRequestControl() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), timing.NewByteRateRequestControl(1000, timing.WithChunkSize(250)))
	for range 2 {
		v, _ := h.Get(ctx, "outbox")
		fmt.Println("fetch", v)
	}
	_ = h.Close()
	// Output:
	// fetch 250
	// fetch 250
}
