package reframe_test

import (
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/reframe"
)

// A list of two edits, the second from earlier in the clip, applied to a
// 100-frame clip: the output is the second edit's frames after the first's.
func ExampleReframer() {
	edits, err := reframe.ParseEDL(strings.NewReader(`<EDL>
    <FileID>clip.mp4</FileID>
    <Edit><Start frame="60" /><End frame="62" /><Crop x1="0" y1="0" x2="160" y2="90" /></Edit>
    <Edit><Start frame="10" /><End frame="11" /><Crop x1="80" y1="45" x2="240" y2="135" /></Edit>
</EDL>`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := reframe.New(edits, 240, 160)
	for n := 0; n <= r.Last(); n++ {
		if err := r.Add(n, frame.NewVideo(frame.YUV420P, 320, 180)); err != nil {
			fmt.Println(err)
			return
		}
	}
	pics, src, _ := r.Frames(frame.Rational{Num: 25, Den: 1})
	fmt.Println(len(pics), "pictures of", pics[0].Width, "x", pics[0].Height, "from source frames", src)
	// Output:
	// 5 pictures of 240 x 160 from source frames [60 61 62 10 11]
}
