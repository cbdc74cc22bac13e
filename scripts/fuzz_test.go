package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
)

// TestMain fails the package if any goroutine outlives the tests.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// module writes a module of its own into a new directory, with a copy of the
// fuzz script in its scripts/ (the script runs from the directory above it),
// and returns the directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	script, err := os.ReadFile("fuzz")
	require.NoError(t, err)
	files["go.mod"] = "module example.com/fuzzed\n\ngo 1.26\n"
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scripts", "fuzz"), script, 0o755))
	return dir
}

// run runs the module's fuzz script with env added, and returns its output
// and exit status.
func run(t *testing.T, dir string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", filepath.Join(dir, "scripts", "fuzz"))
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

const passTarget = `package pass

import "testing"

func FuzzPass(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, b []byte) { _ = len(b) })
}
`

// TestFuzzTellsFailuresFromFaults fuzzes three targets with the real go
// command: one that passes, one with a real bug, and one whose fuzzing
// process dies once, on its 200th input whatever it is, as when the engine
// loses a worker. The script goes on after each, keeps the bug's input,
// moves aside the input that does not fail again, and fails for the bug.
func TestFuzzTellsFailuresFromFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fuzzes three targets")
	}
	dir := module(t, map[string]string{
		"pass/pass_test.go": passTarget,
		"real/real_test.go": `package real

import "testing"

func FuzzReal(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 3 && b[0] == 'x' {
			t.Fatal("bad input")
		}
	})
}
`,
		"flaky/flaky_test.go": `package flaky

import (
	"os"
	"testing"
)

var n int

func FuzzFlaky(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n++
		if n == 200 {
			os.Exit(7)
		}
	})
}
`,
	})
	faults := filepath.Join(t.TempDir(), "faults")
	out, code := run(t, dir, "FUZZTIME=10s", "FUZZFAULTS="+faults)

	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "fuzz summary: 3 targets, 1 passed, 1 real failures, 1 toolchain faults", out)
	assert.Contains(t, out, "FAIL  FuzzReal (./real): failing input ./real/testdata/fuzz/FuzzReal/")
	kept, err := os.ReadDir(filepath.Join(dir, "real", "testdata", "fuzz", "FuzzReal"))
	require.NoError(t, err)
	assert.Len(t, kept, 1, "the failing input stays for the bug to be fixed")

	assert.Contains(t, out, "FAULT FuzzFlaky (./flaky): input did not fail when replayed")
	moved, err := os.ReadDir(filepath.Join(faults, "FuzzFlaky"))
	require.NoError(t, err)
	assert.Len(t, moved, 1)
	assert.NoDirExists(t, filepath.Join(dir, "flaky", "testdata", "fuzz", "FuzzFlaky"), "a fault leaves no seed behind")
}

// TestFuzzReportsEngineFaults stands a script in for the go command that
// fails as the fuzzing engine does when it times out, writing no input: the
// fault is reported, not failed, unless every target faulted.
func TestFuzzReportsEngineFaults(t *testing.T) {
	dir := module(t, map[string]string{
		"pass/pass_test.go":   passTarget,
		"other/other_test.go": strings.ReplaceAll(strings.ReplaceAll(passTarget, "FuzzPass", "FuzzOther"), "package pass", "package other"),
	})
	fake := filepath.Join(t.TempDir(), "go")
	require.NoError(t, os.WriteFile(fake, []byte(`#!/bin/sh
case "$*" in
*FuzzOther*) echo ok; exit 0 ;;
esac
echo "--- FAIL: FuzzPass (1.00s)"
echo "    fuzzing process hung or terminated unexpectedly: context deadline exceeded"
exit 1
`), 0o755))

	out, code := run(t, dir, "GO="+fake)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "fuzz summary: 2 targets, 1 passed, 0 real failures, 1 toolchain faults")
	assert.Contains(t, out, "FAULT FuzzPass (./pass): fuzzing process hung or terminated unexpectedly: context deadline exceeded")

	out, code = run(t, dir, "GO="+fake, "FUZZPKG=./pass")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "every target faulted")
}

// TestFuzzBuildFailureIsReal: a target whose package does not build is a
// real failure, though no input was written.
func TestFuzzBuildFailureIsReal(t *testing.T) {
	dir := module(t, map[string]string{
		"pass/pass_test.go":     passTarget,
		"broken/broken_test.go": strings.ReplaceAll(strings.ReplaceAll(passTarget, "FuzzPass", "FuzzBroken"), "package pass", "package broken\n\nvar _ int = \"not an int\""),
	})
	out, code := run(t, dir, "FUZZTIME=1s", "FUZZPKG=./broken")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "1 real failures")
	assert.Contains(t, out, "FAIL  FuzzBroken (./broken): go test failed with no new input")
}
