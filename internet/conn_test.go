package internet_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Conn tests run on net.Pipe inside a synctest bubble, where the clock
// moves only when every goroutine is blocked: timeouts are checked to the
// nanosecond and nothing sleeps.

func TestConnRoundTripOnPipe(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		conn := internet.NewConn(a)
		h := axontest.NewHandle(t, axontest.NewScheduler(t), conn)

		require.NoError(t, h.Put(ctx, "inbox", []byte("hello ")))
		require.NoError(t, h.Put(ctx, "inbox", []byte("world")))
		buf := make([]byte, 11)
		_, err := io.ReadFull(b, buf)
		require.NoError(t, err)
		assert.Equal(t, "hello world", string(buf))

		go b.Write([]byte("from the peer"))
		assert.Equal(t, "from the peer", string(readBytes(t, ctx, h, 13)))

		require.NoError(t, b.Close())
		sig := get(t, ctx, h, "signal")
		ss := reason(t, sig)
		assert.ErrorIs(t, ss, internet.ErrPeerClosed)
		require.NoError(t, h.Wait(ctx)) // the signal is the reader's: Main may still be counting
		st := conn.Stats()
		assert.Equal(t, internet.ConnStats{BytesRead: 13, BytesWritten: 11}, st)
	})
}

func TestConnPeerCloseDeliversEverythingBeforeTheSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(a, internet.WithReadSize(3)))
		want := []byte("0123456789abcdef")
		go func() {
			b.Write(want)
			b.Close()
		}()
		got := rest(t, ctx, h) // ends only once the component has finished
		assert.Equal(t, want, got)
		assert.ErrorIs(t, reason(t, get(t, ctx, h, "signal")), internet.ErrPeerClosed)
	})
}

func TestConnReadSizeBoundsChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(a, internet.WithReadSize(4)))
		go b.Write([]byte("abcdefghij"))
		for _, want := range []string{"abcd", "efgh", "ij"} {
			assert.Equal(t, want, string(get(t, ctx, h, "outbox").([]byte)))
		}
		b.Close()
	})
}

func TestConnProducerFinishedWritesWhatIsQueuedThenCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(a))
		var want []byte
		for i := range 20 { // net.Pipe is unbuffered: these wait in the inbox
			chunk := bytes.Repeat([]byte{byte('a' + i)}, 100)
			want = append(want, chunk...)
			require.NoError(t, h.Put(ctx, "inbox", chunk))
		}
		require.NoError(t, h.Finish(ctx))
		got := recvBytes(t, ctx, readAll(b))
		assert.Equal(t, want, got, "every queued byte, then end of stream")
		assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h, "signal"))
	})
}

func TestConnShutdownUnblocksAReadAndAWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		conn := internet.NewConn(a)
		h := axontest.NewHandle(t, axontest.NewScheduler(t), conn)
		// The peer never reads: the write blocks; the read blocks too.
		require.NoError(t, h.Put(ctx, "inbox", []byte("stuck")))
		synctest.Wait()
		require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
		assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
		require.NoError(t, h.Wait(ctx))
		_, err := b.Write([]byte("x"))
		assert.ErrorIs(t, err, io.ErrClosedPipe, "the socket is closed")
	})
}

func TestConnIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		defer b.Close()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(a, internet.WithIdleTimeout(5*time.Second)))
		start := time.Now()
		go io.Copy(io.Discard, b)

		// Activity at 3s (a write) and at 6s (a read) pushes the end back
		// to 11s.
		advance(3 * time.Second)
		require.NoError(t, h.Put(ctx, "inbox", []byte("ping")))
		synctest.Wait()
		advance(3 * time.Second)
		go b.Write([]byte("pong"))
		assert.Equal(t, "pong", string(get(t, ctx, h, "outbox").([]byte)))

		ss := reason(t, get(t, ctx, h, "signal"))
		assert.ErrorIs(t, ss, internet.ErrIdleTimeout)
		assert.Equal(t, 11*time.Second, time.Since(start))
	})
}

func TestConnSlowConsumerIsDisconnected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe() // b never reads: every write blocks
		defer b.Close()
		conn := internet.NewConn(a, internet.WithWriteTimeout(2*time.Second))
		h := axontest.NewHandle(t, axontest.NewScheduler(t), conn)
		start := time.Now()
		require.NoError(t, h.Put(ctx, "inbox", []byte("first")))
		require.NoError(t, h.Put(ctx, "inbox", []byte("second")))
		ss := reason(t, get(t, ctx, h, "signal"))
		assert.ErrorIs(t, ss, internet.ErrSlowConsumer)
		assert.Equal(t, 2*time.Second, time.Since(start))
		require.NoError(t, h.Wait(ctx))
		assert.Equal(t, uint64(len("first")+len("second")), conn.Stats().Unsent)
	})
}

func TestConnFailureOnControlClosesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		h := axontest.NewHandle(t, axontest.NewScheduler(t), internet.NewConn(a))
		bad := errors.New("frame too large")
		require.NoError(t, h.Put(ctx, "control", &axon.Failure{Component: "proto", Err: bad}))
		ss := reason(t, get(t, ctx, h, "signal"))
		assert.ErrorIs(t, ss, internet.ErrProtocolFailed)
		assert.ErrorIs(t, ss, bad)
		assert.Empty(t, recvBytes(t, ctx, readAll(b)), "the peer sees the end of the stream")
	})
}

// A consumer that does not take what was read stops the reading, so the
// peer's writes wait (TCP's flow control does this on a real socket) but
// the connection goes on writing what it is given.
func TestConnSlowReaderStopsReadingButNotWriting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := axontest.Context(t)
		a, b := net.Pipe()
		s := axontest.NewScheduler(t)
		conn := internet.NewConn(a, internet.WithReadSize(1))
		consumer := &sink{}
		in := axon.NewInbox[[]byte](consumer, "inbox")
		in.SetCapacity(1)
		axon.MustLink(conn.Out, in)
		h := axontest.NewHandle(t, s, conn)

		wrote := make(chan int, 1)
		go func() {
			n, _ := b.Write([]byte("abcde"))
			wrote <- n
		}()
		// One byte waits in the consumer's inbox, one in the connection's
		// hand, one in the hand-over from its reading goroutine (a
		// net.Pipe has no poller) and one in that goroutine's: the fifth
		// is not read.
		synctest.Wait()
		select {
		case n := <-wrote:
			t.Fatalf("the peer's write of 5 bytes completed (%d) with nobody taking them", n)
		default:
		}
		require.NoError(t, h.Put(ctx, "inbox", []byte("still writing")))
		got := make([]byte, 13)
		_, err := io.ReadFull(b, got)
		require.NoError(t, err)
		assert.Equal(t, "still writing", string(got))

		// Now the consumer takes them, and the write completes.
		s.Activate(consumer)
		assert.Equal(t, 5, <-wrote)
		b.Close()
		get(t, ctx, h, "signal")
	})
}

// sink takes every []byte on its inbox and drops it.
type sink struct{ axon.Core }

func (s *sink) Main(ctx context.Context) error {
	in := axon.NewInbox[[]byte](s, "inbox")
	for range in.Messages(ctx) {
	}
	return ctx.Err()
}

func TestConnCloseBeforeActivationClosesTheSocket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		conn := internet.NewConn(a)
		require.NoError(t, conn.Close())
		_, err := b.Write([]byte("x"))
		assert.ErrorIs(t, err, io.ErrClosedPipe)
	})
}
