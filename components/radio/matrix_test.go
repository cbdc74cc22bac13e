package radio_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/radio"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/require"
)

const loop = "127.0.0.1:0"

// startMatrix runs a Matrix on loopback ports for one test, and ends it
// gracefully when the test ends, checking that it ends cleanly.
func startMatrix(t *testing.T, cfg radio.MatrixConfig) (*radio.Matrix, *axon.Handle) {
	t.Helper()
	cfg.Sources = [radio.NumSources]string{loop, loop, loop}
	cfg.Control, cfg.Listen = loop, loop
	m, err := radio.NewMatrix(cfg)
	require.NoError(t, err)
	h, err := axon.NewHandle(axon.NewScheduler(), m)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		select {
		case <-h.Done():
		default:
			require.NoError(t, h.Finish(ctx))
		}
		require.NoError(t, h.Wait(ctx))
	})
	return m, h
}

func dial(t *testing.T, addr net.Addr) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// control is a connection to a matrix's control port.
type control struct {
	c net.Conn
	r *bufio.Reader
}

func dialControl(t *testing.T, m *radio.Matrix) *control {
	c := dial(t, m.ControlAddr())
	return &control{c: c, r: newReader(c)}
}

// ask sends line and returns the reply line, its newline included.
func (c *control) ask(t *testing.T, line string) string {
	t.Helper()
	_, err := io.WriteString(c.c, line)
	require.NoError(t, err)
	require.NoError(t, c.c.SetReadDeadline(time.Now().Add(10*time.Second)))
	reply, err := c.r.ReadString('\n')
	require.NoError(t, err)
	return reply
}

// pcm returns n samples of the constant v, S16LE.
func pcm(v int16, n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

func TestControlProtocolRepliesExactly(t *testing.T) {
	m, _ := startMatrix(t, radio.MatrixConfig{})
	c := dialControl(t, m)
	for _, step := range []struct{ send, want string }{
		{"QUERY x ALL\n", "ON ON ON\n"},
		{"SWITCH x PRERECORD OFF\n", "OK\n"},
		{"QUERY x ALL\n", "ON ON OFF\n"},
		{"SWITCH x\n", "FAIL\n"},
		{"QUERY x PRERECORD\n", "OFF\n"},
		{"query mix DJ1\r\n", "ON\n"}, // the command word is upper-cased, CRLF taken
		{"QUERY x dj1\n", "FAIL\n"},   // the others are compared as given
		{"SWITCH x DJ2 ONLY\n", "OK\n"},
		{"QUERY x ALL\n", "OFF ON OFF\n"},
		{"SWITCH x DJ1 ON\n", "OK\n"},
		{"QUERY x ALL\n", "ON ON OFF\n"},
		{"SWITCH x ALL OFF\n", "OK\n"},
		{"QUERY x ALL\n", "OFF OFF OFF\n"},
		{"SWITCH x ALL ON\n", "OK\n"},
		{"QUERY x ALL\n", "ON ON ON\n"},
		{"SWITCH x DJ1 MAYBE\n", "FAIL\n"},
		{"SWITCH x DJ3 ON\n", "FAIL\n"},
		{"QUERY x\n", "FAIL\n"},
		{"QUERY x DJ1 DJ2\n", "FAIL\n"},
		{"HELLO\n", "FAIL\n"},
		{"\n", "FAIL\n"},
		{"GAIN x DJ1 0.5\n", "OK\n"},
		{"GAIN x DJ1 loud\n", "FAIL\n"},
		{"GAIN x DJ1 -1\n", "FAIL\n"},
	} {
		require.Equal(t, step.want, c.ask(t, step.send), "after %q", step.send)
	}
	require.Equal(t, 0.5, m.Desk().Gain(radio.DJ1))

	// Two commands in one write, and one split over two writes.
	_, err := io.WriteString(c.c, "SWITCH x DJ1 OFF\nQUERY x DJ")
	require.NoError(t, err)
	require.Equal(t, "OK\n", c.ask(t, "1\n"))
	line, err := c.r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "OFF\n", line)

	// A line too long is answered FAIL, and the next is read as usual.
	require.Equal(t, "FAIL\n", c.ask(t, string(bytes.Repeat([]byte("A"), 5000))+"\n"))
	require.Equal(t, "OFF\n", c.ask(t, "QUERY x DJ1\n"))

	// A last command with no newline is answered when the client half-closes.
	c2 := dialControl(t, m)
	_, err = io.WriteString(c2.c, "QUERY x DJ2")
	require.NoError(t, err)
	require.NoError(t, c2.c.(*net.TCPConn).CloseWrite())
	rest, err := io.ReadAll(c2.r)
	require.NoError(t, err)
	require.Equal(t, "ON\n", string(rest))
}

