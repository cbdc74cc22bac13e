package compose

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kamaelia-go/kamaelia/launch"
)

// ErrRefused is what the Editor's operations wrap when the design's rules
// refuse them (a link from an inbox, a second link from an outbox, box
// types that do not match, an unknown component or box): the design is
// left as it was.
var ErrRefused = errors.New("compose: refused")

// Editor is a Design being edited, checked against a Registry by the same
// code that builds launch descriptions. It is safe for concurrent use.
type Editor struct {
	reg *launch.Registry
	mu  sync.Mutex
	d   *Design
}

// NewEditor returns an Editor of an empty design over r.
func NewEditor(r *launch.Registry) *Editor {
	return &Editor{reg: r, d: &Design{NextUID: 1}}
}

// Registry returns the Registry the Editor checks against.
func (e *Editor) Registry() *launch.Registry { return e.reg }

// Design returns a copy of the design.
func (e *Editor) Design() *Design {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.d.clone()
}

// refused returns an error wrapping ErrRefused.
func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// edit applies change to a copy of the design and keeps it if change
// returns no error. It returns the topology commands that turn the old
// design into the new (Topology).
func (e *Editor) edit(change func(d *Design) error) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	next := e.d.clone()
	if err := change(next); err != nil {
		return nil, err
	}
	cmds := Topology(e.reg, e.d, next)
	e.d = next
	return cmds, nil
}

// Add adds a component of the Registry entry typ at (x, y), with its
// properties at their defaults, and returns it. An unknown typ is refused.
func (e *Editor) Add(typ string, x, y float64) (Component, []string, error) {
	var c Component
	cmds, err := e.edit(func(d *Design) error {
		if _, ok := e.reg.Lookup(typ); !ok {
			return refused("no component %q in the palette", typ)
		}
		c = Component{UID: d.NextUID, Type: typ, X: x, Y: y}
		d.NextUID++
		d.Components = append(d.Components, c)
		return nil
	})
	return c, cmds, err
}

// Set sets property prop of component uid to text, as a description
// writes it (a list as "{a, b}"); unset returns it to its default. A
// property the component lacks is refused; a value that is not of the
// property's kind is kept, and reported by Check, so that it can be
// corrected where it was typed.
func (e *Editor) Set(uid int, prop, text string, unset bool) ([]string, error) {
	return e.edit(func(d *Design) error {
		c := d.component(uid)
		if c == nil {
			return refused("no component has uid %d", uid)
		}
		entry, _ := e.reg.Lookup(c.Type)
		if !slices.ContainsFunc(entry.Params, func(p launch.Param) bool { return p.Name == prop }) {
			return refused("%s (%s) has no property %q", c.Label(), c.Type, prop)
		}
		if unset {
			delete(c.Props, prop)
			return nil
		}
		if c.Props == nil {
			c.Props = map[string]string{}
		}
		c.Props[prop] = text
		return nil
	})
}

// Move places component uid at (x, y).
func (e *Editor) Move(uid int, x, y float64) error {
	_, err := e.edit(func(d *Design) error {
		c := d.component(uid)
		if c == nil {
			return refused("no component has uid %d", uid)
		}
		c.X, c.Y = x, y
		return nil
	})
	return err
}

// Remove removes component uid and every link to or from it.
func (e *Editor) Remove(uid int) ([]string, error) {
	return e.edit(func(d *Design) error {
		i := slices.IndexFunc(d.Components, func(c Component) bool { return c.UID == uid })
		if i < 0 {
			return refused("no component has uid %d", uid)
		}
		d.Components = slices.Delete(d.Components, i, i+1)
		d.Links = slices.DeleteFunc(d.Links, func(l Link) bool { return l.From.UID == uid || l.To.UID == uid })
		return nil
	})
}

// Unlink removes every link to or from box p: boxes cannot be removed, as
// in Kamaelia's Compose, but their links can.
func (e *Editor) Unlink(p Port) ([]string, error) {
	return e.edit(func(d *Design) error {
		if d.component(p.UID) == nil {
			return refused("no component has uid %d", p.UID)
		}
		d.Links = slices.DeleteFunc(d.Links, func(l Link) bool { return l.From == p || l.To == p })
		return nil
	})
}

