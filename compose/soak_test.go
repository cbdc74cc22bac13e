package compose_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/compose"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startListening serves a Compose server on a free loopback port for one
// test and returns its host:port.
func startListening(t *testing.T) string {
	t.Helper()
	l, err := compose.Start(compose.New(registry(), compose.Options{}), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	u, err := url.Parse(l.URL())
	require.NoError(t, err)
	return u.Host
}

// Thousands of requests one after another, each on a connection of its
// own: the server holds on to nothing of those that have ended.
func TestListeningFreesFinishedRequests(t *testing.T) {
	host := startListening(t)
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	const total, baseAt = 2000, 200
	var base axontest.Footprint
	for i := range total {
		if i == baseAt {
			base = axontest.Measure(nil)
		}
		resp, err := c.Get("http://" + host + "/api/palette")
		require.NoError(t, err, "request %d", i)
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
	}
	axontest.SettleBack(t, fmt.Sprintf("%d requests", total), nil, base)
}

// A client that trickles its request a byte at a time (within the header
// timeout) is answered as one that sent it whole.
func TestListeningServesATricklingClient(t *testing.T) {
	host := startListening(t)
	nc, err := net.Dial("tcp", host)
	require.NoError(t, err)
	defer nc.Close()
	req := "GET /api/palette HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
	for i := range len(req) {
		_, err := nc.Write([]byte{req[i]})
		require.NoError(t, err)
	}
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// A client that sends request after request for the page and never reads
// the answers holds only its own connection: others are served meanwhile,
// and when it goes the server is back to where it was.
func TestListeningClientThatStopsReading(t *testing.T) {
	host := startListening(t)
	get := func() {
		t.Helper()
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
		resp, err := c.Get("http://" + host + "/")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NotEmpty(t, body)
	}
	get()
	base := axontest.Measure(nil)

	stuck, err := net.Dial("tcp", host)
	require.NoError(t, err)
	// Far more than the socket buffers hold: the server's writes block.
	reqs := strings.Repeat("GET / HTTP/1.1\r\nHost: "+host+"\r\n\r\n", 2000)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, _ = io.WriteString(stuck, reqs) // blocks too once the server stops reading
	}()
	for range 50 {
		get()
	}
	require.NoError(t, stuck.Close())
	<-wrote
	axontest.SettleBack(t, "after the client that stopped reading", nil, base)
}

// A client that sends its requests, half-closes (as nc -N does) and only
// then reads gets every response whole, then the end of the connection:
// an operation with a body (POST /api/add) and the state after it, sent
// together, and the page, the same as a client that did not half-close
// gets it. Nothing of them is left behind.
func TestListeningAnswersAHalfClosingClient(t *testing.T) {
	host := startListening(t)
	plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := plain.Get("http://" + host + "/api/palette")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	base := axontest.Measure(nil)

	halfClose := func(reqs string) *bufio.Reader {
		t.Helper()
		all, err := axontest.HalfClose(host, reqs)
		require.NoError(t, err, "Compose ends the connection after the last response")
		return bufio.NewReader(bytes.NewReader(all))
	}
	// read reads one response, whole, and decodes its JSON into v.
	read := func(r *bufio.Reader, v any) {
		t.Helper()
		resp, err := http.ReadResponse(r, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
		require.NoError(t, json.Unmarshal(body, v), "%s", body)
	}

	add := `{"type":"ReadFileAdaptor","x":30,"y":30}`
	r := halfClose(fmt.Sprintf("POST /api/add HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(add), add) +
		"GET /api/state HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
	var added compose.Result
	read(r, &added)
	assert.Empty(t, added.Error)
	require.Len(t, added.View.Design.Components, 1)
	assert.Equal(t, "ReadFileAdaptor", added.View.Design.Components[0].Type)
	var state compose.View
	read(r, &state)
	assert.Equal(t, added.View.Design, state.Design, "the state after the operation")
	_, err = r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "nothing after the responses")

	r = halfClose("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
	resp, err = http.ReadResponse(r, nil)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "the page whole")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = plain.Get("http://" + host + "/")
	require.NoError(t, err)
	want, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, string(want), string(page), "the page as a plain client gets it")
	assert.Contains(t, string(page), `"ReadFileAdaptor"`)

	axontest.SettleBack(t, "after the half-closing clients", nil, base)
}
