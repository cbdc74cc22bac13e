//go:build cgo

package whiteboard_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	wb "github.com/kamaelia-go/kamaelia/components/whiteboard"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// meshPeer is a running Whiteboard peer with a handle on its updates.
type meshPeer struct {
	*wb.Peer
	h    *axon.Handle
	addr string // where it serves
}

func startMeshPeer(t *testing.T, s *axon.Scheduler, serve string, connect ...string) *meshPeer {
	t.Helper()
	p, err := wb.NewPeer(wb.Config{Dir: t.TempDir(), Scheduler: s})
	require.NoError(t, err)
	var addr string
	if serve != "" {
		srv, err := p.Serve(serve)
		require.NoError(t, err)
		addr = srv.Addr().String()
	}
	for _, a := range connect {
		_, err := p.Connect(a)
		require.NoError(t, err)
	}
	h, err := axon.NewHandle(s, p, "updates", "ticker")
	require.NoError(t, err)
	return &meshPeer{p, h, addr}
}

// joined waits until the peer has taken the picture of the peer it joined:
// its connection is up.
func (m *meshPeer) joined(t *testing.T) {
	t.Helper()
	for m.Canvas().Pictures() == 0 {
		_, err := m.h.Get(t.Context(), "updates")
		require.NoError(t, err)
	}
}

// Three peers over TCP, B and C joined to A. A's microphone hears a 1 kHz
// tone, B speaks a 1.5 kHz one: A hears B and not itself, B hears A and not
// itself, and C hears both at once, mixed.
func TestPeersHearEveryoneButThemselves(t *testing.T) {
	microphone(t, tone16(1000, 0.3, 2*whiteboard.AudioRate), "20")
	ctx := t.Context()
	s := axon.NewScheduler()
	a := startMeshPeer(t, s, "127.0.0.1:0")
	addr := a.addr
	b := startMeshPeer(t, s, "", addr)
	c := startMeshPeer(t, s, "", addr)
	b.joined(t)
	c.joined(t)

	mic, err := whiteboard.NewMicrophone("")
	require.NoError(t, err)
	voiceB := axontest.NewRelay[[]byte](0)
	audio := map[string]*whiteboard.PeerAudio{}
	hear := map[string]*axon.Handle{}
	for name, m := range map[string]struct {
		p     *meshPeer
		voice axon.Component
	}{"A": {a, mic}, "B": {b, voiceB}, "C": {c, nil}} {
		pa, err := whiteboard.NewPeerAudio(m.p.Peer, m.voice)
		require.NoError(t, err)
		pa.Conference.Mixer.Latency = 25 // a loaded machine may run a speaker late
		audio[name] = pa
		h, err := axon.NewHandle(s, pa, "outbox")
		require.NoError(t, err)
		hear[name] = h
		<-pa.Subscribed
	}
	hb, err := axon.NewHandle(s, voiceB, "inbox")
	require.NoError(t, err)

	// B talks for 1.5 s, in real time, while A's microphone hears its
	// tone.
	frames := speak(t, tone16(1500, 0.3, 3*whiteboard.AudioRate/2))
	tick := time.NewTicker(20 * time.Millisecond)
	for _, f := range frames {
		<-tick.C // the pace of speech
		require.NoError(t, hb.Put(ctx, "inbox", f))
	}
	tick.Stop()
	const chunks = 60
	heard := map[string][]int16{}
	for name, h := range hear {
		var mix []*frame.Audio
		for len(mix) < chunks {
			v, err := h.Get(ctx, "outbox")
			require.NoError(t, err, "%s hears", name)
			mix = append(mix, v.(*frame.Audio))
		}
		heard[name] = samples(t, mix)
	}
	s.ShutdownAll(axon.Shutdown{})
	for _, h := range append([]*axon.Handle{hb, a.h, b.h, c.h}, hear["A"], hear["B"], hear["C"]) {
		_ = h.Close()
	}
	_ = s.Wait(context.WithoutCancel(ctx))

	tail := func(s []int16) []int16 { return s[len(s)-20*whiteboard.FrameSamples:] }
	aHears, bHears := tail(heard["A"]), tail(heard["B"])
	assert.InDelta(t, 1500, strongest(aHears), 20, "A hears B")
	assert.Less(t, goertzel(aHears, 1000), goertzel(aHears, 1500)/100, "A does not hear itself")
	assert.InDelta(t, 1000, strongest(bHears), 20, "B hears A")
	assert.Less(t, goertzel(bHears, 1500), goertzel(bHears, 1000)/100, "B does not hear itself")
	cHears := heard["C"]
	for i := chunks - 20; i < chunks; i++ {
		chunk := cHears[i*whiteboard.FrameSamples : (i+1)*whiteboard.FrameSamples]
		assert.Greater(t, goertzel(chunk, 1000), 0.005, "C hears A in chunk %d", i)
		assert.Greater(t, goertzel(chunk, 1500), 0.005, "C hears B in chunk %d", i)
	}
	for name, pa := range audio {
		assert.Zero(t, pa.Malformed(), name)
	}
}

// A sound file played into the session (Kamaelia's MP3Player): A plays a
// 44.1 kHz file of a 1 kHz tone to everyone, resampled to 8 kHz and coded
// as Speex at the pace of the sound; B hears it.
func TestSoundFileIsHeardByThePeers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tone.wav")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100:duration=0.6",
		"-af", "volume=0.5", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	ctx := t.Context()
	s := axon.NewScheduler()
	a := startMeshPeer(t, s, "127.0.0.1:0")
	b := startMeshPeer(t, s, "", a.addr)
	b.joined(t)
	listen, err := whiteboard.NewPeerAudio(b.Peer, nil)
	require.NoError(t, err)
	hb, err := axon.NewHandle(s, listen, "outbox")
	require.NoError(t, err)
	<-listen.Subscribed
	music, err := whiteboard.NewSoundFile(path)
	require.NoError(t, err)
	voice, err := whiteboard.NewPeerVoice(a.Peer, music)
	require.NoError(t, err)
	start := time.Now()
	hv, err := axon.NewHandle(s, voice, "signal")
	require.NoError(t, err)
	require.NoError(t, hv.Wait(ctx), "the voice ends when the file has been sent")
	took := time.Since(start)
	var mix []*frame.Audio
	for len(mix) < 30 {
		v, err := hb.Get(ctx, "outbox")
		require.NoError(t, err)
		mix = append(mix, v.(*frame.Audio))
	}
	s.ShutdownAll(axon.Shutdown{})
	for _, h := range []*axon.Handle{hb, hv, a.h, b.h} {
		_ = h.Close()
	}
	_ = s.Wait(context.WithoutCancel(ctx))
	heard := samples(t, mix)
	assert.InDelta(t, 1000, strongest(heard[800:]), 20, "B hears the music")
	// 0.6 s of sound, 5 frames of it pre-rolled: sent at its pace.
	assert.Greater(t, took, 400*time.Millisecond, "at the pace of the sound")
	t.Logf("0.6 s of sound sent in %v", took)
}
