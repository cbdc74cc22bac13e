//go:build cgo

package main

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With -window, the viewer opens its SDL window (SDL's offscreen driver
// here), takes commands over TCP, and closes the window cleanly at Ctrl-C.
func TestVisualiseWindow(t *testing.T) {
	if os.Getenv("SDL_VIDEODRIVER") == "" {
		t.Setenv("SDL_VIDEODRIVER", "offscreen")
	}
	vis, stop := startCommand(t, runVisualise, "-port", "0", "-http", "", "-window", "-resolution", "320x240")
	addr := strings.TrimSpace(strings.TrimPrefix(readUntil(t, vis, "visualiser: "), "visualiser: listening for topology commands on "))
	nc, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer nc.Close()
	_, err = nc.Write([]byte("ADD NODE 1 \"one\" 50,50 -\nGET_NAME NODE 1\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(nc).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "UPDATE_NAME NODE \"1\" \"one\"\n", line)
	require.NoError(t, stop())
}
