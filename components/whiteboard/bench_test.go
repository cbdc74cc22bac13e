package whiteboard

import (
	"context"
	"image"
	"slices"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// BenchmarkStrokeLatency measures a stroke from a mouse event on peer A to
// the canvas of peer C, through a chain A <- B <- C of peers connected
// over loopback TCP (two hops), one stroke at a time. It reports the
// median and the 99th percentile.
func BenchmarkStrokeLatency(b *testing.B) {
	s := axon.NewScheduler()
	ctx := context.Background()
	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	start := func(serve bool, connect ...string) *testPeer {
		p, err := NewPeer(Config{Dir: b.TempDir(), Scheduler: s})
		if err != nil {
			b.Fatal(err)
		}
		tp := &testPeer{Peer: p}
		if serve {
			srv, err := p.Serve("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			tp.addr = srv.Addr().String()
		}
		for _, a := range connect {
			if _, err := p.Connect(a); err != nil {
				b.Fatal(err)
			}
		}
		tp.h, err = axon.NewHandle(s, p, "mouse", "updates", "control", "signal")
		if err != nil {
			b.Fatal(err)
		}
		cleanups = append(cleanups, func() { _ = tp.h.Finish(ctx); _ = tp.h.Wait(ctx) })
		return tp
	}
	a := start(true)
	bb := start(true, a.addr)
	c := start(false, bb.addr)
	waitPictures := func(p *testPeer) {
		for p.Canvas().Pictures() == 0 {
			if _, err := p.h.Get(ctx, "updates"); err != nil {
				b.Fatal(err)
			}
		}
	}
	waitPictures(bb)
	waitPictures(c)
	// Drain what C showed while joining.
	for {
		if _, ok := c.h.TryGet("updates"); !ok {
			break
		}
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		y := 10 + i%700
		x := 10 + (i/700)%800
		t0 := time.Now()
		if err := a.h.Put(ctx, "mouse", MouseEvent{Kind: MouseDown, X: x, Y: y, Button: 1}); err != nil {
			b.Fatal(err)
		}
		if err := a.h.Put(ctx, "mouse", MouseEvent{Kind: MouseUp, X: x + 5, Y: y, Button: 1}); err != nil {
			b.Fatal(err)
		}
		for {
			v, err := c.h.Get(ctx, "updates")
			if err != nil {
				b.Fatal(err)
			}
			if image.Pt(x+5, y).In(v.(Update).Rect) {
				break
			}
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
}
