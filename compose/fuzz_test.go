package compose_test

import (
	"encoding/json"
	"testing"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/stretchr/testify/require"
)

// FuzzLoad loads arbitrary JSON as a design: it is refused or accepted,
// never a crash, and an accepted design is one launch parses and checks
// the links of, and whose Go source formats.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`{"components":[{"uid":1,"type":"DataSource","props":{"items":"{a}"}},{"uid":2,"type":"ConsoleEchoer"}],"links":[{"from":{"uid":1,"box":"outbox"},"to":{"uid":2,"box":"inbox"}}],"nextUID":3}`,
		`{"components":[{"uid":1,"type":"Tee"},{"uid":2,"type":"NullSink"}],"links":[{"from":{"uid":1,"box":"copy"},"to":{"uid":2,"box":"inbox"}}]}`,
		`{"components":[{"uid":1,"type":"Grep","props":{"pattern":"\"quoted\" \\ back","nope":"x"}}]}`,
		`{"components":[{"uid":1,"type":"DataSource","props":{"items":"{a} ! Evil"}}]}`,
		`{"components":[{"uid":0,"type":"Nope"}]}`, `{}`, `null`, `[]`,
	} {
		f.Add(s)
	}
	r := registry()
	f.Fuzz(func(t *testing.T, s string) {
		var d compose.Design
		if json.Unmarshal([]byte(s), &d) != nil {
			return
		}
		ed := compose.NewEditor(r)
		if _, err := ed.Load(&d); err != nil {
			require.ErrorIs(t, err, compose.ErrRefused)
			return
		}
		got := ed.Design()
		_ = compose.Check(r, got)
		src := compose.Launch(r, got)
		if len(got.Components) > 0 {
			desc, err := launch.Parse(src)
			require.NoError(t, err, "the launch text of an accepted design parses: %q", src)
			require.NoError(t, r.CheckLinks(desc), "%q", src)
		}
		_, err := compose.GoSource(got, []compose.GoCatalog{compose.StandardCatalog})
		require.NoError(t, err)
	})
}
