package natsplane_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/chassis/natsplane"
	"github.com/kamaelia-go/kamaelia/internet/framing"
	"github.com/stretchr/testify/require"
)

// The environment of a child process, besides childEnv.
const (
	urlEnv  = "NATSPLANE_TEST_URL"
	nEnv    = "NATSPLANE_TEST_N"
	modeEnv = "NATSPLANE_TEST_MODE" // bench: "backplane" or "direct"
	outEnv  = "NATSPLANE_TEST_OUT"  // bench: the file for the latencies
)

// childTimeout bounds a child's whole life: it must never outlive a test.
const childTimeout = 2 * time.Minute

// runChild is a re-executed test binary's work: it returns the exit code.
func runChild(role string) int {
	var err error
	switch role {
	case "peer":
		err = runPeer()
	case "listener":
		err = runListener()
	case "benchsub":
		err = runBenchSubscriber()
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// child is a re-executed test binary doing one role, talking on stdio.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string // its stdout, line by line; closed at its end
	stderr axontest.Buffer
}

// startChild starts the test binary as a child doing role, with env.
func startChild(t testing.TB, ctx context.Context, role string, env ...string) *child {
	t.Helper()
	c := &child{cmd: exec.CommandContext(ctx, os.Args[0]), lines: make(chan string, 16)}
	c.cmd.Env = append(append(os.Environ(), childEnv+"="+role), env...)
	c.cmd.Stderr = &c.stderr
	var err error
	c.stdin, err = c.cmd.StdinPipe()
	require.NoError(t, err)
	out, err := c.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, c.cmd.Start())
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill() // a no-op once it has exited
		_ = c.cmd.Wait()
	})
	return c
}

// expect waits for the child's next line, which must be want.
func (c *child) expect(t testing.TB, ctx context.Context, want string) {
	t.Helper()
	select {
	case line, ok := <-c.lines:
		require.True(t, ok, "child ended before %q; stderr:\n%s", want, c.stderr.String())
		require.Equal(t, want, line, "stderr:\n%s", c.stderr.String())
	case <-ctx.Done():
		t.Fatalf("no %q from the child: %v; stderr:\n%s", want, ctx.Err(), c.stderr.String())
	}
}

// peerMsg is what the peers of the two-process test publish.
type peerMsg struct {
	From, Seq int
	Text      string
}

func newPeerMsg(from, seq int) peerMsg {
	return peerMsg{from, seq, fmt.Sprintf("message %d from peer %d", seq, from)}
}

// checkPeers takes n messages of every peer from h's outbox and checks each
// peer's come complete, in order and intact.
func checkPeers(ctx context.Context, h *axon.Handle, peers, n int) error {
	next := make([]int, peers)
	for range peers * n {
		v, err := h.Get(ctx, "outbox")
		if err != nil {
			return fmt.Errorf("after %v: %w", next, err)
		}
		m := v.(peerMsg)
		if m.From < 0 || m.From >= peers || m != newPeerMsg(m.From, next[m.From]) {
			return fmt.Errorf("got %+v, want message %d from peer %d", m, next[min(max(m.From, 0), peers-1)], m.From)
		}
		next[m.From]++
	}
	return nil
}

// peer is one process's side of the two-process test: a Backplane
// "peers" with a subscriber and a publisher.
type peer struct {
	sched      *axon.Scheduler
	b          *chassis.Backplane[peerMsg]
	hb, hs, hp *axon.Handle
}

func startPeer(url string) (*peer, error) {
	p := &peer{sched: axon.NewScheduler()}
	p.b = chassis.NewBackplane[peerMsg]("peers", chassis.OnScheduler(p.sched),
		chassis.WithTransport(natsplane.Dial(url)), chassis.WithCodec(framing.JSON[peerMsg]{}))
	sub := chassis.SubscribeTo[peerMsg]("peers")
	var err error
	if p.hb, err = axon.NewHandle(p.sched, p.b, "inbox", "control", "signal"); err != nil {
		return nil, err
	}
	if p.hs, err = axon.NewHandle(p.sched, sub); err != nil {
		return nil, err
	}
	if p.hp, err = axon.NewHandle(p.sched, chassis.PublishTo[peerMsg]("peers")); err != nil {
		return nil, err
	}
	select {
	case <-sub.Subscribed():
		return p, nil
	case <-p.hb.Done():
		return nil, fmt.Errorf("backplane ended: %w", p.hb.Wait(context.Background()))
	}
}

// publish sends n messages as peer from.
func (p *peer) publish(ctx context.Context, from, n int) error {
	for i := range n {
		if err := p.hp.Put(ctx, "inbox", newPeerMsg(from, i)); err != nil {
			return err
		}
	}
	return nil
}

// stop ends the Backplane (and with it the others) and waits for them all.
func (p *peer) stop(ctx context.Context) error {
	if err := p.hb.Finish(ctx); err != nil {
		return err
	}
	return p.sched.Wait(ctx)
}

