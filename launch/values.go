package launch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// convert turns a value as written into the Go value of its kind: string,
// int, float64, bool, time.Duration or []string.
func convert(k Kind, v Value) (any, error) {
	if k == Strings {
		if !v.IsList {
			return nil, fmt.Errorf("%s is not a list: write {%s} for a list of one", v, quote(v.Text))
		}
		out := make([]string, len(v.List))
		for i, e := range v.List {
			out[i] = e.Text
		}
		return out, nil
	}
	if v.IsList {
		return nil, fmt.Errorf("%s is a list, not a %s", v, k)
	}
	s := v.Text
	switch k {
	case String:
		return s, nil
	case Int:
		n, err := strconv.ParseInt(s, 0, strconv.IntSize)
		if err != nil {
			return nil, fmt.Errorf("%q is not an int (a whole number such as 42)", s)
		}
		return int(n), nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%q is not a float (a finite number such as 1.5 or 400000)", s)
		}
		return f, nil
	case Bool:
		switch strings.ToLower(s) {
		case "true", "yes", "on", "1":
			return true, nil
		case "false", "no", "off", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a bool (true or false)", s)
	case Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration (such as 40ms, 1.5s or 2m)", s)
		}
		return d, nil
	}
	return nil, fmt.Errorf("unknown kind %s", k)
}

// Args are the values of an element's properties, checked against its
// Entry, for the Entry's constructor. Each getter takes the name of a
// property the Entry declares, of the getter's kind; any other name is a
// bug in the entry, which Build reports as an error wrapping ErrRegistry.
type Args struct {
	name   string
	entry  *Entry
	values map[string]any
	given  map[string]bool
	sched  *axon.Scheduler
}

// Name returns the element's name (given with name=, or made up).
func (a *Args) Name() string { return a.name }

// Scheduler returns the scheduler the description is built for: components
// that register services (a Backplane) register them there.
func (a *Args) Scheduler() *axon.Scheduler { return a.sched }

// Given reports whether the description set the property, rather than
// leaving it at its default.
func (a *Args) Given(name string) bool {
	a.get(name, a.paramKind(name))
	return a.given[name]
}

// String returns the value of a String property.
func (a *Args) String(name string) string { return a.get(name, String).(string) }

// Int returns the value of an Int property.
func (a *Args) Int(name string) int { return a.get(name, Int).(int) }

// Float returns the value of a Float property.
func (a *Args) Float(name string) float64 { return a.get(name, Float).(float64) }

// Bool returns the value of a Bool property.
func (a *Args) Bool(name string) bool { return a.get(name, Bool).(bool) }

// Duration returns the value of a Duration property.
func (a *Args) Duration(name string) time.Duration { return a.get(name, Duration).(time.Duration) }

// Strings returns the value of a Strings property.
func (a *Args) Strings(name string) []string { return a.get(name, Strings).([]string) }

// entryBug is what the getters panic with when an entry asks for what it did
// not declare; Build recovers it and returns an error wrapping ErrRegistry.
type entryBug struct{ msg string }

func (a *Args) paramKind(name string) Kind {
	p, ok := a.entry.param(name)
	if !ok {
		panic(entryBug{fmt.Sprintf("entry %s asks for property %q, which it does not declare", a.entry.Name, name)})
	}
	return p.Kind
}

func (a *Args) get(name string, k Kind) any {
	if pk := a.paramKind(name); pk != k {
		panic(entryBug{fmt.Sprintf("entry %s asks for property %q as a %s, but declares it a %s", a.entry.Name, name, k, pk)})
	}
	return a.values[name]
}
