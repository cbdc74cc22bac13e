package axon

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRingMatchesASlice drives the ring with random pushes and pops, single
// and in bulk, across wrap-around and growth, against a plain slice.
func TestRingMatchesASlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var r ring[int]
	var model []int
	next := 0
	for range 20000 {
		switch rng.IntN(4) {
		case 0:
			r.push(next)
			model = append(model, next)
			next++
		case 1:
			k := rng.IntN(40)
			vs := make([]int, k)
			for i := range vs {
				vs[i] = next
				next++
			}
			r.pushAll(vs)
			model = append(model, vs...)
		case 2:
			v, ok := r.pop()
			require.Equal(t, len(model) > 0, ok)
			if ok {
				require.Equal(t, model[0], v)
				model = model[1:]
			}
		case 3:
			k := rng.IntN(50)
			got := r.popInto(nil, k)
			want := model[:min(k, len(model))]
			require.Equal(t, len(want), len(got))
			if len(want) > 0 {
				require.Equal(t, want, got)
			}
			model = model[len(want):]
		}
		require.Equal(t, len(model), r.len())
	}
}
