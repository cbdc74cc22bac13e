package process_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/process"
)

func ExampleNewUnixProcess() {
	ctx := context.Background()
	h, _ := axon.NewHandle(axon.NewScheduler(), process.NewUnixProcess("tr a-z A-Z"))
	_ = h.Put(ctx, "inbox", []byte("hello, "))
	_ = h.Put(ctx, "inbox", []byte("world\n"))
	_ = h.Finish(ctx) // closes the command's standard input
	var out []byte
	for {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		out = append(out, v.([]byte)...)
	}
	fmt.Print(string(out))
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(sig)
	// Output:
	// HELLO, WORLD
	// ProducerFinished
}

// A command that fails: what it wrote on standard error comes out of the
// stderr outbox, and its exit status is the failure on signal.
func ExampleNewUnixProcess_failure() {
	ctx := context.Background()
	s := axon.NewScheduler()
	s.SetLogger(slog.New(slog.DiscardHandler))
	h, _ := axon.NewHandle(s, process.NewUnixProcess("echo 'no such file' >&2; exit 2"))
	stderr, _ := h.Get(ctx, "stderr")
	fmt.Printf("stderr: %s", stderr)
	sig, _ := h.Get(ctx, "signal")
	var exit *exec.ExitError
	if f, ok := sig.(*axon.Failure); ok && errors.As(f, &exit) {
		fmt.Println("exit code:", exit.ExitCode())
	}
	// Output:
	// stderr: no such file
	// exit code: 2
}
