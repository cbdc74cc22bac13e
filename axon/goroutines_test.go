package axon_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGoPanicFailsTheComponentNotTheProcess(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := &funcComp{}
	c.main = func(ctx context.Context) error {
		c.Go(func(context.Context) error { panic("boom in a helper") })
		<-ctx.Done() // the helper's failure stops Main
		return ctx.Err()
	}
	v := signalOf(t, s, c)
	f, ok := v.(*axon.Failure)
	require.True(t, ok, "signal carries %T %v, want *axon.Failure", v, v)
	var pe *axon.PanicError
	require.ErrorAs(t, f, &pe)
	assert.Equal(t, "boom in a helper", pe.Value)
	assert.Contains(t, string(pe.Stack), "goroutines_test.go")
	assert.ErrorAs(t, c.Err(), &pe)
}

func TestGoErrorFailsTheComponentAndCancelsMain(t *testing.T) {
	s := axontest.NewScheduler(t)
	errHelper := errors.New("helper broke")
	c := &funcComp{}
	c.main = func(ctx context.Context) error {
		c.Go(func(context.Context) error { return errHelper })
		<-ctx.Done()
		return ctx.Err()
	}
	v := signalOf(t, s, c)
	f, ok := v.(*axon.Failure)
	require.True(t, ok, "signal carries %T %v", v, v)
	assert.ErrorIs(t, f, errHelper)
}

// A component is not finished while a goroutine it started is running, even
// after Main returned: no outcome, Done open, still running on the
// scheduler. Main's return cancels the helper's context; returning its
// error then is no failure, and the outcome is Main's own.
func TestGoComponentIsNotFinishedUntilItsHelpersReturn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := axontest.NewScheduler(t)
		release := make(chan struct{})
		mainDone := make(chan struct{})
		helperCtx := make(chan error, 1)
		c := &funcComp{}
		c.main = func(ctx context.Context) error {
			defer close(mainDone)
			c.Go(func(ctx context.Context) error {
				<-release
				<-ctx.Done()
				helperCtx <- ctx.Err()
				return ctx.Err()
			})
			return nil
		}
		h := axontest.NewHandle(t, s, c, "signal")
		<-mainDone
		synctest.Wait()
		assert.Equal(t, axon.Running, c.State())
		select {
		case <-c.Done():
			t.Fatal("Done closed while a helper runs")
		default:
		}
		_, got := h.TryGet("signal")
		assert.False(t, got, "an outcome was sent while a helper runs")
		assert.Len(t, s.Running(), 1)

		close(release)
		<-c.Done()
		assert.ErrorIs(t, <-helperCtx, context.Canceled)
		v, err := h.Get(t.Context(), "signal")
		require.NoError(t, err)
		assert.Equal(t, axon.ProducerFinished{}, v)
	})
}

func TestGoBeforeActivationStartsWithTheComponent(t *testing.T) {
	s := axontest.NewScheduler(t)
	ran := make(chan struct{})
	c := &funcComp{}
	c.Go(func(context.Context) error { close(ran); return nil })
	c.main = func(ctx context.Context) error {
		<-ran
		return nil
	}
	assert.Equal(t, axon.ProducerFinished{}, signalOf(t, s, c))
}

func TestGoShutdownCancelsHelpersAndIsNoFailure(t *testing.T) {
	s := axontest.NewScheduler(t)
	started := make(chan struct{})
	c := &funcComp{}
	c.main = func(ctx context.Context) error {
		c.Go(func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		<-ctx.Done()
		return ctx.Err()
	}
	h := axontest.NewHandle(t, s, c, "signal", "control")
	<-started
	require.NoError(t, h.Put(axontest.Context(t), "control", axon.Shutdown{}))
	v, err := h.Get(axontest.Context(t), "signal")
	require.NoError(t, err)
	assert.IsType(t, axon.Shutdown{}, v)
	assert.NoError(t, c.Err())
}

func TestGoAfterFinishPanics(t *testing.T) {
	s := axontest.NewScheduler(t)
	c := &funcComp{main: func(context.Context) error { return nil }}
	require.NoError(t, s.Run(c))
	assert.Panics(t, func() { c.Go(func(context.Context) error { return nil }) })
}
