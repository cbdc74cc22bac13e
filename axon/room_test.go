package axon_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Senders keep a cached copy of how many messages the receiver has taken and
// look at the receiver's count only when that copy says the box is full.
// These tests check that the cache never costs exactness: a box reports full
// only when it is, Len is exact, and room made by the receiver is seen.

func TestRoomFollowsTheReceiverAcrossManyCycles(t *testing.T) {
	const capacity = 5
	src, dst := newBox[int]("src"), newBox[int]("dst")
	dst.in.SetCapacity(capacity)
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)

	next, want := 0, 0
	take := func(k int, batch bool) {
		t.Helper()
		var got []int
		if batch {
			got = dst.in.TryRecvBatch(nil, k)
		} else {
			for range k {
				v, ok := dst.in.TryRecv()
				require.True(t, ok)
				got = append(got, v)
			}
		}
		require.Len(t, got, k)
		for _, v := range got {
			require.Equal(t, want, v, "messages arrive in order")
			want++
		}
	}
	for i := range 2_000 {
		// Fill the box: exactly as many sends fit as there is room.
		for dst.in.Len() < capacity {
			require.NoError(t, src.out.TrySend(next))
			next++
		}
		requireFull(t, src.out.TrySend(-1), "dst.inbox", capacity)
		assert.Equal(t, capacity, dst.in.Len())

		k := i%capacity + 1
		take(k, i%2 == 0)
		require.Equal(t, capacity-k, dst.in.Len())
		for range k {
			require.NoError(t, src.out.TrySend(next), "room for the %d taken", k)
			next++
		}
		requireFull(t, src.out.TrySend(-1), "dst.inbox", capacity)
	}
	take(capacity, true)
	assert.Equal(t, 0, dst.in.Len())
	assert.Equal(t, next, want)
}

func TestSendBatchSeesRoomMadeByTheReceiver(t *testing.T) {
	ctx := axontest.Context(t)
	src, dst := newBox[int]("src"), newBox[int]("dst")
	dst.in.SetCapacity(8)
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)

	require.NoError(t, src.out.SendBatch(ctx, []int{0, 1, 2, 3, 4, 5, 6, 7}))
	requireFull(t, src.out.TrySend(-1), "dst.inbox", 8)
	assert.Equal(t, []int{0, 1, 2}, dst.in.TryRecvBatch(nil, 3))

	// Room for exactly three: the batch goes in whole, without waiting
	// (a wait would end only with ctx, failing the test).
	require.NoError(t, src.out.SendBatch(ctx, []int{8, 9, 10}))
	requireFull(t, src.out.TrySend(-1), "dst.inbox", 8)
	assert.Equal(t, 8, dst.in.Len())
	assert.Equal(t, []int{3, 4, 5, 6, 7, 8, 9, 10}, dst.in.TryRecvBatch(nil, 100))
	assert.Equal(t, 0, dst.in.Len())
}

func TestRoomOfAnUnboundedBoxNeverRunsOut(t *testing.T) {
	src, dst := newBox[int]("src"), newBox[int]("dst")
	dst.in.SetCapacity(axon.Unbounded)
	_, err := axon.Link(src.out, dst.in)
	require.NoError(t, err)
	const n = 10_000
	for i := range n {
		require.NoError(t, src.out.TrySend(i))
	}
	assert.Equal(t, n, dst.in.Len())
	got := dst.in.TryRecvBatch(nil, n)
	require.Len(t, got, n)
	assert.Equal(t, n-1, got[n-1])
	assert.Equal(t, 0, dst.in.Len())
}
