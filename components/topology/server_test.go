package topology_test

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/kamaelia-go/kamaelia/components/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dial connects to srv and returns the connection and a reader of its lines.
func dial(t *testing.T, srv *topology.Server) (net.Conn, *bufio.Scanner) {
	t.Helper()
	nc, err := net.Dial("tcp", srv.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return nc, bufio.NewScanner(nc)
}

func readLine(t *testing.T, sc *bufio.Scanner) string {
	t.Helper()
	require.True(t, sc.Scan(), "connection ended: %v", sc.Err())
	return sc.Text()
}

// Scenario 3: the README.TopologyVisualiser script over TCP builds the
// graph it describes; GET ALL answers the client that asked; an error
// comes back as ERROR.
func TestServerOverTCP(t *testing.T) {
	g := newGraph()
	srv, err := topology.Listen("127.0.0.1:0", g)
	require.NoError(t, err)
	defer srv.Close()
	nc, sc := dial(t, srv)

	script := "DEL ALL\r\n" +
		"ADD NODE 1 \"1st node\" randompos -\n" +
		"ADD NODE 2 \"2nd node\" randompos -\n" +
		"ADD NODE 3 \"3rd node\" randompos -\n" +
		"ADD LINK 1 2\n" +
		"ADD LINK 3 2\n" +
		"DEL LINK 1 2\n" +
		"DEL NODE 1\n" +
		"\n" +
		"FLY\n" +
		"GET ALL\n"
	_, err = nc.Write([]byte(script))
	require.NoError(t, err)

	errLine := readLine(t, sc)
	assert.True(t, strings.HasPrefix(errLine, "ERROR "), errLine)
	head := readLine(t, sc)
	require.True(t, strings.HasPrefix(head, "TOPOLOGY "), head)
	n, err := strconv.Atoi(strings.TrimPrefix(head, "TOPOLOGY "))
	require.NoError(t, err)
	var cmds []string
	for range n {
		cmds = append(cmds, readLine(t, sc))
	}
	assert.Equal(t, "DEL ALL", cmds[0])
	assert.Len(t, cmds, 4, "DEL ALL, two nodes, one link: %q", cmds)
	assert.Equal(t, "ADD LINK 3 2", cmds[3])
	nodes, links := g.Len()
	assert.Equal(t, 2, nodes)
	assert.Equal(t, 1, links)
}

// A tab in a name crosses TCP as a tab, both ways; a SELECT reaches every
// client; Close ends clients and leaves nothing running.
func TestServerTabAndSelectBroadcast(t *testing.T) {
	g := newGraph()
	srv, err := topology.Listen("127.0.0.1:0", g)
	require.NoError(t, err)
	a, sa := dial(t, srv)
	_, sb := dial(t, srv)

	_, err = a.Write([]byte("ADD NODE \"7\" \"in\tbox\" 5,5 component\nGET_NAME NODE 7\n"))
	require.NoError(t, err)
	line := readLine(t, sa)
	assert.Equal(t, []byte("UPDATE_NAME NODE \"7\" \"in\tbox\""), []byte(line))
	n, ok := g.Node("7")
	require.True(t, ok)
	assert.Equal(t, "in\tbox", n.Name)

	srv.Broadcast(g.Press(5, 5)...)
	assert.Equal(t, `SELECT NODE "7"`, readLine(t, sa))
	assert.Equal(t, `SELECT NODE "7"`, readLine(t, sb))

	require.NoError(t, srv.Close())
	assert.False(t, sa.Scan(), "Close disconnects clients")
	assert.Zero(t, srv.Clients())
}

// A line longer than MaxLineLength is refused and ends the connection.
func TestServerRefusesHugeLine(t *testing.T) {
	srv, err := topology.Listen("127.0.0.1:0", newGraph())
	require.NoError(t, err)
	defer srv.Close()
	nc, sc := dial(t, srv)
	go func() { _, _ = nc.Write([]byte(strings.Repeat("x", topology.MaxLineLength+10) + "\n")) }()
	line := readLine(t, sc)
	assert.Contains(t, line, "ERROR")
	assert.Contains(t, line, "too long")
	assert.False(t, sc.Scan())
}
