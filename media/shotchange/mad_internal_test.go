package shotchange

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The unrolled, branchless sum agrees with the plain one for every length,
// the tail of fewer than eight bytes included, and for the extreme bytes.
func TestRowAbsDiffMatchesPlainSum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		a, b := make([]byte, n), make([]byte, n+3)
		for i := range a {
			a[i] = byte(r.IntN(256))
		}
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		if n > 0 {
			a[0], b[0] = 0, 255
		}
		var want uint64
		for i := range a {
			if a[i] > b[i] {
				want += uint64(a[i] - b[i])
			} else {
				want += uint64(b[i] - a[i])
			}
		}
		require.Equal(t, want, rowAbsDiff(a, b), "length %d", n)
	}
}
