package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// started runs a kamaelia command until its ctx is cancelled; its first
// line on stderr is returned, and its stdout is collected.
type started struct {
	cancel context.CancelFunc
	code   chan int
	first  string
	out    *syncBuf
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// start runs `kamaelia args...` in this process; stdout goes to out (a
// syncBuf unless given).
func start(t *testing.T, stdout io.Writer, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{cancel: cancel, code: make(chan int, 1), out: &syncBuf{}}
	if stdout == nil {
		stdout = s.out
	}
	go func() {
		code := run(ctx, args, stdout, pw)
		pw.Close()
		s.code <- code
	}()
	r := bufio.NewReader(pr)
	line, err := r.ReadString('\n')
	require.NoError(t, err, "no first line from %v", args)
	s.first = line
	go func() { _, _ = io.Copy(io.Discard, r) }() // the rest of stderr; ends with the command
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.code:
		case <-time.After(20 * time.Second):
			t.Errorf("%v did not end", args)
		}
	})
	return s
}

// stop interrupts the command and returns its exit status.
func (s *started) stop(t *testing.T) int {
	s.cancel()
	select {
	case code := <-s.code:
		s.code <- code // for the cleanup
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("the command did not end")
		return -1
	}
}

func TestRadioMixerCommand(t *testing.T) {
	s := start(t, nil, "radio", "mixer", "--dj1", "127.0.0.1:0", "--dj2", "127.0.0.1:0", "--music", "127.0.0.1:0",
		"--control", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--mode", "divide3")
	var dj1, dj2, music, ctl, listen, mode string
	_, err := fmt.Sscanf(s.first, "mixer: DJ1 %s DJ2 %s PRERECORD %s control %s listeners %s mode %s", &dj1, &dj2, &music, &ctl, &listen, &mode)
	require.NoError(t, err, s.first)
	require.Equal(t, "divide3", mode)

	c, err := net.Dial("tcp", ctl)
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	_, err = io.WriteString(c, "QUERY x ALL\nSWITCH x DJ1 ONLY\n")
	require.NoError(t, err)
	for _, want := range []string{"ON ON ON\n", "OK\n"} {
		got, err := r.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	l, err := net.Dial("tcp", listen)
	require.NoError(t, err)
	defer l.Close()
	// The listener is subscribed once it hears something: send until it does.
	feed, err := net.Dial("tcp", dj1)
	require.NoError(t, err)
	block := make([]byte, 3840)
	for i := 0; i < len(block); i += 2 {
		binary.LittleEndian.PutUint16(block[i:], 300)
	}
	heard := make(chan []byte, 1)
	go func() {
		b := make([]byte, 2)
		_ = l.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err := io.ReadFull(l, b)
		if err != nil {
			b = nil
		}
		heard <- b
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var got []byte
	for got == nil {
		_, err := feed.Write(block)
		require.NoError(t, err)
		select {
		case got = <-heard:
			require.NotNil(t, got, "the listener heard nothing")
		case <-tick.C:
		}
	}
	require.Equal(t, uint16(100), binary.LittleEndian.Uint16(got), "300 alone, divided by 3")
	feed.Close()
	require.Equal(t, 0, s.stop(t), "SIGINT ends it cleanly")
}

func TestRadioSwarmCommand(t *testing.T) {
	src := filepath.Join(t.TempDir(), "stream")
	want := bytes.Repeat([]byte("radio one, as broadcast. "), 4000)
	require.NoError(t, os.WriteFile(src, want, 0o644))

	// The root streams the file at 800 kbit/s (a second and a quarter), so
	// the peer joins while it flows.
	root := start(t, nil, "radio", "swarm", "--control", "127.0.0.1:0", "--data", "127.0.0.1:0",
		"--source", src, "--rate", "800000")
	var rootCtl, rootData string
	_, err := fmt.Sscanf(root.first, "swarm: control %s data %s", &rootCtl, &rootData)
	require.NoError(t, err, root.first)
	peer := start(t, nil, "radio", "swarm", "--control", "127.0.0.1:0", "--data", "127.0.0.1:0", "--root", rootCtl)
	require.Contains(t, peer.first, "swarm: control 127.0.0.1:")

	select {
	case code := <-root.code:
		root.code <- code
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("the root did not finish its stream")
	}
	select {
	case code := <-peer.code:
		peer.code <- code
		require.Equal(t, 0, code)
	case <-time.After(30 * time.Second):
		t.Fatal("the peer did not end with the stream")
	}
	got := peer.out.Bytes()
	require.NotEmpty(t, got)
	// The peer joined while the stream flowed: it has the stream from
	// where it joined to the end.
	require.True(t, bytes.HasSuffix(want, got), "the peer's %d bytes are not the end of the stream", len(got))
}

func TestRadioCommandLine(t *testing.T) {
	for _, args := range [][]string{
		{"radio"},
		{"radio", "mix"},
		{"radio", "mixer", "--mode", "loud"},
		{"radio", "mixer", "--chunk", "3"},
		{"radio", "mixer", "extra"},
		{"radio", "swarm", "--max", "0"},
		{"radio", "swarm", "--rate", "-1"},
	} {
		var out, errs bytes.Buffer
		require.Equal(t, 2, run(context.Background(), args, &out, &errs), "%v", args)
		require.NotEmpty(t, errs.String())
	}
	var out bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"radio", "--help"}, &out, io.Discard))
	require.Contains(t, out.String(), "SWITCH <dest>")
}
