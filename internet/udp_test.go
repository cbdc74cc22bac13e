package internet_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var udpLoopbacks = []struct{ name, addr string }{
	{"ipv4", "127.0.0.1:0"},
	{"ipv6", "[::1]:0"},
}

// postbox makes a PostboxPeer on addr, skipping without IPv6.
func postbox(t *testing.T, addr string) *internet.PostboxPeer {
	t.Helper()
	p, err := internet.NewPostboxPeer(addr)
	if err != nil && addr == "[::1]:0" {
		t.Skipf("IPv6 loopback unavailable: %v", err)
	}
	require.NoError(t, err)
	return p
}

func TestSimplePeersTalk(t *testing.T) {
	for _, lb := range udpLoopbacks {
		t.Run(lb.name, func(t *testing.T) {
			ctx := axontest.Context(t)
			s := axontest.NewScheduler(t)
			b := postbox(t, lb.addr) // a listener whose address is known first
			hb := axontest.NewHandle(t, s, b)
			a, err := internet.NewSimplePeer(lb.addr, b.LocalAddr().String())
			require.NoError(t, err)
			require.NotZero(t, a.LocalAddr().Port())
			ha := axontest.NewHandle(t, s, a)

			for i := range 10 {
				require.NoError(t, ha.Put(ctx, "inbox", fmt.Appendf(nil, "datagram %d", i)))
			}
			for i := range 10 {
				d := get(t, ctx, hb, "outbox").(internet.Datagram)
				assert.Equal(t, a.LocalAddr(), d.Addr, "the source is the sender's socket")
				assert.Equal(t, fmt.Sprintf("datagram %d", i), string(d.Data), "loopback keeps order")
			}
			// And back: a receives what is sent to its address.
			require.NoError(t, hb.Put(ctx, "inbox", internet.Datagram{Addr: a.LocalAddr(), Data: []byte("reply")}))
			d := get(t, ctx, ha, "outbox").(internet.Datagram)
			assert.Equal(t, internet.Datagram{Addr: b.LocalAddr(), Data: []byte("reply")}, d)
			require.NoError(t, ha.Finish(ctx))
			require.NoError(t, ha.Wait(ctx))
			assert.Equal(t, internet.UDPStats{Sent: 10, Received: 1, BytesSent: 100, BytesReceived: 5}, a.Stats())
		})
	}
}

func TestSimplePeerFinishSendsWhatIsQueued(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	b := postbox(t, "127.0.0.1:0")
	hb := axontest.NewHandle(t, s, b)
	a, err := internet.NewSimplePeer("127.0.0.1:0", b.LocalAddr().String())
	require.NoError(t, err)
	// Queued before it runs; then ProducerFinished.
	ha := axontest.NewHandle(t, s, a)
	for i := range 50 {
		require.NoError(t, ha.Put(ctx, "inbox", []byte{byte(i)}))
	}
	require.NoError(t, ha.Finish(ctx))
	assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, ha, "signal"))
	for i := range 50 {
		assert.Equal(t, []byte{byte(i)}, get(t, ctx, hb, "outbox").(internet.Datagram).Data)
	}
	assert.Equal(t, uint64(50), a.Stats().Sent)
}

func TestSimplePeerShutdownWhileReceiving(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	b := postbox(t, "127.0.0.1:0") // never sent to
	require.NoError(t, b.Close())
	a, err := internet.NewSimplePeer("127.0.0.1:0", b.LocalAddr().String())
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, a)
	require.NoError(t, h.Put(ctx, "control", axon.Shutdown{}))
	assert.Equal(t, axon.Shutdown{}, get(t, ctx, h, "signal"))
	// The port is free again.
	again, err := internet.NewPostboxPeer(a.LocalAddr().String())
	require.NoError(t, err)
	require.NoError(t, again.Close())
}

