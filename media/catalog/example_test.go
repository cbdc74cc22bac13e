//go:build cgo

package catalog_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/kamaelia-go/kamaelia/launch/catalog"
	mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"
)

// A program's catalogue is the standard one plus the media components;
// its components are documented like the standard ones, and a launch line
// naming them is checked before anything is made.
func Example() {
	env := catalog.Env{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr}
	r := catalog.New(env)
	mediacatalog.Register(r, env)

	for _, name := range []string{"DiracDecoder", "Display"} {
		e, _ := r.Lookup(name)
		fmt.Println(e.Name+":", e.Summary)
	}
	_, err := r.BuildString(`TCPClient port=1601 ! DiracDecoder skipcorrupt=nope ! Display`)
	fmt.Println(err)
	// Output:
	// DiracDecoder: decodes a Dirac (VC-2) byte stream into video frames through FFmpeg (Kamaelia's DiracDecoder)
	// Display: the SDL window that VideoOverlay draws in (Kamaelia's PygameDisplay); one a process
	// 1:48: skipcorrupt of DiracDecoder: "nope" is not a bool (true or false)
}
