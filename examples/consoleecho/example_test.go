package main

import (
	"context"
	"os"
	"strings"
)

// The article's first system, fed two lines.
func Example() {
	_ = run(context.Background(), []string{"-prompt", "", "-tag", "> "},
		strings.NewReader("Hello\nWorld\n"), os.Stdout, os.Stderr)
	// Output:
	// > Hello
	// > World
}
