package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"image"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestExit(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{errors.New("no such file"), 1, "prog: no such file\n"},
	} {
		var stderr bytes.Buffer
		var gotArgs []string
		run := func(_ context.Context, args []string, _ io.Reader, _, _ io.Writer) error {
			gotArgs = args
			return tc.err
		}
		assert.Equal(t, tc.code, Exit(ctx, "prog", run, []string{"-x"}, nil, io.Discard, &stderr), "%v", tc.err)
		assert.Equal(t, tc.stderr, stderr.String())
		assert.Equal(t, []string{"-x"}, gotArgs)
	}
}

func TestExitPassesTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stderr bytes.Buffer
	run := func(ctx context.Context, _ []string, _ io.Reader, _, _ io.Writer) error { return ctx.Err() }
	assert.Equal(t, 1, Exit(ctx, "prog", run, nil, nil, io.Discard, &stderr))
	assert.Equal(t, "prog: context canceled\n", stderr.String())
}

var video = SizeBounds{Min: 16, Max: 4096, Even: true}

func TestParseSize(t *testing.T) {
	p, err := ParseSize("160X120", video)
	require.NoError(t, err)
	assert.Equal(t, image.Pt(160, 120), p)
	p, err = ParseSize("1x8192", SizeBounds{Min: 1, Max: 8192})
	require.NoError(t, err)
	assert.Equal(t, image.Pt(1, 8192), p)

	for bad, want := range map[string]string{
		"":          "want WIDTHxHEIGHT, such as 320x240",
		"x":         "want WIDTHxHEIGHT, such as 320x240",
		"160x":      "want WIDTHxHEIGHT, such as 320x240",
		"axb":       "want WIDTHxHEIGHT, such as 320x240",
		"160x120x2": "want WIDTHxHEIGHT, such as 320x240",
		"160x121":   "even sides from 16 to 4096",
		"8x8":       "even sides from 16 to 4096",
		"99999x2":   "even sides from 16 to 4096",
		"-2x-2":     "even sides from 16 to 4096",
	} {
		_, err := ParseSize(bad, video)
		assert.ErrorContains(t, err, want, "%q", bad)
	}
	_, err = ParseSize("0x10", SizeBounds{Min: 1, Max: 8192})
	assert.EqualError(t, err, `size "0x10": want WIDTHxHEIGHT with sides from 1 to 8192`)
}

// FuzzParseSize: any string, under any bounds, is a size within them or an
// error, never a panic.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"320x240", "160X120", "x", "", "4098x2", "-2x-2", "1e3x2", "0x10"} {
		f.Add(s, 16, 4096, true)
		f.Add(s, 1, 8192, false)
	}
	f.Fuzz(func(t *testing.T, s string, lo, hi int, even bool) {
		b := SizeBounds{Min: lo, Max: hi, Even: even}
		p, err := ParseSize(s, b)
		if err != nil {
			return
		}
		if p.X < lo || p.Y < lo || p.X > hi || p.Y > hi || (even && (p.X%2 != 0 || p.Y%2 != 0)) {
			t.Fatalf("ParseSize(%q, %+v) = %v: out of bounds", s, b, p)
		}
	})
}

func TestParse(t *testing.T) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("n", 1, "")
	require.NoError(t, Parse(fs, []string{"-n", "3"}))
	assert.Equal(t, 3, *n)
	assert.EqualError(t, Parse(fs, []string{"-n", "3", "extra", "words"}), `unexpected arguments: ["extra" "words"]`)
	assert.ErrorIs(t, Parse(fs, []string{"-h"}), flag.ErrHelp)
	assert.ErrorContains(t, Parse(fs, []string{"-n", "x"}), "invalid value")
}
