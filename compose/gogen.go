package compose

import (
	"fmt"
	"go/format"
	"path"
	"slices"
	"strconv"
	"strings"
)

// GoCatalog is a catalogue the Go source that GoSource writes makes its
// components with: a package that registers launch entries.
type GoCatalog struct {
	// Import is the package's import path.
	Import string
	// Name is what the source calls the package; "" is the last element
	// of Import.
	Name string
	// Register is the statement that adds the package's entries to r, a
	// *launch.Registry: "catalog.Register(r, catalog.Stdio())".
	Register string
	// Components are the entries it registers; nil means every entry no
	// other GoCatalog names, and such a catalogue is always registered.
	// One with Components is registered only when the design uses one.
	Components []string
	// Needs are further imports its Register statement uses.
	Needs []string
}

// StandardCatalog is the GoCatalog of launch/catalog, the standard
// catalogue: the default of Options.GoCatalogs.
var StandardCatalog = GoCatalog{
	Import:   "github.com/kamaelia-go/kamaelia/launch/catalog",
	Register: "catalog.Register(r, catalog.Stdio())",
}

// GoSource returns d as a Go program: a chassis.Graphline of its
// components, named by their labels (RFA1), each made by the Registry
// entry of its type with its properties (launch.Registry.Make), linked as
// the design says, run until it ends or Ctrl-C. cats say which packages
// register the entries. The source is gofmt'ed.
func GoSource(d *Design, cats []GoCatalog) (string, error) {
	used := map[string]bool{}
	for _, c := range d.Components {
		used[c.Type] = true
	}
	imports := []string{"context", "fmt", "os", "os/signal",
		"github.com/kamaelia-go/kamaelia/axon", "github.com/kamaelia-go/kamaelia/chassis", "github.com/kamaelia-go/kamaelia/launch"}
	var registers []string
	for _, cat := range cats {
		if cat.Components != nil && !slices.ContainsFunc(cat.Components, func(n string) bool { return used[n] }) {
			continue
		}
		imp := strconv.Quote(cat.Import)
		if cat.Name != "" && cat.Name != path.Base(cat.Import) {
			imp = cat.Name + " " + imp
		}
		imports = append(imports, imp)
		imports = append(imports, cat.Needs...)
		registers = append(registers, cat.Register)
	}
	var b strings.Builder
	b.WriteString("// Generated with Kamaelia: Compose.\n\n// Command main runs the composed system until it ends, or until Ctrl-C.\npackage main\n\nimport (\n")
	seen := map[string]bool{}
	for _, imp := range imports {
		if !strings.HasPrefix(imp, `"`) && !strings.Contains(imp, " ") {
			imp = strconv.Quote(imp)
		}
		if !seen[imp] {
			seen[imp] = true
			fmt.Fprintf(&b, "\t%s\n", imp)
		}
	}
	b.WriteString(")\n\nfunc main() {\n\tif err := run(); err != nil {\n\t\tfmt.Fprintln(os.Stderr, err)\n\t\tos.Exit(1)\n\t}\n}\n\n")
	b.WriteString("func run() error {\n\tr := launch.NewRegistry()\n")
	for _, reg := range registers {
		fmt.Fprintf(&b, "\t%s\n", reg)
	}
	b.WriteString("\tcomponents := chassis.Components{}\n")
	b.WriteString("\tfor _, c := range []struct {\n\t\tlabel, component string\n\t\tprops             launch.Props\n\t}{\n")
	for _, c := range d.Components {
		fmt.Fprintf(&b, "\t\t{%q, %q, %s},\n", c.Label(), c.Type, propsLiteral(c.Props))
	}
	b.WriteString("\t} {\n\t\tcomp, err := r.Make(c.component, c.label, c.props)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tcomponents[c.label] = comp\n\t}\n")
	b.WriteString("\tsystem, err := chassis.NewGraphline(components, chassis.Linkages{\n")
	for _, l := range d.Links {
		fmt.Fprintf(&b, "\t\t{Component: %q, Box: %q}: {Component: %q, Box: %q},\n", d.label(l.From.UID), l.From.Box, d.label(l.To.UID), l.To.Box)
	}
	b.WriteString("\t})\n\tif err != nil {\n\t\treturn err\n\t}\n")
	b.WriteString("\tctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)\n\tdefer stop()\n")
	b.WriteString("\treturn axon.NewScheduler().RunContext(ctx, system)\n}\n")
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return b.String(), fmt.Errorf("compose: the Go source does not format: %w", err)
	}
	return string(src), nil
}

// propsLiteral writes p as a launch.Props literal, its keys sorted.
func propsLiteral(p map[string]string) string {
	if len(p) == 0 {
		return "nil"
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Quote(k) + ": " + strconv.Quote(p[k])
	}
	return "launch.Props{" + strings.Join(parts, ", ") + "}"
}
