package compose

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Design is a system being composed: components made by Registry entries,
// with their property values, and links from box to box. It is what Save
// writes and Load reads, as JSON.
type Design struct {
	// Components are in the order they were added.
	Components []Component `json:"components"`
	// Links are in the order they were drawn.
	Links []Link `json:"links"`
	// NextUID is the uid the next component added gets: uids are never
	// reused, so a label (RFA1) means one component for a design's life.
	NextUID int `json:"nextUID"`
}

// Component is one component of a Design.
type Component struct {
	// UID numbers the component from 1, in the order added.
	UID int `json:"uid"`
	// Type is the name of its Registry entry: "ReadFileAdaptor".
	Type string `json:"type"`
	// Props are the properties set, by name, as a description writes them
	// (a list as "{a, b}"); those absent have their defaults.
	Props map[string]string `json:"props,omitempty"`
	// X and Y are where the page draws it.
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Label is the component's name in the launch description and the Go
// source, as Kamaelia's Compose named it: its type abbreviated, then its
// uid (ReadFileAdaptor with uid 1 is RFA1). An abbreviation that ends in a
// digit is followed by '_' (X264 with uid 1 is X264_1), so that no two
// components share a label (X26 with uid 41 is X2641).
func (c Component) Label() string {
	a := Abbreviate(c.Type)
	if a != "" && unicode.IsDigit(rune(a[len(a)-1])) {
		a += "_"
	}
	return a + fmt.Sprint(c.UID)
}

// Port is one box of a component of a Design.
type Port struct {
	UID int    `json:"uid"`
	Box string `json:"box"`
}

// Link is a link from an outbox to an inbox.
type Link struct {
	From Port `json:"from"`
	To   Port `json:"to"`
}

// Abbreviate shortens a component's type name as Kamaelia's Compose did:
// capitals, digits, '_' and '.' are kept, and of each run of letters the
// first, in upper case: ReadFileAdaptor is RFA, TCPClient TCPC,
// MessageRateLimit MRL.
func Abbreviate(name string) string {
	var b strings.Builder
	inRun := false
	for _, r := range name {
		letter := unicode.IsLetter(r)
		switch {
		case unicode.IsUpper(r), unicode.IsDigit(r), r == '_', r == '.':
			b.WriteRune(r)
		case letter && !inRun:
			b.WriteRune(unicode.ToUpper(r))
		}
		inRun = letter
	}
	return b.String()
}

// component returns the component of d with uid, or nil.
func (d *Design) component(uid int) *Component {
	for i := range d.Components {
		if d.Components[i].UID == uid {
			return &d.Components[i]
		}
	}
	return nil
}

// clone returns a deep copy of d.
func (d *Design) clone() *Design {
	// Empty lists, not nil: JSON readers get [] rather than null.
	c := &Design{NextUID: d.NextUID, Components: []Component{}, Links: append([]Link{}, d.Links...)}
	for _, comp := range d.Components {
		comp.Props = cloneProps(comp.Props)
		c.Components = append(c.Components, comp)
	}
	return c
}

func cloneProps(p map[string]string) map[string]string {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string]string, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// label returns the label of the component with uid, or "?uid".
func (d *Design) label(uid int) string {
	if c := d.component(uid); c != nil {
		return c.Label()
	}
	return fmt.Sprintf("?%d", uid)
}

// linkFrom returns the index of the link from p, or -1.
func (d *Design) linkFrom(p Port) int {
	return slices.IndexFunc(d.Links, func(l Link) bool { return l.From == p })
}

// Marshal returns d as indented JSON, as Save writes it.
func (d *Design) Marshal() ([]byte, error) {
	return json.MarshalIndent(d, "", "  ")
}
