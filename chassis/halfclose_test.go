package chassis_test

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strings"
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

// TestServerRepliesToHalfClosingClients has 200 clients at once each send
// a line and half-close: each gets its echo and the protocol's last words,
// which it says only once told the client has finished.
func TestServerRepliesToHalfClosingClients(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)

	const clients = 200
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			msg := fmt.Sprintf("client %d\n", c)
			got, err := axontest.HalfClose(srv.Addr().String(), msg)
			if assert.NoError(t, err, "client %d", c) {
				assert.Equal(t, msg+fmt.Sprintf("bye %d", len(msg)), string(got), "client %d", c)
			}
		})
	}
	wg.Wait()
}

// TestServerCanCloseOnPeerHalfClose: with WithCloseOnPeerHalfClose the
// connection closes as soon as the client half-closes, as Kamaelia's did,
// without waiting for the protocol: a stubborn one, which does not end
// when told the client has finished, does not keep it open.
func TestServerCanCloseOnPeerHalfClose(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0", internet.WithCloseOnPeerHalfClose())
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	roundTrip(t, nc, "S stubborn")
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	closedByServer(t, nc)
}

// TestServerWaitsForTheProtocolAfterAHalfClose is the default's other
// side: a stubborn protocol keeps the half-closed connection open (it may
// still reply) until it ends.
func TestServerWaitsForTheProtocolAfterAHalfClose(t *testing.T) {
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, srv)
	nc := dialTCP(t, srv.Addr())
	roundTrip(t, nc, "S stubborn")
	require.NoError(t, nc.(*net.TCPConn).CloseWrite())
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	_, err = nc.Read(make([]byte, 1))
	var ne net.Error
	require.ErrorAs(t, err, &ne, "the connection was closed")
	assert.True(t, ne.Timeout())
	put(t, h, "control", axon.Shutdown{})
}

// TestServerRepliesToNetcat runs the real `nc -N` (netcat-openbsd), which
// half-closes when its input ends, against an echo server.
func TestServerRepliesToNetcat(t *testing.T) {
	ncPath, err := exec.LookPath("nc")
	if err != nil {
		t.Skip("nc is not installed (netcat-openbsd: make setup)")
	}
	s := axontest.NewScheduler(t)
	srv, err := chassis.SimpleServer(newFarewell, "127.0.0.1:0")
	require.NoError(t, err)
	axontest.NewHandle(t, s, srv)
	ap := srv.AddrPort()
	for i := range 20 {
		ctx := axontest.Context(t)
		cmd := exec.CommandContext(ctx, ncPath, "-N", ap.Addr().String(), fmt.Sprint(ap.Port()))
		cmd.Stdin = strings.NewReader("hello\n")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		require.NoError(t, cmd.Run(), "nc %d: %s", i, errOut.String())
		assert.Equal(t, "hello\nbye 6", out.String(), "nc %d", i)
	}
}
