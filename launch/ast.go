package launch

import (
	"fmt"
	"strings"
)

// Pos is a position in a description: line and column, both from 1, the
// column counted in characters (runes).
type Pos struct {
	Line, Col int
}

// String returns "line:column".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Description is a parsed description: its chains, in the order written.
type Description struct {
	Chains []Chain
}

// Chain is elements and references joined by '!': Links[i] is the position
// of the '!' between Nodes[i] and Nodes[i+1].
type Chain struct {
	Nodes []Node
	Links []Pos
}

// Node is one element or reference of a chain. An element has a Component
// (and perhaps Props); a reference has a Ref, the name of an element, and
// perhaps a Box ("" means the default: "outbox" where it is the source of a
// link, "inbox" where it is the destination).
type Node struct {
	Pos       Pos
	Component string
	Props     []Prop
	Ref       string
	Box       string
}

// IsRef reports whether the node is a reference ("name." or "name.box").
func (n Node) IsRef() bool { return n.Component == "" }

// Prop is one property of an element: Name=Value.
type Prop struct {
	Pos   Pos
	Name  string
	Value Value
}

// Value is a property's value as written: a word or quoted string (Text),
// or, when IsList, a list of them (List).
type Value struct {
	Pos    Pos
	Text   string
	IsList bool
	List   []Value
}

// String prints the description back in the syntax Parse reads: parsing the
// result gives the same description, positions aside.
func (d *Description) String() string {
	var b strings.Builder
	for i, c := range d.Chains {
		if i > 0 {
			b.WriteString("  ")
		}
		for j, n := range c.Nodes {
			if j > 0 {
				b.WriteString(" ! ")
			}
			b.WriteString(n.String())
		}
	}
	return b.String()
}

// String prints the node: "Component k=v ..." or "ref.box".
func (n Node) String() string {
	if n.IsRef() {
		return n.Ref + "." + n.Box
	}
	var b strings.Builder
	b.WriteString(n.Component)
	for _, p := range n.Props {
		b.WriteByte(' ')
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(p.Value.String())
	}
	return b.String()
}

// String prints the value as a word when it can be read back as one, else
// quoted; a list as {a, b}.
func (v Value) String() string {
	if !v.IsList {
		return quote(v.Text)
	}
	parts := make([]string, len(v.List))
	for i, e := range v.List {
		parts[i] = quote(e.Text)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// quote returns s as a bare word if the lexer would read it back as that
// word, else as a quoted string.
func quote(s string) string {
	bare := s != "" && s[0] != '#'
	for _, r := range s {
		if !isWordRune(r) {
			bare = false
			break
		}
	}
	if bare {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
