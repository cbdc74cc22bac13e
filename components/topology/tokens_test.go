package topology_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tokenizer reads what Kamaelia's lines_to_tokenlists reads, including
// its docstring's example.
func TestTokenizeAsKamaelia(t *testing.T) {
	toks, err := topology.Tokenize(`Hello world "how are you" 'john said "hi"' "i replied \"hi\"" "c:\\windows" end`)
	require.NoError(t, err)
	assert.Equal(t, []string{"Hello", "world", "how are you", `john said "hi"`, `i replied "hi"`, `c:\windows`, "end"}, toks)

	// A backslash before any other character makes it literal: \t is t.
	toks, err = topology.Tokenize(`"a\tb" c\d`)
	require.NoError(t, err)
	assert.Equal(t, []string{"atb", `c\d`}, toks)

	toks, err = topology.Tokenize("  \t ")
	require.NoError(t, err)
	assert.Empty(t, toks)

	for _, bad := range []string{`"open`, `'open`, `"a"b`, `"ends in \`} {
		_, err := topology.Tokenize(bad)
		assert.Error(t, err, bad)
	}
}

// Quote writes a control character as itself, inside double quotes, so a
// tab arrives as a tab: the exact bytes.
func TestQuoteControlCharactersExactBytes(t *testing.T) {
	name := "a\tb\x01c\"d\\e"
	q := topology.Quote(name)
	assert.Equal(t, []byte{'"', 'a', '\t', 'b', 0x01, 'c', '\\', '"', 'd', '\\', '\\', 'e', '"'}, []byte(q))
	toks, err := topology.Tokenize("ADD NODE 1 " + q + " randompos -")
	require.NoError(t, err)
	assert.Equal(t, name, toks[3])

	// Line breaks cannot cross a line protocol: they become visible symbols.
	assert.Equal(t, "\"a\u240Db\u240Ac\"", topology.Quote("a\rb\nc"))
	assert.Equal(t, `ADD NODE "1.in box" x 3,4 -`, topology.FormatLine([]string{"ADD", "NODE", "1.in box", "x", "3,4", "-"}))
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{`ADD NODE 1 "1st node" randompos -`, `'a\'b' "c\\"`, "\"\t\x00\"", `"x`, `a"b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		toks, err := topology.Tokenize(line)
		if err != nil {
			return
		}
		// What it read, written again, reads back the same.
		again, err := topology.Tokenize(topology.FormatLine(toks))
		if len(toks) == 0 {
			assert.Empty(t, again)
			return
		}
		for _, tok := range toks {
			for _, c := range []byte(tok) {
				if c == '\r' || c == '\n' {
					return // these become symbols by design
				}
			}
		}
		require.NoError(t, err)
		assert.Equal(t, toks, again)
		// And the graph takes any line without panicking.
		g := topology.NewGraph(topology.SimpleLaws(100), 800, 600, 1)
		g.ApplyLine(line)
	})
}
