package tutorial_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The markers around a region of the sources that the tutorial shows.
const (
	beginMarker = "// tutorial:begin "
	endMarker   = "// tutorial:end "
)

// block is a Go code block of the tutorial, or a marked region of a source.
type block struct {
	name string // region name; "" for a Markdown block
	file string
	line int // of the block's first line of code
	code string
	// output is, for a Markdown block, the text block right after it (the
	// output shown); for a region, the expected output of the Example it is in.
	output    string
	hasOutput bool
}

// errMarkdown and errRegion are wrapped by the errors of the two parsers.
var (
	errMarkdown = errors.New("tutorial.md")
	errRegion   = errors.New("tutorial region")
)

// goBlocks returns the fenced code blocks of md whose info string is "go",
// with their first line numbers. A fence is three or more backticks at the
// start of a line (up to three spaces in), closed by a line of at least as
// many backticks and nothing else; an unclosed fence is an error.
func goBlocks(file, md string) ([]block, error) {
	var out []block
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		fence, info, ok := openFence(lines[i])
		if !ok {
			continue
		}
		start := i + 1
		j := start
		for j < len(lines) && !closesFence(lines[j], fence) {
			j++
		}
		if j == len(lines) {
			return nil, fmt.Errorf("%w: %s:%d: code block never closed", errMarkdown, file, i+1)
		}
		switch lang, _, _ := strings.Cut(info, " "); {
		case lang == "go":
			out = append(out, block{file: file, line: start + 1, code: strings.Join(lines[start:j], "\n")})
		case lang == "text" && len(out) > 0 && !out[len(out)-1].hasOutput && blankBetween(lines, out[len(out)-1], i):
			out[len(out)-1].output, out[len(out)-1].hasOutput = strings.Join(lines[start:j], "\n"), true
		}
		i = j
	}
	return out, nil
}

// blankBetween reports whether only blank lines separate the end of the
// block b from the line at index i.
func blankBetween(lines []string, b block, i int) bool {
	end := b.line - 1 + strings.Count(b.code, "\n") + 1 // index of b's closing fence
	if b.code == "" {
		end = b.line - 1
	}
	for k := end + 1; k < i; k++ {
		if strings.TrimSpace(lines[k]) != "" {
			return false
		}
	}
	return end < i
}

// openFence reports whether line opens a fenced block, with the fence and the
// info string.
func openFence(line string) (fence, info string, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 {
		return "", "", false
	}
	n := len(trimmed) - len(strings.TrimLeft(trimmed, "`"))
	if n < 3 {
		return "", "", false
	}
	info = strings.TrimSpace(trimmed[n:])
	if strings.Contains(info, "`") {
		return "", "", false
	}
	return trimmed[:n], info, true
}

// closesFence reports whether line closes a block opened with fence.
func closesFence(line, fence string) bool {
	trimmed := strings.TrimSpace(line)
	return len(line)-len(strings.TrimLeft(line, " ")) <= 3 &&
		len(trimmed) >= len(fence) && strings.Trim(trimmed, "`") == ""
}

// regions returns the marked regions of a Go source, each without the
// indentation its lines share. Regions do not nest; each begin has its end
// with the same name, and names are not empty.
func regions(file, src string) ([]block, error) {
	var out []block
	var cur *block
	var body []string
	for i, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, beginMarker) || t == strings.TrimSpace(beginMarker):
			name := strings.TrimSpace(strings.TrimPrefix(t, strings.TrimSpace(beginMarker)))
			if cur != nil {
				return nil, fmt.Errorf("%w: %s:%d: %q begins inside %q", errRegion, file, i+1, name, cur.name)
			}
			if name == "" {
				return nil, fmt.Errorf("%w: %s:%d: a region needs a name", errRegion, file, i+1)
			}
			cur, body = &block{name: name, file: file, line: i + 2}, nil
		case strings.HasPrefix(t, endMarker) || t == strings.TrimSpace(endMarker):
			name := strings.TrimSpace(strings.TrimPrefix(t, strings.TrimSpace(endMarker)))
			if cur == nil || name != cur.name {
				return nil, fmt.Errorf("%w: %s:%d: end of %q, which is not open", errRegion, file, i+1, name)
			}
			cur.code = dedent(body)
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%w: %s:%d: %q never ends", errRegion, file, cur.line-1, cur.name)
	}
	return out, nil
}

// dedent joins lines after removing the leading tabs they all share (blank
// lines aside), and the blank lines at either end.
func dedent(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if common < 0 || n < common {
			common = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			out[i] = ""
			continue
		}
		out[i] = l[common:]
	}
	return strings.Join(out, "\n")
}

// TestTutorialBlocks checks that docs/tutorial.md and this package's tests
// show the same code: every Go block of the Markdown is a marked region of a
// _test.go file here, and every region is shown.
func TestTutorialBlocks(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "tutorial.md"))
	require.NoError(t, err)
	blocks, err := goBlocks("docs/tutorial.md", string(md))
	require.NoError(t, err)
	require.NotEmpty(t, blocks)

	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var regs []block
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		rs, err := regions("docs/tutorial/"+f, string(src))
		require.NoError(t, err)
		if len(rs) > 0 {
			require.True(t, strings.HasSuffix(f, "_test.go"), "%s: regions belong in tests, which go test compiles and runs", f)
		}
		regs = append(regs, rs...)
	}
	require.NoError(t, exampleOutputs(files, regs))
	names := map[string]bool{}
	for _, r := range regs {
		require.False(t, names[r.name], "region %q is marked twice", r.name)
		names[r.name] = true
	}

	shown := map[string]bool{}
	for _, b := range blocks {
		i := slices.IndexFunc(regs, func(r block) bool { return r.code == b.code })
		if !assert.GreaterOrEqual(t, i, 0, "%s:%d: this Go block is no region of docs/tutorial/*_test.go:\n%s", b.file, b.line, b.code) {
			continue
		}
		shown[regs[i].name] = true
		if b.hasOutput {
			assert.True(t, regs[i].hasOutput, "%s:%d: output shown, but region %q is in no Example with an Output comment", b.file, b.line, regs[i].name)
			assert.Equal(t, strings.TrimSpace(regs[i].output), strings.TrimSpace(b.output), "%s:%d: the output shown is not what the Example of region %q expects", b.file, b.line, regs[i].name)
		}
	}
	for _, r := range regs {
		assert.True(t, shown[r.name], "%s:%d: region %q is not shown in docs/tutorial.md", r.file, r.line, r.name)
	}
}

