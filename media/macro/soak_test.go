//go:build cgo

package macro_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frontEnd serves a library holding two finished files, small.HI.mp3 (1
// KiB) and big.HI.mp3 (8 MiB), each of fileBytes, with macro's HTTPServer
// (changed by tune, if given) on a free loopback port, and returns its
// host:port.
func frontEnd(t *testing.T, tune ...func(*http.Server)) string {
	t.Helper()
	dir := t.TempDir()
	fin := filepath.Join(dir, macro.FinishedDir)
	require.NoError(t, os.MkdirAll(fin, 0o755))
	for name, size := range map[string]int{"small": 1 << 10, "big": 8 << 20} {
		require.NoError(t, os.WriteFile(filepath.Join(fin, name+".HI.mp3"), fileBytes(size), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(fin, name+".HI.DONE"), nil, 0o644))
	}
	hs := (&macro.Server{Library: macro.Library{Dir: dir}}).HTTPServer()
	for _, f := range tune {
		f(hs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = hs.Serve(ln)
	}()
	t.Cleanup(func() {
		require.NoError(t, hs.Close())
		<-done
	})
	return ln.Addr().String()
}

// fileBytes is the content of a file of size bytes: each byte its offset
// modulo 251, a prime, so that a range sent from the wrong offset does not
// pass for the right one.
func fileBytes(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// fetch GETs url on a connection of its own and returns the status and
// how many bytes the body held.
func fetch(t *testing.T, url string) (int, int64) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, n
}

// Thousands of requests for a file one after another, each on a
// connection of its own: the front end holds on to nothing of those that
// have ended.
func TestFrontEndFreesFinishedRequests(t *testing.T) {
	host := frontEnd(t)
	const total, baseAt = 3000, 300
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = axontest.Measure(nil)
		}
		code, n := fetch(t, "http://"+host+"/files/small.HI.mp3")
		require.Equal(t, http.StatusOK, code, "request %d", i)
		require.Equal(t, int64(1<<10), n, "request %d", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d requests", total), nil, base)
}

// A client that trickles its request a byte at a time within the header
// timeout is answered; one that takes longer is cut off.
func TestFrontEndTricklingClients(t *testing.T) {
	host := frontEnd(t, func(hs *http.Server) { hs.ReadHeaderTimeout = 300 * time.Millisecond })
	req := "GET /files/small.HI.mp3 HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"

	quick, err := net.Dial("tcp", host)
	require.NoError(t, err)
	defer quick.Close()
	for i := range len(req) {
		_, err := quick.Write([]byte{req[i]})
		require.NoError(t, err)
	}
	require.NoError(t, quick.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(quick), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, resp.Body.Close())

	slow, err := net.Dial("tcp", host)
	require.NoError(t, err)
	defer slow.Close()
	_, err = io.WriteString(slow, req[:20]) // and the rest never comes
	require.NoError(t, err)
	require.NoError(t, slow.SetReadDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	rest, err := io.ReadAll(slow)
	require.NoError(t, err, "the server closes the connection (not our deadline)")
	assert.NotContains(t, string(rest), "200 OK")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// A client that asks for a big file and stops reading holds only its
// own connection: others are served meanwhile, and when it goes the
// front end is back to where it was. (There is no write timeout, by
// design: see HTTPServer.)
func TestFrontEndClientThatStopsReading(t *testing.T) {
	host := frontEnd(t)
	fetch(t, "http://"+host+"/files/small.HI.mp3")
	base := axontest.Measure(nil)

	stuck, err := net.Dial("tcp", host)
	require.NoError(t, err)
	_, err = io.WriteString(stuck, strings.Repeat("GET /files/big.HI.mp3 HTTP/1.1\r\nHost: "+host+"\r\n\r\n", 4))
	require.NoError(t, err)
	head := make([]byte, len("HTTP/1.1 200 OK"))
	_, err = io.ReadFull(stuck, head) // the answer has begun, and is not read further
	require.NoError(t, err)
	assert.Equal(t, "HTTP/1.1 200 OK", string(head))
	for i := range 50 {
		code, n := fetch(t, "http://"+host+"/files/small.HI.mp3")
		require.Equal(t, http.StatusOK, code, "request %d", i)
		require.Equal(t, int64(1<<10), n)
	}
	code, n := fetch(t, "http://"+host+"/files/big.HI.mp3")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, int64(8<<20), n, "another client fetches the big file whole")
	require.NoError(t, stuck.Close())
	axontest.SettleBack(t, "after the client that stopped reading", nil, base)
}

// A client that sends its requests, half-closes (as nc -N does) and only
// then reads gets every response whole: a file, and a range of the big
// one (206, exactly that range's bytes: more than the sockets' buffers
// hold, so the front end writes on long after the client's FIN), each
// alone and the two pipelined; then the front end ends the connection and
// holds nothing of it.
func TestFrontEndHalfClosingClient(t *testing.T) {
	host := frontEnd(t)
	fetch(t, "http://"+host+"/files/small.HI.mp3")
	base := axontest.Measure(nil)

	const from, to = 3<<20 + 7, 4<<20 + 7
	small := "GET /files/small.HI.mp3 HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	ranged := fmt.Sprintf("GET /files/big.HI.mp3 HTTP/1.1\r\nHost: %s\r\nRange: bytes=%d-%d\r\n\r\n", host, from, to)
	wantSmall := func(r *bufio.Reader) {
		t.Helper()
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.True(t, bytes.Equal(fileBytes(1<<10), body), "the small file whole: %d bytes", len(body))
	}
	wantRange := func(r *bufio.Reader) {
		t.Helper()
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
		assert.Equal(t, fmt.Sprintf("bytes %d-%d/%d", from, to, 8<<20), resp.Header.Get("Content-Range"))
		assert.True(t, bytes.Equal(fileBytes(8 << 20)[from:to+1], body), "the range exactly: %d bytes", len(body))
	}
	for _, c := range []struct {
		name  string
		reqs  string
		wants []func(*bufio.Reader)
	}{
		{"whole", small, []func(*bufio.Reader){wantSmall}},
		{"range", ranged, []func(*bufio.Reader){wantRange}},
		{"pipelined", ranged + small, []func(*bufio.Reader){wantRange, wantSmall}},
	} {
		nc, err := net.Dial("tcp", host)
		require.NoError(t, err)
		_, err = io.WriteString(nc, c.reqs)
		require.NoError(t, err)
		require.NoError(t, nc.(*net.TCPConn).CloseWrite(), c.name)
		require.NoError(t, nc.SetReadDeadline(time.Now().Add(10*time.Second)))
		r := bufio.NewReader(nc)
		for _, want := range c.wants {
			want(r)
		}
		_, err = r.ReadByte()
		assert.ErrorIs(t, err, io.EOF, "%s: the front end ends the connection after the last response", c.name)
		require.NoError(t, nc.Close())
	}
	axontest.SettleBack(t, "after the half-closing clients", nil, base)
}
