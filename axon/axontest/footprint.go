package axontest

import (
	"runtime"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Footprint is what a long-running server or composite holds at one
// moment: the live heap after a collection, the goroutines, and how many
// components a scheduler's snapshot lists.
type Footprint struct {
	Heap       uint64 // bytes of live heap after two collections
	Goroutines int    // runtime.NumGoroutine
	Components int    // len(s.Snapshot().Components); 0 without a scheduler
}

// FootprintSlack is how far a Footprint may grow from its baseline and
// still count as back: a tenth, plus HeapFloor bytes of heap and one
// goroutine, which a test's own bookkeeping moves either way.
const FootprintSlack = 0.10

// HeapFloor is the absolute heap slack AssertBack allows on top of
// FootprintSlack.
const HeapFloor = 64 << 10

// Measure collects garbage and returns the Footprint now. s may be nil,
// for a server that runs no components; then Components is 0.
func Measure(s *axon.Scheduler) Footprint {
	runtime.GC()
	runtime.GC() // the first may leave finalizers' garbage for the second
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	f := Footprint{Heap: m.HeapAlloc, Goroutines: runtime.NumGoroutine()}
	if s != nil {
		f.Components = len(s.Snapshot().Components)
	}
	return f
}

// AssertBack checks that after has come back to its baseline: heap within
// FootprintSlack of base plus HeapFloor, goroutines within FootprintSlack
// plus one, and no more components listed than base. It reports each
// excess on t, naming what, and returns whether all were back. Logf, when
// t has one, is given both footprints.
func AssertBack(t TestingT, what string, base, after Footprint) bool {
	t.Helper()
	if l, ok := t.(interface{ Logf(string, ...any) }); ok {
		l.Logf("%s: heap %d -> %d B, goroutines %d -> %d, components %d -> %d",
			what, base.Heap, after.Heap, base.Goroutines, after.Goroutines, base.Components, after.Components)
	}
	back := true
	if float64(after.Heap) > float64(base.Heap)*(1+FootprintSlack)+HeapFloor {
		t.Errorf("%s: live heap grew from %d to %d bytes", what, base.Heap, after.Heap)
		back = false
	}
	if float64(after.Goroutines) > float64(base.Goroutines)*(1+FootprintSlack)+1 {
		t.Errorf("%s: goroutines grew from %d to %d", what, base.Goroutines, after.Goroutines)
		back = false
	}
	if after.Components > base.Components {
		t.Errorf("%s: snapshot lists %d components, %d at the baseline", what, after.Components, base.Components)
		back = false
	}
	return back
}

// SettleBack waits until no more goroutines run than at base (and, with
// s, no more components are listed), then checks with AssertBack that the
// whole footprint is back, naming what. A server lets a connection's
// goroutines go a little after its socket closes and nothing tells the
// test when, so this looks every millisecond, for Safety at most; at the
// deadline it fails the test with every goroutine's stack. It returns
// whether the footprint was back.
func SettleBack(t TestingT, what string, s *axon.Scheduler, base Footprint) bool {
	t.Helper()
	settled := func() bool {
		if runtime.NumGoroutine() > base.Goroutines {
			return false
		}
		return s == nil || len(s.Snapshot().Components) <= base.Components
	}
	// Nothing to wait on: a goroutine's end sends no message.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(Safety)
	for !settled() {
		if (<-tick.C).After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%s: %d goroutines after %v, %d at the baseline; goroutines:\n%s",
				what, runtime.NumGoroutine(), Safety, base.Goroutines, buf[:runtime.Stack(buf, true)])
			return false
		}
	}
	return AssertBack(t, what, base, Measure(s))
}
