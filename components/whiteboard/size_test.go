package whiteboard

import (
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/stretchr/testify/assert"
)

// cpuTime returns the CPU time the process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A session of three peers (A <- B <- C, each serving) is over a hundred
// components, as the article says, counted through axon's introspection;
// idle, it uses next to no CPU.
func TestThreePeerSessionSize(t *testing.T) {
	s := axon.NewScheduler()
	a := startPeer(t, s, true)
	b := startPeer(t, s, true, a.addr)
	b.fetched(t, a)
	c := startPeer(t, s, true, b.addr)
	c.fetched(t, b)
	snap := s.Snapshot()
	n := 0
	for _, ci := range snap.Components {
		if ci.State == axon.Running.String() {
			n++
		}
	}
	t.Logf("a 3-peer session: %d components running (%d in the snapshot), %d links", n, len(snap.Components), len(snap.Links))
	assert.Greater(t, n, 100)

	before := cpuTime(t)
	<-time.After(time.Second) // let a second of idleness pass
	used := cpuTime(t) - before
	t.Logf("idle for 1 s: %v of CPU", used)
	assert.Less(t, used, 100*time.Millisecond, "idle peers poll nothing")
}
