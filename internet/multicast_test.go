package internet_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Multicast runs on the loopback interface with a time to live of 0, so
// nothing leaves the host. Some kernels refuse multicast on loopback
// (Linux's lo has no MULTICAST flag; IPv4 works there, IPv6 usually does
// not): the tests skip then, saying why.

// refused reports whether err is a kernel refusing multicast on loopback.
func refused(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.ENODEV) ||
		errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.EINVAL) || errors.Is(err, internet.ErrMulticastUnsupported)
}

func loopbackOpts(t *testing.T) []internet.MulticastOption {
	lo, err := internet.LoopbackInterface()
	require.NoError(t, err)
	return []internet.MulticastOption{internet.WithInterface(lo), internet.WithTTL(0)}
}

func TestMulticastOnLoopback(t *testing.T) {
	for _, tc := range []struct{ name, group, local string }{
		{"ipv4", "239.255.77.1:0", "127.0.0.1:0"},
		{"ipv6", "[ff01::77]:0", "[::1]:0"}, // interface-local scope
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := axontest.Context(t)
			s := axontest.NewScheduler(t)
			opts := loopbackOpts(t)
			r1, err := internet.NewMulticastReceiver(tc.group, opts...)
			if err != nil && refused(err) {
				t.Skipf("the kernel refuses to join %s on loopback: %v", tc.group, err)
			}
			require.NoError(t, err)
			require.NotZero(t, r1.Group().Port())
			// A second receiver and a transceiver on the same group and port.
			r2, err := internet.NewMulticastReceiver(r1.Group().String(), opts...)
			require.NoError(t, err)
			tr, err := internet.NewMulticastTransceiver(r1.Group().String(), opts...)
			require.NoError(t, err)
			snd, err := internet.NewMulticastSender(tc.local, r1.Group().String(), opts...)
			require.NoError(t, err)
			h1, h2, ht, hs := axontest.NewHandle(t, s, r1), axontest.NewHandle(t, s, r2), axontest.NewHandle(t, s, tr), axontest.NewHandle(t, s, snd)

			require.NoError(t, hs.Put(ctx, "inbox", []byte("probe")))
			// The probe arrives, or the sender fails (the kernel refusing).
			pctx, cancel := context.WithCancel(ctx)
			go func() {
				select {
				case <-snd.Done():
					cancel()
				case <-pctx.Done():
				}
			}()
			first, err := h1.Get(pctx, "outbox")
			cancel()
			if err != nil {
				sig, _ := hs.Get(ctx, "signal")
				if f, ok := sig.(*axon.Failure); ok && refused(f) {
					t.Skipf("the kernel refuses to send to %s on loopback: %v", tc.group, f)
				}
				require.NoError(t, err)
			}
			assert.Equal(t, internet.Datagram{Addr: snd.LocalAddr(), Data: []byte("probe")}, first)
			for i := range 5 {
				require.NoError(t, hs.Put(ctx, "inbox", fmt.Appendf(nil, "to all %d", i)))
			}
			require.NoError(t, ht.Put(ctx, "inbox", []byte("from the transceiver")))
			for _, h := range []*axon.Handle{h2, ht} {
				assert.Equal(t, "probe", string(get(t, ctx, h, "outbox").(internet.Datagram).Data))
			}
			// Every member gets every datagram; the transceiver's own come
			// back to it too (loopback on). Order between the two senders
			// is not fixed.
			for _, h := range []*axon.Handle{h1, h2, ht} {
				var got []string
				for range 6 {
					got = append(got, string(get(t, ctx, h, "outbox").(internet.Datagram).Data))
				}
				assert.ElementsMatch(t, []string{"to all 0", "to all 1", "to all 2", "to all 3", "to all 4", "from the transceiver"}, got)
			}
			require.NoError(t, hs.Finish(ctx))
			assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, hs, "signal"))
			require.NoError(t, h1.Finish(ctx))
			assert.Equal(t, axon.ProducerFinished{}, get(t, ctx, h1, "signal"))
			assert.Equal(t, uint64(6), snd.Stats().Sent)
		})
	}
}

func TestMulticastRejectsUnicastGroups(t *testing.T) {
	_, err := internet.NewMulticastReceiver("127.0.0.1:0")
	assert.ErrorContains(t, err, "not a multicast group")
	_, err = internet.NewMulticastSender("127.0.0.1:0", "127.0.0.1:0")
	assert.ErrorContains(t, err, "not a multicast group")
}

func TestLoopbackInterface(t *testing.T) {
	lo, err := internet.LoopbackInterface()
	require.NoError(t, err)
	assert.NotZero(t, lo.Flags&net.FlagLoopback)
}
