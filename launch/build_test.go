package launch_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runDescription builds src with the test registry and runs it to its end.
func runDescription(t *testing.T, src string) *launch.Launch {
	t.Helper()
	s := axontest.NewScheduler(t)
	l, err := testRegistry(t, nil, nil).BuildString(src, launch.OnScheduler(s))
	require.NoError(t, err)
	require.NoError(t, s.RunContext(axontest.Context(t), l.Component()))
	return l
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// TestBuildPipeline runs a single chain: a Pipe of the elements, which
// drains and stops from its head.
func TestBuildPipeline(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	l := runDescription(t, `Words items={hello, " ", world} ! Upper ! Writer filename=`+out)
	require.IsType(t, &chassis.Pipe{}, l.Component())
	require.Equal(t, []string{"Words0", "Upper0", "Writer0"}, l.Names())
	assert.Equal(t, "HELLO WORLD", readFile(t, out))
}

// TestBuildGraphline runs a description with references: a Graphline of
// the elements, by name, linked across chains.
func TestBuildGraphline(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	l := runDescription(t, `w. ! Upper name=u  Words name=w items={a, b}  u. ! Writer filename=`+out)
	g, ok := l.Component().(*chassis.Graph)
	require.True(t, ok, "a %T", l.Component())
	require.Equal(t, []string{"u", "w", "Writer0"}, l.Names())
	assert.Same(t, l.Element("u"), g.Child("u"))
	assert.Nil(t, l.Element("nope"))
	assert.Equal(t, "AB", readFile(t, out))
}

// TestBuildExplicitBoxes links named boxes only: the shutdown is wired by
// hand, signal to control, as in a Kamaelia Graphline.
func TestBuildExplicitBoxes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	runDescription(t, `Words name=w items={x, y} ! u.inbox  w.signal ! u.control
		Upper name=u  u.outbox ! o.inbox  u.signal ! o.control  Writer name=o filename=`+out)
	assert.Equal(t, "XY", readFile(t, out))
}

// TestBuildMiddleReference runs a chain through a referenced element.
func TestBuildMiddleReference(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.txt")
	runDescription(t, `Words items={m} ! u. ! Writer filename=`+out+`  Upper name=u`)
	assert.Equal(t, "M", readFile(t, out))
}

// TestBuildKinds checks each kind of property, given and by default.
func TestBuildKinds(t *testing.T) {
	var seen []kindsSeen
	r := testRegistry(t, &seen, nil)
	l, err := r.BuildString(`Kinds  Kinds s="a b" i=0x10 f=1e3 b=yes d=1m30s l={}  Kinds b=OFF i=1_000 l={one}`)
	require.NoError(t, err)
	require.IsType(t, &chassis.Graph{}, l.Component(), "three chains")
	require.Equal(t, []kindsSeen{
		{s: "dflt", i: 7, f: 0.5, b: false, d: "1s", l: []string{"x", "y z"}},
		{s: "a b", i: 16, f: 1000, b: true, d: "1m30s", l: []string{}, given: true},
		{s: "dflt", i: 1000, f: 0.5, b: false, d: "1s", l: []string{"one"}},
	}, seen)
}

