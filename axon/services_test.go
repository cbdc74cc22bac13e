package axon_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegistryRegisterLookupDeregister(t *testing.T) {
	r := axon.NewScheduler().Services()
	d := newDoubler()
	require.NoError(t, r.Register("double", d, "inbox"))
	svc, err := r.Lookup("double")
	require.NoError(t, err)
	assert.Equal(t, axon.Component(d), svc.Component)
	require.NotNil(t, svc.Inbox)
	assert.Equal(t, "inbox", svc.Inbox.Name())
	assert.Same(t, d.in, svc.Inbox.(*axon.Inbox[int]))

	require.NoError(t, r.Deregister("double"))
	_, err = r.Lookup("double")
	require.ErrorIs(t, err, axon.ErrServiceUnknown)
	// The name is free again.
	require.NoError(t, r.Register("double", d, "inbox"))
}

func TestRegistryRegisterTakenNameFailsWithErrServiceExists(t *testing.T) {
	r := axon.NewScheduler().Services()
	first, second := newDoubler(), newDoubler()
	require.NoError(t, r.Register("double", first, "inbox"))
	err := r.Register("double", second, "inbox")
	require.ErrorIs(t, err, axon.ErrServiceExists)
	assert.Contains(t, err.Error(), "double")
	svc, err := r.Lookup("double")
	require.NoError(t, err)
	assert.Equal(t, axon.Component(first), svc.Component, "the first registration stands")
}

func TestRegistryLookupOfUnknownNameFailsWithErrServiceUnknown(t *testing.T) {
	r := axon.NewScheduler().Services()
	_, err := r.Lookup("nobody")
	require.ErrorIs(t, err, axon.ErrServiceUnknown)
	assert.Contains(t, err.Error(), "nobody")
	require.ErrorIs(t, r.Deregister("nobody"), axon.ErrServiceUnknown)
}

func TestRegistryRegisterWithoutSuchInboxFailsWithErrBadInbox(t *testing.T) {
	r := axon.NewScheduler().Services()
	d := newDoubler()
	err := r.Register("double", d, "nosuch")
	require.ErrorIs(t, err, axon.ErrBadInbox)
	assert.Contains(t, err.Error(), "nosuch")
	// An outbox is not an inbox.
	require.ErrorIs(t, r.Register("double", d, "outbox"), axon.ErrBadInbox)
	_, err = r.Lookup("double")
	require.ErrorIs(t, err, axon.ErrServiceUnknown, "a refused registration takes no name")
	// Default and declared inboxes qualify.
	require.NoError(t, r.Register("ctl", d, "control"))
	axon.NewInbox[string](d, "requests")
	require.NoError(t, r.Register("requests", d, "requests"))
}

func TestRegistryTracksValues(t *testing.T) {
	r := axon.NewScheduler().Services()
	require.NoError(t, r.Track("clients", 1))
	v, err := r.Value("clients")
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	require.ErrorIs(t, r.Track("clients", 5), axon.ErrServiceExists)

	require.NoError(t, r.Update("clients", 2))
	v, err = r.Value("clients")
	require.NoError(t, err)
	assert.Equal(t, 2, v)

	require.NoError(t, r.Untrack("clients"))
	_, err = r.Value("clients")
	require.ErrorIs(t, err, axon.ErrServiceUnknown)
	require.ErrorIs(t, r.Update("clients", 3), axon.ErrServiceUnknown)
	require.ErrorIs(t, r.Untrack("clients"), axon.ErrServiceUnknown)
}

func TestRegistryConcurrentRegistrationsHaveOneWinnerPerName(t *testing.T) {
	const goroutines, names = 16, 8
	r := axon.NewScheduler().Services()
	var wins, exists [names]atomic.Int32
	var trackWins [names]atomic.Int32
	winner := make([]axon.Component, names)
	var winnerMu sync.Mutex
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		d := newDoubler()
		wg.Go(func() {
			<-start
			for n := range names {
				name := fmt.Sprint("svc", n)
				switch err := r.Register(name, d, "inbox"); {
				case err == nil:
					wins[n].Add(1)
					winnerMu.Lock()
					winner[n] = d
					winnerMu.Unlock()
				case assert.ErrorIs(t, err, axon.ErrServiceExists):
					exists[n].Add(1)
				}
				if r.Track(name, g) == nil {
					trackWins[n].Add(1)
				}
				_, err := r.Lookup(name)
				assert.NoError(t, err)
			}
		})
	}
	close(start)
	wg.Wait()
	for n := range names {
		assert.Equal(t, int32(1), wins[n].Load(), "svc%d", n)
		assert.Equal(t, int32(goroutines-1), exists[n].Load(), "svc%d", n)
		assert.Equal(t, int32(1), trackWins[n].Load(), "svc%d", n)
		svc, err := r.Lookup(fmt.Sprint("svc", n))
		require.NoError(t, err)
		assert.Equal(t, winner[n], svc.Component)
	}
}

func TestSchedulersHaveTheirOwnRegistries(t *testing.T) {
	s1, s2 := axon.NewScheduler(), axon.NewScheduler()
	require.NotSame(t, s1.Services(), s2.Services())
	require.NoError(t, s1.Services().Register("x", newDoubler(), "inbox"))
	require.NoError(t, s2.Services().Register("x", newDoubler(), "inbox"))
	require.NoError(t, s1.Services().Track("v", 1))
	_, err := s2.Services().Value("v")
	require.ErrorIs(t, err, axon.ErrServiceUnknown)
}

func TestComponentServicesIsItsSchedulersRegistry(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	c := newFunc()
	var seen *axon.Registry
	c.main = func(context.Context) error {
		seen = c.Services()
		return nil
	}
	s.Activate(c)
	require.NoError(t, s.Wait(ctx))
	assert.Same(t, s.Services(), seen)
	assert.Same(t, s.Services(), c.Services())
}

func TestServiceLookedUpCanBeLinkedTo(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	d := newDoubler()
	h, err := axon.NewHandle(s, d)
	require.NoError(t, err)
	require.NoError(t, s.Services().Register("double", d, "inbox"))

	client := newBox[int]("client")
	svc, err := s.Services().Lookup("double")
	require.NoError(t, err)
	_, err = axon.Link(client.out, svc.Inbox)
	require.NoError(t, err)
	require.NoError(t, client.out.Send(ctx, 8))
	v, err := h.Get(ctx, "outbox")
	require.NoError(t, err)
	assert.Equal(t, 16, v)
}
