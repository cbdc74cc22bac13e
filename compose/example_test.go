package compose_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
)

// The article's video server, composed: a file read at a bit rate, served
// to one client at a time. Its launch description is what `kamaelia
// launch` runs.
func Example() {
	ed := compose.NewEditor(catalog.New(catalog.Stdio()))
	rfa, _, _ := ed.Add("ReadFileAdaptor", 0, 0)
	ss, _, _ := ed.Add("SingleServer", 300, 0)
	_, _ = ed.Set(rfa.UID, "filename", "clip.drc", false)
	_, _ = ed.Set(rfa.UID, "bitrate", "400000", false)
	_, _ = ed.Link(compose.Port{UID: rfa.UID, Box: "outbox"}, compose.Port{UID: ss.UID, Box: "inbox"})
	_, err := ed.Link(compose.Port{UID: ss.UID, Box: "inbox"}, compose.Port{UID: rfa.UID, Box: "inbox"})
	fmt.Println(err)
	fmt.Print(compose.Launch(ed.Registry(), ed.Design()))
	// Output:
	// compose: refused: SS2.inbox is an inbox, but a link goes from an outbox to an inbox; the outboxes of SS2: outbox, signal
	// ReadFileAdaptor name=RFA1 filename=clip.drc bitrate=400000
	// SingleServer name=SS2
	// RFA1. ! SS2.
}
