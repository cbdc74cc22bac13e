package frame_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/media/frame"
)

// A frame is planes of bytes; NewVideo makes them tight.
func ExampleNewVideo() {
	v := frame.NewVideo(frame.YUV420P, 320, 240)
	for i := range v.Format.NumPlanes() {
		w, h := v.Format.PlaneSize(i, v.Width, v.Height)
		fmt.Printf("plane %d: %dx%d, stride %d\n", i, w, h, v.Strides[i])
	}
	fmt.Println(v.Validate())
	// Output:
	// plane 0: 320x240, stride 320
	// plane 1: 160x120, stride 160
	// plane 2: 160x120, stride 160
	// <nil>
}

// Audio converts between sample formats: here 16-bit stereo to the planar
// floats an encoder takes.
func ExampleAudio_Convert() {
	a := frame.NewS16(2, 44100, []int16{16384, -16384, 8192, -8192})
	p, _ := a.Convert(frame.F32P)
	fmt.Println(p)
	fmt.Println(p.Float32s())
	// Output:
	// audio fltp 2ch 44100Hz 2 samples @0s
	// [0.5 -0.5 0.25 -0.25]
}
