//go:build cgo

package av_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runMulti puts each input's frames on its inbox (in0, in1, ...), then
// ProducerFinished, and collects what the filter sends and its outcome.
func runMulti[T any](t *testing.T, f axon.Component, inputs ...[]T) ([]T, error) {
	t.Helper()
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, f)
	require.NoError(t, err)
	ctx := t.Context()
	// Interleaved, as live inputs come; the Handle queues what it is given.
	// A filter that fails ends and refuses the rest, which is no error of
	// the test's: its outcome is what the test checks.
	ended := func(err error) bool {
		if err != nil {
			require.ErrorIs(t, err, axon.ErrFinished)
			return true
		}
		return false
	}
	stopped := false
	for i := 0; !stopped; i++ {
		put := false
		for n, in := range inputs {
			if i < len(in) && !stopped {
				stopped = ended(h.Put(ctx, "in"+string(rune('0'+n)), in[i]))
				put = true
			}
		}
		if !put {
			break
		}
	}
	if !stopped {
		ended(h.Finish(ctx))
	}
	out, err := axontest.Collect[T](ctx, h, "outbox")
	require.NoError(t, err)
	werr := h.Wait(ctx)
	_ = h.Close()
	_ = s.Wait(ctx)
	return out, werr
}

func near(t *testing.T, want, got frame.Video, x, y, wx, wy int) {
	t.Helper()
	a, b := want.RGBAAt(wx, wy), got.RGBAAt(x, y)
	for _, d := range []int{int(a.R) - int(b.R), int(a.G) - int(b.G), int(a.B) - int(b.B)} {
		assert.LessOrEqual(t, math.Abs(float64(d)), 24.0, "pixel (%d,%d): want %v got %v", x, y, a, b)
	}
}

// overlay lays one input's picture over the other's: picture in picture.
// The one picture of in1 is kept over every frame of in0.
func TestVideoMultiFilterOverlays(t *testing.T) {
	main := timed(patterns(5, 64, 48))
	small := pattern(3, 32, 24)
	f := av.NewVideoMultiFilter("overlay=16:16", 2)
	out, err := runMulti(t, f, main, []*frame.Video{small})
	require.NoError(t, err)
	require.Len(t, out, 5)
	for i, v := range out {
		assert.Equal(t, [2]int{64, 48}, [2]int{v.Width, v.Height})
		assert.Equal(t, main[i].PTS, v.PTS, "frame %d", i)
		// Outside the small picture: the main one's.
		near(t, *main[i], *v, 5, 5, 5, 5)
		near(t, *main[i], *v, 60, 30, 60, 30)
		// Inside: the small one's, each of its bars.
		for b := range 8 {
			near(t, *small, *v, 16+4*b+1, 20, 4*b+1, 4)
		}
	}
	assert.Equal(t, int64(6), f.Stats().Packets)
	assert.Equal(t, int64(5), f.Stats().Frames)
}

// amix without normalising adds the sounds: the mix of a tone and its
// negative a tenth as loud is, sample for sample, nine tenths of the tone.
func TestAudioMultiFilterMixes(t *testing.T) {
	const rate = 8000
	a, b := tone16(1000, 0.5, rate, 0, rate), tone16(1000, 0.05, rate, 0, rate)
	for i := range b {
		b[i] = -b[i]
	}
	var ina, inb []*frame.Audio
	for i := 0; i < rate; i += 800 {
		ina = append(ina, frame.NewS16(1, rate, a[i:i+800]))
		inb = append(inb, frame.NewS16(1, rate, b[i:i+800]))
	}
	// A label for each input and the output, said in full.
	f := av.NewAudioMultiFilter("[in0][in1]amix=inputs=2:normalize=0[out]", 2)
	out, err := runMulti(t, f, ina, inb)
	require.NoError(t, err)
	var got []float32
	for _, o := range out {
		require.Equal(t, rate, o.Rate)
		got = append(got, o.Float32s()...)
	}
	require.Len(t, got, rate)
	for i, g := range got {
		want := (float64(a[i]) + float64(b[i])) / 32768
		require.InDelta(t, want, float64(g), 2.0/32768, "sample %d", i)
	}
	assert.Equal(t, time.Duration(0), out[0].PTS)
}

func TestMultiFilterRejectsBadGraphsAndInputs(t *testing.T) {
	v := timed(patterns(2, 64, 48))
	// A graph that leaves in1 unused.
	_, err := runMulti(t, av.NewVideoMultiFilter("[in0]null", 2), v, v)
	require.ErrorContains(t, err, `"[in0]null" (a graph from [in0] to [in1] whose output is [out])`)
	// A graph FFmpeg cannot parse.
	_, err = runMulti(t, av.NewVideoMultiFilter("overlay=(", 2), v, v)
	require.ErrorContains(t, err, `"overlay=("`)
	// One input changes size.
	_, err = runMulti(t, av.NewVideoMultiFilter("overlay", 2), v, []*frame.Video{pattern(0, 32, 24), pattern(1, 64, 48)})
	require.ErrorContains(t, err, "in1: 64x48 yuv420p after 32x24 yuv420p")
	// The end before in1 gave anything.
	_, err = runMulti(t, av.NewVideoMultiFilter("overlay", 2), v, nil)
	require.ErrorContains(t, err, "in1 ended without a frame")
	// No input at all is no error: nothing to do.
	_, err = runMulti[*frame.Video](t, av.NewVideoMultiFilter("overlay", 2))
	require.NoError(t, err)
}

// With each producer's signal on done, the input that ends first does not
// cut the others short (as the first ProducerFinished on control would):
// the filter ends when every input's producer has ended. A Failure there
// fails it.
func TestMultiFilterEndsWhenEveryProducerHasEnded(t *testing.T) {
	ctx := axontest.Context(t)
	main := timed(patterns(25, 64, 48))
	f := av.NewVideoMultiFilter("overlay=16:16", 2)
	s := axontest.NewScheduler(t)
	h := axontest.NewHandle(t, s, f)
	require.NoError(t, h.Put(ctx, "in1", pattern(3, 32, 24)))
	require.NoError(t, h.Put(ctx, "done", axon.ProducerFinished{}), "in1's producer has ended")
	for _, v := range main {
		require.NoError(t, h.Put(ctx, "in0", v), "the filter still takes in0's frames")
	}
	require.NoError(t, h.Put(ctx, "done", axon.ProducerFinished{}), "in0's producer has ended")
	out, err := axontest.Collect[*frame.Video](ctx, h, "outbox")
	require.NoError(t, err)
	require.NoError(t, h.Wait(ctx))
	require.Len(t, out, len(main))
	assert.Equal(t, main[len(main)-1].PTS, out[len(out)-1].PTS)

	f = av.NewVideoMultiFilter("overlay=16:16", 2)
	h = axontest.NewHandle(t, s, f)
	require.NoError(t, h.Put(ctx, "in0", main[0]))
	require.NoError(t, h.Put(ctx, "done", &axon.Failure{Component: "camera", Err: errors.New("unplugged")}))
	err = h.Wait(ctx)
	require.ErrorContains(t, err, "a producer failed")
	require.ErrorContains(t, err, "camera: unplugged")
}