// exampleOutputs sets the output of each region that sits inside an Example
// function with an Output comment.
func exampleOutputs(files []string, regs []block) error {
	fset := token.NewFileSet()
	var asts []*ast.File
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		asts = append(asts, af)
	}
	for _, ex := range doc.Examples(asts...) {
		if ex.Output == "" && !ex.EmptyOutput {
			continue
		}
		from, to := fset.Position(ex.Code.Pos()), fset.Position(ex.Code.End())
		for i := range regs {
			if "docs/tutorial/"+from.Filename == regs[i].file && from.Line < regs[i].line && regs[i].line < to.Line {
				regs[i].output, regs[i].hasOutput = ex.Output, true
			}
		}
	}
	return nil
}

func TestGoBlocks(t *testing.T) {
	md := "# T\n\n```go\nfmt.Println(1)\n```\n\n```text\nout\n```\n\n  ````go title\na\n```\nb\n````\n"
	bs, err := goBlocks("t.md", md)
	require.NoError(t, err)
	require.Len(t, bs, 2)
	assert.Equal(t, "fmt.Println(1)", bs[0].code)
	assert.Equal(t, 4, bs[0].line)
	assert.Equal(t, "a\n```\nb", bs[1].code, "a longer fence holds a shorter one")
	assert.True(t, bs[0].hasOutput)
	assert.Equal(t, "out", bs[0].output, "the text block after a Go block is its output")
	assert.False(t, bs[1].hasOutput)

	bs, err = goBlocks("t.md", "```go\nx\n```\nsome words\n```text\nnot output\n```\n")
	require.NoError(t, err)
	require.Len(t, bs, 1)
	assert.False(t, bs[0].hasOutput, "text after words is not an output")

	_, err = goBlocks("t.md", "```go\nnever closed\n")
	require.ErrorIs(t, err, errMarkdown)
	require.ErrorContains(t, err, "t.md:1")
}

func TestRegions(t *testing.T) {
	src := "package p\n\n// tutorial:begin one\nfunc f() {}\n// tutorial:end one\n\nfunc g() {\n\t// tutorial:begin two\n\tx := 1\n\n\t\ty := x\n\t// tutorial:end two\n}\n"
	rs, err := regions("p.go", src)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, block{name: "one", file: "p.go", line: 4, code: "func f() {}"}, rs[0])
	assert.Equal(t, "x := 1\n\n\ty := x", rs[1].code)

	for src, want := range map[string]string{
		"// tutorial:begin a\n":                                        `"a" never ends`,
		"// tutorial:end a\n":                                          "not open",
		"// tutorial:begin a\n// tutorial:begin b\n":                   "begins inside",
		"// tutorial:begin a\n// tutorial:end b\n":                     "not open",
		"// tutorial:begin\n// tutorial:end\n":                         "needs a name",
		"// tutorial:begin a\nx\n// tutorial:end a\n// tutorial:end a": "not open",
	} {
		_, err := regions("p.go", src)
		require.ErrorIs(t, err, errRegion, src)
		assert.ErrorContains(t, err, want, src)
	}
}

// FuzzGoBlocks checks that goBlocks never panics, and that Go blocks written
// out with a fence longer than any run of backticks in them are read back.
func FuzzGoBlocks(f *testing.F) {
	f.Add("```go\nx\n```\n", "a := 1")
	f.Add("````\n```go\n````\n", "")
	f.Add("   ```go\n````", "```")
	f.Fuzz(func(t *testing.T, md, code string) {
		_, _ = goBlocks("f.md", md)

		code = strings.ReplaceAll(code, "\r", "")
		fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
		doc := "text\n" + fence + "go\n" + code + "\n" + fence + "\n"
		bs, err := goBlocks("f.md", doc)
		require.NoError(t, err)
		require.Len(t, bs, 1)
		require.Equal(t, code, bs[0].code)
	})
}

// FuzzRegions checks that regions never panics, and that a region written
// around any lines free of markers is read back.
func FuzzRegions(f *testing.F) {
	f.Add("// tutorial:begin a\nx\n// tutorial:end a\n", "y := 2")
	f.Add("// tutorial:begin\n", "\t\tz")
	f.Fuzz(func(t *testing.T, src, code string) {
		_, _ = regions("f.go", src)

		if strings.Contains(code, "tutorial:") || strings.Contains(code, "\r") {
			return
		}
		rs, err := regions("f.go", "package p\n// tutorial:begin r\n"+code+"\n// tutorial:end r\n")
		require.NoError(t, err)
		require.Len(t, rs, 1)
		require.Equal(t, dedent(strings.Split(code, "\n")), rs[0].code)
	})
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := range len(s) {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
