package main

import (
	"context"
	"io"

	"github.com/kamaelia-go/kamaelia/compose"
	mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"
)

func init() {
	commands["compose"] = command{
		summary: "design a system in the browser from the catalogue, generate its launch line and Go source, and run it",
		run: func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
			return tool(stdout, stderr).Compose(ctx, args)
		},
	}
}

// goCatalogs are the packages the Go source Compose generates registers
// its components from: the standard catalogue, and the media one when the
// design uses a media component (a program that then needs cgo).
var goCatalogs = []compose.GoCatalog{
	compose.StandardCatalog,
	{
		Import:     "github.com/kamaelia-go/kamaelia/media/catalog",
		Name:       "mediacatalog",
		Register:   "mediacatalog.Register(r, catalog.Stdio())",
		Components: mediacatalog.Names,
	},
}