// runPeer is the child's side of TestTwoProcessesShareOneBackplane: peer 1.
func runPeer() error {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	n, err := strconv.Atoi(os.Getenv(nEnv))
	if err != nil {
		return err
	}
	p, err := startPeer(os.Getenv(urlEnv))
	if err != nil {
		return err
	}
	fmt.Println("ready")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil || line != "go\n" {
		return fmt.Errorf("waiting for go: %q, %v", line, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- p.publish(ctx, 1, n) }()
	if err := checkPeers(ctx, p.hs, 2, n); err != nil {
		return err
	}
	if err := <-errc; err != nil {
		return err
	}
	st := p.b.Stats()
	if err := p.stop(ctx); err != nil {
		return err
	}
	fmt.Printf("ok sent %d received %d\n", st.Sent, st.Received)
	return nil
}

// Two OS processes (this test binary, re-executed) publish and subscribe on
// one Backplane through an embedded server: each sees every message of
// both, each peer's in order and intact.
func TestTwoProcessesShareOneBackplane(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := startServer(t, 0)
	const n = 500
	c := startChild(t, ctx, "peer", urlEnv+"="+srv.ClientURL(), nEnv+"="+strconv.Itoa(n))
	c.expect(t, ctx, "ready")
	p, err := startPeer(srv.ClientURL())
	require.NoError(t, err)
	_, err = io.WriteString(c.stdin, "go\n")
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { errc <- p.publish(ctx, 0, n) }()
	require.NoError(t, checkPeers(ctx, p.hs, 2, n))
	require.NoError(t, <-errc)
	st := p.b.Stats()
	require.Equal(t, uint64(n), st.Sent)
	require.Equal(t, uint64(2*n), st.Received)
	require.NoError(t, p.stop(ctx))
	c.expect(t, ctx, fmt.Sprintf("ok sent %d received %d", n, 2*n))
	require.NoError(t, c.cmd.Wait(), "stderr:\n%s", c.stderr.String())
}

// runListener is the child's side of TestTwoProcessesSurviveABrokerRestart:
// a subscriber that prints each message it gets, until its stdin closes.
func runListener() error {
	ctx, cancel := context.WithTimeout(context.Background(), childTimeout)
	defer cancel()
	s := axon.NewScheduler()
	b := chassis.NewBackplane[int]("restart", chassis.OnScheduler(s), chassis.WithTransport(natsplane.Dial(os.Getenv(urlEnv))))
	sub := chassis.SubscribeTo[int]("restart")
	hb, err := axon.NewHandle(s, b, "control", "signal")
	if err != nil {
		return err
	}
	hs, err := axon.NewHandle(s, sub)
	if err != nil {
		return err
	}
	select {
	case <-sub.Subscribed():
	case <-hb.Done():
		return hb.Wait(ctx)
	}
	fmt.Println("ready")
	listening, stop := context.WithCancel(ctx)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	for {
		v, err := hs.Get(listening, "outbox")
		if err != nil {
			break
		}
		fmt.Println(v)
	}
	problems := b.Stats().Problems
	if err := hb.Finish(ctx); err != nil {
		return err
	}
	if err := s.Wait(ctx); err != nil {
		return err
	}
	fmt.Println("problems", min(problems, 1))
	return nil
}

// Two processes, the broker restarted in the middle: the subscriber in the
// other process reconnects and gets, in order, everything published once
// both ends are back. The publishing Backplane has no subscriber of its own,
// so it never subscribes to NATS.
func TestTwoProcessesSurviveABrokerRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := natsplane.StartServer(natsplane.ServerConfig{})
	require.NoError(t, err)
	defer func() { srv.Shutdown() }()
	c := startChild(t, ctx, "listener", urlEnv+"="+srv.ClientURL())
	c.expect(t, ctx, "ready")
	s := axon.NewScheduler()
	b := chassis.NewBackplane[int]("restart", chassis.OnScheduler(s), chassis.WithTransport(srv.Transport()))
	hb, err := axon.NewHandle(s, b, "inbox", "control", "signal")
	require.NoError(t, err)
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			require.NoError(t, hb.Put(ctx, "inbox", i))
		}
	}
	const n = 100
	publish(0, n)
	for i := range n {
		c.expect(t, ctx, strconv.Itoa(i))
	}
	srv.Shutdown()
	srv, err = natsplane.StartServer(natsplane.ServerConfig{Port: srv.Port()})
	require.NoError(t, err)
	// Probe until one message gets through: those published while either
	// end was away are lost.
	next, first := n, -1
	for first < 0 {
		publish(next, next+1)
		next++
		select {
		case line := <-c.lines:
			first, err = strconv.Atoi(line)
			require.NoError(t, err, "line %q; stderr:\n%s", line, c.stderr.String())
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	from := next
	publish(from, from+n)
	for want := first + 1; want < from+n; want++ {
		c.expect(t, ctx, strconv.Itoa(want))
	}
	require.NoError(t, hb.Finish(ctx))
	require.NoError(t, s.Wait(ctx))
	require.NoError(t, c.stdin.Close())
	c.expect(t, ctx, "problems 1")
	require.NoError(t, c.cmd.Wait(), "stderr:\n%s", c.stderr.String())
	st := b.Stats()
	require.Positive(t, st.Problems, "the publisher saw the disconnection too")
	require.Zero(t, st.Received, "a Backplane without subscribers receives nothing")
}
