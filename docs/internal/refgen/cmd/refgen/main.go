// Command refgen rewrites docs/reference, the reference pages of the
// module's packages, from the doc comments of their Go source.
//
// Run it from anywhere inside the module:
//
//	go run ./docs/internal/refgen/cmd/refgen          # rewrite the pages
//	go run ./docs/internal/refgen/cmd/refgen -check   # exit 1 if a page is stale
//
// It writes one page per package (a package added later is picked up) and
// docs/reference/README.md, and removes the generated pages of packages that
// no longer exist. Hand-written files in the directory are left alone.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kamaelia-go/kamaelia/docs/internal/refgen"
)

func main() {
	root := flag.String("root", "", "the module's root (default: the nearest go.mod at or above the working directory)")
	out := flag.String("out", "", "where the pages go (default: <root>/docs/reference)")
	check := flag.Bool("check", false, "write nothing; list stale pages and exit 1 if there are any")
	flag.Parse()
	if err := run(*root, *out, *check); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(root, out string, check bool) error {
	if root == "" {
		r, err := refgen.FindRoot(".")
		if err != nil {
			return err
		}
		root = r
	}
	if out == "" {
		out = filepath.Join(root, "docs", "reference")
	}
	pages, err := refgen.Generate(root)
	if err != nil {
		return err
	}
	if check {
		stale, err := refgen.Stale(out, pages)
		if err != nil {
			return err
		}
		if len(stale) > 0 {
			return fmt.Errorf("refgen: stale pages in %s: %v", out, stale)
		}
		return nil
	}
	if err := refgen.Write(out, pages); err != nil {
		return err
	}
	fmt.Printf("refgen: %d pages in %s\n", len(pages), out)
	return nil
}
