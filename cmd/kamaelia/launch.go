package main

import (
	"context"
	"io"
	"os"

	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/launch/cli"
)

func init() {
	commands["launch"] = command{
		summary: "build and run a system from a gst-launch style description",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return tool(stdout, stderr).Launch(ctx, args)
		},
	}
}

// tool is the launch tool over the whole catalogue, its components reading
// standard input and writing stdout and stderr.
func tool(stdout, stderr io.Writer) *cli.Tool {
	r := newCatalog(catalog.Env{Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
	return &cli.Tool{Registry: r, Name: "kamaelia", Stdout: stdout, Stderr: stderr, GoCatalogs: goCatalogs}
}
