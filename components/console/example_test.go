package console_test

import (
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/console"
)

// The article's first system, Pipeline(ConsoleReader(), ConsoleEchoer()),
// here reading a string instead of the terminal: every line read is echoed,
// and the echoer stops after the reader reaches the end of its input.
func Example() {
	reader := console.NewReader(console.WithInput(strings.NewReader("hello\nworld\n")), console.WithPrompt(""))
	echoer := console.NewEchoer(console.WithTag("echo: "))
	axon.MustLink(reader.Out, echoer.In)
	axon.MustLink(reader.Signal(), echoer.Control())
	if err := axon.NewScheduler().Run(reader, echoer); err != nil {
		panic(err)
	}
	// Output:
	// echo: hello
	// echo: world
}

func ExampleNewEchoer() {
	echoer := console.NewEchoer(console.WithRepr(), console.WithNewline("\n"))
	source := console.NewReader(console.WithInput(strings.NewReader("tab\there\n")), console.WithPrompt(""), console.WithEOL(""))
	axon.MustLink(source.Out, echoer.In)
	axon.MustLink(source.Signal(), echoer.Control())
	_ = axon.NewScheduler().Run(source, echoer)
	// Output:
	// "tab\there"
}
