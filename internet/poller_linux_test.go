//go:build linux

package internet_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On Linux a plain TCP connection reads in its own Main, woken by the
// process's poller: serving idle connections costs one goroutine each.
func TestConnIsOneGoroutineOnLinux(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv := server(t, s, "127.0.0.1:0", echo)
	roundTrip := func() {
		nc := dial(t, srv.Addr().String())
		_, err := nc.Write([]byte("x"))
		require.NoError(t, err)
		got := make([]byte, 1)
		_, err = io.ReadFull(nc, got)
		require.NoError(t, err)
	}
	roundTrip() // the poller is running from here on
	before := runtime.NumGoroutine()
	const n = 50
	for range n {
		roundTrip()
	}
	assert.InDelta(t, n, runtime.NumGoroutine()-before, 2, "goroutines for %d connections", n)
}

// A connection whose receiver has no room stops reading, and reads on when
// room comes, though no more data arrives: the poller wakes a connection
// only for data that arrives after a read found none, so the connection
// must read what the socket holds by itself once it has room again.
func TestConnReadsOnAfterBackPressure(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	release := make(chan struct{})
	want := bytes.Repeat([]byte("0123456789abcdef"), 5<<10)
	counter := &byteCounter{release: release, want: len(want), got: make(chan []byte, 1)}
	counter.in = axon.NewInbox[[]byte](counter, "inbox")
	counter.in.SetCapacity(1)
	srv := server(t, s, "127.0.0.1:0", func(c *internet.Conn) {
		axon.MustLink(c.Out, counter.in)
	})
	s.Activate(counter)
	nc := dial(t, srv.Addr().String())
	// Eight reads' worth and more, all in the kernel's buffers once the
	// write returns: the connection takes two, then waits for room.
	_, err := nc.Write(want)
	require.NoError(t, err)
	close(release)
	select {
	case got := <-counter.got:
		assert.Equal(t, want, got)
	case <-ctx.Done():
		t.Fatal("the connection did not read on after its receiver made room")
	}
}

// byteCounter takes chunks, once released, until it has want bytes, and
// hands them over.
type byteCounter struct {
	axon.Core
	in      *axon.Inbox[[]byte]
	release chan struct{}
	want    int
	got     chan []byte
}

func (b *byteCounter) Main(ctx context.Context) error {
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	var all []byte
	for len(all) < b.want {
		chunk, err := b.in.Recv(ctx)
		if err != nil {
			return err
		}
		all = append(all, chunk...)
	}
	b.got <- all
	return nil
}
