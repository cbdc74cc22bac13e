// Package kit holds what the components of kamaelia-go share: waits that
// honour shutdown, and the arithmetic of rates. (A helper goroutine that
// feeds its component uses axon.Feed; a component takes its control
// messages with Core.TakeControl.)
//
// It imports axon only.
package kit

import (
	"context"
	"math"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

// Waiter is what the waits need of a component: axon.Core has it.
type Waiter interface {
	Wait(ctx context.Context) error
}

// Sleep waits for d, or until ctx ends (then it returns ctx's error). It
// uses a time.Timer, so it is exact under testing/synctest.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitUntil waits on c as c.Wait does (a message in any inbox of c, a child
// that ended), but no later than deadline. It reports whether the deadline
// passed; it returns ctx's error when ctx ended. The component must have
// taken every message it means to (see Discard), or c.Wait returns at once.
func WaitUntil(ctx context.Context, c Waiter, deadline time.Time) (bool, error) {
	if !time.Now().Before(deadline) {
		return true, ctx.Err()
	}
	tctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	if err := c.Wait(tctx); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return true, nil
	}
	return false, nil
}

// Discard takes and drops every message waiting in in. Components call it
// on the boxes they do not use, so that Core.Wait sleeps.
func Discard[T any](in *axon.Inbox[T]) {
	for {
		if _, ok := in.TryRecv(); !ok {
			return
		}
	}
}

// Pacer spaces events at rate per second. The first event may happen at
// once; event j after it is due at base + j/rate. An event on time keeps the
// schedule exact, with no drift. An event later than its time by more than
// the pacer's slack (the source was slow, or a send waited for room)
// restarts the schedule from its own time, so the pacer never bursts to
// catch up. With no slack, events never come closer together than 1/rate;
// with a slack of one period, small delays (a busy machine) are made up
// and the average rate holds exactly.
type Pacer struct {
	rate    float64
	slack   time.Duration
	base    time.Time
	j       int64
	started bool
}

// NewPacer returns a pacer for rate events per second (rate > 0) that
// tolerates slack lateness before it restarts its schedule.
func NewPacer(rate float64, slack time.Duration) *Pacer { return &Pacer{rate: rate, slack: slack} }

// Offset returns when event j of a schedule is due after its base.
func Offset(j int64, rate float64) time.Duration {
	return time.Duration(math.Round(float64(j) * float64(time.Second) / rate))
}

// Next returns when the next event is due; ok is false before the first
// event, which is due at once.
func (p *Pacer) Next() (due time.Time, ok bool) {
	if !p.started {
		return time.Time{}, false
	}
	return p.base.Add(Offset(p.j+1, p.rate)), true
}

// Done records that an event happened at now.
func (p *Pacer) Done(now time.Time) {
	if !p.started {
		p.started, p.base, p.j = true, now, 0
		return
	}
	if due := p.base.Add(Offset(p.j+1, p.rate)); now.Sub(due) > p.slack {
		p.base, p.j = now, 0 // late: restart the schedule from now
		return
	}
	p.j++
}

// Wait waits until the next event is due, or ctx ends.
func (p *Pacer) Wait(ctx context.Context) error {
	due, ok := p.Next()
	if !ok {
		return ctx.Err()
	}
	return Sleep(ctx, time.Until(due))
}

// Portions splits a stream into portions of a fractional size per step:
// portion k is floor((k+1)·per) - floor(k·per) units, so that the first k
// portions add up to floor(k·per) exactly (to within 1e-9 of a unit), with
// no drift however long it runs.
type Portions struct {
	per float64
	k   int64
}

// NewPortions returns portions of per units each, on average (per > 0).
func NewPortions(per float64) *Portions { return &Portions{per: per} }

func (p *Portions) total(k int64) int64 { return int64(math.Floor(float64(k)*p.per + 1e-9)) }

// Next returns the size of the next portion; it may be 0 when per < 1.
func (p *Portions) Next() int {
	n := p.total(p.k+1) - p.total(p.k)
	p.k++
	return int(n)
}
