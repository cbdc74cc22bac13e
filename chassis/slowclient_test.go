package chassis_test

import (
	"errors"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerSlowlorisDoesNotStopWellBehavedClients fills a Server's
// connections with 1,000 slowloris clients, each of which sends a byte and
// would send the next only 10 s later, and checks that 20 well-behaved
// clients arriving after them are all served within a bound, and that the
// memory the slowloris hold is bounded and given back.
//
// The Server's timers run on the real clock (its sockets cannot run in a
// synctest bubble), so the test shortens the idle timeout to 1 s rather
// than waiting 2 minutes (DefaultIdleTimeout) and caps the connections at
// the slowloris' number: a well-behaved client is refused until the idle
// timeout frees a place, then served.
func TestServerSlowlorisDoesNotStopWellBehavedClients(t *testing.T) {
	const slow, good = 1000, 20
	const idle = time.Second
	const bound = 5 * time.Second // the well-behaved are all served within it
	base := liveBytes()
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0",
		internet.WithIdleTimeout(idle), internet.WithMaxConnections(slow))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	addr := srv.Addr().String()

	lorises := make([]net.Conn, 0, slow)
	t.Cleanup(func() {
		for _, c := range lorises {
			c.Close()
		}
	})
	for i := range slow {
		nc, err := net.Dial("tcp", addr)
		require.NoError(t, err, "slowloris %d", i)
		_, err = nc.Write([]byte{'x'}) // the first byte; the next would come in 10 s
		require.NoError(t, err)
		lorises = append(lorises, nc)
	}
	held := liveBytes()
	perConn := float64(held-min(base, held)) / slow
	t.Logf("%d slowloris connections held: %.0f B each", slow, perConn)
	assert.Less(t, perConn, float64(64<<10), "memory per held connection")

	start := time.Now()
	var wg sync.WaitGroup
	served := make([]time.Duration, good)
	for c := range good {
		wg.Go(func() {
			for time.Since(start) < bound {
				nc, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				_ = nc.SetDeadline(time.Now().Add(bound))
				msg := []byte("well behaved")
				buf := make([]byte, len(msg))
				_, werr := nc.Write(msg)
				_, rerr := io.ReadFull(nc, buf)
				nc.Close()
				if werr == nil && rerr == nil && string(buf) == string(msg) {
					served[c] = time.Since(start)
					return
				}
				// Refused while the slowloris held every place: try again.
			}
		})
	}
	wg.Wait()
	for c, d := range served {
		assert.NotZero(t, d, "client %d was not served within %v", c, bound)
	}
	t.Logf("well-behaved clients served within %v", maxOf(served))

	// The slowloris were closed by the idle timeout: each finds its
	// connection closed, and the memory they held is given back.
	for i, nc := range lorises {
		_ = nc.SetDeadline(time.Now().Add(axontest.Safety))
		_, err := io.Copy(io.Discard, nc) // its echo, then end of stream or a reset
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("slowloris %d was not closed", i)
		}
	}
	// Every connection served has ended and been removed.
	for range srv.Stats().Accepted {
		get(t, h, "disconnected")
	}
	after := liveBytes()
	t.Logf("heap and stacks: %d before, %d held, %d after", base, held, after)
	assert.Less(t, float64(after), float64(base)+float64(held-min(base, held))/2, "memory given back (at least half of what they held)")
	runtime.KeepAlive(srv)
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

// TestSingleServerMisbehavingClientsLeaveRoomForTheNext: a client that
// stops reading (cut by the write timeout), one that half-closes, and one
// that trickles (cut by the idle timeout) each leave, with why on signal,
// and the next client is served. The timeouts are shortened from the
// defaults (10 s, 2 min) to keep the test short.
func TestSingleServerMisbehavingClientsLeaveRoomForTheNext(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SingleServer("127.0.0.1:0",
		internet.WithWriteTimeout(300*time.Millisecond), internet.WithIdleTimeout(300*time.Millisecond))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	ctx := axontest.Context(t)

	// Stops reading: what the Single is sent fills the socket, then the
	// write times out.
	deaf := dialTCP(t, srv.Addr())
	_, err = deaf.Write([]byte("hi"))
	require.NoError(t, err)
	assert.Equal(t, []byte("hi"), get(t, h, "outbox"))
	chunk := make([]byte, 64<<10)
	var why any
	for why == nil {
		select {
		case <-ctx.Done():
			t.Fatal("the non-reader was never cut")
		default:
		}
		_ = h.Put(ctx, "inbox", chunk)
		why, _ = h.TryGet("signal")
	}
	assert.ErrorIs(t, why.(error), internet.ErrSlowConsumer)

	// Half-closes: what it sent comes out, then its leaving.
	half := dialTCP(t, srv.Addr())
	_, err = half.Write([]byte("bye"))
	require.NoError(t, err)
	require.NoError(t, half.(*net.TCPConn).CloseWrite())
	assert.Equal(t, []byte("bye"), get(t, h, "outbox"))
	assert.ErrorIs(t, get(t, h, "signal").(error), internet.ErrPeerClosed)

	// Trickles: one byte, then nothing for longer than the idle timeout.
	slow := dialTCP(t, srv.Addr())
	_, err = slow.Write([]byte("x"))
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), get(t, h, "outbox"))
	assert.ErrorIs(t, get(t, h, "signal").(error), internet.ErrIdleTimeout)
	closedByServer(t, slow)

	// And the next, well-behaved, is served.
	good := dialTCP(t, srv.Addr())
	_, err = good.Write([]byte("ok"))
	require.NoError(t, err)
	assert.Equal(t, []byte("ok"), get(t, h, "outbox"))
	put(t, h, "inbox", []byte("fine"))
	assert.Equal(t, "fine", readN(t, good, 4))
	assert.Equal(t, uint64(4), srv.Clients())
	assert.Zero(t, srv.Refused())
}
