package snippets_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// The Markdown whose Go blocks TestSnippets checks. docs/tutorial.md is left
// out: docs/tutorial's TestTutorialBlocks proves each of its blocks is code
// that its tests compile and run.
var snippetFiles = []string{"../../../README.md", "../../*.md"}

// importFor maps the package names the snippets use to import paths. A name
// is imported when a snippet uses it as a qualifier and declares no such name.
var importFor = map[string]string{
	"context":   "context",
	"errors":    "errors",
	"fmt":       "fmt",
	"http":      "net/http",
	"image":     "image",
	"io":        "io",
	"log":       "log",
	"os":        "os",
	"strings":   "strings",
	"time":      "time",
	"testing":   "testing",
	"require":   "github.com/stretchr/testify/require",
	"nats":      "github.com/nats-io/nats.go",
	"axon":      "github.com/kamaelia-go/kamaelia/axon",
	"axontest":  "github.com/kamaelia-go/kamaelia/axon/axontest",
	"stm":       "github.com/kamaelia-go/kamaelia/axon/stm",
	"chassis":   "github.com/kamaelia-go/kamaelia/chassis",
	"natsplane": "github.com/kamaelia-go/kamaelia/chassis/natsplane",
	"choose":    "github.com/kamaelia-go/kamaelia/components/choose",
	"console":   "github.com/kamaelia-go/kamaelia/components/console",
	"file":      "github.com/kamaelia-go/kamaelia/components/file",
	"flow":      "github.com/kamaelia-go/kamaelia/components/flow",
	"process":   "github.com/kamaelia-go/kamaelia/components/process",
	"source":    "github.com/kamaelia-go/kamaelia/components/source",
	"split":     "github.com/kamaelia-go/kamaelia/components/split",
	"timing":    "github.com/kamaelia-go/kamaelia/components/timing",
	"internet":  "github.com/kamaelia-go/kamaelia/internet",
	"framing":   "github.com/kamaelia-go/kamaelia/internet/framing",
	"dvb":       "github.com/kamaelia-go/kamaelia/device/dvb",
	"av":        "github.com/kamaelia-go/kamaelia/media/av",
	"frame":     "github.com/kamaelia-go/kamaelia/media/frame",
	"sdl":       "github.com/kamaelia-go/kamaelia/media/sdl",
	"inspect":   "github.com/kamaelia-go/kamaelia/inspect",
	"launch":    "github.com/kamaelia-go/kamaelia/launch",
}

// snippet is a Go block of a Markdown file.
type snippet struct {
	file string
	line int // of the first line of code
	code string
}

func (s snippet) String() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

// goSnippets returns the ```go blocks of md.
func goSnippets(file, md string) ([]snippet, error) {
	var out []snippet
	var cur *snippet
	var body []string
	sc := bufio.NewScanner(strings.NewReader(md))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```go"):
			cur, body = &snippet{file: file, line: n + 1}, nil
		case cur != nil && strings.HasPrefix(line, "```"):
			cur.code = strings.Join(body, "\n") + "\n"
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: code block never closed", cur)
	}
	return out, sc.Err()
}

// TestSnippets type-checks every Go block of README.md and docs/*.md against
// the packages as they are, so a doc cannot call a constructor that does not
// exist or pass it the wrong arguments.
//
// A block that starts with a package clause is a program and must check
// cleanly. Any other block is a fragment: its declarations (types,
// functions) are shared with the other fragments of the same file, and its
// statements are the body of a function returning error. In a fragment,
// lower-case names it does not declare are the reader's own values (ctx, s,
// err) and may be undefined; an undefined exported name is an error, and so
// is any use of our packages' API that does not type-check. Struct literals
// of another package's type must name their fields, as go vet requires.
func TestSnippets(t *testing.T) {
	var snips []snippet
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	for _, pattern := range snippetFiles {
		files, err := filepath.Glob(pattern)
		require.NoError(t, err)
		for _, f := range files {
			// name is the file's path from the repository's root.
			abs, err := filepath.Abs(f)
			require.NoError(t, err)
			name, err := filepath.Rel(root, abs)
			require.NoError(t, err)
			name = filepath.ToSlash(name)
			if name == "docs/tutorial.md" {
				continue
			}
			md, err := os.ReadFile(f)
			require.NoError(t, err)
			s, err := goSnippets(name, string(md))
			require.NoError(t, err)
			snips = append(snips, s...)
		}
	}
	require.NotEmpty(t, snips)

	paths := make([]string, 0, len(importFor))
	for _, p := range importFor {
		paths = append(paths, p)
	}
	imp := exportImporter(t, paths)

	byFile := map[string][]snippet{}
	var order []string
	for _, s := range snips {
		if isProgram(s.code) {
			t.Run(s.String(), func(t *testing.T) {
				for _, e := range checkFiles(t, imp, []snippet{s}, false) {
					t.Error(e)
				}
			})
			continue
		}
		if _, ok := byFile[s.file]; !ok {
			order = append(order, s.file)
		}
		byFile[s.file] = append(byFile[s.file], s)
	}
	for _, f := range order {
		t.Run(f, func(t *testing.T) {
			for _, e := range checkFiles(t, imp, byFile[f], true) {
				t.Error(e)
			}
		})
	}
}

