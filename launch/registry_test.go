package launch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/file"
	"github.com/kamaelia-go/kamaelia/components/flow"
	"github.com/kamaelia-go/kamaelia/components/source"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/require"
)

var stringType = launch.TypeOf[string]()

// holder is a component that holds something until it runs or is closed,
// as a server holds its listener.
type holder struct {
	axon.Core
	closed *atomic.Int32
}

func (h *holder) Main(ctx context.Context) error { return nil }

func (h *holder) Close() error {
	h.closed.Add(1)
	return nil
}

// kindsSeen records what the Kinds entry was made with.
type kindsSeen struct {
	s     string
	i     int
	f     float64
	b     bool
	d     string
	l     []string
	given bool
}

// testRegistry returns a registry of a few real components, and some that
// test the registry itself. seen gets what each Kinds element was made
// with; closed counts the Close calls of Holders.
func testRegistry(t testing.TB, seen *[]kindsSeen, closed *atomic.Int32) *launch.Registry {
	r := launch.NewRegistry()
	reg := func(e launch.Entry) { require.NoError(t, r.Register(e)) }
	reg(launch.Entry{
		Name:     "Words",
		Summary:  "sends its words",
		Params:   []launch.Param{{Name: "items", Kind: launch.Strings, Required: true, Doc: "the words"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "the words"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return source.NewDataSource(a.Strings("items")), nil
		},
	})
	reg(launch.Entry{
		Name:     "Upper",
		Summary:  "upper-cases text",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: stringType, Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "TEXT"}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(strings.ToUpper), nil
		},
	})
	reg(launch.Entry{
		Name:     "Len",
		Summary:  "measures text",
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: stringType, Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: launch.TypeOf[int](), Doc: "its length"}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(func(s string) int { return len(s) }), nil
		},
	})
	reg(launch.Entry{
		Name:    "Writer",
		Summary: "writes text to a file",
		Params: []launch.Param{
			{Name: "filename", Kind: launch.String, Required: true, Doc: "the file"},
			{Name: "append", Kind: launch.Bool, Default: "false", Doc: "append"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: stringType, Doc: "text"}},
		New: func(a *launch.Args) (axon.Component, error) {
			mode := file.Truncate
			if a.Bool("append") {
				mode = file.Append
			}
			return file.NewSimpleFileWriter[string](a.String("filename"), mode), nil
		},
	})
	positive := func(v any) error {
		if v.(int) <= 0 {
			return errors.New("must be more than 0")
		}
		return nil
	}
	reg(launch.Entry{
		Name:    "Kinds",
		Summary: "takes a property of every kind",
		Params: []launch.Param{
			{Name: "s", Kind: launch.String, Default: "dflt", Doc: "a string"},
			{Name: "i", Kind: launch.Int, Default: "7", Check: positive, Doc: "an int"},
			{Name: "f", Kind: launch.Float, Default: "0.5", Doc: "a float"},
			{Name: "b", Kind: launch.Bool, Default: "false", Doc: "a bool"},
			{Name: "d", Kind: launch.Duration, Default: "1s", Doc: "a duration"},
			{Name: "l", Kind: launch.Strings, Default: "{x, \"y z\"}", Doc: "a list"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: stringType, Doc: "text"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "the same"}},
		New: func(a *launch.Args) (axon.Component, error) {
			if seen != nil {
				*seen = append(*seen, kindsSeen{a.String("s"), a.Int("i"), a.Float("f"), a.Bool("b"),
					a.Duration("d").String(), a.Strings("l"), a.Given("s")})
			}
			return flow.NewPassThrough[string](), nil
		},
	})
	reg(launch.Entry{
		Name:    "Holder",
		Summary: "holds a resource until it runs",
		New: func(*launch.Args) (axon.Component, error) {
			return &holder{closed: closed}, nil
		},
	})
	reg(launch.Entry{
		Name:    "Broken",
		Summary: "cannot be made",
		New: func(*launch.Args) (axon.Component, error) {
			return nil, fmt.Errorf("listen tcp 127.0.0.1:1601: bind: address already in use")
		},
	})
	reg(launch.Entry{
		Name:     "Liar",
		Summary:  "declares boxes its component does not have",
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: stringType, Doc: "text, it says"}},
		New: func(*launch.Args) (axon.Component, error) {
			return flow.NewPureTransformer(func(s string) int { return len(s) }), nil
		},
	})
	reg(launch.Entry{
		Name:    "Greedy",
		Summary: "asks for a property it does not declare",
		New: func(a *launch.Args) (axon.Component, error) {
			_ = a.Int("missing")
			return flow.NewNullSink(), nil
		},
	})
	return r
}

