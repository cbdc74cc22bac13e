//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// A peer needs to know where to connect.
func Example() {
	err := run(context.Background(), []string{"-role", "peer", "-listen", "127.0.0.1:0"}, nil, os.Stdout, io.Discard)
	fmt.Println(err)
	// Output:
	// -role peer needs -from host:port
}
