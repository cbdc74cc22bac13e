package axon

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Service is a named entry point into a running system: a component and the
// inbox where it takes requests. A Backplane, a display or an audio device
// registers itself as one; others look it up and link to it.
type Service struct {
	Name      string // the name it is registered under
	Component Component
	Inbox     Box
}

// Registry is a scheduler's table of services and tracked values (Axon's
// Coordinating Assistant Tracker, the CAT). It is safe for concurrent use.
type Registry struct {
	mu       sync.RWMutex
	services map[string]Service
	values   map[string]any
}

func newRegistry() *Registry {
	return &Registry{services: map[string]Service{}, values: map[string]any{}}
}

// Register publishes comp's inbox called inbox as the service name. It fails
// with ErrServiceExists if the name is taken, ErrBadInbox if comp has no
// such inbox and ErrNilArgument if comp is nil.
func (r *Registry) Register(name string, comp Component, inbox string) error {
	if isNilComponent(comp) {
		return fmt.Errorf("%w: Register %q: component is nil", ErrNilArgument, name)
	}
	b, ok := coreOf(comp).Inbox(inbox)
	if !ok {
		return fmt.Errorf("%w: %s has no inbox %q for service %q", ErrBadInbox, coreOf(comp).Name(), inbox, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.services[name]; ok {
		return fmt.Errorf("%w: %q", ErrServiceExists, name)
	}
	r.services[name] = Service{Name: name, Component: comp, Inbox: b}
	return nil
}

// Lookup returns the service called name, or ErrServiceUnknown.
func (r *Registry) Lookup(name string) (Service, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.services[name]
	if !ok {
		return Service{}, fmt.Errorf("%w: %q", ErrServiceUnknown, name)
	}
	return s, nil
}

// Deregister removes the service called name, or returns ErrServiceUnknown.
func (r *Registry) Deregister(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.services[name]; !ok {
		return fmt.Errorf("%w: %q", ErrServiceUnknown, name)
	}
	delete(r.services, name)
	return nil
}

// Services returns the registered services, sorted by name (Axon's CAT
// lists its services so). It is a copy: registering or deregistering later
// does not change it.
func (r *Registry) Services() []Service {
	r.mu.RLock()
	out := slices.Collect(maps.Values(r.services))
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Service) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Tracked returns a copy of the tracked values, by name. Changing the copy
// changes nothing in the registry; Update does.
func (r *Registry) Tracked() map[string]any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return maps.Clone(r.values)
}

// Track starts tracking a named value (Axon's trackValue); ErrServiceExists if
// the name is taken.
func (r *Registry) Track(name string, v any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.values[name]; ok {
		return fmt.Errorf("%w: value %q", ErrServiceExists, name)
	}
	r.values[name] = v
	return nil
}

// Update changes a tracked value (Axon's updateValue); ErrServiceUnknown if it
// is not tracked.
func (r *Registry) Update(name string, v any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.values[name]; !ok {
		return fmt.Errorf("%w: value %q", ErrServiceUnknown, name)
	}
	r.values[name] = v
	return nil
}

// Value returns a tracked value (Axon's retrieveValue); ErrServiceUnknown if it
// is not tracked.
func (r *Registry) Value(name string) (any, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.values[name]
	if !ok {
		return nil, fmt.Errorf("%w: value %q", ErrServiceUnknown, name)
	}
	return v, nil
}

// Untrack stops tracking a value; ErrServiceUnknown if it is not tracked.
func (r *Registry) Untrack(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.values[name]; !ok {
		return fmt.Errorf("%w: value %q", ErrServiceUnknown, name)
	}
	delete(r.values, name)
	return nil
}

// Services returns the registry of the scheduler c runs on (the default
// scheduler's before it is activated).
func (c *Core) Services() *Registry {
	if s := c.Scheduler(); s != nil {
		return s.services
	}
	return Default().services
}
