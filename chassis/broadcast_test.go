package chassis_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// broadcast runs a SimpleServer whose protocol is SubscribeTo (as launch,
// p2pvideo and the whiteboard make it), with 5 clients reading at full rate
// and 1 that never reads, publishes frames records of 16 KiB (far more than
// the socket buffers hold), and checks that every reader gets every
// record, in order, within bound, and that the non-reader's connection is
// closed by the server.
//
// sub makes the subscriber of the n-th connection: the non-reader's is the
// first.
func broadcast(t *testing.T, sub func(n int) *chassis.Subscriber[[]byte], opts ...internet.ServerOption) {
	const readers, frames, size = 5, 2000, 16 << 10
	const bound = 20 * time.Second
	s := axontest.NewScheduler(t)
	bp := chassis.NewBackplane[[]byte]("BROADCAST", chassis.OnScheduler(s))
	require.NoError(t, bp.SetupErr())
	s.Activate(bp)
	pub := axontest.NewHandle(t, s, chassis.PublishTo[[]byte]("BROADCAST"))
	subs := make(chan *chassis.Subscriber[[]byte], readers+1)
	made := 0
	srv, err := chassis.SimpleServer(func() axon.Component {
		x := sub(made)
		made++
		subs <- x
		return x
	}, "127.0.0.1:0", opts...)
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)

	deaf := dialTCP(t, srv.Addr()) // never reads
	require.NoError(t, deaf.(*net.TCPConn).SetReadBuffer(4<<10))
	<-recv(t, subs).Subscribed() // the first connection's
	conns := make([]net.Conn, readers)
	for i := range conns {
		conns[i] = dialTCP(t, srv.Addr())
	}
	for range readers {
		<-recv(t, subs).Subscribed()
	}

	start := time.Now()
	var wg sync.WaitGroup
	for i, nc := range conns {
		wg.Go(func() {
			_ = nc.SetDeadline(start.Add(bound))
			buf := make([]byte, size)
			for f := range frames {
				if _, err := io.ReadFull(nc, buf); err != nil {
					t.Errorf("reader %d, record %d: %v", i, f, err)
					return
				}
				if got := binary.BigEndian.Uint32(buf); got != uint32(f) {
					t.Errorf("reader %d: record %d where %d was due", i, got, f)
					return
				}
			}
		})
	}
	frame := bytes.Repeat([]byte{'v'}, size)
	for f := range frames {
		rec := bytes.Clone(frame)
		binary.BigEndian.PutUint32(rec, uint32(f))
		put(t, pub, "inbox", rec)
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("%d readers got %d records of %d B each in %v (%.0f records/s)", readers, frames, size, took, frames/took.Seconds())
	assert.Less(t, took, bound)

	// The non-reader was dropped: its connection is closed (end of stream
	// or a reset once what the socket held is read).
	_ = deaf.SetDeadline(time.Now().Add(axontest.Safety))
	_, err = io.Copy(io.Discard, deaf)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the non-reader's connection is still open")
	}
}

// TestBroadcastServerOneNonReaderDoesNotStallTheRest: Block policy, with
// the connections' write timeout (shortened here to 300ms from
// DefaultWriteTimeout, to keep the test short) dropping the client that
// does not read.
func TestBroadcastServerOneNonReaderDoesNotStallTheRest(t *testing.T) {
	broadcast(t, func(int) *chassis.Subscriber[[]byte] { return chassis.SubscribeTo[[]byte]("BROADCAST") },
		internet.WithWriteTimeout(300*time.Millisecond))
}

// TestBroadcastServerDisconnectClosesTheConnection: the Disconnect policy
// (the non-reader's; the readers' is Block) drops the non-reader's
// subscriber, and that closes its TCP connection at once, with no write
// timeout at all.
func TestBroadcastServerDisconnectClosesTheConnection(t *testing.T) {
	broadcast(t, func(n int) *chassis.Subscriber[[]byte] {
		if n == 0 {
			return chassis.SubscribeTo[[]byte]("BROADCAST", chassis.WithDisconnect())
		}
		return chassis.SubscribeTo[[]byte]("BROADCAST")
	}, internet.WithWriteTimeout(0))
}
