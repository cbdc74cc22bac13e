package compose_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoSourceBuildsAndRuns composes DataSource, ToBytes and
// SimpleFileWriter in an Editor, writes the Go source into a module of its
// own (its go.mod replacing kamaelia-go with this repository), builds it
// with the go command and runs it: the program writes the file, and ends.
func TestGoSourceBuildsAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program with the go command")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	ed := compose.NewEditor(registry())
	for _, typ := range []string{"DataSource", "ToBytes", "SimpleFileWriter"} {
		_, _, err := ed.Add(typ, 0, 0)
		require.NoError(t, err)
	}
	_, err := ed.Set(1, "items", `{"composed ", "in Go"}`, false)
	require.NoError(t, err)
	_, err = ed.Set(3, "filename", out, false)
	require.NoError(t, err)
	for _, l := range []compose.Link{link(1, "outbox", 2, "inbox"), link(2, "outbox", 3, "inbox")} {
		_, err := ed.Link(l.From, l.To)
		require.NoError(t, err)
	}
	src, err := compose.GoSource(ed.Design(), []compose.GoCatalog{compose.StandardCatalog})
	require.NoError(t, err)
	assert.Contains(t, src, `{"DS1", "DataSource", launch.Props{"items": "{\"composed \", \"in Go\"}"}},`)
	assert.Contains(t, src, "chassis.NewGraphline(components, chassis.Linkages{")

	root, err := filepath.Abs("..")
	require.NoError(t, err)
	mod := filepath.Join(dir, "composed")
	require.NoError(t, os.MkdirAll(mod, 0o755))
	gomod := "module composed\n\ngo 1.26.0\n\nrequire github.com/kamaelia-go/kamaelia v0.0.0\n\nreplace github.com/kamaelia-go/kamaelia => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "main.go"), []byte(src), 0o644))
	gocmd := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "go", args...)
		cmd.Dir = mod
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "CGO_ENABLED=0")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %v:\n%s", args, b)
	}
	gocmd("build", "-o", "composed", ".")
	run := exec.CommandContext(t.Context(), filepath.Join(mod, "composed"))
	b, err := run.CombinedOutput()
	require.NoError(t, err, "the composed program: %s", b)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "composed in Go", string(got))
}
