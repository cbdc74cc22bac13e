package axon

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// coreMethods are the exported methods of *Core, which the runtime,
// composites and tools reach a component by (through interfaces such as
// CoreComponent).
var coreMethods = sync.OnceValue(func() []reflect.Method {
	t := reflect.TypeFor[*Core]()
	ms := make([]reflect.Method, t.NumMethod())
	for i := range ms {
		ms[i] = t.Method(i)
	}
	return ms
})

// hiddenChecked holds, for each component type activated, nil or the error
// saying which of Core's methods it hides.
var hiddenChecked sync.Map // reflect.Type -> error

// checkHidden returns an error when comp's type hides a method of Core: a
// field of that name (Done chan struct{}), or a method of that name with
// another signature. Such a component would not be what the runtime and
// the tools take it for (its Done would not be its end), so it fails at
// once rather than misbehave later. Checked once per type.
func checkHidden(comp Component) error {
	t := reflect.TypeOf(comp)
	if v, ok := hiddenChecked.Load(t); ok {
		err, _ := v.(error)
		return err
	}
	var hidden []string
	for _, m := range coreMethods() {
		got, ok := t.MethodByName(m.Name)
		if !ok {
			hidden = append(hidden, m.Name+" (by a field, or two embedded values, of that name)")
			continue
		}
		if !sameSignature(got.Type, m.Type) {
			hidden = append(hidden, fmt.Sprintf("%s (by a method %s, not %s)", m.Name, sigString(got.Type), sigString(m.Type)))
		}
	}
	var err error
	if len(hidden) > 0 {
		slices.Sort(hidden)
		err = fmt.Errorf("axon: component type %s hides Core's %s: rename it, as the runtime and tools reach a component through these methods", t, strings.Join(hidden, ", "))
	}
	hiddenChecked.Store(t, err)
	return err
}

// sameSignature compares two method types, receivers aside.
func sameSignature(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
		return false
	}
	for i := 1; i < a.NumIn(); i++ {
		if a.In(i) != b.In(i) {
			return false
		}
	}
	for i := range a.NumOut() {
		if a.Out(i) != b.Out(i) {
			return false
		}
	}
	return true
}

// sigString writes a method type without its receiver.
func sigString(t reflect.Type) string {
	var in, out []string
	for i := 1; i < t.NumIn(); i++ {
		in = append(in, t.In(i).String())
	}
	for i := range t.NumOut() {
		out = append(out, t.Out(i).String())
	}
	s := "func(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
	case 1:
		s += " " + out[0]
	default:
		s += " (" + strings.Join(out, ", ") + ")"
	}
	return s
}
