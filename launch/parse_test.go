package launch_test

import (
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParsePrints parses good descriptions and checks each prints back in
// its normal form.
func TestParsePrints(t *testing.T) {
	cases := []struct{ in, out string }{
		{"A", "A"},
		{"A ! B", "A ! B"},
		{"A!B!C", "A ! B ! C"},
		{"  A\tx=1   y = 2 ! B  ", "A x=1 y=2 ! B"},
		{`ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601`,
			`ReadFileAdaptor filename=clip.drc bitrate=400000 ! SingleServer port=1601`},
		{`A s="two words" e="" q="say \"hi\"\n" ! B`, `A s="two words" e="" q="say \"hi\"\n" ! B`},
		{`A s="plain"`, `A s=plain`},
		{`A l={a, "b c",d} m={}`, `A l={a, "b c", d} m={}`},
		{"A name=a ! B  a. ! C", "A name=a ! B  a. ! C"},
		{"p.stderr ! B  A name=p", "p.stderr ! B  A name=p"},
		{"A ! p.  B ! p.  P name=p", "A ! p.  B ! p.  P name=p"},
		{"A ! t. ! B  T name=t", "A ! t. ! B  T name=t"},
		{"A # a comment ! B\n! C", "A ! C"},
		{"A\n# all comment\nB", "A  B"},
		{"A addr=127.0.0.1:1601 d=-1.5e3 x=a#1 y=\"#1\"", "A addr=127.0.0.1:1601 d=-1.5e3 x=a#1 y=\"#1\""},
		{"A x=é ! B", "A x=é ! B"},
		{"A-b c-d=1", "A-b c-d=1"},
	}
	for _, c := range cases {
		d, err := launch.Parse(c.in)
		require.NoError(t, err, "parsing %q", c.in)
		assert.Equal(t, c.out, d.String(), "printing %q", c.in)
	}
}

// TestParseTree checks the tree of one description, positions included.
func TestParseTree(t *testing.T) {
	d, err := launch.Parse("A x=1 l={p, \"q\"}\n  ! s.in  B ! s.\nS name=s")
	require.NoError(t, err)
	want := &launch.Description{Chains: []launch.Chain{
		{
			Nodes: []launch.Node{
				{Pos: launch.Pos{Line: 1, Col: 1}, Component: "A", Props: []launch.Prop{
					{Pos: launch.Pos{Line: 1, Col: 3}, Name: "x", Value: launch.Value{Pos: launch.Pos{Line: 1, Col: 5}, Text: "1"}},
					{Pos: launch.Pos{Line: 1, Col: 7}, Name: "l", Value: launch.Value{Pos: launch.Pos{Line: 1, Col: 9}, IsList: true, List: []launch.Value{
						{Pos: launch.Pos{Line: 1, Col: 10}, Text: "p"},
						{Pos: launch.Pos{Line: 1, Col: 13}, Text: "q"},
					}}},
				}},
				{Pos: launch.Pos{Line: 2, Col: 5}, Ref: "s", Box: "in"},
			},
			Links: []launch.Pos{{Line: 2, Col: 3}},
		},
		{
			Nodes: []launch.Node{
				{Pos: launch.Pos{Line: 2, Col: 11}, Component: "B"},
				{Pos: launch.Pos{Line: 2, Col: 15}, Ref: "s"},
			},
			Links: []launch.Pos{{Line: 2, Col: 13}},
		},
		{
			Nodes: []launch.Node{{Pos: launch.Pos{Line: 3, Col: 1}, Component: "S", Props: []launch.Prop{
				{Pos: launch.Pos{Line: 3, Col: 3}, Name: "name", Value: launch.Value{Pos: launch.Pos{Line: 3, Col: 8}, Text: "s"}},
			}}},
		},
	}}
	assert.Equal(t, want, d)
}

// TestParseErrors checks the message of each kind of syntax error.
func TestParseErrors(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"", "1:1: empty description: expected a component name"},
		{"  # nothing\n", "2:1: empty description: expected a component name"},
		{"A !", "1:4: expected a component name or a reference such as src. after '!', found end of input"},
		{"! A", "1:1: expected a component name or a reference such as src. at the start of a chain, found '!'"},
		{"A ! ! B", "1:5: expected a component name or a reference such as src. after '!', found '!'"},
		{"A x=", "1:5: expected a value after '=' (a word, a quoted string or a list such as {a, b}), found end of input"},
		{"A x=!", "1:5: expected a value after '=' (a word, a quoted string or a list such as {a, b}), found '!'"},
		{"A x=1 =2", "1:7: expected '!', a property or the next element, found '='"},
		{"A \"q\"", "1:3: expected '!', a property or the next element, found the quoted string \"q\""},
		{"x=1", "1:2: expected '!', a property or the next element, found '='"},
		{"A x=\"open", "1:5: quoted string not closed: expected '\"' before the end of input"},
		{"A x=\"a\\qb\"", "1:7: unknown escape: expected \\\", \\\\, \\n, \\t or \\r, found '\\' then 'q'"},
		{"A x={a b}", "1:8: expected ',' or '}' in the list opened at 1:5, found \"b\""},
		{"A x={a,}", "1:8: expected a list element (a word or a quoted string), found '}'"},
		{"A x={a, {b}}", "1:9: expected a list element (a word or a quoted string), found '{'"},
		{"A x={a", "1:7: expected ',' or '}' in the list opened at 1:5, found end of input"},
		{"3A ! B", "1:1: expected a component name (letters, digits, '_', not starting with a digit) or a reference such as src. at the start of a chain, found \"3A\""},
		{"A ! B:c", "1:5: expected a component name (letters, digits, '_', not starting with a digit) or a reference such as src. after '!', found \"B:c\""},
		{"A 9x=1", "1:3: bad property name \"9x\": expected letters, digits, '_' or '-', not starting with a digit"},
		{"a.b.c ! B", "1:1: bad reference \"a.b.c\": expected a box name (letters, digits, '_', '-') after the '.'"},
		{".x ! B", "1:1: bad reference \".x\": expected an element name (letters, digits, '_', not starting with a digit) before the '.'"},
		{"A name=a  a.", "1:11: the reference a. is linked to nothing: expected '!' before or after it"},
		{"A ! t.out ! B", "1:5: t.out is in the middle of a chain: a box can be named only at an end of a chain (write t. here)"},
		{"A x=\xff", "1:5: invalid UTF-8 in the description"},
		{"A x=\"\xff\"", "1:6: invalid UTF-8 in the description"},
		{"A }", "1:3: expected '!', a property or the next element, found '}'"},
	}
	for _, c := range cases {
		d, err := launch.Parse(c.in)
		require.Error(t, err, "parsing %q gave %v", c.in, d)
		assert.Equal(t, c.msg, err.Error(), "parsing %q", c.in)
		assert.ErrorIs(t, err, launch.ErrSyntax, "parsing %q", c.in)
		var le *launch.Error
		assert.True(t, errors.As(err, &le), "parsing %q: an *Error", c.in)
	}
}
