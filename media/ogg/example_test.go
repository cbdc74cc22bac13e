package ogg_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/media/ogg"
)

// A Writer puts packets on pages; a Reader, given the pages in chunks of
// any size, gives the packets back with their flags and granule positions.
func Example() {
	w := ogg.Writer{Serial: 7}
	var stream []byte
	stream = append(stream, w.Page([]byte("header"), 0, false)...)
	stream = append(stream, w.Page(make([]byte, 600), 4800, true)...) // spans three segments

	var r ogg.Reader
	for len(stream) > 0 {
		n := min(100, len(stream))
		r.Write(stream[:n])
		stream = stream[n:]
		for {
			p, ok, err := r.Next()
			if err != nil {
				fmt.Println(err)
				return
			}
			if !ok {
				break
			}
			fmt.Printf("%d bytes, granule %d, first %v, last %v\n", len(p.Data), p.Granule, p.BOS, p.EOS)
		}
	}
	fmt.Println(r.Flush())
	// Output:
	// 6 bytes, granule 0, first true, last false
	// 600 bytes, granule 4800, first false, last true
	// <nil>
}
