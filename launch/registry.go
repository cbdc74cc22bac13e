package launch

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Registry holds the components a description may name. Fill it before
// building from it; it is not safe to Register while building.
type Registry struct {
	entries map[string]*Entry
	missing map[string]string // Unavailable: name to why
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{entries: map[string]*Entry{}, missing: map[string]string{}}
}

// Unavailable records that a component called name exists in another build
// of the program but not in this one, and why ("needs the cgo build ..."):
// a description or WriteEntry naming it then says so, and WriteList lists
// it apart, instead of calling it unknown. Registering the name later
// makes it available.
func (r *Registry) Unavailable(name, why string) {
	if r.entries[name] == nil {
		r.missing[name] = why
	}
}

// unknown says why name is no entry: not in this build, or unknown, with
// the names near it, or with far, when none is, the nearest there are.
func (r *Registry) unknown(name string, far bool) string {
	if why, ok := r.missing[name]; ok {
		return fmt.Sprintf("component %q is not in this build: it %s", name, why)
	}
	msg := fmt.Sprintf("unknown component %q", name)
	if near := nearest(name, r.Names(), 3); len(near) > 0 {
		msg += " (did you mean " + orList(near) + "?)"
	} else if names := nearestAny(name, r.Names(), 3); far && len(names) > 0 {
		msg += " (the nearest names are " + strings.Join(names, ", ") + ")"
	}
	return msg
}

// classed is an error of a class (one of the Err variables) that is not
// in a description, so has no position.
type classed struct {
	msg   string
	class error
}

func (c classed) Error() string { return c.msg }
func (c classed) Unwrap() error { return c.class }

// orList writes names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Entry describes a component that descriptions can name.
type Entry struct {
	// Name is what descriptions call the component: letters, digits, '_'
	// and '-', not starting with a digit.
	Name string
	// Summary says in one line what the component does.
	Summary string
	// Params are its properties. "name" is taken: it names the element.
	Params []Param
	// Inboxes and Outboxes are the boxes the component has when made, in the
	// order it lists them (axon.Core's Inboxes and Outboxes), "_" boxes
	// aside. "inbox" and "control", "outbox" and "signal", which every
	// component has, are added as carrying any and not used when left out.
	// Build checks them against each component it makes.
	Inboxes, Outboxes []BoxDoc
	// New makes the component from the checked values of its properties.
	New func(a *Args) (axon.Component, error)
}

// BoxDoc describes one box of an Entry's component.
type BoxDoc struct {
	Name string
	Type reflect.Type // TypeOf[T]() for a box of T
	Doc  string       // what it carries
	// Signal, for an outbox other than "outbox", names the outbox that
	// says when this one's stream is over, as "signal" does for "outbox":
	// a link from this box to a reference with no box ("t.copy ! b.")
	// links Signal to the destination's control too, as '!' links signal
	// to control between the default boxes.
	Signal string
}

// TypeOf returns the reflect.Type of T, for BoxDoc.Type: TypeOf[[]byte]().
func TypeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// Kind is the type of a property.
type Kind uint8

// The kinds of property, and how a value is written for each.
const (
	String   Kind = iota // any text
	Int                  // a whole number: 42, -7, 0x1f, 1_000
	Float                // a finite number: 1.5, 400000, 1e6
	Bool                 // true or false (also yes/no, on/off, 1/0)
	Duration             // a Go duration: 40ms, 1.5s, 2m
	Strings              // a list of strings: {a, b, "c d"}
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case Duration:
		return "duration"
	case Strings:
		return "list"
	default:
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
}

// Param describes one property of an Entry.
type Param struct {
	Name string
	Kind Kind
	// Default is the value the property has when not given: its text, as
	// a quoted string holds it once unquoted ("" for a string is the empty
	// string), or for a list the list as written in a description, "{}" or
	// "{a, b}". Unused when Required.
	Default string
	// Required properties have no default: a description must give them.
	Required bool
	// Doc says what the property does, in a line.
	Doc string
	// Check, if set, vets a value (of the Go type Args gives for Kind) beyond
	// its type: a range, a choice. Its error is reported as a bad value.
	Check func(v any) error
}

