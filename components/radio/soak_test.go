package radio_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/components/radio"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soakRounds is how many clients a soak test serves one after another,
// and after how many it takes its baseline.
const soakRounds, soakBase = 3000, 300

// runOn runs c on a scheduler of its own for one test, ending it when the
// test ends, and returns the scheduler.
func runOn(t *testing.T, c axon.Component) *axon.Scheduler {
	t.Helper()
	s := axon.NewScheduler()
	h, err := axon.NewHandle(s, c)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Close()
		_ = h.Wait(ctx)
	})
	return s
}

// askOnce connects to addr, sends line, half-closes, and returns all the
// server sent until it closed the connection.
func askOnce(t *testing.T, addr net.Addr, line string) string {
	t.Helper()
	all, err := axontest.HalfClose(addr.String(), line)
	require.NoError(t, err)
	return string(all)
}

// trickle sends line to c a byte at a time and returns the reply line.
func trickle(t *testing.T, addr net.Addr, line string) string {
	t.Helper()
	nc, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	defer nc.Close()
	for i := range len(line) {
		_, err := nc.Write([]byte{line[i]})
		require.NoError(t, err)
	}
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(10*time.Second)))
	reply, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	return reply
}

// Thousands of control clients one after another, each asking one QUERY:
// the Matrix holds on to nothing of those that have gone. One that
// trickles its command is answered as one that sent it whole.
func TestMatrixControlFreesFinishedClients(t *testing.T) {
	m, err := radio.NewMatrix(radio.MatrixConfig{Sources: [radio.NumSources]string{loop, loop, loop}, Control: loop, Listen: loop})
	require.NoError(t, err)
	s := runOn(t, m)
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			base = axontest.Measure(s)
		}
		require.Equal(t, "ON ON ON\n", askOnce(t, m.ControlAddr(), "QUERY x ALL\n"), "client %d", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d control clients", soakRounds), s, base)
	assert.Equal(t, "OK\n", trickle(t, m.ControlAddr(), "SWITCH x DJ1 OFF\r\n"))
	assert.False(t, m.Desk().On(radio.DJ1))
}

// Thousands of listeners one after another, each subscribed to the mix
// and leaving: the Matrix holds on to nothing of those that have gone. A
// listener that half-closes is let go, its stream ended.
func TestMatrixListenersFreed(t *testing.T) {
	m, err := radio.NewMatrix(radio.MatrixConfig{Sources: [radio.NumSources]string{loop, loop, loop}, Control: loop, Listen: loop})
	require.NoError(t, err)
	s := runOn(t, m)
	ctx := t.Context()
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			base = axontest.Measure(s)
		}
		nc, err := net.Dial("tcp", m.ListenAddr().String())
		require.NoError(t, err)
		require.NoError(t, m.WaitListeners(ctx, 1), "listener %d", i)
		require.NoError(t, nc.Close())
		require.Eventually(t, func() bool { return m.Listeners() == 0 }, 10*time.Second, 100*time.Microsecond,
			"listener %d never left", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d listeners", soakRounds), s, base)

	// A listener that half-closes has said it is finished, as any client
	// of a chassis server: its subscription is told ProducerFinished and
	// ends, and its stream ends cleanly rather than hanging.
	half, err := net.Dial("tcp", m.ListenAddr().String())
	require.NoError(t, err)
	defer half.Close()
	require.NoError(t, half.(*net.TCPConn).CloseWrite())
	require.NoError(t, half.SetReadDeadline(time.Now().Add(axontest.Safety)))
	_, err = io.Copy(io.Discard, half)
	require.NoError(t, err, "the half-closed listener's stream ends")
	require.Eventually(t, func() bool { return m.Listeners() == 0 }, 10*time.Second, 100*time.Microsecond)
}

