package radio_test

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/radio"
)

// The control protocol, as a control connection of the matrix speaks it.
func ExampleDesk_Command() {
	d := radio.NewDesk()
	for _, line := range []string{"QUERY x ALL", "SWITCH x PRERECORD OFF", "QUERY x ALL", "SWITCH x DJ2 ONLY", "QUERY x DJ1", "SWITCH x"} {
		fmt.Printf("%-24s %s\n", line, d.Command(line))
	}
	// Output:
	// QUERY x ALL              ON ON ON
	// SWITCH x PRERECORD OFF   OK
	// QUERY x ALL              ON ON OFF
	// SWITCH x DJ2 ONLY        OK
	// QUERY x DJ1              OFF
	// SWITCH x                 FAIL
}

// The original matrix's arithmetic: DJ1 at 300 and DJ2 at 900 with the
// music silent mix to 400.
func ExampleNewMixer() {
	ctx := context.Background()
	m := radio.NewMixer(nil, radio.DivideByThree)
	m.Chunk = 4 // two samples
	h, _ := axon.NewHandle(axon.NewScheduler(), m)
	for src, v := range []int16{300, 900, 0} {
		b := make([]byte, 4)
		binary.LittleEndian.PutUint16(b, uint16(v))
		binary.LittleEndian.PutUint16(b[2:], uint16(v))
		_ = h.Put(ctx, "inbox", radio.Input{Source: src, Data: b})
	}
	_ = h.Finish(ctx)
	out, _ := h.Get(ctx, "outbox")
	b := out.([]byte)
	fmt.Println(int16(binary.LittleEndian.Uint16(b)), int16(binary.LittleEndian.Uint16(b[2:])))
	// Output:
	// 400 400
}
