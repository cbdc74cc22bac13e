package cli_test

import (
	"context"
	"os"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/launch/cli"
)

// A program registers a component of its own next to the standard
// catalogue and runs a launch line that uses it.
func Example() {
	e := catalog.Env{Stdin: strings.NewReader(""), Stdout: os.Stdout, Stderr: os.Stderr}
	r := catalog.New(e)
	r.MustRegister(launch.Entry{
		Name:     "Shout",
		Summary:  "adds an exclamation mark",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[string](), Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[string](), Doc: "text!"}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(func(s string) string { return s + "!" }), nil
		},
	})
	t := &cli.Tool{Registry: r, Name: "myprog", Stdout: os.Stdout, Stderr: os.Stdout}
	code := t.Run(context.Background(), []string{"launch", `DataSource items={hello, world} ! Shout ! ConsoleEchoer eol="\n"`})
	os.Stdout.WriteString("exit status " + string(rune('0'+code)) + "\n")
	// Output:
	// hello!
	// world!
	// exit status 0
}
