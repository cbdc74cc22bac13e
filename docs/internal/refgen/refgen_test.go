package refgen_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/docs/internal/refgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite docs/reference instead of checking it")

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// root is the module's root, seen from this package's directory.
const root = "../../.."

// TestPagesUpToDate fails when a committed reference page differs from what
// the source says now. With -update it rewrites them instead.
func TestPagesUpToDate(t *testing.T) {
	pages, err := refgen.Generate(root)
	require.NoError(t, err)
	dir := filepath.Join(root, "docs", "reference")
	if *update {
		require.NoError(t, refgen.Write(dir, pages))
	}
	stale, err := refgen.Stale(dir, pages)
	require.NoError(t, err)
	require.Empty(t, stale, "docs/reference is out of date: run `go run ./docs/internal/refgen/cmd/refgen` from the module's root")
}

// TestEveryPackageHasAPage checks the pages against the packages the go
// command lists, so a package the walk missed shows up here.
func TestEveryPackageHasAPage(t *testing.T) {
	pkgs, err := refgen.Load(root)
	require.NoError(t, err)
	got := map[string]bool{}
	for _, p := range pkgs {
		got[p.ImportPath] = true
	}
	for _, want := range []string{
		"github.com/kamaelia-go/kamaelia/axon",
		"github.com/kamaelia-go/kamaelia/chassis",
		"github.com/kamaelia-go/kamaelia/media/av", // cgo files only
		"github.com/kamaelia-go/kamaelia/docs/internal/refgen/cmd/refgen",
	} {
		assert.True(t, got[want], "no page for %s", want)
	}
	for _, p := range pkgs {
		assert.NotContains(t, p.ImportPath, "testdata")
	}
}

func TestGenerateSmallModule(t *testing.T) {
	pages, err := refgen.Generate("testdata/mod")
	require.NoError(t, err)
	require.Len(t, pages, 3)
	greet := string(pages["greet.md"])
	for _, want := range []string{
		refgen.Header,
		"# package greet",
		`import "example.com/mod/greet"`,
		"See [Hello](#Hello) and [strings.ToUpper](https://pkg.go.dev/strings#ToUpper).",
		"const Loud = true",
		"\t// Name is who is greeted.\n\tName string\n\t// contains filtered or unexported fields\n}",
		"### type Greeter",
		"#### func NewGreeter",
		"#### func (*Greeter) Hello",
		"func (g *Greeter) Hello() string\n```",
		"fmt.Println(greet.Hello(\"go\"))\n```",
		"Output:\n\n```\nHELLO, GO\n```",
	} {
		assert.Contains(t, greet, want)
	}
	assert.NotContains(t, greet, "greetings so far", "the comment of an unexported field")
	assert.NotContains(t, greet, "return strings.ToUpper", "a function body")
	assert.NotContains(t, greet, "// Output:", "the output comment belongs under Output")

	hello := string(pages["cmd-hello.md"])
	assert.Contains(t, hello, "# command hello")
	assert.Contains(t, hello, "Command hello prints a greeting.")
	assert.NotContains(t, hello, "## Functions")

	index := string(pages[refgen.Index])
	assert.Contains(t, index, "| [example.com/mod/cmd/hello](cmd-hello.md) | command | Command hello prints a greeting. |")
	assert.Contains(t, index, "| [example.com/mod/greet](greet.md) | library | Package greet says hello. |")
}

func TestWriteAndStale(t *testing.T) {
	dir := t.TempDir()
	pages, err := refgen.Generate("testdata/mod")
	require.NoError(t, err)

	stale, err := refgen.Stale(dir, pages)
	require.NoError(t, err)
	assert.Equal(t, []string{"README.md", "cmd-hello.md", "greet.md"}, stale, "nothing written yet")

	mine := filepath.Join(dir, "notes.md")
	require.NoError(t, os.WriteFile(mine, []byte("# my notes\n"), 0o644))
	gone := filepath.Join(dir, "removed.md")
	require.NoError(t, os.WriteFile(gone, []byte(refgen.Header+"\n# package removed\n"), 0o644))

	stale, err = refgen.Stale(dir, pages)
	require.NoError(t, err)
	assert.Contains(t, stale, "removed.md", "a generated page of a package that no longer exists")
	assert.NotContains(t, stale, "notes.md", "a hand-written file")

	require.NoError(t, refgen.Write(dir, pages))
	stale, err = refgen.Stale(dir, pages)
	require.NoError(t, err)
	assert.Empty(t, stale)
	assert.FileExists(t, mine)
	assert.NoFileExists(t, gone)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "greet.md"), []byte("edited by hand"), 0o644))
	stale, err = refgen.Stale(dir, pages)
	require.NoError(t, err)
	assert.Equal(t, []string{"greet.md"}, stale)
}

func TestLoadErrors(t *testing.T) {
	_, err := refgen.Generate(t.TempDir())
	require.Error(t, err, "no go.mod")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("go 1.26\n"), 0o644))
	_, err = refgen.Generate(dir)
	require.ErrorIs(t, err, refgen.ErrNoModule)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/broken\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.go"), []byte("package a\nfunc {"), 0o644))
	_, err = refgen.Generate(dir)
	require.ErrorContains(t, err, "a.go")
}

func TestFindRoot(t *testing.T) {
	got, err := refgen.FindRoot("testdata/mod/greet")
	require.NoError(t, err)
	want, err := filepath.Abs("testdata/mod")
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestParseModulePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"module example.com/a\n", "example.com/a"},
		{"// a comment\n\nmodule\t\"example.com/b\" // trailing\ngo 1.26\n", "example.com/b"},
		{"  module example.com/c", "example.com/c"},
	} {
		got, err := refgen.ParseModulePath([]byte(tc.in))
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
	for _, bad := range []string{"", "go 1.26\n", "modules x\n", "module\n", "module a b\n", `module "a`} {
		_, err := refgen.ParseModulePath([]byte(bad))
		assert.ErrorIs(t, err, refgen.ErrNoModule, "%q", bad)
	}
}

// FuzzParseModulePath checks that any go.mod text gives a path without
// spaces or quotes, or ErrNoModule, and never panics.
func FuzzParseModulePath(f *testing.F) {
	for _, s := range []string{"module example.com/a\n", "module \"x\"\n", "// c\nmodule y // z\n", "module\n", "go 1.26"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mod, err := refgen.ParseModulePath(data)
		if err != nil {
			require.ErrorIs(t, err, refgen.ErrNoModule)
			return
		}
		require.NotEmpty(t, mod)
		require.False(t, strings.ContainsAny(mod, " \t\n\""), "%q", mod)
	})
}

// Generate reads a module and returns its reference pages by file name.
func ExampleGenerate() {
	pages, err := refgen.Generate("testdata/mod")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(pages), "pages")
	for line := range strings.Lines(string(pages["greet.md"])) {
		if strings.HasPrefix(line, "#") {
			fmt.Print(line)
		}
	}
	// Output:
	// 3 pages
	// # package greet
	// ## Index
	// ## Constants
	// ## Functions
	// ### func Hello
	// ## Types
	// ### type Greeter
	// #### func NewGreeter
	// #### func (*Greeter) Hello
}