// Link links outbox from to inbox to, if the launcher would: both boxes
// exist, from is an outbox and to an inbox, from is not linked yet, and
// their types match (the launcher's own message says why not). A link to
// an inbox called "inbox" from "outbox" (or from an outbox whose entry
// names its signal, launch.BoxDoc.Signal) also links signal to control
// when both are free, as a launch description's '!' does, so that the end
// of the stream reaches the next component.
func (e *Editor) Link(from, to Port) ([]string, error) {
	return e.edit(func(d *Design) error {
		for _, p := range []Port{from, to} {
			if d.component(p.UID) == nil {
				return refused("no component has uid %d", p.UID)
			}
		}
		d.Links = append(d.Links, Link{From: from, To: to})
		if err := checkLinks(e.reg, d); err != nil {
			return refused("%s", err)
		}
		if sigBox := signalOf(e.reg, d, from); sigBox != "" && to.Box == "inbox" {
			sig := Link{From: Port{from.UID, sigBox}, To: Port{to.UID, "control"}}
			if d.linkFrom(sig.From) < 0 && !slices.ContainsFunc(d.Links, func(l Link) bool { return l.To == sig.To }) {
				d.Links = append(d.Links, sig)
			}
		}
		return nil
	})
}

// Clear empties the design; uids start again from 1.
func (e *Editor) Clear() []string {
	cmds, _ := e.edit(func(d *Design) error {
		*d = Design{NextUID: 1}
		return nil
	})
	return cmds
}

// Load replaces the design with d, a design as Save wrote it, if every
// component is in the Registry with properties its entry has, and every
// link is one Link would make (the values are checked by Check, as they
// are while editing).
func (e *Editor) Load(d *Design) ([]string, error) {
	return e.edit(func(next *Design) error {
		seen := map[int]bool{}
		maxUID := 0
		for _, c := range d.Components {
			if c.UID < 1 || seen[c.UID] {
				return refused("component uid %d is not a positive number of its own", c.UID)
			}
			seen[c.UID] = true
			entry, ok := e.reg.Lookup(c.Type)
			if !ok {
				return refused("no component %q in the palette (uid %d)", c.Type, c.UID)
			}
			for prop := range c.Props {
				if !slices.ContainsFunc(entry.Params, func(p launch.Param) bool { return p.Name == prop }) {
					return refused("%s (%s) has no property %q", c.Label(), c.Type, prop)
				}
			}
			maxUID = max(maxUID, c.UID)
		}
		for _, l := range d.Links {
			if !seen[l.From.UID] || !seen[l.To.UID] {
				return refused("a link joins uid %d to uid %d, and no component has one of them", l.From.UID, l.To.UID)
			}
		}
		if err := checkLinks(e.reg, d); err != nil {
			return refused("%s", err)
		}
		*next = *d.clone()
		next.NextUID = max(d.NextUID, maxUID+1)
		return nil
	})
}

// ImportLaunch replaces the design with the system a launch description
// makes: one component per element, in order, with the properties the
// description sets, and every link it makes, the signal to control that
// '!' adds among them. What launch would refuse of the description's
// names and links is refused, with launch's message and its position in
// src; the properties' values are checked by Check, as in editing.
func (e *Editor) ImportLaunch(src string) ([]string, error) {
	d, err := launch.Parse(src)
	if err != nil {
		return nil, refused("%v", err)
	}
	lay, err := e.reg.Lay(d)
	if err != nil {
		return nil, refused("%v", err)
	}
	next := &Design{NextUID: len(lay.Elements) + 1, Components: []Component{}, Links: []Link{}}
	uid := map[string]int{}
	for i, el := range lay.Elements {
		uid[el.Name] = i + 1
	}
	// Laid out in columns by depth, the longest way from a source, so that
	// links go left to right; the depth is bounded by the number of
	// elements, so a cycle ends too.
	depth := make([]int, len(lay.Elements)+1)
	for range lay.Elements {
		changed := false
		for _, l := range lay.Links {
			if f, t := uid[l.From], uid[l.To]; depth[t] < depth[f]+1 && depth[f]+1 < len(lay.Elements) {
				depth[t], changed = depth[f]+1, true
			}
		}
		if !changed {
			break
		}
	}
	rows := map[int]int{}
	for i, el := range lay.Elements {
		col := depth[i+1]
		c := Component{UID: i + 1, Type: el.Component, X: float64(30 + col*230), Y: float64(30 + rows[col]*150)}
		rows[col]++
		if len(el.Props) > 0 {
			c.Props = map[string]string(el.Props)
		}
		next.Components = append(next.Components, c)
	}
	for _, l := range lay.Links {
		next.Links = append(next.Links, Link{From: Port{uid[l.From], l.FromBox}, To: Port{uid[l.To], l.ToBox}})
	}
	return e.Load(next)
}
