package launch_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/console"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/launch"
)

// Example registers three components and runs a description of them: a
// Pipeline that upper-cases two words and prints them.
func Example() {
	r := launch.NewRegistry()
	r.MustRegister(launch.Entry{
		Name:     "Words",
		Summary:  "sends its words, then ends",
		Params:   []launch.Param{{Name: "items", Kind: launch.Strings, Required: true, Doc: "the words"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[string](), Doc: "the words"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return source.NewDataSource(a.Strings("items")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "Upper",
		Summary:  "upper-cases text",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[string](), Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[string](), Doc: "TEXT"}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(strings.ToUpper), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "Print",
		Summary: "prints what it is sent, a line each",
		Params:  []launch.Param{{Name: "tag", Kind: launch.String, Default: "", Doc: "written before each"}},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[any](), Doc: "anything"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return console.NewEchoer(console.WithOutput(os.Stdout), console.WithTag(a.String("tag")), console.WithNewline("\n")), nil
		},
	})

	s := axon.NewScheduler()
	l, err := r.BuildString(`Words items={hello, "big world"} ! Upper ! Print tag="> "`, launch.OnScheduler(s))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Run(l.Component()); err != nil {
		fmt.Println(err)
	}

	_, err = r.BuildString(`Words items={hello} ! Uper ! Print`)
	fmt.Println(err)
	// Output:
	// > HELLO
	// > BIG WORLD
	// 1:23: unknown component "Uper" (did you mean Upper?)
}

// ExampleParse parses a description and prints it back in its normal form.
func ExampleParse() {
	d, err := launch.Parse(`ReadFileAdaptor   filename="clip.drc" bitrate=400000 !SingleServer port=1601`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d)
	fmt.Println(d.Chains[0].Nodes[1].Pos, d.Chains[0].Nodes[1].Component)

	_, err = launch.Parse("ReadFileAdaptor filename=clip.drc !")
	fmt.Println(err)
	// Output:
	// ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601
	// 1:55 SingleServer
	// 1:36: expected a component name or a reference such as src. after '!', found end of input
}

// ExampleRegistry_WriteEntry prints what kamaelia launch --help NAME prints
// for one component: its boxes and properties.
func ExampleRegistry_WriteEntry() {
	r := launch.NewRegistry()
	r.MustRegister(launch.Entry{
		Name:    "Ticker",
		Summary: "sends a number every interval",
		Params: []launch.Param{
			{Name: "interval", Kind: launch.Duration, Default: "1s", Doc: "the time between numbers"},
			{Name: "limit", Kind: launch.Int, Required: true, Doc: "how many to send"},
		},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[int](), Doc: "0, 1, 2, ..."}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewNullSink(), nil // a stand-in: this example only prints
		},
	})
	if err := r.WriteEntry(os.Stdout, "Ticker"); err != nil {
		fmt.Println(err)
	}
	fmt.Println("---")
	if err := r.WriteList(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Ticker: sends a number every interval
	//
	// Inboxes:
	//   inbox    any  not used
	//   control  any  ProducerFinished, Shutdown
	//
	// Outboxes:
	//   outbox  int  0, 1, 2, ...
	//   signal  any  how it ended
	//
	// Properties:
	//   name      string    (Ticker0, ...)  the element's name, for references such as name.box
	//   interval  duration  default 1s      the time between numbers
	//   limit     int       required        how many to send
	// ---
	//   Ticker  - -> int  sends a number every interval
}
