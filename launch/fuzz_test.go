package launch_test

import (
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/require"
)

// FuzzParse checks that Parse never panics, that what fails fails with an
// *Error of class ErrSyntax at a position inside the text, and that what
// parses prints back to text that parses to the same description and
// prints the same again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601",
		`UnixProcess name=p command="ls /nope" ! ToString ! ConsoleEchoer  p.stderr ! ToString ! ConsoleEchoer tag="err: "`,
		`DataSource items={a, "b c", ""} ! ConsoleEchoer eol="\n"`,
		"A ! t. ! B  T name=t  t.x ! C  # comment\nD",
		`A x="\"\\\t\r"`, "A x={}", "a.b.c", "A x=\xff", "A ! ", "=", "{,}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d, err := launch.Parse(src)
		if err != nil {
			var le *launch.Error
			require.True(t, errors.As(err, &le), "error %v is not an *Error", err)
			require.ErrorIs(t, err, launch.ErrSyntax)
			require.GreaterOrEqual(t, le.Pos.Line, 1)
			require.GreaterOrEqual(t, le.Pos.Col, 1)
			return
		}
		printed := d.String()
		again, err := launch.Parse(printed)
		require.NoError(t, err, "%q printed as %q, which does not parse", src, printed)
		require.Equal(t, withoutPositions(d), withoutPositions(again), "%q printed as %q", src, printed)
		require.Equal(t, printed, again.String())
	})
}

// withoutPositions returns a copy of d with every position zeroed.
func withoutPositions(d *launch.Description) *launch.Description {
	out := &launch.Description{}
	for _, c := range d.Chains {
		var nc launch.Chain
		for _, n := range c.Nodes {
			n.Pos = launch.Pos{}
			props := make([]launch.Prop, len(n.Props))
			for i, p := range n.Props {
				p.Pos = launch.Pos{}
				p.Value = valueWithoutPositions(p.Value)
				props[i] = p
			}
			if n.Props == nil {
				props = nil
			}
			n.Props = props
			nc.Nodes = append(nc.Nodes, n)
			nc.Links = append(nc.Links, launch.Pos{})
		}
		out.Chains = append(out.Chains, nc)
	}
	return out
}

func valueWithoutPositions(v launch.Value) launch.Value {
	v.Pos = launch.Pos{}
	if v.IsList {
		list := make([]launch.Value, len(v.List))
		for i, e := range v.List {
			list[i] = valueWithoutPositions(e)
		}
		v.List = list
	}
	return v
}

// FuzzCheck checks that checking any description against a registry never
// panics and fails only with an *Error of one of the package's classes.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"Words items={a} ! Upper ! Writer filename=x",
		"w. ! Upper name=u  Words name=w items={a, b}  u.outbox ! Writer filename=x",
		"Kinds s=x i=3 f=1.5 b=yes d=1s l={a}", "Kinds i=0", "u.inbox ! Upper name=u",
		"Words name=w items={a} ! Upper  w.signal ! Upper",
	} {
		f.Add(s)
	}
	r := testRegistry(f, nil, nil)
	classes := []error{launch.ErrSyntax, launch.ErrUnknownComponent, launch.ErrUnknownProperty, launch.ErrBadValue,
		launch.ErrMissingProperty, launch.ErrDuplicate, launch.ErrUnknownElement, launch.ErrUnknownBox, axon.ErrAlreadyLinked, axon.ErrTypeMismatch}
	f.Fuzz(func(t *testing.T, src string) {
		d, err := launch.Parse(src)
		if err != nil {
			return
		}
		err = r.Check(d)
		if err == nil {
			return
		}
		var le *launch.Error
		require.True(t, errors.As(err, &le), "error %v is not an *Error", err)
		for _, c := range classes {
			if errors.Is(err, c) {
				return
			}
		}
		t.Fatalf("error %v is of no known class", err)
	})
}
