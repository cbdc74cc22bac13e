package internet_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/require"
)

// TestMain fails the package if a goroutine outlives the tests: every
// component must have ended and every socket goroutine exited.
func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// get takes the next message on box, failing the test if there is none.
func get(t testing.TB, ctx context.Context, h *axon.Handle, box string) any {
	t.Helper()
	v, err := h.Get(ctx, box)
	require.NoError(t, err, "getting from %s", box)
	return v
}

// readBytes collects chunks from h's outbox until n bytes have come.
func readBytes(t testing.TB, ctx context.Context, h *axon.Handle, n int) []byte {
	t.Helper()
	var got []byte
	for len(got) < n {
		got = append(got, get(t, ctx, h, "outbox").([]byte)...)
	}
	return got
}

// rest collects everything h's component sends on outbox until it ends.
func rest(t testing.TB, ctx context.Context, h *axon.Handle) []byte {
	t.Helper()
	var got []byte
	for {
		v, err := h.Get(ctx, "outbox")
		if errors.Is(err, axon.ErrFinished) {
			return got
		}
		require.NoError(t, err)
		got = append(got, v.([]byte)...)
	}
}

// reason returns the *SocketShutdown a ProducerFinished on signal carries.
func reason(t testing.TB, sig any) *internet.SocketShutdown {
	t.Helper()
	pf, ok := sig.(axon.ProducerFinished)
	require.True(t, ok, "signal is %T (%v), want ProducerFinished", sig, sig)
	var ss *internet.SocketShutdown
	require.ErrorAs(t, pf.Reason, &ss)
	return ss
}

// readAll reads from nc until end of stream or error, in a goroutine, and
// hands over what it read.
func readAll(nc net.Conn) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		var got []byte
		buf := make([]byte, 4096)
		for {
			n, err := nc.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				ch <- got
				return
			}
		}
	}()
	return ch
}

func recvBytes(t testing.TB, ctx context.Context, ch <-chan []byte) []byte {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-ctx.Done():
		t.Fatalf("reader did not finish: %v", ctx.Err())
		return nil
	}
}

// advance moves a synctest bubble's fake clock on by d: the calling
// goroutine waits on a timer, which fires once every goroutine in the
// bubble is blocked and the clock has been moved to it. No real time
// passes. Only for use inside synctest.Test.
func advance(d time.Duration) {
	<-time.NewTimer(d).C
}

// dial connects to addr over TCP with a plain net.Conn whose reads and
// writes fail after safety: a test that waits on it for something that
// never comes fails instead of hanging. It is closed when the test ends.
func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety)))
	t.Cleanup(func() { nc.Close() })
	return nc
}
