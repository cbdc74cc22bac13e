package launch_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnavailable: a component of another build is named as such, by a
// description, by help and in the list, not called unknown.
func TestUnavailable(t *testing.T) {
	r := testRegistry(t, nil, nil)
	r.Unavailable("Decoder", "needs the cgo build")
	_, err := r.BuildString("Words items={a} ! Decoder")
	require.ErrorIs(t, err, launch.ErrUnknownComponent)
	assert.Equal(t, `1:19: component "Decoder" is not in this build: it needs the cgo build`, err.Error())
	err = r.WriteEntry(&bytes.Buffer{}, "Decoder")
	require.ErrorIs(t, err, launch.ErrUnknownComponent)
	assert.Equal(t, `component "Decoder" is not in this build: it needs the cgo build`, err.Error())
	var list bytes.Buffer
	require.NoError(t, r.WriteList(&list))
	assert.Contains(t, list.String(), "\nNot in this build (each needs the cgo build):\n  Decoder\n")
	assert.NotContains(t, r.Names(), "Decoder")
}

// TestSuggestions: help suggests the names near a wrong one, or the
// nearest there are.
func TestSuggestions(t *testing.T) {
	r := testRegistry(t, nil, nil)
	err := r.WriteEntry(&bytes.Buffer{}, "Uper")
	assert.Equal(t, `unknown component "Uper" (did you mean Upper?)`, err.Error())
	err = r.WriteEntry(&bytes.Buffer{}, "Word")
	assert.Equal(t, `unknown component "Word" (did you mean Words?)`, err.Error())
	err = r.WriteEntry(&bytes.Buffer{}, "Qqqqqqqqqq")
	assert.Regexp(t, `^unknown component "Qqqqqqqqqq" \(the nearest names are \w+, \w+, \w+\)$`, err.Error())
}

// TestCheckFindsTypeMismatch: Check finds boxes whose declared types do
// not match, with the words axon uses when Build makes the link.
func TestCheckFindsTypeMismatch(t *testing.T) {
	r := testRegistry(t, nil, nil)
	const src = "Words items={a} ! Len ! Upper"
	d, err := launch.Parse(src)
	require.NoError(t, err)
	checked := r.Check(d)
	require.ErrorIs(t, checked, axon.ErrTypeMismatch)
	_, built := r.BuildString(src)
	require.ErrorIs(t, built, axon.ErrTypeMismatch)
	assert.Equal(t, built.Error(), checked.Error())
	assert.Equal(t, "1:23: cannot link Len0 to Upper0: axon: box types do not match: Len0.outbox carries int but Upper0.inbox takes string", checked.Error())
}

// TestCheckLinks leaves properties aside: a missing one is no error, a
// link from an inbox is.
func TestCheckLinks(t *testing.T) {
	r := testRegistry(t, nil, nil)
	d, err := launch.Parse("Words name=w ! Writer")
	require.NoError(t, err)
	require.ErrorIs(t, r.Check(d), launch.ErrMissingProperty)
	require.NoError(t, r.CheckLinks(d))
	d, err = launch.Parse("Words name=w  Upper name=u  u.inbox ! w.")
	require.NoError(t, err)
	require.ErrorIs(t, r.CheckLinks(d), launch.ErrUnknownBox)
}

// TestMake makes one component as a description's element: named, with
// its properties, a list among them, and checked.
func TestMake(t *testing.T) {
	r := testRegistry(t, nil, nil)
	s := axontest.NewScheduler(t)
	c, err := r.Make("Words", "W1", launch.Props{"items": `{a, "b c"}`}, launch.OnScheduler(s))
	require.NoError(t, err)
	assert.Equal(t, "W1", c.(axon.CoreComponent).Name())
	h := axontest.NewHandle(t, s, c)
	got, err := axontest.Collect[string](axontest.Context(t), h, "outbox")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b c"}, got)

	_, err = r.Make("Words", "", launch.Props{"items": "a"})
	require.ErrorIs(t, err, launch.ErrBadValue)
	assert.Contains(t, err.Error(), `items of Words: "a" is not a list such as {a, b}`)
	_, err = r.Make("Words", "", nil)
	require.ErrorIs(t, err, launch.ErrMissingProperty)
	_, err = r.Make("Nope", "", nil)
	require.ErrorIs(t, err, launch.ErrUnknownComponent)
	_, err = r.Make("Upper", "not a name", nil)
	require.ErrorIs(t, err, launch.ErrBadValue)

	v, err := r.PropValue("Words", "items", "{x, y}")
	require.NoError(t, err)
	assert.Equal(t, "{x, y}", v.String())
}

// TestLay lays a description out with no component made: the elements,
// named as Build names them, and every link, the implicit ones marked.
func TestLay(t *testing.T) {
	r := testRegistry(t, nil, nil)
	d, err := launch.Parse(`Words items={a, "b c"} ! Upper name=u ! Writer filename=x  Words items={d} ! u.`)
	require.NoError(t, err)
	l, err := r.Lay(d)
	require.NoError(t, err)
	assert.Equal(t, []launch.LayoutElement{
		{Name: "Words0", Component: "Words", Props: launch.Props{"items": `{a, "b c"}`}},
		{Name: "u", Component: "Upper", Props: launch.Props{}},
		{Name: "Writer0", Component: "Writer", Props: launch.Props{"filename": "x"}},
		{Name: "Words1", Component: "Words", Props: launch.Props{"items": "{d}"}},
	}, l.Elements)
	assert.Equal(t, []launch.LayoutLink{
		{From: "Words0", FromBox: "outbox", To: "u", ToBox: "inbox"},
		{From: "Words0", FromBox: "signal", To: "u", ToBox: "control", Implicit: true},
		{From: "u", FromBox: "outbox", To: "Writer0", ToBox: "inbox"},
		{From: "u", FromBox: "signal", To: "Writer0", ToBox: "control", Implicit: true},
		{From: "Words1", FromBox: "outbox", To: "u", ToBox: "inbox"},
		{From: "Words1", FromBox: "signal", To: "u", ToBox: "control", Implicit: true},
	}, l.Links)
	d, err = launch.Parse("Words items={a} ! Len ! Upper")
	require.NoError(t, err)
	_, err = r.Lay(d)
	require.ErrorIs(t, err, axon.ErrTypeMismatch)
}
