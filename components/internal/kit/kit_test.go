package kit

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

func TestPortionsAddUpExactly(t *testing.T) {
	for _, per := range []float64{400000.0 / 8 / 24, 2.5, 1.0 / 3, 10, 0.1, 7.7} {
		p := NewPortions(per)
		sum := 0
		for k := 1; k <= 10000; k++ {
			n := p.Next()
			if n < 0 || n > int(math.Ceil(per)) {
				t.Fatalf("per %v: portion %d is %d", per, k, n)
			}
			sum += n
			if want := int(math.Floor(float64(k)*per + 1e-9)); sum != want {
				t.Fatalf("per %v: after %d portions %d units, want %d", per, k, sum, want)
			}
		}
	}
}

func TestOffsetHasNoDrift(t *testing.T) {
	assert.Equal(t, 10*time.Second, Offset(30, 3))
	assert.Equal(t, time.Second, Offset(24, 24))
	assert.Equal(t, time.Duration(41666667), Offset(1, 24))
}

func TestPacerKeepsScheduleWhenOnTime(t *testing.T) {
	base := time.Unix(1000, 0)
	p := NewPacer(24, 0)
	_, ok := p.Next()
	assert.False(t, ok, "the first event is due at once")
	p.Done(base)
	for j := int64(1); j <= 48; j++ {
		due, ok := p.Next()
		require.True(t, ok)
		require.Equal(t, base.Add(Offset(j, 24)), due)
		p.Done(due)
	}
}

func TestPacerRestartsWhenLateBeyondSlack(t *testing.T) {
	base := time.Unix(1000, 0)
	strict := NewPacer(10, 0)
	strict.Done(base)
	strict.Done(base.Add(101 * time.Millisecond)) // 1ms late: restart
	due, _ := strict.Next()
	assert.Equal(t, base.Add(201*time.Millisecond), due)

	tolerant := NewPacer(10, 100*time.Millisecond)
	tolerant.Done(base)
	tolerant.Done(base.Add(150 * time.Millisecond)) // within a period: made up
	due, _ = tolerant.Next()
	assert.Equal(t, base.Add(200*time.Millisecond), due)
	tolerant.Done(base.Add(350 * time.Millisecond)) // 150ms late: restart
	due, _ = tolerant.Next()
	assert.Equal(t, base.Add(450*time.Millisecond), due)
}

func TestSleepAndWaitUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		require.NoError(t, Sleep(t.Context(), time.Second))
		assert.Equal(t, time.Second, time.Since(start))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		assert.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
		assert.ErrorIs(t, Sleep(ctx, 0), context.Canceled)
	})
}
