package choose_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/choose"
)

// drive sends cmds to a chooser, then prints every item it chose.
func drive(c axon.Component, cmds ...string) {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), c)
	for _, cmd := range cmds {
		_ = h.Put(ctx, "inbox", cmd)
	}
	_ = h.Finish(ctx)
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			return
		}
		fmt.Println(v)
	}
}

// A slideshow that goes round.
func ExampleNewChooser() {
	slides := choose.NewChooser([]string{"a.png", "b.png", "c.png"}, choose.WithLoop())
	drive(slides, choose.Prev, choose.Next, choose.Next)
	// Output:
	// a.png
	// c.png
	// a.png
	// b.png
}

func ExampleNewForwardIteratingChooser() {
	playlist := choose.NewForwardIteratingChooser(slices.Values([]string{"intro", "song", "outro"}))
	drive(playlist, choose.Next, choose.Same)
	// Output:
	// intro
	// song
	// song
}
