package shotchange_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/shotchange"
)

// Forty frames of a dark shot and then forty of a bright one, with noise
// in each: the cut comes out fifteen frames late, named by
// the last dark frame.
func ExampleDetector() {
	ctx := context.Background()
	det := shotchange.NewDetector()
	// A jump this stark also lifts the four frames before it to about
	// 1.03; real shots, which move, keep those echoes lower.
	det.Threshold = 1.1
	h, _ := axon.NewHandle(axon.NewScheduler(), det)
	defer h.Close()
	r := rand.New(rand.NewPCG(1, 2))
	go func() {
		for i := range 80 {
			v := frame.NewVideo(frame.Gray8, 64, 48)
			level := byte(40)
			if i >= 40 {
				level = 200
			}
			for j := range v.Planes[0] {
				v.Planes[0][j] = level + byte(r.IntN(8)) // sensor noise
			}
			_ = h.Put(ctx, "inbox", shotchange.Frame{Number: i, Video: v})
		}
		_ = h.Finish(ctx)
	}()
	for {
		c, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Println(c)
	}
	// Output:
	// frame 39 (confidence 1.1513)
}
