package wire_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
)

// A stroke segment as Kamaelia's Whiteboard puts it on the wire: every
// digit 9 is escaped.
func ExampleMarshal() {
	line, _ := wire.Marshal(wire.Batch{{"LINE", "0", "0", "0", "190", "29", "191", "30"}}.List())
	fmt.Printf("%q\n", line)
	back, _ := wire.Unmarshal(line)
	fmt.Println(back)
	// Output:
	// "[ LINE 0 0 0 1%390 2%39 1%391 30 ] \n"
	// [[LINE 0 0 0 190 29 191 30]]
}
