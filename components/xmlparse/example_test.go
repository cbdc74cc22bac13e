package xmlparse_test

import (
	"context"
	"fmt"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/xmlparse"
)

func ExampleNewParser() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), xmlparse.NewParser[string]())
	for _, chunk := range []string{`<EDL><Fil`, `eID>clip</FileID><Start fr`, `ame="3"/></EDL>`} {
		_ = h.Put(ctx, "inbox", chunk)
	}
	_ = h.Finish(ctx)
	for {
		ev, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Printf("%T %v\n", ev, ev)
	}
	// Output:
	// xmlparse.StartDocument {}
	// xmlparse.StartElement {EDL  map[]}
	// xmlparse.StartElement {FileID  map[]}
	// xmlparse.CharData {clip}
	// xmlparse.EndElement {FileID }
	// xmlparse.StartElement {Start  map[frame:3]}
	// xmlparse.EndElement {Start }
	// xmlparse.EndElement {EDL }
	// xmlparse.EndDocument {}
}
