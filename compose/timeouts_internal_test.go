package compose

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Start's server bounds how long a client may take over a request's
// header and how long a kept-alive connection may idle.
func TestStartSetsTimeouts(t *testing.T) {
	l, err := Start(New(nil, Options{}), "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { require.NoError(t, l.Close()) }()
	assert.Equal(t, readHeaderTimeout, l.http.ReadHeaderTimeout)
	assert.Equal(t, idleTimeout, l.http.IdleTimeout)
	assert.Positive(t, l.http.ReadHeaderTimeout)
	assert.Positive(t, l.http.IdleTimeout)
}