// TestBuildErrors checks the message and class of each error a
// description can have.
func TestBuildErrors(t *testing.T) {
	cases := []struct {
		src   string
		msg   string
		class error
	}{
		{"Wrods items={a}", `1:1: unknown component "Wrods" (did you mean Words?)`, launch.ErrUnknownComponent},
		{"Words items={a} ! Zebra", `1:19: unknown component "Zebra"`, launch.ErrUnknownComponent},
		{"Words itms={a}", `1:7: Words has no property "itms" (did you mean items?); its properties: items`, launch.ErrUnknownProperty},
		{"Upper x=1", `1:7: Upper has no property "x"; it has none`, launch.ErrUnknownProperty},
		{"Kinds i=x", `1:9: i of Kinds: "x" is not an int (a whole number such as 42)`, launch.ErrBadValue},
		{"Kinds i=0", `1:9: i of Kinds: must be more than 0`, launch.ErrBadValue},
		{"Kinds f=fast", `1:9: f of Kinds: "fast" is not a float (a finite number such as 1.5 or 400000)`, launch.ErrBadValue},
		{"Kinds f=NaN", `1:9: f of Kinds: "NaN" is not a float (a finite number such as 1.5 or 400000)`, launch.ErrBadValue},
		{"Kinds b=maybe", `1:9: b of Kinds: "maybe" is not a bool (true or false)`, launch.ErrBadValue},
		{"Kinds d=10", `1:9: d of Kinds: "10" is not a duration (such as 40ms, 1.5s or 2m)`, launch.ErrBadValue},
		{"Kinds l=one", `1:9: l of Kinds: one is not a list: write {one} for a list of one`, launch.ErrBadValue},
		{"Kinds s={a}", `1:9: s of Kinds: {a} is a list, not a string`, launch.ErrBadValue},
		{`Upper name="a b"`, `1:12: name of Upper: "a b" is not an element name (letters, digits, '_' and '-', not starting with a digit; not "self")`, launch.ErrBadValue},
		{`Upper name=self`, `1:12: name of Upper: self is not an element name (letters, digits, '_' and '-', not starting with a digit; not "self")`, launch.ErrBadValue},
		{"Words", `1:1: Words needs items=... (the words)`, launch.ErrMissingProperty},
		{"Words items={a} items={b}", `1:17: items is set twice (first at 1:7)`, launch.ErrDuplicate},
		{"Upper name=u  Upper name=u", `1:26: two elements are named "u" (the other is at 1:1)`, launch.ErrDuplicate},
		{"Words items={a} ! v.", `1:19: no element is named "v" (elements: Words0)`, launch.ErrUnknownElement},
		{"Words items={a} ! u.nope  Upper name=u", `1:19: u (Upper) has no inbox "nope"; its inboxes: inbox, control`, launch.ErrUnknownBox},
		{"u.inbox ! Writer filename=x  Upper name=u", `1:1: u.inbox is an inbox, but a link goes from an outbox to an inbox; the outboxes of u: outbox, signal`, launch.ErrUnknownBox},
		{"Words name=w items={a} ! Upper  w. ! Upper", `1:36: w.outbox is already linked at 1:24: one outbox feeds one inbox (a splitter or a Backplane fans out)`, axon.ErrAlreadyLinked},
		{"Words name=w items={a} ! Upper  w.signal ! Upper", `1:42: w.signal is already linked at 1:24, where a link of the default boxes links signal to control too: one outbox feeds one inbox (a splitter or a Backplane fans out)`, axon.ErrAlreadyLinked},
		{"Words name=w items={a} ! u.  w.signal ! u.control  Upper name=u", `1:39: w.signal is already linked at 1:24, where a link of the default boxes links signal to control too: one outbox feeds one inbox (a splitter or a Backplane fans out)`, axon.ErrAlreadyLinked},
		{"w.signal ! Upper  Words name=w items={a} ! Upper", `1:42: w.signal is already linked at 1:10, and this link of the default boxes would link signal to control too: one outbox feeds one inbox (a splitter or a Backplane fans out)`, axon.ErrAlreadyLinked},
		{"Words items={a} ! Len ! Upper", `1:23: cannot link Len0 to Upper0: axon: box types do not match: Len0.outbox carries int but Upper0.inbox takes string`, axon.ErrTypeMismatch},
		{"Words items={a} ! n.  Len name=n  n. ! Writer filename=x", `1:38: cannot link n to Writer0: axon: box types do not match: n.outbox carries int but Writer0.inbox takes string`, axon.ErrTypeMismatch},
		{"Words items={a} ! Broken", `1:19: Broken0 (Broken): listen tcp 127.0.0.1:1601: bind: address already in use`, launch.ErrConstruct},
		{"Liar", `1:1: entry Liar does not describe its component: it declares inbox "inbox" carrying interface {}, the component's carries string`, launch.ErrRegistry},
		{"Greedy", `1:1: entry Greedy asks for property "missing", which it does not declare`, launch.ErrRegistry},
		{"Upper ! ", `1:9: expected a component name or a reference such as src. after '!', found end of input`, launch.ErrSyntax},
	}
	for _, c := range cases {
		l, err := testRegistry(t, nil, nil).BuildString(c.src)
		require.Error(t, err, "building %q gave %v", c.src, l)
		assert.Equal(t, c.msg, err.Error(), "building %q", c.src)
		assert.ErrorIs(t, err, c.class, "building %q", c.src)
		var le *launch.Error
		assert.True(t, errors.As(err, &le), "building %q: an *Error", c.src)
	}
}

// TestCheckMakesNothing checks that Check finds the errors of names,
// properties and boxes without calling a constructor, and that an invalid
// description makes no component at all.
func TestCheckMakesNothing(t *testing.T) {
	var seen []kindsSeen
	r := testRegistry(t, &seen, nil)
	d, err := launch.Parse("Kinds ! Kinds i=0")
	require.NoError(t, err)
	require.ErrorIs(t, r.Check(d), launch.ErrBadValue)
	_, err = r.Build(d)
	require.ErrorIs(t, err, launch.ErrBadValue)
	d, err = launch.Parse("Kinds ! Kinds")
	require.NoError(t, err)
	require.NoError(t, r.Check(d))
	assert.Empty(t, seen, "no component was made")
	_, err = r.Build(nil)
	require.ErrorIs(t, err, launch.ErrSyntax)
}

// TestBuildReleasesOnFailure checks that what was made before a failure is
// closed, and that Close releases a Launch that will not run.
func TestBuildReleasesOnFailure(t *testing.T) {
	var closed atomic.Int32
	r := testRegistry(t, nil, &closed)
	_, err := r.BuildString("Holder  Holder ! Broken")
	require.ErrorIs(t, err, launch.ErrConstruct)
	assert.Equal(t, int32(2), closed.Load())

	l, err := r.BuildString("Holder")
	require.NoError(t, err)
	require.NoError(t, l.Close())
	assert.Equal(t, int32(3), closed.Load())
}

// TestBuildRunsUntilShutdown checks that a built system stops at once when
// its context ends, whatever it is doing.
func TestBuildRunsUntilShutdown(t *testing.T) {
	s := axontest.NewScheduler(t)
	r := testRegistry(t, nil, nil)
	// Upper's inbox is fed by nothing: it waits for ever, until Shutdown.
	l, err := r.BuildString("u. ! Kinds  Upper name=u", launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	done := make(chan error, 1)
	go func() { done <- h.Close() }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-axontest.Context(t).Done():
		t.Fatal("the launched system did not stop")
	}
	assert.True(t, strings.HasPrefix(l.Component().(interface{ Name() string }).Name(), "launch"))
}

// BenchmarkParse parses the article's server description.
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := launch.Parse(`ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild builds a ten-stage pipeline and a Graphline of the same
// components, without running them: the cost of launching, before any
// message moves.
func BenchmarkBuild(b *testing.B) {
	r := testRegistry(b, nil, nil)
	chain := "Words items={a}" + strings.Repeat(" ! Upper", 8) + " ! Writer filename=x"
	for name, src := range map[string]string{
		"pipeline":  chain,
		"graphline": "Words name=w items={a} ! u.  Upper name=u" + strings.Repeat(" ! Upper", 7) + " ! Writer filename=x",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := r.BuildString(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
