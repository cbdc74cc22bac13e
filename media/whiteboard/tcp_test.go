//go:build cgo

package whiteboard_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/components/framing"
	"github.com/kamaelia-go/kamaelia/components/whiteboard/wire"
	"github.com/kamaelia-go/kamaelia/internet"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Peer X's microphone hears a 1 kHz tone; X sends it as SOUND lines over
// TCP to Y, which routes them, decodes and mixes them, and hears the tone
// at 1 kHz. The time from X's microphone sending a frame to Y's mix
// sending its sound is the latency of one hop.
func TestToneFromOnePeerIsHeardByAnotherOverTCP(t *testing.T) {
	// Half a second of silence, then a second of tone; the disk driver
	// reads one 20 ms buffer every 20 ms, as a microphone would.
	mic := append(make([]int16, 4000), tone16(1000, 0.5, whiteboard.AudioRate)...)
	microphone(t, mic, "20")
	ctx := t.Context()
	s := axon.NewScheduler()

	// Y: a server whose connection feeds lines -> token lists -> router
	// -> the conference Y hears.
	srv, err := internet.NewTCPServer("127.0.0.1:0")
	require.NoError(t, err)
	hs, err := axon.NewHandle(s, srv)
	require.NoError(t, err)
	conf := whiteboard.NewConference("Y")
	router := whiteboard.NewSoundRouter("X")
	lines := framing.NewLineSplit[[]byte]()
	dec := wire.NewDecoder()
	y := chassis.Graphline(chassis.Components{"LINES": lines, "TOKENS": dec, "ROUTER": router, "HEAR": conf}, chassis.Linkages{
		{Component: chassis.Self, Box: "inbox"}: {Component: "LINES", Box: "inbox"},
		{Component: "LINES", Box: "outbox"}:     {Component: "TOKENS", Box: "inbox"},
		{Component: "TOKENS", Box: "outbox"}:    {Component: "ROUTER", Box: "inbox"},
		{Component: "ROUTER", Box: "voices"}:    {Component: "HEAR", Box: "inbox"},
		{Component: "HEAR", Box: "outbox"}:      {Component: chassis.Self, Box: "outbox"},
		{Component: "ROUTER", Box: "outbox"}:    {Component: chassis.Self, Box: "drawing"},
	})
	require.NoError(t, y.SetupErr())
	hy, err := axon.NewHandle(s, y, "outbox", "drawing")
	require.NoError(t, err)

	// X: the microphone, and a client to Y.
	m, err := whiteboard.NewMicrophone("")
	require.NoError(t, err)
	hm, err := axon.NewHandle(s, m)
	require.NoError(t, err)
	client := internet.NewTCPClient(srv.Addr().String())
	hc, err := axon.NewHandle(s, client)
	require.NoError(t, err)
	c, err := hs.Get(ctx, "outbox")
	require.NoError(t, err)
	conn := c.(*internet.Conn)
	yin, _ := y.Inbox("inbox")
	_, err = axon.Link(conn.Out, yin)
	require.NoError(t, err)
	s.Activate(conn)

	const frames = 60 // 1.2 s
	type chunk struct {
		a  *frame.Audio
		at time.Time
	}
	// Y's mix is timed as it comes, by a reader of its own.
	chunks := make(chan chunk, frames)
	go func() {
		defer close(chunks)
		for range frames {
			a, err := hy.Get(ctx, "outbox")
			if err != nil {
				return
			}
			chunks <- chunk{a.(*frame.Audio), time.Now()}
		}
	}()
	sent := make([]time.Time, 0, frames)
	for len(sent) < frames {
		f, err := hm.Get(ctx, "outbox")
		require.NoError(t, err)
		sent = append(sent, time.Now())
		require.NoError(t, hc.Put(ctx, "inbox", whiteboard.SoundLine(f.([]byte))))
	}
	var (
		mix   []*frame.Audio
		heard []time.Time
	)
	for c := range chunks {
		mix, heard = append(mix, c.a), append(heard, c.at)
	}
	require.Len(t, mix, frames)
	s.ShutdownAll(axon.Shutdown{})
	for _, h := range []*axon.Handle{hs, hy, hm, hc} {
		_ = h.Close()
	}
	_ = s.Wait(ctx)

	got := samples(t, mix)
	start := slices.IndexFunc(got, func(v int16) bool { return v > 2000 || v < -2000 })
	require.GreaterOrEqual(t, start, 0, "Y heard the tone")
	require.Less(t, start+4000, len(got))
	assert.InDelta(t, 1000, strongest(got[start:start+4000]), 20)

	// Frame i of X's microphone is chunk i of Y's mix.
	lat := make([]time.Duration, frames)
	for i := range frames {
		lat[i] = heard[i].Sub(sent[i])
	}
	slices.Sort(lat)
	p50, p99 := lat[frames/2], lat[frames*99/100]
	// Add the 20 ms a frame takes to record: the first sample of a frame
	// waits that long for the last.
	t.Logf("one hop, microphone frame to mixed sound: p50 %v, p99 %v; with the 20 ms frame: p50 %v, p99 %v",
		p50, p99, p50+20*time.Millisecond, p99+20*time.Millisecond)
	assert.Less(t, p99+20*time.Millisecond, 100*time.Millisecond, "one hop within 100 ms")
}
