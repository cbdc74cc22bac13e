package main

import (
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
