package launch

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
)

// BuildOption changes how Registry.Build builds.
type BuildOption func(*buildConfig)

type buildConfig struct {
	sched *axon.Scheduler
}

// OnScheduler builds for the scheduler s (Args.Scheduler), on which the
// Launch's component must then run; the default is axon.Default().
func OnScheduler(s *axon.Scheduler) BuildOption {
	return func(c *buildConfig) { c.sched = s }
}

// Launch is a built description: one component, not yet activated, and the
// elements it is made of, by name.
type Launch struct {
	root  axon.Component
	names []string
	elems map[string]axon.Component
}

// Component returns the component to run: a *chassis.Pipe for a single
// chain of elements, else a *chassis.Graph whose children are named as the
// elements are.
func (l *Launch) Component() axon.Component { return l.root }

// Names returns the elements' names, in the order they were written.
func (l *Launch) Names() []string { return slices.Clone(l.names) }

// Element returns the component of the element called name, or nil.
func (l *Launch) Element(name string) axon.Component { return l.elems[name] }

// Close releases what elements hold before they run (the listener of a
// server, which listens from when it is made), for a Launch that will not
// be run. A Launch that has run needs no Close.
func (l *Launch) Close() error {
	var errs []error
	for _, n := range l.names {
		if c, ok := l.elems[n].(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// element is one element of a description being built.
type element struct {
	node  *Node
	entry *Entry
	name  string
	named *Prop // the name= property, if given
	args  *Args
	comp  axon.Component
}

// endpoint is one end of a planned link.
type endpoint struct {
	el  *element
	box string
	at  Pos // where it was written
}

// plan is one link to make: from an outbox to an inbox.
type plan struct {
	from, to endpoint
	at       Pos  // the '!'
	implicit bool // signal to control, made with a link of the default boxes
}

// blueprint is a description checked against the registry: its elements
// and links, with no component made yet.
type blueprint struct {
	elems    []*element
	byName   map[string]*element
	plans    []plan
	pipeline bool // a single chain of elements: a Pipe
	first    Pos
}

// BuildString parses src and builds it: Parse, then Build.
func (r *Registry) BuildString(src string, opts ...BuildOption) (*Launch, error) {
	d, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return r.Build(d, opts...)
}

// Check finds every error Build would find without making any component:
// unknown components, properties, elements and boxes, bad values, missing
// properties, names given twice, an outbox linked twice, box types that do
// not match (from the types the entries declare, which Build holds them
// to, by axon's rule: the error is the one axon gives when it links them).
// Only what a constructor finds (a port in use) is left to Build.
func (r *Registry) Check(d *Description) error {
	_, err := r.plan(d)
	return err
}

// CheckLinks is Check of d's components, names and links only, its
// properties aside (an editor checks a link as it is drawn, before the
// properties are filled in): an unknown component, element or box, a link
// from an inbox or to an outbox, an outbox linked twice, boxes whose
// declared types do not match (the error axon gives when the link is
// made, wrapping axon.ErrTypeMismatch).
func (r *Registry) CheckLinks(d *Description) error {
	_, err := r.planWith(d, false)
	return err
}

// Layout is a description laid out as Build would build it, with no
// component made: its elements, named, and every link, those '!' makes
// implicitly (signal to control) among them.
type Layout struct {
	Elements []LayoutElement
	Links    []LayoutLink
}

// LayoutElement is one element of a Layout: its name (given with name=,
// or made up as Build makes it up), its component, and the properties the
// description sets, as it writes them.
type LayoutElement struct {
	Name      string
	Component string
	Props     Props
}

// LayoutLink is one link of a Layout, from an element's outbox to an
// element's inbox; Implicit for a signal to control that '!' made.
type LayoutLink struct {
	From, FromBox string
	To, ToBox     string
	Implicit      bool
}

// Lay lays d out as Build would (CheckLinks's checks, properties aside):
// Compose reads a launch description into a design with it.
func (r *Registry) Lay(d *Description) (*Layout, error) {
	bp, err := r.planWith(d, false)
	if err != nil {
		return nil, err
	}
	l := &Layout{}
	for _, el := range bp.elems {
		le := LayoutElement{Name: el.name, Component: el.entry.Name, Props: Props{}}
		for _, p := range el.node.Props {
			if p.Name != "name" {
				le.Props[p.Name] = valueText(p.Value)
			}
		}
		l.Elements = append(l.Elements, le)
	}
	for _, p := range bp.plans {
		l.Links = append(l.Links, LayoutLink{From: p.from.el.name, FromBox: p.from.box, To: p.to.el.name, ToBox: p.to.box, Implicit: p.implicit})
	}
	return l, nil
}

// valueText is a value as Props holds it: a word's text, a list as written.
func valueText(v Value) string {
	if v.IsList {
		return v.String()
	}
	return v.Text
}

// Props are the properties of one element as a description writes them,
// by name: a value's text, or a list as written, "{a, b}".
type Props map[string]string

// Make makes one component as a description's element would be made: by
// the entry called component, with props, named element (an element name,
// or "" for the entry's name followed by 0), its boxes checked against
// the entry. It is how Go source that Compose generates makes each
// component of its Graphline. Errors are as Build's, an *Error.
func (r *Registry) Make(component, element string, props Props, opts ...BuildOption) (axon.Component, error) {
	cfg := buildConfig{sched: axon.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	n := Node{Pos: Pos{1, 1}, Component: component}
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	if element != "" {
		n.Props = append(n.Props, Prop{Pos: Pos{1, 1}, Name: "name", Value: Value{Pos: Pos{1, 1}, Text: element}})
	}
	for _, k := range names {
		v, err := r.valueOf(component, k, props[k])
		if err != nil {
			return nil, err
		}
		n.Props = append(n.Props, Prop{Pos: Pos{1, 1}, Name: k, Value: v})
	}
	el, err := r.element(&n, true)
	if err != nil {
		return nil, err
	}
	if el.named == nil {
		el.name = component + "0"
	}
	el.args.name, el.args.sched = el.name, cfg.sched
	if el.comp, err = construct(el); err != nil {
		return nil, err
	}
	if err := verifyBoxes(el); err != nil {
		if c, ok := el.comp.(io.Closer); ok {
			_ = c.Close()
		}
		return nil, err
	}
	return el.comp, nil
}

// PropValue turns the text of property prop of the entry called component,
// as Props holds it, into the Value a description holds: a list property's
// text is parsed as a list ("{a, b}"), any other kind's is taken as it is.
// A list that is not one is an *Error wrapping ErrBadValue.
func (r *Registry) PropValue(component, prop, text string) (Value, error) {
	return r.valueOf(component, prop, text)
}

func (r *Registry) valueOf(component, prop, text string) (Value, error) {
	v := Value{Pos: Pos{1, 1}, Text: text}
	e, ok := r.entries[component]
	if !ok {
		return v, nil // element() reports the unknown component
	}
	p, ok := e.param(prop)
	if !ok || p.Kind != Strings {
		return v, nil
	}
	d, err := Parse("X x=" + text)
	if err != nil || len(d.Chains) != 1 || len(d.Chains[0].Nodes) != 1 || len(d.Chains[0].Nodes[0].Props) != 1 || !d.Chains[0].Nodes[0].Props[0].Value.IsList {
		return v, &Error{Pos: Pos{1, 1}, Msg: fmt.Sprintf("%s of %s: %q is not a list such as {a, b}", prop, component, text), Err: ErrBadValue}
	}
	return d.Chains[0].Nodes[0].Props[0].Value, nil
}

// Build makes the description's components with their Registry entries and
// links them: a chassis.Pipeline for a single chain of elements, else a
// chassis.Graphline named after the elements. Nothing is activated. Its
// error is an *Error (see the package doc for the classes); when it fails,
// what it made is released.
func (r *Registry) Build(d *Description, opts ...BuildOption) (l *Launch, err error) {
	cfg := buildConfig{sched: axon.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	bp, err := r.plan(d)
	if err != nil {
		return nil, err
	}
	l = &Launch{elems: map[string]axon.Component{}}
	defer func() {
		if err != nil {
			_ = l.Close()
			l = nil
		}
	}()
	for _, el := range bp.elems {
		el.args.sched = cfg.sched
		if el.comp, err = construct(el); err != nil {
			return l, err
		}
		l.names = append(l.names, el.name)
		l.elems[el.name] = el.comp
		if err := verifyBoxes(el); err != nil {
			return l, err
		}
	}
	for _, p := range bp.plans {
		if err := tryLink(p); err != nil {
			return l, err
		}
	}
	comps := make([]axon.Component, len(bp.elems))
	for i, el := range bp.elems {
		comps[i] = el.comp
	}
	if bp.pipeline {
		l.root, err = chassis.NewPipeline(comps...)
	} else {
		kids := chassis.Components{}
		links := chassis.Linkages{}
		for _, el := range bp.elems {
			kids[el.name] = el.comp
		}
		for _, p := range bp.plans {
			links[chassis.Port{Component: p.from.el.name, Box: p.from.box}] = chassis.Port{Component: p.to.el.name, Box: p.to.box}
		}
		l.root, err = chassis.NewGraphline(kids, links)
	}
	if err != nil {
		return l, &Error{Pos: bp.first, Msg: "cannot wire the description: " + err.Error(), Err: ErrConstruct, Cause: err}
	}
	if n, ok := l.root.(interface{ SetName(string) }); ok {
		n.SetName("launch")
	}
	return l, nil
}

// construct calls el's constructor, turning a panic of an entry that asks
// for what it did not declare into an error.
func construct(el *element) (comp axon.Component, err error) {
	defer func() {
		if v := recover(); v != nil {
			bug, ok := v.(entryBug)
			if !ok {
				panic(v)
			}
			comp, err = nil, &Error{Pos: el.node.Pos, Msg: bug.msg, Err: ErrRegistry}
		}
	}()
	comp, err = el.entry.New(el.args)
	if err != nil {
		return nil, &Error{Pos: el.node.Pos, Msg: fmt.Sprintf("%s (%s): %v", el.name, el.entry.Name, err), Err: ErrConstruct, Cause: err}
	}
	if comp == nil {
		return nil, &Error{Pos: el.node.Pos, Msg: fmt.Sprintf("entry %s made no component", el.entry.Name), Err: ErrRegistry}
	}
	if n, ok := comp.(interface{ SetName(string) }); ok {
		n.SetName(el.name)
	}
	return comp, nil
}

// verifyBoxes checks that el's component has exactly the boxes its entry
// declares, "_" boxes aside, so that help and Check tell the truth.
func verifyBoxes(el *element) error {
	c, ok := el.comp.(axon.CoreComponent)
	if !ok {
		return &Error{Pos: el.node.Pos, Msg: fmt.Sprintf("entry %s made a component that does not embed axon.Core", el.entry.Name), Err: ErrRegistry}
	}
	check := func(kind string, declared []BoxDoc, actual []axon.Box) error {
		have := map[string]axon.Box{}
		for _, b := range actual {
			if !strings.HasPrefix(b.Name(), "_") {
				have[b.Name()] = b
			}
		}
		for _, d := range declared {
			b, ok := have[d.Name]
			switch {
			case !ok:
				return fmt.Errorf("it declares %s %q, which the component lacks", kind, d.Name)
			case b.Type() != d.Type:
				return fmt.Errorf("it declares %s %q carrying %s, the component's carries %s", kind, d.Name, d.Type, b.Type())
			}
			delete(have, d.Name)
		}
		for _, b := range actual {
			if _, extra := have[b.Name()]; extra {
				return fmt.Errorf("the component has %s %q (%s), which it does not declare", kind, b.Name(), b.Type())
			}
		}
		return nil
	}
	err := check("inbox", el.entry.Inboxes, c.Inboxes())
	if err == nil {
		err = check("outbox", el.entry.Outboxes, c.Outboxes())
	}
	if err != nil {
		return &Error{Pos: el.node.Pos, Msg: fmt.Sprintf("entry %s does not describe its component: %v", el.entry.Name, err), Err: ErrRegistry}
	}
	return nil
}

// tryLink makes the link p and removes it again: axon checks the box types
// when a link is made, and the chassis makes the link for good.
func tryLink(p plan) error {
	from, _ := p.from.el.comp.(axon.CoreComponent).Outbox(p.from.box)
	to, _ := p.to.el.comp.(axon.CoreComponent).Inbox(p.to.box)
	l, err := axon.Link(from, to)
	if err != nil {
		class := ErrConstruct
		if errors.Is(err, axon.ErrTypeMismatch) {
			class = axon.ErrTypeMismatch
		}
		return &Error{Pos: p.at, Msg: fmt.Sprintf("cannot link %s to %s: %v", p.from.el.name, p.to.el.name, err), Err: class, Cause: err}
	}
	return axon.Unlink(l)
}

// plan checks d against the registry and lays out its elements and links.
func (r *Registry) plan(d *Description) (*blueprint, error) {
	return r.planWith(d, true)
}

// planWith is plan, checking the elements' properties or not.
func (r *Registry) planWith(d *Description, props bool) (*blueprint, error) {
	bp := &blueprint{byName: map[string]*element{}}
	if d == nil || len(d.Chains) == 0 {
		return nil, &Error{Pos: Pos{1, 1}, Msg: "empty description: expected a component name", Err: ErrSyntax}
	}
	bp.first = d.Chains[0].Nodes[0].Pos
	bp.pipeline = len(d.Chains) == 1
	for ci := range d.Chains {
		for ni := range d.Chains[ci].Nodes {
			n := &d.Chains[ci].Nodes[ni]
			if n.IsRef() {
				bp.pipeline = false
				continue
			}
			el, err := r.element(n, props)
			if err != nil {
				return nil, err
			}
			if el.named != nil {
				if other := bp.byName[el.name]; other != nil {
					return nil, &Error{Pos: el.named.Value.Pos, Msg: fmt.Sprintf("two elements are named %q (the other is at %s)", el.name, other.node.Pos), Err: ErrDuplicate}
				}
				bp.byName[el.name] = el
			}
			bp.elems = append(bp.elems, el)
		}
	}
	count := map[string]int{}
	for _, el := range bp.elems {
		if el.named != nil {
			continue
		}
		for {
			el.name = fmt.Sprintf("%s%d", el.entry.Name, count[el.entry.Name])
			count[el.entry.Name]++
			if bp.byName[el.name] == nil {
				break
			}
		}
		bp.byName[el.name] = el
	}
	for _, el := range bp.elems {
		el.args.name = el.name
	}
	return bp, r.planLinks(d, bp)
}

// element checks an element node: its component and, if props, its
// properties (else only its name).
func (r *Registry) element(n *Node, props bool) (*element, error) {
	e, ok := r.entries[n.Component]
	if !ok {
		return nil, &Error{Pos: n.Pos, Msg: r.unknown(n.Component, false), Err: ErrUnknownComponent}
	}
	el := &element{node: n, entry: e, args: &Args{entry: e, values: map[string]any{}, given: map[string]bool{}}}
	set := map[string]Pos{}
	for i := range n.Props {
		p := &n.Props[i]
		if at, twice := set[p.Name]; twice {
			return nil, &Error{Pos: p.Pos, Msg: fmt.Sprintf("%s is set twice (first at %s)", p.Name, at), Err: ErrDuplicate}
		}
		set[p.Name] = p.Pos
		if p.Name == "name" {
			if p.Value.IsList || !isIdent(p.Value.Text) || p.Value.Text == chassis.Self {
				return nil, &Error{Pos: p.Value.Pos, Msg: fmt.Sprintf("name of %s: %s is not an element name (letters, digits, '_' and '-', not starting with a digit; not %q)", e.Name, p.Value, chassis.Self), Err: ErrBadValue}
			}
			el.name, el.named = p.Value.Text, p
			continue
		}
		if !props {
			continue
		}
		param, ok := e.param(p.Name)
		if !ok {
			msg := fmt.Sprintf("%s has no property %q", e.Name, p.Name)
			names := make([]string, len(e.Params))
			for i, q := range e.Params {
				names[i] = q.Name
			}
			if near, ok := closest(p.Name, names); ok {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, &Error{Pos: p.Pos, Msg: msg + "; " + e.paramNames(), Err: ErrUnknownProperty}
		}
		v, err := convert(param.Kind, p.Value)
		if err == nil && param.Check != nil {
			err = param.Check(v)
		}
		if err != nil {
			return nil, &Error{Pos: p.Value.Pos, Msg: fmt.Sprintf("%s of %s: %v", p.Name, e.Name, err), Err: ErrBadValue}
		}
		el.args.values[p.Name] = v
		el.args.given[p.Name] = true
	}
	for _, param := range e.Params {
		if _, ok := set[param.Name]; ok || !props {
			continue
		}
		if param.Required {
			return nil, &Error{Pos: n.Pos, Msg: fmt.Sprintf("%s needs %s=... (%s)", e.Name, param.Name, param.Doc), Err: ErrMissingProperty}
		}
		v, err := defaultValue(param)
		if err != nil {
			return nil, &Error{Pos: n.Pos, Msg: fmt.Sprintf("entry %s: default of %s: %v", e.Name, param.Name, err), Err: ErrRegistry}
		}
		el.args.values[param.Name] = v
	}
	return el, nil
}

// planLinks resolves the references and lays out every link, checking the
// boxes named against the entries' declarations.
func (r *Registry) planLinks(d *Description, bp *blueprint) error {
	next := 0 // the next element node, in bp.elems order
	resolve := func(n *Node) (*element, error) {
		if !n.IsRef() {
			el := bp.elems[next]
			next++
			return el, nil
		}
		if el := bp.byName[n.Ref]; el != nil {
			return el, nil
		}
		return nil, &Error{Pos: n.Pos, Msg: fmt.Sprintf("no element is named %q (elements: %s)", n.Ref, bp.names()), Err: ErrUnknownElement}
	}
	type usage struct {
		at       Pos
		implicit bool
	}
	used := map[string]usage{} // "element.box" of each outbox linked, and where
	// The first pair of boxes whose types do not match is reported after
	// every other error, as Build, where axon finds it, always did.
	var mismatch error
	use := func(e endpoint, at Pos, implicit bool) error {
		key := e.el.name + "." + e.box
		first, ok := used[key]
		if !ok {
			used[key] = usage{at: at, implicit: implicit}
			return nil
		}
		why := ""
		switch {
		case first.implicit:
			why = ", where a link of the default boxes links signal to control too"
		case implicit:
			why = ", and this link of the default boxes would link signal to control too"
		}
		return &Error{Pos: at, Msg: fmt.Sprintf("%s is already linked at %s%s: one outbox feeds one inbox (a splitter or a Backplane fans out)", key, first.at, why), Err: axon.ErrAlreadyLinked}
	}
	for _, c := range d.Chains {
		els := make([]*element, len(c.Nodes))
		for i := range c.Nodes {
			el, err := resolve(&c.Nodes[i])
			if err != nil {
				return err
			}
			els[i] = el
		}
		for i, at := range c.Links {
			a, b := &c.Nodes[i], &c.Nodes[i+1]
			from := endpoint{el: els[i], box: cmp.Or(a.Box, "outbox"), at: a.Pos}
			to := endpoint{el: els[i+1], box: cmp.Or(b.Box, "inbox"), at: b.Pos}
			if err := checkBox(from, false); err != nil {
				return err
			}
			if err := checkBox(to, true); err != nil {
				return err
			}
			if err := checkTypes(from, to, at); err != nil && mismatch == nil {
				mismatch = err
			}
			if err := use(from, at, false); err != nil {
				return err
			}
			bp.plans = append(bp.plans, plan{from: from, to: to, at: at})
			sigBox := ""
			switch {
			case a.Box == "" && b.Box == "":
				sigBox = "signal"
			case b.Box == "":
				sigBox = boxDoc(from.el.entry.Outboxes, from.box).Signal
			}
			if sigBox != "" {
				sig := endpoint{el: els[i], box: sigBox, at: a.Pos}
				if err := use(sig, at, true); err != nil {
					return err
				}
				bp.plans = append(bp.plans, plan{from: sig, to: endpoint{el: els[i+1], box: "control", at: b.Pos}, at: at, implicit: true})
			}
		}
	}
	return mismatch
}

// checkBox reports an error if e's element has no such box.
func checkBox(e endpoint, inbox bool) error {
	boxes, other, kind, otherKind := e.el.entry.Outboxes, e.el.entry.Inboxes, "outbox", "inbox"
	if inbox {
		boxes, other, kind, otherKind = other, boxes, otherKind, kind
	}
	has := func(bs []BoxDoc) bool {
		return slices.ContainsFunc(bs, func(b BoxDoc) bool { return b.Name == e.box })
	}
	if has(boxes) {
		return nil
	}
	msg := fmt.Sprintf("%s (%s) has no %s %q; its %ses: %s", e.el.name, e.el.entry.Name, kind, e.box, kind, boxNames(boxes))
	if has(other) {
		msg = fmt.Sprintf("%s.%s is an %s, but a link goes from an outbox to an inbox; the %ses of %s: %s", e.el.name, e.box, otherKind, kind, e.el.name, boxNames(boxes))
	}
	return &Error{Pos: e.at, Msg: msg, Err: ErrUnknownBox}
}

// checkTypes reports the error axon gives when it links from to to, if the
// types the entries declare for the boxes do not match: the same types as
// the components' (Build checks that), and the same rule as axon.Link's.
func checkTypes(from, to endpoint, at Pos) error {
	ft, tt := boxDoc(from.el.entry.Outboxes, from.box).Type, boxDoc(to.el.entry.Inboxes, to.box).Type
	if ft == tt || (tt.Kind() == reflect.Interface && ft.Implements(tt)) {
		return nil
	}
	cause := fmt.Errorf("%w: %s.%s carries %s but %s.%s takes %s", axon.ErrTypeMismatch, from.el.name, from.box, ft, to.el.name, to.box, tt)
	return &Error{Pos: at, Msg: fmt.Sprintf("cannot link %s to %s: %v", from.el.name, to.el.name, cause), Err: axon.ErrTypeMismatch, Cause: cause}
}

// boxDoc returns the box called name of bs, which has one.
func boxDoc(bs []BoxDoc, name string) BoxDoc {
	for _, b := range bs {
		if b.Name == name {
			return b
		}
	}
	panic("launch: no box " + name)
}

func boxNames(bs []BoxDoc) string {
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name
	}
	return strings.Join(names, ", ")
}

// names lists the elements' names for error messages.
func (bp *blueprint) names() string {
	names := make([]string, len(bp.elems))
	for i, el := range bp.elems {
		names[i] = el.name
	}
	return strings.Join(names, ", ")
}
