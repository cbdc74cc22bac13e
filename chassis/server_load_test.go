package chassis_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// farewell echoes what it is sent and, when told ProducerFinished, says
// "bye N" (N: the bytes it echoed) and ends. Once it has been sent an "S"
// it is stubborn: ProducerFinished does not end it (Shutdown does).
type farewell struct {
	axon.Core
	in       *axon.Inbox[[]byte]
	out      *axon.Outbox[[]byte]
	stubborn bool
	n        int
}

func newFarewell() axon.Component {
	f := &farewell{}
	f.in = axon.NewInbox[[]byte](f, "inbox")
	f.out = axon.NewOutbox[[]byte](f, "outbox")
	return f
}

func (f *farewell) Main(ctx context.Context) error {
	for {
		// Asked before the inbox is drained, so that what came before the
		// end is counted (see axon's Core.Finishing).
		told := f.TakeControl(nil).Finishing
		for {
			b, ok := f.in.TryRecv()
			if !ok {
				break
			}
			for _, c := range b {
				if c == 'S' {
					f.stubborn = true
				}
			}
			f.n += len(b)
			if err := f.out.Send(ctx, b); err != nil {
				return ctx.Err()
			}
		}
		if told && !f.stubborn {
			return f.out.Send(ctx, fmt.Appendf(nil, "bye %d", f.n))
		}
		if err := f.Wait(ctx); err != nil {
			return ctx.Err()
		}
	}
}

func TestServerDrainFinishesInTimeAndCutsTheRest(t *testing.T) {
	const grace = 200 * time.Millisecond // the behaviour under test
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)

	polite := dialTCP(t, srv.Addr())
	roundTrip(t, polite, "hello")
	stubborn := dialTCP(t, srv.Addr())
	roundTrip(t, stubborn, "S hold on")

	start := time.Now()
	put(t, h, "control", chassis.Drain{Grace: grace})

	// The polite client's protocol finishes: its last words arrive, then
	// the end of the stream.
	rest, err := io.ReadAll(polite)
	require.NoError(t, err)
	assert.Equal(t, "bye 5", string(rest))

	// The stubborn one is cut at the deadline, not before.
	closedByServer(t, stubborn)
	assert.GreaterOrEqual(t, time.Since(start), grace, "cut before the deadline")

	// The listener is closed, and the Server ends cleanly.
	sig := get(t, h, "signal")
	assert.Equal(t, axon.ProducerFinished{}, sig)
	_, err = net.Dial("tcp", srv.Addr().String())
	require.Error(t, err, "the listener is still open")
	assert.Zero(t, srv.Stats().Connections)
}

func TestServerDrainWithNoConnectionsEndsAtOnce(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	put(t, h, "control", chassis.Drain{Grace: time.Hour})
	assert.Equal(t, axon.ProducerFinished{}, get(t, h, "signal"))
}

// loadSize is the load test's size: the full 1,000 x 1,000 with
// KAMAELIA_LOAD=1, else small enough for `make test`.
func loadSize() (clients, messages int) {
	if os.Getenv("KAMAELIA_LOAD") == "1" {
		return 1000, 1000
	}
	return 50, 100
}

// TestSimpleServerLoad has many clients each send many messages through an
// echo SimpleServer at once, and accounts for every byte: each client's
// SHA-256 of what it sent must equal that of what came back.
func TestSimpleServerLoad(t *testing.T) {
	clients, messages := loadSize()
	s := axontest.NewScheduler(t)
	// The clients half-close when they have sent everything: the echo of
	// the rest still reaches them.
	srv, err := chassis.SimpleServer(echo, "127.0.0.1:0", internet.WithPeerHalfClose())
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)

	var total atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			if err := loadClient(srv.Addr(), c, messages, &total); err != nil {
				t.Errorf("client %d: %v", c, err)
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("%d clients x %d messages: %d bytes each way in %v (%.1f MB/s each way, %.0f messages/s)",
		clients, messages, total.Load(), took,
		float64(total.Load())/took.Seconds()/1e6, float64(clients*messages)/took.Seconds())
}

// loadClient sends messages of varying size (each names the client and
// its number), reading the echo concurrently, and compares checksums.
func loadClient(addr net.Addr, id, messages int, total *atomic.Int64) error {
	nc, err := net.Dial("tcp", addr.String())
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(axontest.Safety)); err != nil { // a net, not a wait
		return err
	}
	sent := sha256.New()
	var n int64
	werr := make(chan error, 1)
	go func() {
		buf := make([]byte, 0, 512)
		for i := range messages {
			buf = binary.BigEndian.AppendUint32(buf[:0], uint32(id))
			buf = binary.BigEndian.AppendUint32(buf, uint32(i))
			for j := range (id*7 + i*13) % 300 {
				buf = append(buf, byte(id+i+j))
			}
			sent.Write(buf)
			n += int64(len(buf))
			if _, err := nc.Write(buf); err != nil {
				werr <- err
				return
			}
		}
		werr <- nc.(*net.TCPConn).CloseWrite()
	}()
	got := sha256.New()
	m, rerr := io.Copy(got, nc) // to the server's end of stream
	if err := <-werr; err != nil {
		return err
	}
	if rerr != nil {
		return rerr
	}
	if m != n {
		return fmt.Errorf("sent %d bytes, %d came back", n, m)
	}
	if string(sent.Sum(nil)) != string(got.Sum(nil)) {
		return errors.New("the echo differs from what was sent")
	}
	total.Add(n)
	return nil
}
