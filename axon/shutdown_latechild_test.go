package axon_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A child that a parent adds and activates while the parent is being told
// Shutdown starts stopped, with the parent's reason, however the two
// interleave; and a parent that then ends with its children, without
// looking at its context (as a Graphline or a PAR does when all its
// children have ended), signals the Shutdown it was told. A Shutdown tells
// the parent's children first, then the parent. A child added between the
// two used to be told nothing, so that a parent waiting for its children
// never ended; and a parent that ended in between signalled
// ProducerFinished.
//
// The parent's first child ends as soon as it is told, which lets the
// parent add and activate a late child, and end, while the runtime is still
// telling the ten thousand children after it (never activated, so cheap),
// before it tells the parent itself.
func TestChildActivatedWhileItsParentIsShutDownStartsStopped(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	why := errors.New("closing time")

	first := newFunc()
	told := make(chan struct{})
	first.main = func(ctx context.Context) error {
		<-ctx.Done()
		close(told)
		return nil
	}
	late := newFunc()
	var lateReason axon.Shutdown
	var lateStopped bool
	p := newFunc()
	p.AddChildren(first)
	for range 100 {
		k := newFunc()
		for range 100 {
			k.AddChildren(newFunc())
		}
		p.AddChildren(k)
	}
	p.main = func(context.Context) error {
		<-told // the Shutdown is on its way through p's children
		p.AddChildren(late)
		s.Activate(late)
		lateReason, lateStopped = late.ShutdownReason()
		return nil // as if its children had all ended
	}
	s.Activate(first)
	h, err := axon.NewHandle(s, p, "control", "signal")
	require.NoError(t, err)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{Reason: why}))
	sig, err := h.Get(ctx, "signal")
	require.NoError(t, err)
	require.True(t, lateStopped, "the late child was not told to stop")
	assert.Equal(t, axon.Shutdown{Reason: why}, lateReason)
	assert.Equal(t, axon.Shutdown{Reason: why}, sig, "the parent was told Shutdown")
	<-late.Done()
}