// Register adds e. A bad entry (a name that is taken or not a name, a
// property "name", a default that is not of its kind, no constructor) is an
// error wrapping ErrRegistry.
func (r *Registry) Register(e Entry) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrRegistry, e.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case !isIdent(e.Name):
		return bad("not a name")
	case r.entries[e.Name] != nil:
		return bad("registered twice")
	case e.New == nil:
		return bad("no constructor")
	}
	seen := map[string]bool{}
	for _, p := range e.Params {
		switch {
		case p.Name == "name":
			return bad(`property "name" is taken: it names the element`)
		case !isIdent(p.Name):
			return bad("property %q is not a name", p.Name)
		case seen[p.Name]:
			return bad("property %q declared twice", p.Name)
		case p.Kind > Strings:
			return bad("property %q has an unknown kind", p.Name)
		}
		seen[p.Name] = true
		if p.Required {
			continue
		}
		v, err := defaultValue(p)
		if err != nil {
			return bad("default of %s: %v", p.Name, err)
		}
		if p.Check != nil {
			if err := p.Check(v); err != nil {
				return bad("default of %s: %v", p.Name, err)
			}
		}
	}
	e.Inboxes = withBoxes(e.Inboxes, "inbox", "not used", "control", "ProducerFinished, Shutdown")
	e.Outboxes = withBoxes(e.Outboxes, "outbox", "not used", "signal", "how it ended")
	for _, boxes := range [][]BoxDoc{e.Inboxes, e.Outboxes} {
		names := map[string]bool{}
		for _, b := range boxes {
			if b.Type == nil || b.Name == "" || names[b.Name] {
				return bad("box %q: every box needs a name of its own and a type", b.Name)
			}
			names[b.Name] = true
		}
	}
	for _, b := range slices.Concat(e.Inboxes, e.Outboxes) {
		if b.Signal == "" {
			continue
		}
		outbox := slices.ContainsFunc(e.Outboxes, func(o BoxDoc) bool { return o.Name == b.Name })
		signal := slices.ContainsFunc(e.Outboxes, func(o BoxDoc) bool { return o.Name == b.Signal })
		if !outbox || !signal || b.Signal == b.Name {
			return bad("box %q: its Signal, %q, must be another of its outboxes, and it an outbox", b.Name, b.Signal)
		}
	}
	e.Params = slices.Clone(e.Params)
	r.entries[e.Name] = &e
	delete(r.missing, e.Name)
	return nil
}

// MustRegister is Register for a catalogue fixed in the program: it panics
// on a bad entry, which is a bug in the program, not in its input.
func (r *Registry) MustRegister(e Entry) {
	if err := r.Register(e); err != nil {
		panic(err)
	}
}

// withBoxes adds the two boxes every component has, carrying any, where
// axon.Core lists them (first and second), if boxes lacks them.
func withBoxes(boxes []BoxDoc, first, firstDoc, second, secondDoc string) []BoxDoc {
	out := slices.Clone(boxes)
	has := func(name string) bool {
		return slices.ContainsFunc(out, func(b BoxDoc) bool { return b.Name == name })
	}
	if !has(first) {
		out = slices.Insert(out, 0, BoxDoc{Name: first, Type: TypeOf[any](), Doc: firstDoc})
	}
	if !has(second) {
		out = slices.Insert(out, 1, BoxDoc{Name: second, Type: TypeOf[any](), Doc: secondDoc})
	}
	return out
}

// defaultValue parses p's default.
func defaultValue(p Param) (any, error) {
	v := Value{Text: p.Default}
	if p.Kind == Strings {
		d, err := Parse("X x=" + p.Default)
		if err != nil || len(d.Chains) != 1 || len(d.Chains[0].Nodes) != 1 || len(d.Chains[0].Nodes[0].Props) != 1 {
			return nil, fmt.Errorf("%q is not a list such as {a, b}", p.Default)
		}
		v = d.Chains[0].Nodes[0].Props[0].Value
	}
	return convert(p.Kind, v)
}

// Lookup returns the entry called name.
func (r *Registry) Lookup(name string) (Entry, bool) {
	e, ok := r.entries[name]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Names returns the names of the entries, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.entries))
	for n := range r.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// param returns e's property called name.
func (e *Entry) param(name string) (Param, bool) {
	for _, p := range e.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// paramNames lists e's properties for error messages.
func (e *Entry) paramNames() string {
	if len(e.Params) == 0 {
		return "it has none"
	}
	names := make([]string, len(e.Params))
	for i, p := range e.Params {
		names[i] = p.Name
	}
	return "its properties: " + strings.Join(names, ", ")
}

// closest returns the candidate nearest to s by edit distance, if it is near
// enough to be a likely slip of the keyboard.
func closest(s string, candidates []string) (string, bool) {
	best, bestD := "", 0
	for _, c := range candidates {
		d := distance(strings.ToLower(s), strings.ToLower(c))
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != "" && bestD <= max(2, len(s)/4)
}

// nearest returns up to n candidates near enough to s to be likely slips of
// the keyboard, nearest first, or those that s is a prefix of (case aside)
// when none is near.
func nearest(s string, candidates []string, n int) []string {
	type scored struct {
		name string
		d    int
	}
	var near, prefixed []scored
	low := strings.ToLower(s)
	for _, c := range candidates {
		d := distance(low, strings.ToLower(c))
		switch {
		case d <= max(2, len(s)/4):
			near = append(near, scored{c, d})
		case len(s) >= 3 && strings.HasPrefix(strings.ToLower(c), low):
			prefixed = append(prefixed, scored{c, d})
		}
	}
	if len(near) == 0 {
		near = prefixed
	}
	slices.SortStableFunc(near, func(a, b scored) int { return a.d - b.d })
	out := make([]string, 0, n)
	for _, c := range near[:min(n, len(near))] {
		out = append(out, c.name)
	}
	return out
}

// nearestAny returns the n candidates nearest to s by edit distance, however
// far, nearest first.
func nearestAny(s string, candidates []string, n int) []string {
	low := strings.ToLower(s)
	sorted := slices.Clone(candidates)
	slices.SortStableFunc(sorted, func(a, b string) int {
		return distance(low, strings.ToLower(a)) - distance(low, strings.ToLower(b))
	})
	return sorted[:min(n, len(sorted))]
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
