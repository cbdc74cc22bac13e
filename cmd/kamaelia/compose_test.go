package main

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestComposeGoCatalogs: the Go source of a design registers the media
// catalogue only when the design uses a media component.
func TestComposeGoCatalogs(t *testing.T) {
	plain := &compose.Design{Components: []compose.Component{{UID: 1, Type: "TCPClient"}}}
	src, err := compose.GoSource(plain, goCatalogs)
	require.NoError(t, err)
	assert.Contains(t, src, "catalog.Register(r, catalog.Stdio())")
	assert.NotContains(t, src, "mediacatalog")

	media := &compose.Design{Components: []compose.Component{{UID: 1, Type: "TCPClient"}, {UID: 2, Type: "DiracDecoder"}}}
	src, err = compose.GoSource(media, goCatalogs)
	require.NoError(t, err)
	assert.Contains(t, src, `mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"`)
	assert.Contains(t, src, "mediacatalog.Register(r, catalog.Stdio())")
	assert.Contains(t, src, `{"DD2", "DiracDecoder", nil},`)
}

// TestEveryHelpOnStdout asks every command for its help: it goes to
// standard output, with exit status 0, and names the command.
func TestEveryHelpOnStdout(t *testing.T) {
	for name := range commands {
		var out, errs bytes.Buffer
		code := run(t.Context(), []string{name, "--help"}, &out, &errs)
		assert.Equal(t, 0, code, "%s: %s", name, errs.String())
		assert.Contains(t, out.String(), "kamaelia "+name, name)
		assert.Empty(t, errs.String(), name)
	}
}