// TestRegisterRejects checks that bad entries are refused with a reason.
func TestRegisterRejects(t *testing.T) {
	ok := func(*launch.Args) (axon.Component, error) { return flow.NewNullSink(), nil }
	cases := []struct {
		e   launch.Entry
		msg string
	}{
		{launch.Entry{Name: "9lives", New: ok}, `launch: bad registry entry "9lives": not a name`},
		{launch.Entry{Name: "Words", New: ok}, `launch: bad registry entry "Words": registered twice`},
		{launch.Entry{Name: "NoNew"}, `launch: bad registry entry "NoNew": no constructor`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "name", Kind: launch.String}}},
			`launch: bad registry entry "N": property "name" is taken: it names the element`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "a b", Kind: launch.String}}},
			`launch: bad registry entry "N": property "a b" is not a name`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "a", Kind: launch.Int, Default: "1"}, {Name: "a", Kind: launch.Int, Default: "1"}}},
			`launch: bad registry entry "N": property "a" declared twice`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "a", Kind: launch.Int, Default: "many"}}},
			`launch: bad registry entry "N": default of a: "many" is not an int (a whole number such as 42)`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "a", Kind: launch.Strings, Default: "a, b"}}},
			`launch: bad registry entry "N": default of a: "a, b" is not a list such as {a, b}`},
		{launch.Entry{Name: "N", New: ok, Params: []launch.Param{{Name: "a", Kind: launch.Int, Default: "0",
			Check: func(any) error { return errors.New("must be more than 0") }}}},
			`launch: bad registry entry "N": default of a: must be more than 0`},
		{launch.Entry{Name: "N", New: ok, Inboxes: []launch.BoxDoc{{Name: "in"}}},
			`launch: bad registry entry "N": box "in": every box needs a name of its own and a type`},
	}
	r := testRegistry(t, nil, nil)
	for _, c := range cases {
		err := r.Register(c.e)
		require.ErrorIs(t, err, launch.ErrRegistry, c.msg)
		require.EqualError(t, err, c.msg)
	}
	require.Panics(t, func() { r.MustRegister(launch.Entry{Name: "Words", New: ok}) })
}

// TestRegistryListsAndLooksUp checks Names, Lookup and the boxes every
// component has, added to what an entry declares.
func TestRegistryListsAndLooksUp(t *testing.T) {
	r := testRegistry(t, nil, nil)
	require.Equal(t, []string{"Broken", "Greedy", "Holder", "Kinds", "Len", "Liar", "Upper", "Words", "Writer"}, r.Names())
	e, ok := r.Lookup("Writer")
	require.True(t, ok)
	names := func(bs []launch.BoxDoc) (out []string) {
		for _, b := range bs {
			out = append(out, b.Name+" "+b.Type.String())
		}
		return out
	}
	require.Equal(t, []string{"inbox string", "control interface {}"}, names(e.Inboxes))
	require.Equal(t, []string{"outbox interface {}", "signal interface {}"}, names(e.Outboxes))
	_, ok = r.Lookup("Nope")
	require.False(t, ok)
	require.Equal(t, "duration", launch.Duration.String())
	require.Equal(t, "list", launch.Strings.String())
	require.Equal(t, "Kind(99)", launch.Kind(99).String())
}
