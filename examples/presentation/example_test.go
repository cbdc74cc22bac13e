//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"
)

// A directory that does not exist is an error, before any window opens.
func Example() {
	err := run(context.Background(), []string{"-dir", "no/such/dir"}, nil, io.Discard, io.Discard)
	fmt.Println(err)
	// Output:
	// open no/such/dir: no such file or directory
}
