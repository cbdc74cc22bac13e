package axon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answersWhileLocked runs f in a goroutine while the test holds a lock f must
// not take, and fails the test if f has not returned after a few seconds: a
// safety net that turns a lock taken by mistake into a failure, not a hang.
func answersWhileLocked[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	got := make(chan T, 1)
	go func() { got <- f() }()
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case v := <-got:
		return v
	case <-timer.C:
		t.Fatalf("%s waited for a lock it must not take (see the package doc's Lock order)", what)
		panic("unreachable")
	}
}

// TestInboxLenTakesNoLock checks what the lock order relies on: Len,
// DataReady and so AnyReady read an inbox without its lock, since AnyReady
// asks with its component's lock held, and a send to control takes that lock
// inside the inbox's.
func TestInboxLenTakesNoLock(t *testing.T) {
	c := &Core{}
	in := newInbox[int](c, "extra")
	c.inboxes = append(c.inboxes, in)
	require.NoError(t, in.put(t.Context(), 1, putTry, sender{}))
	require.NoError(t, in.put(t.Context(), 2, putTry, sender{}))

	in.mu.Lock()
	assert.Equal(t, 2, answersWhileLocked(t, "Inbox.Len", in.Len))
	assert.True(t, answersWhileLocked(t, "Inbox.DataReady", in.DataReady))
	assert.True(t, answersWhileLocked(t, "Core.AnyReady", c.AnyReady))
	in.mu.Unlock()

	v, ok := in.TryRecv()
	require.True(t, ok)
	assert.Equal(t, 1, v)
	in.mu.Lock()
	assert.Equal(t, 1, answersWhileLocked(t, "Inbox.Len", in.Len), "the receiver's chunk still counts")
	in.mu.Unlock()
}
