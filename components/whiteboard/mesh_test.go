package whiteboard

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var _ axon.CoreComponent = (*Dedupe)(nil)

func TestSeenWindow(t *testing.T) {
	s := NewSeen()
	id := func(o string, n uint64) MsgID { return MsgID{o, n} }
	assert.True(t, s.Fresh(id("a", 5)))
	assert.False(t, s.Fresh(id("a", 5)))
	assert.True(t, s.Fresh(id("a", 3)), "late but within the window")
	assert.False(t, s.Fresh(id("a", 3)))
	assert.True(t, s.Fresh(id("b", 5)), "origins apart")
	assert.True(t, s.Fresh(id("a", 5000)))
	assert.False(t, s.Fresh(id("a", 5000-seenWindow)), "older than the window counts as seen")
	assert.True(t, s.Fresh(id("a", 5000-seenWindow+1)))
	assert.True(t, s.Fresh(id("a", 100000)), "a jump clears the window")
	assert.True(t, s.Fresh(id("a", 99999)))
	for i := range maxOrigins + 10 {
		s.Fresh(id(string(rune('A'+i%26))+string(rune(i)), 1))
	}
	assert.LessOrEqual(t, len(s.origins), maxOrigins, "bounded")
}

func TestIDLine(t *testing.T) {
	line := IDLine(MsgID{"00ff", 1990})
	assert.Equal(t, "[ MSGID 00ff 1%39%390 ] \n", string(line))
	l, err := wire.Unmarshal(line)
	require.NoError(t, err)
	got, ok := ParseID(l)
	assert.True(t, ok)
	assert.Equal(t, MsgID{"00ff", 1990}, got)
	for _, bad := range []string{"[ MSGID x ] ", "[ MSGID x y ] ", "[ MSGID  1 ] ", "[ LINE 1 2 ] ", "MSGID a 1 "} {
		l, err := wire.Unmarshal([]byte(bad))
		require.NoError(t, err)
		_, ok := ParseID(l)
		assert.False(t, ok, bad)
	}
	assert.Len(t, NewOrigin(), 16)
	assert.NotEqual(t, NewOrigin(), NewOrigin())
}

// The gate names plain messages, passes each id once, and sends SOUND to
// the audio backplane.
func TestDedupe(t *testing.T) {
	d := NewDedupe("me")
	h, err := axon.NewHandle(axon.NewScheduler(), d)
	require.NoError(t, err)
	ctx := t.Context()
	draw := wire.Batch{{"LINE", "0", "0", "0", "1", "1", "2", "2"}}.List()
	for _, e := range []Envelope{
		{From: 1, Msg: draw},
		{From: 2, ID: MsgID{"other", 7}, Msg: draw},
		{From: 3, ID: MsgID{"other", 7}, Msg: draw}, // the same, by another path
		{From: 2, ID: MsgID{"other", 8}, Msg: wire.Sound([]byte{1, 2})},
		{From: 1, Msg: draw},
	} {
		require.NoError(t, h.Put(ctx, "inbox", e))
	}
	get := func(box string) Envelope {
		v, err := h.Get(ctx, box)
		require.NoError(t, err)
		return v.(Envelope)
	}
	assert.Equal(t, MsgID{"me", 1}, get("outbox").ID)
	assert.Equal(t, uint64(2), get("outbox").From)
	assert.Equal(t, MsgID{"me", 2}, get("outbox").ID)
	assert.Equal(t, MsgID{"other", 8}, get("audio").ID)
	require.NoError(t, h.Finish(ctx))
	require.NoError(t, h.Wait(ctx))
	assert.Equal(t, uint64(1), d.Duplicates())
}
