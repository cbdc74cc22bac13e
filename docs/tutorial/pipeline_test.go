package tutorial_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/console"
)

// The article's first system, a console reader piped into a console echoer,
// with Uppercase between them; the "console" here is a string.
func Example_pipeline() {
	// tutorial:begin pipeline
	typed := strings.NewReader("hello\nworld\n")
	err := chassis.Pipeline(
		console.NewReader(console.WithInput(typed), console.WithPrompt("")),
		NewUppercase(),
		console.NewEchoer(),
	).Run()
	fmt.Println("error:", err)
	// tutorial:end pipeline

	// Output:
	// HELLO
	// WORLD
	// error: <nil>
}

// A wiring error: a stage whose inbox takes another type than the previous
// stage sends.
func Example_pipelineTypes() {
	// tutorial:begin pipelinetypes
	count, loud := NewCounter(), NewUppercase()
	count.SetName("count")
	loud.SetName("loud")
	_, err := chassis.NewPipeline(count, loud)
	fmt.Println(err)
	fmt.Println(errors.Is(err, axon.ErrTypeMismatch))
	// tutorial:end pipelinetypes

	// Output:
	// chassis: pipeline stage 1 (count) to stage 2 (loud): axon: box types do not match: count.outbox carries int but loud.inbox takes string
	// true
}
