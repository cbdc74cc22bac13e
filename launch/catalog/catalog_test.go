package catalog_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/framing"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testEnv is an Env with no input, whose output the test can read.
func testEnv() (catalog.Env, *axontest.Buffer, *axontest.Buffer) {
	out, errs := &axontest.Buffer{}, &axontest.Buffer{}
	return catalog.Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: errs}, out, errs
}

// newCatalog is the standard catalogue over e.
func newCatalog(e catalog.Env) *launch.Registry { return catalog.New(e) }

// minimal gives each entry the properties it needs to be built on a test
// machine: required ones, and port 0 for servers.
var minimal = map[string]string{
	"DataSource":       "items={a}",
	"SimpleFileWriter": "filename=" + filepath.Join(os.TempDir(), "kamaelia-launch-never-written"),
	"Grep":             "pattern=x",
	"Chunkifier":       "size=4",
	"UnixProcess":      "command=true",
	"Pipethrough":      "command=true",
	"TCPClient":        "port=1",
	"SingleServer":     "port=0",
	"SimpleServer":     `port=0 protocol="ToString ! Upper ! ToBytes"`,
	"Backplane":        "topic=T",
	"PublishTo":        "topic=T",
	"SubscribeTo":      "topic=T",
}

// TestCatalogTellsTheTruth builds every entry of the catalogue: Build
// checks each component's boxes against what its entry declares, which is
// what --help lists.
func TestCatalogTellsTheTruth(t *testing.T) {
	e, _, _ := testEnv()
	r := newCatalog(e)
	for _, name := range r.Names() {
		t.Run(name, func(t *testing.T) {
			l, err := r.BuildString(name+" "+minimal[name], launch.OnScheduler(axontest.NewScheduler(t)))
			require.NoError(t, err)
			require.NoError(t, l.Close())
			var help bytes.Buffer
			require.NoError(t, r.WriteEntry(&help, name))
			assert.Contains(t, help.String(), name+": ")
		})
	}
}

// runLaunched builds src with the catalogue and runs it to its end.
func runLaunched(t *testing.T, e catalog.Env, src string) {
	t.Helper()
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(src, launch.OnScheduler(s))
	require.NoError(t, err)
	require.NoError(t, s.RunContext(axontest.Context(t), l.Component()))
}

// TestLaunchFileToFile reads a file, transforms it, and writes another.
func TestLaunchFileToFile(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "out.txt")
	require.NoError(t, os.WriteFile(in, []byte("one\ntwo fish\nthree\n"), 0o600))
	e, _, _ := testEnv()
	runLaunched(t, e, `ReadFileAdaptor filename=`+in+` ! ToString ! Grep pattern="o" ! Upper ! ToBytes ! SimpleFileWriter filename=`+out)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "ONE\nTWO FISH\n", string(got))
}

// TestLaunchProcessGraph runs a Graphline: a process's output and errors
// go their own ways. The second branch has nothing to tell it the process
// ended (the process's signal feeds the first), so the system runs until
// it is stopped, as in Kamaelia.
func TestLaunchProcessGraph(t *testing.T) {
	ctx := axontest.Context(t)
	printed, stdout := io.Pipe()
	e := catalog.Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: io.Discard}
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`UnixProcess name=p command="echo out; echo err >&2" ! ToString ! ConsoleEchoer tag="1: "
		p.stderr ! ToString ! ConsoleEchoer tag="2: "`, launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	lines := make(chan string, 2)
	go func() {
		r := bufio.NewReader(printed)
		for range 2 {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	var got []string
	for range 2 {
		select {
		case line := <-lines:
			got = append(got, line)
		case <-ctx.Done():
			t.Fatal("the process's output did not arrive")
		}
	}
	assert.ElementsMatch(t, []string{"1: out\n", "2: err\n"}, got)
	require.NoError(t, h.Close())
	require.NoError(t, printed.Close())
}

// TestLaunchTCP serves with a launched SingleServer that upper-cases what
// its client sends back to it, and talks to it through a launched
// TCPClient, on loopback. With once=true, both ends stop by themselves when
// the client finishes (without it the server serves the next client).
func TestLaunchTCP(t *testing.T) {
	ctx := axontest.Context(t)
	e, _, errs := testEnv()
	s := axontest.NewScheduler(t)
	server, err := newCatalog(e).BuildString(`SingleServer name=s port=0 once=true ! ToString ! Upper ! ToBytes ! s.`, launch.OnScheduler(s))
	require.NoError(t, err)
	single := server.Element("s").(*chassis.Single)
	port := single.AddrPort().Port()
	assert.Contains(t, errs.String(), "s listening on 127.0.0.1:"+strconv.Itoa(int(port)))
	s.Activate(server.Component())

	client, err := newCatalog(e).BuildString("TCPClient port="+strconv.Itoa(int(port))+" ! ToString", launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, client.Component())
	require.NoError(t, h.Put(ctx, "inbox", []byte("hello, world\n")))
	var got string
	for len(got) < len("HELLO, WORLD\n") {
		v, err := h.Get(ctx, "outbox")
		require.NoError(t, err)
		got += v.(string)
	}
	assert.Equal(t, "HELLO, WORLD\n", got)

	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
	select {
	case <-server.Component().(axon.CoreComponent).Done():
	case <-ctx.Done():
		t.Fatal("the server did not stop when its client left")
	}
	assert.Equal(t, uint64(1), single.Clients())
}

// A launched SingleServer replies to a client that half-closes after its
// request (nc -N), then ends its stream; linger takes a duration from 0s
// (close at once) up.
func TestLaunchSingleServerLinger(t *testing.T) {
	ctx := axontest.Context(t)
	e, _, _ := testEnv()
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`SingleServer name=s port=0 linger=50ms ! ToString ! Upper ! ToBytes ! s.`, launch.OnScheduler(s))
	require.NoError(t, err)
	single := l.Element("s").(*chassis.Single)
	s.Activate(l.Component())
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", single.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hello\n"))
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	require.NoError(t, c.SetReadDeadline(time.Now().Add(axontest.Safety)))
	got, err := io.ReadAll(c)
	require.NoError(t, err, "the stream ends once the replies stop, it does not time out")
	assert.Equal(t, "HELLO\n", string(got), "the reply reaches the half-closed client")
	s.ShutdownAll(axon.Shutdown{})

	zero, err := newCatalog(e).BuildString(`SingleServer port=0 linger=0s`, launch.OnScheduler(axontest.NewScheduler(t)))
	require.NoError(t, err)
	require.NoError(t, zero.Close())
	_, err = newCatalog(e).BuildString(`SingleServer port=0 linger=-1s`, launch.OnScheduler(axontest.NewScheduler(t)))
	require.ErrorContains(t, err, "linger")
}

