package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/kamaelia-go/kamaelia/examples/internal/cli"
)

// A program's run function, and what its main does with its outcome.
func Example() {
	run := func(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
		if len(args) == 0 {
			return fmt.Errorf("nothing to greet")
		}
		fmt.Fprintln(stdout, "hello,", args[0])
		return nil
	}
	fmt.Println(cli.Exit(context.Background(), "greet", run, []string{"world"}, nil, os.Stdout, os.Stdout))
	fmt.Println(cli.Exit(context.Background(), "greet", run, nil, nil, os.Stdout, os.Stdout))
	// Output:
	// hello, world
	// 0
	// greet: nothing to greet
	// 1
}

func ExampleParseSize() {
	video := cli.SizeBounds{Min: 16, Max: 4096, Even: true}
	fmt.Println(cli.ParseSize("320x240", video))
	fmt.Println(cli.ParseSize("321x240", video))
	// Output:
	// (320,240) <nil>
	// (0,0) size "321x240": want WIDTHxHEIGHT with even sides from 16 to 4096
}
