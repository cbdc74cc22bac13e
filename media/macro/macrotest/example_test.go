package macrotest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/media/macro/macrotest"
)

// A two-second multiplex of the recorder's documentation: two television
// services, each with a programme junction at its own time, and one
// amended description that is no junction.
func Example() {
	st, err := macrotest.Generate(context.Background(), macrotest.TwoChannels(2*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("whole packets:", len(st.Bytes)%188 == 0)
	for _, j := range st.Junctions {
		fmt.Printf("junction: service %d, event %d\n", j.Service, j.EventID)
	}
	for _, a := range st.Amendments {
		fmt.Printf("amendment: service %d, event %d: %s\n", a.Service, a.EventID, a.Text)
	}
	// Output:
	// whole packets: true
	// junction: service 4228, event 1
	// junction: service 4351, event 11
	// junction: service 4228, event 2
	// junction: service 4351, event 12
	// amendment: service 4228, event 2: A film, with subtitles.
}