func TestSimplePeerOversizedDatagramFails(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	b := postbox(t, "127.0.0.1:0")
	hb := axontest.NewHandle(t, s, b)
	a, err := internet.NewSimplePeer("127.0.0.1:0", b.LocalAddr().String())
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, a)
	require.NoError(t, h.Put(ctx, "inbox", make([]byte, 70000)))
	f, ok := get(t, ctx, h, "signal").(*axon.Failure)
	require.True(t, ok)
	assert.ErrorContains(t, f, "sending 70000 bytes to "+b.LocalAddr().String())
	assert.Zero(t, a.Stats().Sent)
	_, got := hb.TryGet("outbox")
	assert.False(t, got, "nothing arrived")
}

func TestTargettedPeerChangesDestination(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	b1, b2 := postbox(t, "127.0.0.1:0"), postbox(t, "127.0.0.1:0")
	h1, h2 := axontest.NewHandle(t, s, b1), axontest.NewHandle(t, s, b2)
	p, err := internet.NewTargettedPeer("127.0.0.1:0", b1.LocalAddr().String())
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, p)

	require.NoError(t, h.Put(ctx, "inbox", []byte("to one")))
	assert.Equal(t, "to one", string(get(t, ctx, h1, "outbox").(internet.Datagram).Data))
	require.NoError(t, h.Put(ctx, "target", b2.LocalAddr()))
	// A target is taken before data: this goes to b2.
	require.NoError(t, h.Put(ctx, "inbox", []byte("to two")))
	assert.Equal(t, "to two", string(get(t, ctx, h2, "outbox").(internet.Datagram).Data))
	require.NoError(t, h.Finish(ctx))
	assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h, "signal"))
	assert.Equal(t, uint64(1), b1.Stats().Received)
}

func TestTargettedPeerHoldsDataUntilItHasATarget(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	b := postbox(t, "127.0.0.1:0")
	hb := axontest.NewHandle(t, s, b)
	p, err := internet.NewTargettedPeer("127.0.0.1:0", "")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, p)
	for _, m := range []string{"held", "until", "told"} {
		require.NoError(t, h.Put(ctx, "inbox", []byte(m)))
	}
	require.NoError(t, h.Put(ctx, "target", b.LocalAddr()))
	for _, m := range []string{"held", "until", "told"} {
		assert.Equal(t, m, string(get(t, ctx, hb, "outbox").(internet.Datagram).Data))
	}
}

func TestTargettedPeerWithoutTargetFailsOnFinish(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	p, err := internet.NewTargettedPeer("127.0.0.1:0", "")
	require.NoError(t, err)
	h := axontest.NewHandle(t, s, p)
	require.NoError(t, h.Put(ctx, "inbox", []byte("nowhere to go")))
	require.NoError(t, h.Finish(ctx))
	f, ok := get(t, ctx, h, "signal").(*axon.Failure)
	require.True(t, ok)
	assert.ErrorIs(t, f, internet.ErrNoDestination)
}

func TestPostboxPeerAddressesEachDatagram(t *testing.T) {
	ctx := axontest.Context(t)
	s := axontest.NewScheduler(t)
	var hs []*axon.Handle
	var addrs []netip.AddrPort
	for range 3 {
		b := postbox(t, "127.0.0.1:0")
		hs = append(hs, axontest.NewHandle(t, s, b))
		addrs = append(addrs, b.LocalAddr())
	}
	p := postbox(t, "127.0.0.1:0")
	h := axontest.NewHandle(t, s, p)
	for round := range 2 {
		for i, a := range addrs {
			require.NoError(t, h.Put(ctx, "inbox", internet.Datagram{Addr: a, Data: fmt.Appendf(nil, "%d/%d", round, i)}))
		}
	}
	for round := range 2 {
		for i := range addrs {
			d := get(t, ctx, hs[i], "outbox").(internet.Datagram)
			assert.Equal(t, internet.Datagram{Addr: p.LocalAddr(), Data: fmt.Appendf(nil, "%d/%d", round, i)}, d)
		}
	}
}

func TestUDPBadAddresses(t *testing.T) {
	_, err := internet.NewSimplePeer("127.0.0.1:0", "not an address")
	assert.Error(t, err)
	_, err = internet.NewPostboxPeer("127.0.0.1:notaport")
	assert.Error(t, err)
	_, err = internet.NewTargettedPeer("127.0.0.1:0", "::1")
	assert.Error(t, err, "a port is needed")
}
