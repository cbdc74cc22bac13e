package radio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/radio"
	"github.com/stretchr/testify/require"
)

// startNode runs a swarm node on loopback for one test.
func startNode(t *testing.T, root string, maxChildren int) (*radio.SwarmNode, *axon.Handle) {
	t.Helper()
	n, err := radio.NewSwarmNode(radio.SwarmConfig{Control: loop, Data: loop, Root: root, MaxChildren: maxChildren})
	require.NoError(t, err)
	h, err := axon.NewHandle(axon.NewScheduler(), n)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		select {
		case <-h.Done():
		case <-ctx.Done():
		default:
			_ = h.Close()
		}
		require.NoError(t, h.Wait(ctx))
	})
	return n, h
}

// collect takes what h's node sends on its outbox until it ends.
func collect(ctx context.Context, h *axon.Handle) ([]byte, error) {
	var all []byte
	for {
		v, err := h.Get(ctx, "outbox")
		if errors.Is(err, axon.ErrFinished) {
			return all, nil
		}
		if err != nil {
			return all, err
		}
		all = append(all, v.([]byte)...)
	}
}

func TestSwarmRedirectsWhenFullAndEveryPeerGetsTheSameBytes(t *testing.T) {
	ctx := t.Context()
	root, rh := startNode(t, "", 4)
	rootCtl := root.ControlAddr().String()

	// Six peers join one after the other: four become the root's
	// children; the fifth and sixth are sent on to the first and second.
	var peers []*radio.SwarmNode
	var handles []*axon.Handle
	for i := range 6 {
		p, h := startNode(t, rootCtl, 4)
		select {
		case <-p.Joined():
		case <-h.Done():
			t.Fatalf("peer %d ended before joining: %v", i, h.Wait(ctx))
		}
		peers, handles = append(peers, p), append(handles, h)
	}
	for i := range 4 {
		require.Equal(t, root.DataAddr().String(), peers[i].Parent(), "peer %d", i)
	}
	require.Equal(t, peers[0].DataAddr().String(), peers[4].Parent(), "the fifth is sent to the first child")
	require.Equal(t, peers[1].DataAddr().String(), peers[5].Parent(), "the sixth to the second")
	require.Len(t, root.Peers(), 4)
	require.Equal(t, []string{peers[4].ControlAddr().String()}, peers[0].Peers())

	// Every reader is subscribed before the stream starts, so every peer
	// receives it from its first byte.
	require.NoError(t, root.WaitReaders(ctx, 4))
	require.NoError(t, peers[0].WaitReaders(ctx, 1))
	require.NoError(t, peers[1].WaitReaders(ctx, 1))

	results := make([]chan []byte, len(handles))
	for i, h := range handles {
		results[i] = make(chan []byte, 1)
		go func() {
			b, err := collect(ctx, h)
			if err != nil {
				b = append(b, fmt.Sprintf("error: %v", err)...)
			}
			results[i] <- b
		}()
	}
	var want []byte
	for i := range 200 {
		piece := fmt.Appendf(nil, "piece %04d of the radio stream|", i)
		want = append(want, piece...)
		require.NoError(t, rh.Put(ctx, "inbox", piece))
	}
	require.NoError(t, rh.Finish(ctx))
	rootGot, err := collect(ctx, rh)
	require.NoError(t, err)
	requireSameBytes(t, want, rootGot, "the root")
	for i, r := range results {
		select {
		case got := <-r:
			requireSameBytes(t, want, got, fmt.Sprintf("peer %d", i))
		case <-ctx.Done():
			t.Fatalf("peer %d: %v", i, ctx.Err())
		}
	}
	for i, h := range handles {
		require.NoError(t, h.Wait(ctx), "peer %d", i)
	}
}

func TestSwarmJoinProtocol(t *testing.T) {
	ctx := t.Context()
	root, _ := startNode(t, "", 1)
	ctl := root.ControlAddr().String()
	c := &control{}
	conn := dial(t, root.ControlAddr())
	c.c, c.r = conn, newReader(conn)
	require.Equal(t, fmt.Sprintf("CONNECT %d\n", root.DataAddr().(*net.TCPAddr).Port), c.ask(t, "REQCONNECT 127.0.0.1:9\n"))
	require.Equal(t, "REQCONNECT 127.0.0.1:9\n", c.ask(t, "REQCONNECT 127.0.0.1:10\n"), "full: sent to the child")
	require.Equal(t, "FAIL\n", c.ask(t, "REQCONNECT\n"))
	require.Equal(t, "FAIL\n", c.ask(t, "REQCONNECT nowhere\n"))
	require.Equal(t, "FAIL\n", c.ask(t, "HELLO 127.0.0.1:1\n"))

	// Join follows the redirection, passing over a node it cannot reach:
	// here the root's only child, 127.0.0.1:9, which takes no connection,
	// so it never finds room.
	_, err := radio.Join(ctx, ctl, "127.0.0.1:11", time.Second)
	require.ErrorIs(t, err, radio.ErrSwarmProtocol)
	require.ErrorContains(t, err, "the last unreachable: 127.0.0.1:9")
	// One to a node that answers nonsense is an error naming it.
	junk, err := net.Listen("tcp", loop)
	require.NoError(t, err)
	defer junk.Close()
	go func() {
		c, err := junk.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.Read(make([]byte, 64))
		_, _ = c.Write([]byte("WHAT\n"))
	}()
	_, err = radio.Join(ctx, junk.Addr().String(), "127.0.0.1:11", 5*time.Second)
	require.ErrorIs(t, err, radio.ErrSwarmProtocol)
	require.ErrorContains(t, err, `"WHAT"`)
}

func TestSwarmPeerThatCannotJoinFails(t *testing.T) {
	ctx := t.Context()
	gone, err := net.Listen("tcp", loop)
	require.NoError(t, err)
	root := gone.Addr().String()
	require.NoError(t, gone.Close()) // nothing listens there now
	n, err := radio.NewSwarmNode(radio.SwarmConfig{Control: loop, Data: loop, Root: root, DialTimeout: 5 * time.Second})
	require.NoError(t, err)
	h, err := axon.NewHandle(axon.NewScheduler(), n)
	require.NoError(t, err)
	err = h.Wait(ctx)
	require.ErrorContains(t, err, "joining the swarm at "+root)
	// Its ports are closed with it.
	_, err = net.Dial("tcp", n.ControlAddr().String())
	require.Error(t, err)
}

func TestSwarmJoinPassesOverAChildThatLeft(t *testing.T) {
	ctx := t.Context()
	root, _ := startNode(t, "", 2)
	ctl := root.ControlAddr().String()
	gone, err := net.Listen("tcp", loop)
	require.NoError(t, err)
	left := gone.Addr().String()
	require.NoError(t, gone.Close())
	// The root's children: one that has left, one that is there.
	_, err = radio.Join(ctx, ctl, left, time.Second)
	require.NoError(t, err)
	there, _ := startNode(t, ctl, 2)
	<-there.Joined()
	require.Equal(t, []string{left, there.ControlAddr().String()}, root.Peers())

	// The root sends the next peer to the one that left first; Join asks
	// the root again and is sent to the other.
	data, err := radio.Join(ctx, ctl, "127.0.0.1:12", time.Second)
	require.NoError(t, err)
	require.Equal(t, there.DataAddr().String(), data)
}