// TestSnippetCheckerCatches shows that the checker rejects what the docs got
// wrong before: a constructor that does not exist, wrong arguments, unkeyed
// fields of another package's struct, and an undefined exported name.
func TestSnippetCheckerCatches(t *testing.T) {
	imp := exportImporter(t, []string{importFor["chassis"], importFor["internet"]})
	for code, want := range map[string]string{
		`chassis.Pipeline(chassis.NewTCPClient("127.0.0.1:1601"))`:                                    "undefined: chassis.NewTCPClient",
		`internet.NewTCPClient("127.0.0.1", 1601)`:                                                    "cannot use 1601",
		`chassis.Graphline(nil, chassis.Linkages{{"self", "inbox"}: {Component: "A", Box: "inbox"}})`: "unkeyed fields",
		`chassis.Pipeline(NewDiracDecoder())`:                                                         "undefined: NewDiracDecoder",
	} {
		errs := checkFiles(t, imp, []snippet{{file: "bad.md", line: 1, code: code + "\n"}}, true)
		assert.True(t, slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }),
			"%s: want an error containing %q, got %q", code, want, errs)
	}
	ok := `p := chassis.Pipeline(internet.NewTCPClient("127.0.0.1:1601"), mine)` + "\n_ = p\n"
	assert.Empty(t, checkFiles(t, imp, []snippet{{file: "good.md", line: 1, code: ok}}, true))
}

// isProgram reports whether code starts with a package clause.
func isProgram(code string) bool {
	for _, l := range strings.Split(code, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		return strings.HasPrefix(l, "package ")
	}
	return false
}

// checkFiles type-checks snippets as one package and returns the errors,
// each prefixed by the Markdown position of the snippet.
func checkFiles(t *testing.T, imp types.Importer, snips []snippet, fragments bool) []string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	var errs []string
	origin := map[string]snippet{}
	for i, s := range snips {
		name := fmt.Sprintf("snippet%d.go", i)
		origin[name] = s
		src := s.code
		offset := 0 // lines the wrapping adds before the code
		if fragments {
			src, offset = wrap(s.code)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not Go: %v", s, err))
			continue
		}
		addImports(f)
		files = append(files, f)
		origin[name] = snippet{file: s.file, line: s.line - offset - 1, code: s.code}
	}
	if len(files) == 0 {
		return errs
	}
	where := func(pos token.Pos) string {
		p := fset.Position(pos)
		s := origin[p.Filename]
		return fmt.Sprintf("%s:%d", s.file, s.line+p.Line)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{
		Importer: imp,
		Error: func(err error) {
			te := err.(types.Error)
			if fragments && tolerated(te.Msg) {
				return
			}
			errs = append(errs, fmt.Sprintf("%s: %s", where(te.Pos), te.Msg))
		},
	}
	pkg, _ := conf.Check("snippets", fset, files, info)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || len(lit.Elts) == 0 {
				return true
			}
			if _, keyed := lit.Elts[0].(*ast.KeyValueExpr); keyed {
				return true
			}
			named, ok := info.Types[lit].Type.(*types.Named)
			if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg() == pkg {
				return true
			}
			if _, isStruct := named.Underlying().(*types.Struct); isStruct {
				errs = append(errs, fmt.Sprintf("%s: %s.%s struct literal uses unkeyed fields (go vet rejects it)", where(lit.Pos()), named.Obj().Pkg().Name(), named.Obj().Name()))
			}
			return true
		})
	}
	return errs
}

// wrap makes a fragment a file: its declarations stay at the top level, its
// statements become the body of a function returning error. It returns the
// file and how many lines come before the fragment's first line.
func wrap(code string) (string, int) {
	const head = "package snippets\n"
	if _, err := parser.ParseFile(token.NewFileSet(), "", head+code, parser.SkipObjectResolution); err == nil {
		return head + code, 1
	}
	return head + "func _() error {\n" + code + "}\n", 2
}

// tolerated reports whether a type error of a fragment is one its being a
// fragment explains: an undefined lower-case name (the reader's own value),
// a variable it declares for the reader to use, or the missing return of the
// function it is wrapped in.
func tolerated(msg string) bool {
	if name, ok := strings.CutPrefix(msg, "undefined: "); ok {
		return !strings.Contains(name, ".") && unicode.IsLower([]rune(name)[0])
	}
	return strings.HasPrefix(msg, "declared and not used") || msg == "missing return"
}

// addImports imports the packages of importFor that f uses as qualifiers and
// does not import already.
func addImports(f *ast.File) {
	have := map[string]bool{}
	for _, is := range f.Imports {
		p := strings.Trim(is.Path.Value, `"`)
		have[p] = true
		if is.Name != nil {
			have[is.Name.Name] = true
		} else {
			have[p[strings.LastIndex(p, "/")+1:]] = true
		}
	}
	if len(f.Imports) > 0 {
		return // a program imports what it uses itself
	}
	declared := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		}
		return true
	})
	var add []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && !declared[id.Name] && !have[id.Name] {
			if p, ok := importFor[id.Name]; ok {
				add = append(add, p)
				have[id.Name] = true
			}
		}
		return true
	})
	slices.Sort(add)
	var decls []ast.Decl
	for _, p := range add {
		decls = append(decls, &ast.GenDecl{Tok: token.IMPORT, Specs: []ast.Spec{
			&ast.ImportSpec{Path: &ast.BasicLit{Kind: token.STRING, Value: `"` + p + `"`}},
		}})
	}
	f.Decls = append(decls, f.Decls...)
}

// exportImporter imports packages from the export data the go command builds
// for them (`go list -export`), so the snippets are checked against the
// packages of this tree as they are now.
func exportImporter(t *testing.T, paths []string) types.Importer {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, paths...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list -export: %s", stderr.String())
	export := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, file, _ := strings.Cut(l, "\t")
		export[p] = file
	}
	return importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := export[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
}
