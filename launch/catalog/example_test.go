package catalog_test

import (
	"context"
	"os"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
)

// The standard catalogue builds a launch line; its echoer writes to the
// Env's Stdout.
func Example() {
	r := catalog.New(catalog.Env{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr})
	s := axon.NewScheduler()
	l, err := r.BuildString(`DataSource items={kamaelia, go} ! Upper ! ConsoleEchoer eol="\n"`, launch.OnScheduler(s))
	if err != nil {
		panic(err)
	}
	if err := s.RunContext(context.Background(), l.Component()); err != nil {
		panic(err)
	}
	// Output:
	// KAMAELIA
	// GO
}