// readN reads exactly n bytes from c.
func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(20*time.Second)))
	b := make([]byte, n)
	_, err := io.ReadFull(c, b)
	require.NoError(t, err)
	return b
}

// connectAll connects a listener, once it is subscribed, and the three
// feeds; send sends samples of one constant value on each feed.
func connectAll(t *testing.T, ctx context.Context, m *radio.Matrix, samples int) (listener net.Conn, send func([radio.NumSources]int16)) {
	t.Helper()
	listener = dial(t, m.ListenAddr())
	require.NoError(t, m.WaitListeners(ctx, 1))
	feeds := [radio.NumSources]net.Conn{}
	for i := range feeds {
		feeds[i] = dial(t, m.SourceAddr(i))
	}
	return listener, func(vals [radio.NumSources]int16) {
		for i, v := range vals {
			_, err := feeds[i].Write(pcm(v, samples))
			require.NoError(t, err)
		}
	}
}

func TestMatrixDivideByThreeOutputBytes(t *testing.T) {
	m, _ := startMatrix(t, radio.MatrixConfig{Mode: radio.DivideByThree})
	ctx := t.Context()
	// Four chunks each, fewer than the latency: the mixer waits for all
	// three, so the pieces are lined up whatever order they arrive in.
	const samples = 4 * radio.DefaultChunk / 2
	listener, send := connectAll(t, ctx, m, samples)
	send([radio.NumSources]int16{300, 900, 0}) // the music is silent
	requireSameBytes(t, pcm(400, samples), readN(t, listener, 2*samples), "the mix")

	c := dialControl(t, m)
	require.Equal(t, "OK\n", c.ask(t, "SWITCH x DJ1 ONLY\n"))
	send([radio.NumSources]int16{300, 900, 0})
	requireSameBytes(t, pcm(100, samples), readN(t, listener, 2*samples), "the mix")
	// (What DJ2 and the music sent may still be on its way, to be dropped
	// as it comes: switching them on again here would race with it.
	// TestMixDivideByThreeRoundsDown checks the rounding.)
}

func TestMatrixSaturatesWithGains(t *testing.T) {
	m, _ := startMatrix(t, radio.MatrixConfig{})
	ctx := t.Context()
	const samples = 2 * radio.DefaultChunk / 2
	listener, send := connectAll(t, ctx, m, samples)
	send([radio.NumSources]int16{30000, 10000, 0})
	requireSameBytes(t, pcm(32767, samples), readN(t, listener, 2*samples), "the sum clips")
	send([radio.NumSources]int16{-30000, -10000, 0})
	requireSameBytes(t, pcm(-32768, samples), readN(t, listener, 2*samples), "the sum clips")
	require.Equal(t, uint64(2*samples), m.Mixer().Stats().Clipped)

	c := dialControl(t, m)
	require.Equal(t, "OK\n", c.ask(t, "GAIN x DJ1 0.5\n"))
	send([radio.NumSources]int16{30000, 10000, 0})
	requireSameBytes(t, pcm(25000, samples), readN(t, listener, 2*samples), "the mix")
}

