package file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/file"
)

// printAll prints what h's component sends until it ends, then how it ended.
func printAll(h *axon.Handle) {
	ctx := context.Background()
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		fmt.Printf("%q\n", v)
	}
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)
}

func ExampleNewReadFileAdaptor() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "poem.txt")
	_ = os.WriteFile(name, []byte("The Owl and the Pussy-cat\nwent to sea\n"), 0o600)

	h, _ := axon.NewHandle(axon.NewScheduler(), file.NewReadFileAdaptor(file.WithFilename(name)))
	printAll(h)
	// Output:
	// "The Owl and the Pussy-cat\n"
	// "went to sea\n"
	// ProducerFinished: EOF
}

// Blocks of 4 bytes from the output of a command.
func ExampleWithCommand() {
	src := file.NewReadFileAdaptor(file.WithCommand("echo kamaelia"), file.WithMode(file.BlockMode), file.WithReadSize(4))
	h, _ := axon.NewHandle(axon.NewScheduler(), src)
	printAll(h)
	// Output:
	// "kama"
	// "elia"
	// "\n"
	// ProducerFinished: EOF
}

func ExampleNewPromptedReader() {
	ctx := context.Background()
	r := file.NewPromptedReader(strings.NewReader("alpha\nbeta\ngamma\n"), file.Lines)
	h, _ := axon.NewHandle(axon.NewScheduler(), r)
	_ = h.Put(ctx, "inbox", 2)
	_ = h.Put(ctx, "inbox", 5)
	printAll(h)
	// Output:
	// "alpha\nbeta\n"
	// "gamma\n"
	// ProducerFinished: EOF
}

// 400 bytes a second in chunks of 4: one every 10ms.
func ExampleNewRateControlledReader() {
	r := file.NewRateControlledReader(strings.NewReader("abcdefghij"), file.Bytes, 400, file.WithChunkSize(4))
	h, _ := axon.NewHandle(axon.NewScheduler(), r)
	printAll(h)
	// Output:
	// "abcd"
	// "efgh"
	// "ij"
	// ProducerFinished: EOF
}

func ExampleNewSimpleFileWriter() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "out.txt")

	ctx := context.Background()
	w := file.NewSimpleFileWriter[string](name, file.Truncate)
	h, _ := axon.NewHandle(axon.NewScheduler(), w)
	_ = h.Put(ctx, "inbox", "written, ")
	_ = h.Put(ctx, "inbox", "synced and closed\n")
	_ = h.Finish(ctx)
	fmt.Println(h.Wait(ctx))
	data, _ := os.ReadFile(name)
	fmt.Print(string(data))
	// Output:
	// <nil>
	// written, synced and closed
}