// Thousands of peers ask a swarm node to join, one after another, each
// with its own address: the node takes MaxChildren of them as children
// and sends the rest on to those; what it keeps is bounded by
// MaxChildren, and it holds on to nothing of the connections that have
// gone. The join protocol does not say when a child leaves (its data
// connection is not tied to its control address), so a node does not
// forget the children it took; Join passes over those that have left.
// A peer that trickles its request is answered as one that sent it whole.
func TestSwarmControlFreesFinishedClients(t *testing.T) {
	n, err := radio.NewSwarmNode(radio.SwarmConfig{Control: loop, Data: loop, MaxChildren: 4})
	require.NoError(t, err)
	s := runOn(t, n)
	<-n.Joined()
	var base axontest.Footprint
	for i := range soakRounds {
		if i == soakBase {
			base = axontest.Measure(s)
		}
		reply := askOnce(t, n.ControlAddr(), fmt.Sprintf("REQCONNECT 10.0.%d.%d:7000\n", i/250, i%250))
		if i < 4 {
			require.Equal(t, fmt.Sprintf("CONNECT %d\n", n.DataAddr().(*net.TCPAddr).Port), reply, "peer %d", i)
		} else {
			require.Equal(t, fmt.Sprintf("REQCONNECT 10.0.0.%d:7000\n", i%4), reply, "peer %d", i)
		}
	}
	axontest.SettleBack(t, fmt.Sprintf("%d peers asking", soakRounds), s, base)
	assert.Len(t, n.Peers(), 4, "the children kept are bounded by MaxChildren")
	assert.True(t, strings.HasPrefix(trickle(t, n.ControlAddr(), "REQCONNECT 10.1.0.1:7000\r\n"), "REQCONNECT 10.0.0."))
}

// stuckClient connects to addr with a small receive buffer and sends
// line over and over, never reading the answers, until the server gives
// it up: it returns a channel that is sent the write's error then.
func stuckClient(t *testing.T, addr net.Addr, line string) (net.Conn, <-chan error) {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	nc, err := d.DialContext(t.Context(), "tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	block := []byte(strings.Repeat(line, 1000))
	gone := make(chan error, 1)
	go func() {
		for {
			if _, err := nc.Write(block); err != nil {
				gone <- err
				return
			}
		}
	}()
	return nc, gone
}

// A control client that sends commands and never reads the answers is
// closed after the write timeout; the others are answered meanwhile.
func TestMatrixControlClientThatStopsReading(t *testing.T) {
	m, err := radio.NewMatrix(radio.MatrixConfig{Sources: [radio.NumSources]string{loop, loop, loop}, Control: loop, Listen: loop,
		ServerOptions: []internet.ServerOption{internet.WithWriteTimeout(200 * time.Millisecond)}})
	require.NoError(t, err)
	runOn(t, m)
	_, gone := stuckClient(t, m.ControlAddr(), "QUERY x ALL\n")
	answered := 0
	timeout := time.After(30 * time.Second)
	for {
		select {
		case err := <-gone:
			t.Logf("the client that stopped reading was closed (%v); %d others answered meanwhile", err, answered)
			assert.Equal(t, "ON ON ON\n", askOnce(t, m.ControlAddr(), "QUERY x ALL\n"))
			return
		case <-timeout:
			t.Fatal("the client that stopped reading was never closed")
		default:
			require.Equal(t, "ON ON ON\n", askOnce(t, m.ControlAddr(), "QUERY x ALL\n"))
			answered++
		}
	}
}

// A peer that asks to join over and over and never reads the answers is
// closed after the write timeout; the others are answered meanwhile.
func TestSwarmControlClientThatStopsReading(t *testing.T) {
	n, err := radio.NewSwarmNode(radio.SwarmConfig{Control: loop, Data: loop, MaxChildren: 1,
		ServerOptions: []internet.ServerOption{internet.WithWriteTimeout(200 * time.Millisecond)}})
	require.NoError(t, err)
	runOn(t, n)
	require.True(t, strings.HasPrefix(askOnce(t, n.ControlAddr(), "REQCONNECT 10.0.0.1:7000\n"), "CONNECT "))
	_, gone := stuckClient(t, n.ControlAddr(), "REQCONNECT 10.0.0.1:7000\n")
	answered := 0
	timeout := time.After(30 * time.Second)
	for {
		select {
		case err := <-gone:
			t.Logf("the client that stopped reading was closed (%v); %d others answered meanwhile", err, answered)
			assert.Equal(t, "REQCONNECT 10.0.0.1:7000\n", askOnce(t, n.ControlAddr(), "REQCONNECT 10.0.0.2:7000\n"))
			return
		case <-timeout:
			t.Fatal("the client that stopped reading was never closed")
		default:
			require.Equal(t, "REQCONNECT 10.0.0.1:7000\n", askOnce(t, n.ControlAddr(), "REQCONNECT 10.0.0.2:7000\n"))
			answered++
		}
	}
}
