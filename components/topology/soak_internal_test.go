package topology

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func soakGraph() *Graph { return NewGraph(SimpleLaws(100), 800, 600, 1) }

// ask sends one command, half-closes, and returns every line the server
// sent until it hung up: the server deletes a client before it closes the
// connection, so when this returns the client is gone from Clients.
func ask(t *testing.T, addr, cmd string) []string {
	t.Helper()
	all, err := axontest.HalfClose(addr, cmd)
	require.NoError(t, err)
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(all))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// Thousands of clients one after another, each asking GET ALL and
// leaving: the server holds on to nothing of those that have gone.
func TestServerFreesFinishedClients(t *testing.T) {
	const total, baseAt = 3000, 300
	srv, err := Listen("127.0.0.1:0", soakGraph())
	require.NoError(t, err)
	defer srv.Close()
	addr := srv.Addr().String()
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = axontest.Measure(nil)
		}
		require.Equal(t, []string{"TOPOLOGY 1", "DEL ALL"}, ask(t, addr, "GET ALL\n"), "client %d", i)
	}
	assert.Zero(t, srv.Clients())
	axontest.AssertBack(t, fmt.Sprintf("%d clients", total), base, axontest.Measure(nil))
}

// A client that half-closes after its command is still answered; one
// that trickles its command a byte at a time is answered as if it had
// sent it whole.
func TestServerHalfCloseAndTrickle(t *testing.T) {
	srv, err := Listen("127.0.0.1:0", soakGraph())
	require.NoError(t, err)
	defer srv.Close()
	addr := srv.Addr().String()
	assert.Equal(t, []string{`UPDATE_NAME NODE "1" "one"`},
		ask(t, addr, "ADD NODE 1 one 5,5 -\nGET_NAME NODE 1\n"), "half-closed client answered")

	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	sc := bufio.NewScanner(nc)
	for _, b := range []byte("GET_NAME NODE 1\r\n") {
		_, err := nc.Write([]byte{b})
		require.NoError(t, err)
	}
	require.True(t, sc.Scan(), "%v", sc.Err())
	assert.Equal(t, `UPDATE_NAME NODE "1" "one"`, sc.Text())
}

// A client that never reads is disconnected once its queue is full, and
// Broadcast never waits for it (the write timeout is left at its 10 s):
// the others are sent every SELECT broadcast meanwhile and after.
func TestServerDropsClientThatNeverReads(t *testing.T) {
	srv, err := Listen("127.0.0.1:0", soakGraph())
	require.NoError(t, err)
	defer srv.Close()
	addr := srv.Addr().String()

	stuck, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer stuck.Close()
	reader, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer reader.Close()
	// Both are clients once each has been answered.
	for _, nc := range []net.Conn{stuck, reader} {
		_, err = io.WriteString(nc, "GET ALL\n")
		require.NoError(t, err)
	}
	r := bufio.NewReaderSize(reader, 1<<20)
	for _, want := range []string{"TOPOLOGY 1\n", "DEL ALL\n"} {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, want, line)
	}
	one := make([]byte, len("TOPOLOGY 1\nDEL ALL\n"))
	_, err = io.ReadFull(stuck, one) // the stuck one reads its answer, and no more
	require.NoError(t, err)

	// Broadcast big SELECTs until the stuck client's buffers and queue are
	// full and the server has given it up; the reader must get every one,
	// and no Broadcast waits for the stuck client.
	id := strings.Repeat("x", 64<<10)
	want := `SELECT NODE "` + id + `"` + "\n"
	got := make(chan error, 1)
	read := func() {
		line, err := r.ReadString('\n')
		if err == nil && line != want {
			err = errors.New("wrong line")
		}
		got <- err
	}
	sent := 0
	var slowest time.Duration
	for srv.Clients() == 2 {
		require.Less(t, sent, 10000, "the stuck client was never dropped")
		sent++
		go read()
		t0 := time.Now()
		srv.Broadcast(Reply{Kind: "SELECT", ID: id})
		slowest = max(slowest, time.Since(t0))
		require.NoError(t, <-got, "broadcast %d", sent)
	}
	t.Logf("stuck client dropped after %d broadcasts of 64 KiB; the slowest Broadcast took %v", sent, slowest)
	assert.Less(t, slowest, writeTimeout/2, "a Broadcast waited on the stuck client")
	assert.Equal(t, 1, srv.Clients())

	go read()
	srv.Broadcast(Reply{Kind: "SELECT", ID: id})
	require.NoError(t, <-got)
}
