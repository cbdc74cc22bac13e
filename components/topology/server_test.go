package topology_test

import (
	"bufio"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
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

// A mixed script over TCP (CRLF and LF lines, an empty line, an unknown
// command) builds the graph it describes; GET ALL answers the client that
// asked; an error comes back as ERROR.
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

// readmeScript is the telnet session of Kamaelia's
// Examples/GraphVisualisation/README.TopologyVisualiser, command for
// command: every node placed "auto", and DEL ALL at the end.
var readmeScript = []string{
	`ADD NODE id "The Label" auto -`,
	`DEL NODE id`,
	`ADD NODE greet "Hello there!" auto -`,
	`ADD NODE starter "How are you today?" auto -`,
	`ADD LINK greet starter`,
	`ADD NODE response1 "Not so good really" auto -`,
	`ADD NODE response2 "Quite good, thanks" auto -`,
	`ADD LINK starter response1`,
	`ADD LINK starter response2`,
	`DEL ALL`,
}

// getAll sends GET ALL and returns the TOPOLOGY reply's command lines.
// Commands are applied in the order they arrive, so the reply also says
// that every command sent before it has been applied.
func getAll(t *testing.T, nc net.Conn, sc *bufio.Scanner) []string {
	t.Helper()
	_, err := nc.Write([]byte("GET ALL\r\n"))
	require.NoError(t, err)
	head := readLine(t, sc)
	require.True(t, strings.HasPrefix(head, "TOPOLOGY "), head)
	n, err := strconv.Atoi(strings.TrimPrefix(head, "TOPOLOGY "))
	require.NoError(t, err)
	cmds := make([]string, 0, n)
	for range n {
		cmds = append(cmds, readLine(t, sc))
	}
	return cmds
}

// Scenario 3: the README.TopologyVisualiser script, sent over TCP with
// telnet's CRLF line ends, gives four nodes (placed "auto" within the
// area, whole units, each at its own point) and three links before its
// DEL ALL, and an empty graph after it. GET ALL, sent before the DEL ALL
// and at the end, is the point at which the counts are read.
func TestServerReadmeTopologyVisualiserScript(t *testing.T) {
	g := newGraph() // 800x600: "auto" places within the 100-pixel border
	srv, err := topology.Listen("127.0.0.1:0", g)
	require.NoError(t, err)
	defer srv.Close()
	nc, sc := dial(t, srv)
	require.NoError(t, nc.SetDeadline(time.Now().Add(axontest.Safety))) // a net, not a wait

	last := len(readmeScript) - 1
	require.Equal(t, "DEL ALL", readmeScript[last])
	_, err = nc.Write([]byte(strings.Join(readmeScript[:last], "\r\n") + "\r\n"))
	require.NoError(t, err)
	cmds := getAll(t, nc, sc)

	nodes, links := g.Len()
	assert.Equal(t, 4, nodes)
	assert.Equal(t, 3, links)
	assert.Equal(t, []topology.Link{{From: "greet", To: "starter"}, {From: "starter", To: "response1"}, {From: "starter", To: "response2"}},
		g.Snapshot().Links)
	_, ok := g.Node("id")
	assert.False(t, ok, "DEL NODE id removed the first node")

	names := map[string]string{
		"greet":     "Hello there!",
		"starter":   "How are you today?",
		"response1": "Not so good really",
		"response2": "Quite good, thanks",
	}
	seen := map[[2]float64]string{}
	for id, name := range names {
		n, ok := g.Node(id)
		require.True(t, ok, id)
		assert.Equal(t, name, n.Name)
		assert.Equal(t, topology.TypeDefault, n.Type)
		assert.True(t, n.X >= 100 && n.X <= 700 && n.Y >= 100 && n.Y <= 500, "%s placed at (%v,%v), outside the area less its border", id, n.X, n.Y)
		assert.Equal(t, math.Round(n.X), n.X, "%s: whole units", id)
		assert.Equal(t, math.Round(n.Y), n.Y, "%s: whole units", id)
		assert.NotContains(t, seen, [2]float64{n.X, n.Y}, "%s placed where %s is", id, seen[[2]float64{n.X, n.Y}])
		seen[[2]float64{n.X, n.Y}] = id
		// GET ALL rebuilds the node at the position "auto" gave it.
		assert.Contains(t, cmds, fmt.Sprintf("ADD NODE %s %s %d,%d -", id, topology.Quote(name), int(n.X), int(n.Y)))
	}
	assert.Len(t, cmds, 1+4+3, "DEL ALL, four nodes, three links: %q", cmds)

	_, err = nc.Write([]byte(readmeScript[last] + "\r\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"DEL ALL"}, getAll(t, nc, sc))
	nodes, links = g.Len()
	assert.Zero(t, nodes)
	assert.Zero(t, links)
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
