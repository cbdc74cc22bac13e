package axon

// CoreComponent is a Component whose Core's methods are its own: what every
// struct that embeds Core has, unless it declares a method of the same name
// that hides one. Composites and tools that work on components they did not
// write (chassis, launch) take their components as CoreComponents, and a
// package asserts its components are ones with
//
//	var _ axon.CoreComponent = (*MyComponent)(nil)
type CoreComponent interface {
	Component
	Name() string
	State() State
	Done() <-chan struct{}
	Err() error
	Control() *Inbox[any]
	Signal() *Outbox[any]
	Inbox(name string) (Box, bool)
	Outbox(name string) (Box, bool)
	Inboxes() []Box
	Outboxes() []Box
	AddChildren(children ...Component) error
	Link(from, to Box, opts ...LinkOption) (*Linkage, error)
	RemoveBox(b Box) error
}