// TestLaunchSimpleServer serves a protocol, itself a description, to two
// clients at once.
func TestLaunchSimpleServer(t *testing.T) {
	ctx := axontest.Context(t)
	e, _, _ := testEnv()
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`SimpleServer name=srv port=0 protocol="ToString ! Upper ! ToBytes"`, launch.OnScheduler(s))
	require.NoError(t, err)
	addr := l.Element("srv").(*chassis.Server).Addr().String()
	h := axontest.NewHandle(t, s, l.Component())

	var conns []net.Conn
	for _, word := range []string{"first\n", "second\n"} {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
		_, err = c.Write([]byte(word))
		require.NoError(t, err)
	}
	for i, want := range []string{"FIRST\n", "SECOND\n"} {
		line, err := bufio.NewReader(conns[i]).ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, want, line)
		require.NoError(t, conns[i].Close())
	}
	require.NoError(t, h.Close())
}

// TestLaunchSimpleServerRefusesMisfit checks that a protocol whose boxes
// do not fit a connection is refused with a reason before the server
// starts, not per client.
func TestLaunchSimpleServerRefusesMisfit(t *testing.T) {
	e, _, _ := testEnv()
	s := axontest.NewScheduler(t)
	_, err := newCatalog(e).BuildString(`SimpleServer name=srv port=0 protocol=ToString`, launch.OnScheduler(s))
	require.Error(t, err)
	assert.ErrorContains(t, err, `protocol "ToString": its outbox carries string, but a connection takes []uint8`)
}