func TestMatrixRefusesASecondFeedOfOneSource(t *testing.T) {
	m, _ := startMatrix(t, radio.MatrixConfig{})
	ctx := t.Context()
	require.NoError(t, m.Desk().Only(radio.DJ2))
	listener := dial(t, m.ListenAddr())
	require.NoError(t, m.WaitListeners(ctx, 1))
	first := dial(t, m.SourceAddr(radio.DJ2))
	_, err := first.Write(pcm(7, radio.DefaultChunk/2))
	require.NoError(t, err)
	requireSameBytes(t, pcm(7, radio.DefaultChunk/2), readN(t, listener, radio.DefaultChunk), "the mix")
	// The first feed is connected: a second is closed at once.
	second := dial(t, m.SourceAddr(radio.DJ2))
	require.NoError(t, second.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = second.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF)
}

func TestMatrixSlowListenerDoesNotStallOthers(t *testing.T) {
	m, _ := startMatrix(t, radio.MatrixConfig{
		// A queue of 2 s of sound, so that the listener that reads rides
		// out the hiccups of a busy machine at the rate below.
		ListenerQueue: 100,
		ServerOptions: []internet.ServerOption{internet.WithWriteTimeout(300 * time.Millisecond)},
	})
	ctx := t.Context()
	require.NoError(t, m.Desk().Only(radio.DJ1))
	// It never reads, and its socket takes little.
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	slow, err := d.DialContext(ctx, "tcp", m.ListenAddr().String())
	require.NoError(t, err)
	defer slow.Close()
	fast := dial(t, m.ListenAddr())
	require.NoError(t, m.WaitListeners(ctx, 2))
	feed := dial(t, m.SourceAddr(radio.DJ1))

	// Far more than the slow listener's socket buffers and queue hold,
	// sent at 2 MB/s (10 times the sound's real rate) in pieces of four
	// chunks, which the listener that reads keeps up with.
	const total, piece, rate = 1600 * radio.DefaultChunk, 4 * radio.DefaultChunk, 2 << 20
	want := make([]byte, total)
	for i := range want {
		want[i] = byte(i*7 + i/251)
	}
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, total)
		_ = fast.SetReadDeadline(time.Now().Add(60 * time.Second))
		n, _ := io.ReadFull(fast, b)
		got <- b[:n]
	}()
	tick := time.NewTicker(time.Second / (rate / piece))
	defer tick.Stop()
	for off := 0; off < total; off += piece {
		<-tick.C
		_, err := feed.Write(want[off:min(off+piece, total)])
		require.NoError(t, err)
	}
	requireSameBytes(t, want, <-got, "the listener that reads hears all of the mix")
	// The one that did not read lost chunks of its own queue, or was
	// closed as a slow consumer: either way, the others went on.
	st := m.Backplane().Stats()
	dropped := uint64(0)
	for _, s := range st.Subscribers {
		dropped += s.Dropped
	}
	require.True(t, dropped > 0 || m.Listeners() < 2, "slow listener neither dropped nor closed: %+v", st)
}

// requireSameBytes fails when got is not want, saying where they part
// (without printing megabytes).
func requireSameBytes(t *testing.T, want, got []byte, what string) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	t.Fatalf("%s: got %d bytes, want %d; they differ from byte %d: got % x, want % x", what, len(got), len(want), i,
		got[i:min(i+8, len(got))], want[i:min(i+8, len(want))])
}

func newReader(c net.Conn) *bufio.Reader { return bufio.NewReader(c) }

// startMatrixB runs m for a benchmark; the caller closes the Handle.
func startMatrixB(b *testing.B, m *radio.Matrix) (*radio.Matrix, *axon.Handle) {
	h, err := axon.NewHandle(axon.NewScheduler(), m)
	require.NoError(b, err)
	return m, h
}
