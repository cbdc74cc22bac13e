package launch

import (
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteList writes one line per component, sorted, like gst-inspect with no
// argument: its name, what its inbox takes and its outbox gives, and its
// summary.
//
//	ReadFileAdaptor   any -> []uint8     reads a file, a command's output or standard input
func (r *Registry) WriteList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range r.Names() {
		e := r.entries[n]
		fmt.Fprintf(tw, "  %s\t%s -> %s\t%s\n", e.Name, boxType(e.Inboxes, "inbox"), boxType(e.Outboxes, "outbox"), e.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	byWhy := map[string][]string{}
	for n, why := range r.missing {
		byWhy[why] = append(byWhy[why], n)
	}
	whys := make([]string, 0, len(byWhy))
	for why := range byWhy {
		whys = append(whys, why)
	}
	sort.Strings(whys)
	for _, why := range whys {
		names := byWhy[why]
		sort.Strings(names)
		if _, err := fmt.Fprintf(w, "\nNot in this build (each %s):\n  %s\n", why, strings.Join(names, ", ")); err != nil {
			return err
		}
	}
	return nil
}

// boxType returns the type of the box called name, or "-" if it is not used.
func boxType(bs []BoxDoc, name string) string {
	for _, b := range bs {
		if b.Name == name {
			if b.Doc == "not used" {
				return "-"
			}
			return typeName(b.Type)
		}
	}
	return "-"
}

// WriteEntry writes what the component called name is, like gst-inspect
// NAME: its summary, its boxes with their types, and its properties with
// their kinds, defaults and docs. An unknown name is an error wrapping
// ErrUnknownComponent.
func (r *Registry) WriteEntry(w io.Writer, name string) error {
	e, ok := r.entries[name]
	if !ok {
		return classed{msg: r.unknown(name, true), class: ErrUnknownComponent}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s: %s\n", e.Name, e.Summary)
	for _, part := range []struct {
		title string
		boxes []BoxDoc
	}{{"Inboxes", e.Inboxes}, {"Outboxes", e.Outboxes}} {
		fmt.Fprintf(tw, "\n%s:\n", part.title)
		for _, b := range part.boxes {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", b.Name, typeName(b.Type), b.Doc)
		}
	}
	fmt.Fprintf(tw, "\nProperties:\n")
	fmt.Fprintf(tw, "  name\tstring\t(%s0, ...)\tthe element's name, for references such as name.box\n", e.Name)
	for _, p := range e.Params {
		def := "required"
		if !p.Required {
			def = "default " + defaultText(p)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, p.Kind, def, p.Doc)
	}
	return tw.Flush()
}

// defaultText writes p's default as a description would.
func defaultText(p Param) string {
	if p.Kind == Strings {
		return strings.TrimSpace(p.Default)
	}
	return quote(p.Default)
}

// typeName writes a box's type as reflect does (as axon's errors do), but
// the empty interface as "any".
func typeName(t reflect.Type) string {
	if t == TypeOf[any]() {
		return "any"
	}
	return t.String()
}
