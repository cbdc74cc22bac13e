package compose

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/kamaelia-go/kamaelia/launch"
)

// Launch returns d as a launch description, one line per component
// (Type name=LABEL property=value ...) and one per link
// (LABEL.box ! LABEL.box). A link of the default boxes whose signal to
// control goes with it is written "A. ! B.", which links both, as '!'
// does. An empty design is "".
func Launch(r *launch.Registry, d *Design) string {
	var b strings.Builder
	for _, c := range d.Components {
		b.WriteString(element(r, c, true))
		b.WriteByte('\n')
	}
	for _, l := range launchLinks(r, d) {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// signalOf returns the outbox that says when outbox p's stream is over:
// "signal" for "outbox", the entry's BoxDoc.Signal for another, or "".
func signalOf(r *launch.Registry, d *Design, p Port) string {
	if p.Box == "outbox" {
		return "signal"
	}
	c := d.component(p.UID)
	if c == nil {
		return ""
	}
	e, _ := r.Lookup(c.Type)
	for _, b := range e.Outboxes {
		if b.Name == p.Box {
			return b.Signal
		}
	}
	return ""
}

// element writes component c as a description's element, with its
// properties if props.
func element(r *launch.Registry, c Component, props bool) string {
	n := launch.Node{Component: c.Type, Props: []launch.Prop{{Name: "name", Value: launch.Value{Text: c.Label()}}}}
	if props {
		for _, name := range propOrder(r, c) {
			v, err := r.PropValue(c.Type, name, c.Props[name])
			if err != nil {
				v = launch.Value{Text: c.Props[name]} // Check reports it
			}
			n.Props = append(n.Props, launch.Prop{Name: name, Value: v})
		}
	}
	return n.String()
}

// propOrder returns the properties c sets, in its entry's order, then any
// the entry lacks (which Check reports), sorted.
func propOrder(r *launch.Registry, c Component) []string {
	var names, extra []string
	entry, _ := r.Lookup(c.Type)
	for _, p := range entry.Params {
		if _, ok := c.Props[p.Name]; ok {
			names = append(names, p.Name)
		}
	}
	for k := range c.Props {
		if !slices.Contains(names, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(names, extra...)
}

// launchLinks writes d's links as the lines of a description.
func launchLinks(r *launch.Registry, d *Design) []string {
	var lines []string
	done := make([]bool, len(d.Links))
	for i, l := range d.Links {
		if done[i] {
			continue
		}
		from, to := d.label(l.From.UID), d.label(l.To.UID)
		if sigBox := signalOf(r, d, l.From); sigBox != "" && l.To.Box == "inbox" {
			sig := Link{From: Port{l.From.UID, sigBox}, To: Port{l.To.UID, "control"}}
			if j := slices.Index(d.Links, sig); j > i {
				done[j] = true
				box := l.From.Box
				if box == "outbox" {
					box = ""
				}
				lines = append(lines, from+"."+box+" ! "+to+".")
				continue
			}
		}
		lines = append(lines, from+"."+l.From.Box+" ! "+to+"."+l.To.Box)
	}
	return lines
}

// message returns a launch error's message without its position, which
// is in generated text the user never typed.
func message(err error) string {
	var le *launch.Error
	if errors.As(err, &le) {
		return le.Msg
	}
	return err.Error()
}

// checkLinks checks d's components and links, properties aside, with
// launch's own CheckLinks; nil for an empty design.
func checkLinks(r *launch.Registry, d *Design) error {
	if len(d.Components) == 0 {
		return nil
	}
	var b strings.Builder
	for _, c := range d.Components {
		b.WriteString(element(r, c, false) + "\n")
	}
	for _, l := range launchLinks(r, d) {
		b.WriteString(l + "\n")
	}
	desc, err := launch.Parse(b.String())
	if err == nil {
		err = r.CheckLinks(desc)
	}
	if err != nil {
		return errors.New(message(err))
	}
	return nil
}

// Problem is something in a design that stops it being built: with a UID,
// of that component (a property missing or of a bad value); else of the
// design as a whole.
type Problem struct {
	UID int    `json:"uid,omitempty"`
	Msg string `json:"msg"`
}

// Check returns what stops d being built, as launch finds it: each
// component's first problem with its properties, then, if there is none,
// what launch finds in the whole description. None means Run can build
// it (a constructor may still fail: a port in use).
func Check(r *launch.Registry, d *Design) []Problem {
	probs := []Problem{}
	for _, c := range d.Components {
		desc, err := launch.Parse(element(r, c, true))
		if err == nil {
			err = r.Check(desc)
		}
		if err != nil {
			probs = append(probs, Problem{UID: c.UID, Msg: message(err)})
		}
	}
	if len(probs) > 0 {
		return probs
	}
	if len(d.Components) == 0 {
		return []Problem{{Msg: "the design is empty: add a component from the palette"}}
	}
	desc, err := launch.Parse(Launch(r, d))
	if err == nil {
		err = r.Check(desc)
	}
	if err != nil {
		probs = append(probs, Problem{Msg: message(err)})
	}
	return probs
}

// linkTypes returns the type each link carries, as launch names types, for
// the page to show at the link: "[]uint8", or "*T → Iface" where the inbox
// takes an interface the outbox's type implements.
func linkTypes(r *launch.Registry, d *Design) []string {
	out := make([]string, len(d.Links))
	for i, l := range d.Links {
		from, to := boxType(r, d, l.From, false), boxType(r, d, l.To, true)
		out[i] = from
		if from != to {
			out[i] = from + " → " + to
		}
	}
	return out
}

func boxType(r *launch.Registry, d *Design, p Port, inbox bool) string {
	c := d.component(p.UID)
	if c == nil {
		return "?"
	}
	e, _ := r.Lookup(c.Type)
	boxes := e.Outboxes
	if inbox {
		boxes = e.Inboxes
	}
	for _, b := range boxes {
		if b.Name == p.Box {
			return typeName(b.Type)
		}
	}
	return "?"
}

// typeName writes t as launch's help does: the empty interface as "any".
func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[any]() {
		return "any"
	}
	return t.String()
}

// Topology returns the TopologyViewer commands that turn the drawing of
// prev into that of next, as Kamaelia's Compose sent them: "ADD NODE uid
// label randompos component" and one "ADD NODE uid.box box randompos
// inbox" (or outbox) with "ADD LINK uid uid.box" per box for a component
// added, "DEL NODE" for each node of one removed, "ADD LINK" and
// "DEL LINK" for links between boxes.
func Topology(r *launch.Registry, prev, next *Design) []string {
	var cmds []string
	has := func(d *Design, uid int) bool { return d.component(uid) != nil }
	hasLink := func(d *Design, l Link) bool { return slices.Contains(d.Links, l) }
	node := func(p Port) string { return fmt.Sprintf("%d.%s", p.UID, p.Box) }
	for _, l := range prev.Links {
		if !hasLink(next, l) && has(next, l.From.UID) && has(next, l.To.UID) {
			cmds = append(cmds, "DEL LINK "+node(l.From)+" "+node(l.To))
		}
	}
	for _, c := range prev.Components {
		if has(next, c.UID) {
			continue
		}
		for _, b := range boxesOf(r, c) {
			cmds = append(cmds, "DEL NODE "+node(Port{c.UID, b}))
		}
		cmds = append(cmds, fmt.Sprintf("DEL NODE %d", c.UID))
	}
	for _, c := range next.Components {
		if has(prev, c.UID) {
			continue
		}
		cmds = append(cmds, fmt.Sprintf("ADD NODE %d %s randompos component", c.UID, c.Label()))
		e, _ := r.Lookup(c.Type)
		for _, part := range []struct {
			kind  string
			boxes []launch.BoxDoc
		}{{"inbox", e.Inboxes}, {"outbox", e.Outboxes}} {
			for _, b := range part.boxes {
				id := node(Port{c.UID, b.Name})
				cmds = append(cmds, "ADD NODE "+id+" "+b.Name+" randompos "+part.kind, fmt.Sprintf("ADD LINK %d %s", c.UID, id))
			}
		}
	}
	for _, l := range next.Links {
		if !hasLink(prev, l) {
			cmds = append(cmds, "ADD LINK "+node(l.From)+" "+node(l.To))
		}
	}
	return cmds
}

// boxesOf returns the names of c's boxes, inboxes first.
func boxesOf(r *launch.Registry, c Component) []string {
	e, _ := r.Lookup(c.Type)
	var names []string
	for _, b := range slices.Concat(e.Inboxes, e.Outboxes) {
		names = append(names, b.Name)
	}
	return names
}
