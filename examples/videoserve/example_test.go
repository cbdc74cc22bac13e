//go:build cgo

package main

import (
	"context"
	"fmt"
	"io"
)

// A program is the server or the client, or both on a clip of its own; not
// the server of one clip and the client of another.
func Example() {
	err := run(context.Background(), []string{"-serve", "clip.drc", "-play", "127.0.0.1:1601"}, nil, io.Discard, io.Discard)
	fmt.Println(err)
	// Output:
	// give -serve or -play, not both (neither serves and plays a clip of its own)
}