// TestLaunchBackplane publishes lines typed on standard input and
// receives them through a subscriber.
func TestLaunchBackplane(t *testing.T) {
	ctx := axontest.Context(t)
	stdin, typing := io.Pipe()
	printed, stdout := io.Pipe()
	e := catalog.Env{Stdin: stdin, Stdout: stdout, Stderr: io.Discard}
	s := axontest.NewScheduler(t)
	l, err := newCatalog(e).BuildString(`ConsoleReader ! ToBytes ! PublishTo topic=NEWS  Backplane topic=NEWS
		SubscribeTo name=sub topic=NEWS ! ToString ! ConsoleEchoer`, launch.OnScheduler(s))
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, l.Component())
	select {
	case <-l.Element("sub").(*chassis.Subscriber[[]byte]).Subscribed():
	case <-ctx.Done():
		t.Fatal("the subscriber did not join")
	}
	lines := make(chan string, 2)
	go func() {
		r := bufio.NewReader(printed)
		for range 2 {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	_, err = io.WriteString(typing, "extra\nextra\n")
	require.NoError(t, err)
	for range 2 {
		select {
		case line := <-lines:
			assert.Equal(t, "extra\n", line)
		case <-ctx.Done():
			t.Fatal("nothing was received")
		}
	}
	require.NoError(t, typing.Close())
	require.NoError(t, h.Close())
	require.NoError(t, printed.Close())
}

// TestCatalogErrors checks the errors that belong to the catalogue's own
// components.
func TestCatalogErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	cases := []struct {
		src, msg string
		class    error
	}{
		{"ReadFileAdaptor filename=a command=b", "1:1: ReadFileAdaptor0 (ReadFileAdaptor): give filename= or command=, not both", launch.ErrConstruct},
		{"ReadFileAdaptor mode=bitrate", "1:1: ReadFileAdaptor0 (ReadFileAdaptor): mode=bitrate needs bitrate= (bits a second)", launch.ErrConstruct},
		{"ReadFileAdaptor mode=fast", `1:22: mode of ReadFileAdaptor: "fast" is not one of line, block, bitrate`, launch.ErrBadValue},
		{"SingleServer port=70000", "1:19: port of SingleServer: a port is from 0 to 65535 (0 picks a free one)", launch.ErrBadValue},
		{"SingleServer port=" + busyPort, "1:1: s0", launch.ErrConstruct},
		{"Grep pattern=(", "1:14: pattern of Grep: error parsing regexp: missing closing ): `(`", launch.ErrBadValue},
		{`SimpleServer port=0 protocol="ToString ! Nope"`, `1:1: SimpleServer0 (SimpleServer): protocol: 1:12: unknown component "Nope"`, launch.ErrConstruct},
		{"ReadFileAdaptor filename=x ! Upper", "1:28: cannot link ReadFileAdaptor0 to Upper0: axon: box types do not match: ReadFileAdaptor0.outbox carries []uint8 but Upper0.inbox takes string", axon.ErrTypeMismatch},
		{"TCPClient", "1:1: TCPClient needs port=... (the server's port)", launch.ErrMissingProperty},
		{"MessageRateLimit buffer=1100000000", "1:25: buffer of MessageRateLimit: timing: pre-roll too large: 1100000000 messages, at most 1048576", launch.ErrBadValue},
		{"MessageRateLimit buffer=-1", "1:25: buffer of MessageRateLimit: must not be negative", launch.ErrBadValue},
		{"LineSplit maxline=-1", "1:19: maxline of LineSplit: must not be negative", launch.ErrBadValue},
	}
	for _, c := range cases {
		e, _, _ := testEnv()
		l, err := newCatalog(e).BuildString(c.src, launch.OnScheduler(axontest.NewScheduler(t)))
		if err == nil {
			_ = l.Close()
		}
		require.Error(t, err, c.src)
		if c.msg == "1:1: s0" { // the system's words for a port in use vary
			assert.Contains(t, err.Error(), "1:1: SingleServer0 (SingleServer): ")
		} else {
			assert.Equal(t, c.msg, err.Error(), c.src)
		}
		assert.ErrorIs(t, err, c.class, c.src)
	}
}

// TestLaunchLineSplitLimit runs LineSplit on a file of 4 MiB with no
// newline: the system fails with a *framing.LineError at the default limit,
// unless maxline says otherwise.
func TestLaunchLineSplitLimit(t *testing.T) {
	name := filepath.Join(t.TempDir(), "oneline")
	require.NoError(t, os.WriteFile(name, append([]byte("first\n"), bytes.Repeat([]byte{'x'}, 4<<20)...), 0o600))
	run := func(props string) (string, error) {
		e, out, _ := testEnv()
		s := axontest.NewScheduler(t)
		l, err := newCatalog(e).BuildString(`ReadFileAdaptor filename=`+name+` mode=block readsize=65536 ! LineSplit `+props+` ! ToString ! ConsoleEchoer`, launch.OnScheduler(s))
		require.NoError(t, err)
		err = s.RunContext(axontest.Context(t), l.Component())
		return out.String(), err
	}

	// The line before it is sent on (framing's own tests hold that), but
	// not always printed: a child's failure stops the others at once.
	_, err := run("")
	var le *framing.LineError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, framing.DefaultMaxLineLength, le.Limit)
	assert.Equal(t, int64(6), le.Offset)

	_, err = run("maxline=1000")
	require.ErrorAs(t, err, &le)
	assert.Equal(t, 1000, le.Limit)

	out, err := run("maxline=0")
	require.NoError(t, err)
	assert.Equal(t, "first"+strings.Repeat("x", 4<<20), out)
}

// TestLaunchTee fans a file out to two files with a Tee: both branches
// get every line, and the whole line ends by itself at the end of the
// input, since the copy's signal reaches the second branch.
func TestLaunchTee(t *testing.T) {
	dir := t.TempDir()
	in, a, b := filepath.Join(dir, "in.txt"), filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(in, []byte("one\ntwo\n"), 0o600))
	e, _, _ := testEnv()
	runLaunched(t, e, `ReadFileAdaptor filename=`+in+` ! Tee name=t ! SimpleFileWriter filename=`+a+`
		t.copy ! ToString ! Upper ! ToBytes ! SimpleFileWriter filename=`+b)
	got, err := os.ReadFile(a)
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\n", string(got))
	got, err = os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, "ONE\nTWO\n", string(got))

}
