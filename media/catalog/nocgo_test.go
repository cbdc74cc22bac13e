//go:build !cgo

package catalog_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	mediacatalog "github.com/kamaelia-go/kamaelia/media/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithoutCgo: a build without cgo has none of the media components,
// and says so of each: a description naming one, its help, and the list.
func TestWithoutCgo(t *testing.T) {
	r := catalog.New(catalog.Env{})
	mediacatalog.Register(r, catalog.Env{})
	for _, n := range mediacatalog.Names {
		assert.NotContains(t, r.Names(), n)
	}
	_, err := r.BuildString("TCPClient port=1601 ! DiracDecoder")
	require.ErrorIs(t, err, launch.ErrUnknownComponent)
	assert.Equal(t, `1:23: component "DiracDecoder" is not in this build: it needs the cgo build of the program (FFmpeg and SDL): build it with CGO_ENABLED=1`, err.Error())
	var list bytes.Buffer
	require.NoError(t, r.WriteList(&list))
	assert.Contains(t, list.String(), "Not in this build (each needs the cgo build")
	assert.Contains(t, list.String(), "DiracDecoder, DiracEncoder")
}
