//go:build cgo

package av_test

import (
	"math"
	"os"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/require"
)

func log10(x float64) float64 { return math.Log10(x) }

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

func runControl[In, Out any](t testing.TB, comp axon.Component, inputs []In, control ...any) axontest.Result[Out] {
	t.Helper()
	return axontest.RunControl[In, Out](t, comp, inputs, control...)
}
