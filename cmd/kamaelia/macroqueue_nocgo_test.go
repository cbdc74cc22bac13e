//go:build !cgo

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMacroHandlerNeedsCgo: without cgo the macro handler is known, and
// says what it needs instead of taking jobs it cannot do.
func TestMacroHandlerNeedsCgo(t *testing.T) {
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"worker", "--nats", "nats://127.0.0.1:1", "--handler", "macro", "--dir", t.TempDir()}, &out, &errs)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs.String(), "needs the cgo build")
}
