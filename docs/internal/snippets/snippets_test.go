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
	"io/fs"
	"os"
	"os/exec"
	"path"
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
	"workqueue": "github.com/kamaelia-go/kamaelia/chassis/natsplane/workqueue",
	"radio":     "github.com/kamaelia-go/kamaelia/components/radio",
	"choose":    "github.com/kamaelia-go/kamaelia/components/choose",
	"console":   "github.com/kamaelia-go/kamaelia/components/console",
	"file":      "github.com/kamaelia-go/kamaelia/components/file",
	"flow":      "github.com/kamaelia-go/kamaelia/components/flow",
	"process":   "github.com/kamaelia-go/kamaelia/components/process",
	"source":    "github.com/kamaelia-go/kamaelia/components/source",
	"split":     "github.com/kamaelia-go/kamaelia/components/split",
	"timing":    "github.com/kamaelia-go/kamaelia/components/timing",
	"web":       "github.com/kamaelia-go/kamaelia/components/web",
	"xmlparse":  "github.com/kamaelia-go/kamaelia/components/xmlparse",
	"irc":       "github.com/kamaelia-go/kamaelia/internet/irc",
	"internet":  "github.com/kamaelia-go/kamaelia/internet",
	"framing":   "github.com/kamaelia-go/kamaelia/internet/framing",
	"dvb":       "github.com/kamaelia-go/kamaelia/device/dvb",
	"av":        "github.com/kamaelia-go/kamaelia/media/av",
	"macro":     "github.com/kamaelia-go/kamaelia/media/macro",
	"frame":     "github.com/kamaelia-go/kamaelia/media/frame",
	"sdl":       "github.com/kamaelia-go/kamaelia/media/sdl",
	"inspect":   "github.com/kamaelia-go/kamaelia/inspect",
	"launch":    "github.com/kamaelia-go/kamaelia/launch",
	"catalog":   "github.com/kamaelia-go/kamaelia/launch/catalog",
	"cli":       "github.com/kamaelia-go/kamaelia/launch/cli",
	"compose":   "github.com/kamaelia-go/kamaelia/compose",
}

// module is the module's path.
const module = "github.com/kamaelia-go/kamaelia"

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
				for _, e := range checkFiles(t, imp, []snippet{s}, programRules) {
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
			for _, e := range checkFiles(t, imp, byFile[f], fragmentRules) {
				t.Error(e)
			}
		})
	}
}

// TestDocCommentSnippets checks, by the rules of TestSnippets, the code
// blocks of the doc comments of every package of the module that parse as
// Go: package docs and the docs of exported names show how to call the API
// as much as the Markdown does. Blocks that are not Go (box tables,
// diagrams, launch descriptions, code elided with "...") are left out.
func TestDocCommentSnippets(t *testing.T) {
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	byPkg := map[string][]snippet{}
	var pkgs []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		snips, err := commentSnippets(rel, path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(rel)
		if _, ok := byPkg[dir]; !ok && len(snips) > 0 {
			pkgs = append(pkgs, dir)
		}
		byPkg[dir] = append(byPkg[dir], snips...)
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, pkgs)

	paths := make([]string, 0, len(importFor))
	for _, p := range importFor {
		paths = append(paths, p)
	}
	for _, dir := range pkgs {
		paths = append(paths, module+"/"+dir)
	}
	imp := exportImporter(t, paths)
	for _, dir := range pkgs {
		t.Run(dir, func(t *testing.T) {
			// A package's docs name it by its own name.
			own := module + "/" + dir
			r := rules{fragments: true, typeNames: true, imports: map[string]string{path.Base(own): own}}
			for _, s := range byPkg[dir] {
				for _, e := range checkFiles(t, imp, []snippet{s}, r) {
					t.Error(e)
				}
			}
		})
	}
}

// commentSnippets returns the code blocks of the doc comments of the Go
// file at path (named rel in messages) that parse as a fragment of Go.
func commentSnippets(rel, path string) ([]snippet, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []snippet
	for _, cg := range f.Comments {
		start := fset.Position(cg.Pos()).Line
		lines := strings.Split(cg.Text(), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "\t") {
				continue
			}
			j := i
			var body []string
			for j < len(lines) && (strings.HasPrefix(lines[j], "\t") || lines[j] == "") {
				body = append(body, strings.TrimPrefix(lines[j], "\t"))
				j++
			}
			code := strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
			if src, _ := wrap(code); isGo(src) && strings.Contains(code, ".") {
				out = append(out, snippet{file: rel, line: start + i, code: code})
			}
			i = j
		}
	}
	return out, nil
}

// isGo reports whether src parses as a Go file.
func isGo(src string) bool {
	_, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	return err == nil
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
		errs := checkFiles(t, imp, []snippet{{file: "bad.md", line: 1, code: code + "\n"}}, fragmentRules)
		assert.True(t, slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }),
			"%s: want an error containing %q, got %q", code, want, errs)
	}
	ok := `p := chassis.Pipeline(internet.NewTCPClient("127.0.0.1:1601"), mine)` + "\n_ = p\n"
	assert.Empty(t, checkFiles(t, imp, []snippet{{file: "good.md", line: 1, code: ok}}, fragmentRules))
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

// rules says how checkFiles treats its snippets.
type rules struct {
	// fragments: the snippets are fragments (see TestSnippets), not programs.
	fragments bool
	// typeNames: an undefined exported name used as a type is the reader's
	// own (a doc comment's Reading or Frame).
	typeNames bool
	// imports maps qualifiers that mean another package than importFor says
	// (framing, in components/framing's own docs).
	imports map[string]string
}

var (
	programRules  = rules{}
	fragmentRules = rules{fragments: true}
)

// checkFiles type-checks snippets as one package and returns the errors,
// each prefixed by the Markdown position of the snippet.
func checkFiles(t *testing.T, imp types.Importer, snips []snippet, r rules) []string {
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
		if r.fragments {
			src, offset = wrap(s.code)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: not Go: %v", s, err))
			continue
		}
		addImports(f, r.imports)
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
	asType := typePositions(files)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{
		Importer: imp,
		Error: func(err error) {
			te := err.(types.Error)
			if r.fragments && tolerated(te.Msg) {
				return
			}
			if name, ok := strings.CutPrefix(te.Msg, "undefined: "); ok && r.typeNames && asType[te.Pos] == name {
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

// typePositions returns the identifiers of files that stand where a type
// does (a type argument, an element or field type, a literal's type), by
// position.
func typePositions(files []*ast.File) map[token.Pos]string {
	out := map[token.Pos]string{}
	mark := func(e ast.Expr) {
		if id, ok := e.(*ast.Ident); ok {
			out[id.Pos()] = id.Name
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.IndexExpr:
				mark(n.Index)
			case *ast.IndexListExpr:
				for _, e := range n.Indices {
					mark(e)
				}
			case *ast.ArrayType:
				mark(n.Elt)
			case *ast.MapType:
				mark(n.Key)
				mark(n.Value)
			case *ast.ChanType:
				mark(n.Value)
			case *ast.Field:
				mark(n.Type)
			case *ast.ValueSpec:
				if n.Type != nil {
					mark(n.Type)
				}
			case *ast.CompositeLit:
				if n.Type != nil {
					mark(n.Type)
				}
			}
			return true
		})
	}
	return out
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

// addImports imports the packages of importFor, or of extra first, that f
// uses as qualifiers and does not import already.
func addImports(f *ast.File, extra map[string]string) {
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
			p, ok := extra[id.Name]
			if !ok {
				p, ok = importFor[id.Name]
			}
			if ok {
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
