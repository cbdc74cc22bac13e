package launch

import "errors"

// The classes of error that Parse and Registry.Build return, wrapped in an
// *Error: test for them with errors.Is. Box types that do not match wrap
// axon.ErrTypeMismatch, and an outbox linked twice axon.ErrAlreadyLinked,
// since axon finds those.
var (
	// ErrSyntax: the text is not a description.
	ErrSyntax = errors.New("launch: syntax error")
	// ErrUnknownComponent: no Registry entry has the name.
	ErrUnknownComponent = errors.New("launch: unknown component")
	// ErrUnknownProperty: the component has no property of the name.
	ErrUnknownProperty = errors.New("launch: unknown property")
	// ErrBadValue: a value is not of its property's type, or out of range.
	ErrBadValue = errors.New("launch: bad value")
	// ErrMissingProperty: a property that has no default was not given.
	ErrMissingProperty = errors.New("launch: missing property")
	// ErrDuplicate: a property given twice, or two elements of one name.
	ErrDuplicate = errors.New("launch: given twice")
	// ErrUnknownElement: a reference to a name no element has.
	ErrUnknownElement = errors.New("launch: unknown element")
	// ErrUnknownBox: a reference to a box the element's component lacks.
	ErrUnknownBox = errors.New("launch: unknown box")
	// ErrConstruct: an entry's constructor failed (a port in use, say).
	ErrConstruct = errors.New("launch: cannot make component")
	// ErrRegistry: an entry is not valid, or does not describe the
	// component it makes truly (a bug in the catalogue, not in the text).
	ErrRegistry = errors.New("launch: bad registry entry")
)

// Error is an error in a description: where it is, what is wrong, and its
// class (one of the Err variables of this package) with, for errors found by
// axon or by a constructor, the error that caused it.
type Error struct {
	Pos   Pos
	Msg   string
	Err   error // the class
	Cause error // what axon or the constructor returned, if anything
}

// Error returns "line:column: message".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns the class and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}
