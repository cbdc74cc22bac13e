// Package timing has the components that act on the clock: MessageRateLimit
// lets messages through no faster than a rate, Clock ticks, and
// ByteRateRequestControl asks for data at a rate (Kamaelia's
// Kamaelia.Util.RateFilter and Clock).
//
// They wait with time.Timer and context deadlines, never by polling, so
// under testing/synctest their timing is exact to the nanosecond, and an
// idle one costs no CPU.
package timing

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/internal/kit"
)

// MessageRateLimit passes the messages it is sent on unchanged, no faster
// than a rate: it first gathers buffer messages (its pre-roll), then sends
// one every 1/rate seconds for as long as it has them (Kamaelia's
// MessageRateLimit, which busy-waited and ran 10% fast; this one sleeps
// and is exact).
//
// Boxes:
//
//	inbox   (T)    messages to pass on
//	control (any)  ProducerFinished, Shutdown
//	outbox  (T)    the same messages, in order, paced
//	signal  (any)  how it ended
//
// The first message goes as soon as the pre-roll is full; each next one
// 1/rate seconds after the one before, or as soon as it arrives if it comes
// later than that. Two messages never go closer together than 1/rate; a
// message that had to wait (for input, or for room downstream) restarts the
// schedule from its own time instead of bursting to catch up.
//
// The pre-roll is at most MaxPreroll messages: a larger buffer fails Main at
// once with an error wrapping ErrPrerollTooLarge (CheckPreroll says so
// beforehand). Room for the pre-roll is taken as messages arrive, not when
// it starts.
//
// Example: play 25 frames a second, after buffering 10:
//
//	limit := timing.NewMessageRateLimit[[]byte](25, 10)
//
// Shutdown: ProducerFinished on control ends the pre-roll early and makes it
// send every message it holds or that waits in its inbox, still at the
// rate, then end with ProducerFinished. Shutdown stops it at once: messages
// not yet sent are dropped.
type MessageRateLimit[T any] struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[T]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out    *axon.Outbox[T]
	rate   float64
	buffer int
}

// MaxPreroll is the largest pre-roll, in messages, a MessageRateLimit
// takes: far more than playback needs (a few seconds of frames), small
// enough that a mistyped buffer cannot ask for gigabytes.
const MaxPreroll = 1 << 20

// ErrPrerollTooLarge is what the error of a pre-roll larger than MaxPreroll
// wraps.
var ErrPrerollTooLarge = errors.New("timing: pre-roll too large")

// CheckPreroll returns nil if buffer is a pre-roll a MessageRateLimit
// takes (0 to MaxPreroll messages), or else an error wrapping
// ErrPrerollTooLarge that names both.
func CheckPreroll(buffer int) error {
	if buffer > MaxPreroll {
		return fmt.Errorf("%w: %d messages, at most %d", ErrPrerollTooLarge, buffer, MaxPreroll)
	}
	return nil
}

// NewMessageRateLimit returns a limit of messagesPerSecond (> 0) that
// pre-rolls buffer messages (0: none; more than MaxPreroll fails Main). It
// panics if messagesPerSecond is not a positive number.
func NewMessageRateLimit[T any](messagesPerSecond float64, buffer int) *MessageRateLimit[T] {
	if !(messagesPerSecond > 0) || math.IsInf(messagesPerSecond, 1) {
		panic(fmt.Sprintf("timing: message rate must be positive and finite, not %v", messagesPerSecond))
	}
	m := &MessageRateLimit[T]{rate: messagesPerSecond, buffer: max(buffer, 0)}
	m.In = axon.NewInbox[T](m, "inbox")
	m.Out = axon.NewOutbox[T](m, "outbox")
	return m
}

// Main pre-rolls, then passes messages on at the rate.
func (m *MessageRateLimit[T]) Main(ctx context.Context) error {
	if err := CheckPreroll(m.buffer); err != nil {
		return err
	}
	// The pre-roll is held here, not left in the inbox, so that the inbox
	// may be smaller than the pre-roll. It grows as messages come: a large
	// pre-roll of a stream that ends early costs only what came.
	var held []T
	for len(held) < m.buffer {
		v, err := m.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		held = append(held, v)
	}
	pace := kit.NewPacer(m.rate, 0)
	for {
		var v T
		if len(held) > 0 {
			v = held[0]
			var zero T
			held[0] = zero
			held = held[1:]
		} else {
			var err error
			if v, err = m.In.Recv(ctx); err != nil {
				if errors.Is(err, axon.ErrFinished) {
					return nil
				}
				return err
			}
		}
		if err := pace.Wait(ctx); err != nil {
			return err
		}
		if err := m.Out.Send(ctx, v); err != nil {
			return err
		}
		pace.Done(time.Now())
	}
}

// Clock sends the time on its outbox every interval, like a time.Ticker
// (Kamaelia's CheapAndCheerfulClock).
//
// Boxes:
//
//	inbox   (any)        not used: anything sent here is dropped
//	control (any)        ProducerFinished, Shutdown
//	outbox  (time.Time)  the time of each tick
//	signal  (any)        how it ended
//
// The first tick comes one interval after it starts, and tick k at k
// intervals, with no drift. A tick is sent with a blocking send; the ticks
// due while it waited for room are skipped, as a time.Ticker does.
//
// Example:
//
//	clock := timing.NewClock(time.Second)
//
// Shutdown: it never ends by itself. ProducerFinished on control ends it at
// once with ProducerFinished (it holds nothing to finish); Shutdown ends it
// at once too.
type Clock struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out      *axon.Outbox[time.Time]
	interval time.Duration
}

// NewClock returns a clock that ticks every interval. It panics if interval
// is not positive.
func NewClock(interval time.Duration) *Clock {
	if interval <= 0 {
		panic(fmt.Sprintf("timing: clock interval must be positive, not %v", interval))
	}
	c := &Clock{interval: interval}
	c.In = axon.NewInbox[any](c, "inbox")
	c.Out = axon.NewOutbox[time.Time](c, "outbox")
	return c
}

// Main ticks until it is told to stop.
func (c *Clock) Main(ctx context.Context) error {
	start := time.Now()
	k := int64(1) // the next tick is due at start + k·interval
	for {
		if c.TakeControl(nil).Finishing {
			return nil
		}
		kit.Discard(c.In)
		ticked, err := kit.WaitUntil(ctx, &c.Core, start.Add(time.Duration(k)*c.interval))
		if err != nil {
			return err
		}
		if !ticked {
			continue // a message came: look at control
		}
		if err := c.Out.Send(ctx, time.Now()); err != nil {
			return err
		}
		// Skip the ticks missed while the send waited, as a time.Ticker does.
		k = max(k+1, int64(time.Since(start)/c.interval)+1)
	}
}

// ByteRateRequestControl asks for data at a rate: it sends the number of
// units (bytes, lines) to fetch next, chunkRate times a second, so that
// rate units a second are asked for in all (Kamaelia's
// ByteRate_RequestControl). Link it to a file.PromptedFileReader to read a
// file at a rate.
//
// Boxes:
//
//	inbox   (any)  not used: anything sent here is dropped
//	control (any)  ProducerFinished, Shutdown
//	outbox  (int)  how many units to fetch
//	signal  (any)  how it ended
//
// The first request goes at once. Sizes that do not divide evenly are
// rounded, and the remainders carried, so that after k steps exactly
// floor(k·chunkSize) units have been asked for. If it falls behind (a send
// waited for room) it catches up: the requests due are sent at once, in
// chunks of at most ceil(chunkSize) units, or in one request with
// WithAggregation.
//
// Example: 1000 bytes a second in 10-byte requests, 100 a second:
//
//	rc := timing.NewByteRateRequestControl(1000, timing.WithChunkSize(10))
//
// Shutdown: it never ends by itself. ProducerFinished on control ends it at
// once with ProducerFinished (it holds nothing to finish); Shutdown ends it
// at once too.
type ByteRateRequestControl struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc for what it carries.
	In *axon.Inbox[any]
	// Out is the outbox called "outbox": see the type's doc for what it carries.
	Out *axon.Outbox[int]

	rate, chunkSize, chunkRate float64
	aggregate                  bool
}

// RequestOption configures a ByteRateRequestControl.
type RequestOption func(*ByteRateRequestControl)

// WithChunkSize sets how many units each request asks for; the chunk rate
// is then rate/size.
func WithChunkSize(size float64) RequestOption {
	return func(r *ByteRateRequestControl) { r.chunkSize, r.chunkRate = size, 0 }
}

// WithChunkRate sets how many requests are sent a second (default 10); the
// chunk size is then rate/chunkRate.
func WithChunkRate(chunkRate float64) RequestOption {
	return func(r *ByteRateRequestControl) { r.chunkRate, r.chunkSize = chunkRate, 0 }
}

// WithAggregation makes the requests due while it was behind go as one
// request instead of several of one chunk each.
func WithAggregation() RequestOption { return func(r *ByteRateRequestControl) { r.aggregate = true } }

// NewByteRateRequestControl returns a request control for rate units a
// second, in 10 requests a second unless opts say otherwise. It panics if
// rate, the chunk size or the chunk rate is not a positive number.
func NewByteRateRequestControl(rate float64, opts ...RequestOption) *ByteRateRequestControl {
	r := &ByteRateRequestControl{rate: rate, chunkRate: 10}
	for _, o := range opts {
		o(r)
	}
	if r.chunkSize > 0 {
		r.chunkRate = rate / r.chunkSize
	} else if r.chunkRate > 0 {
		r.chunkSize = rate / r.chunkRate
	}
	for _, v := range []float64{rate, r.chunkSize, r.chunkRate} {
		if !(v > 0) || math.IsInf(v, 1) {
			panic(fmt.Sprintf("timing: rate %v, chunk size %v and chunk rate %v must be positive and finite", rate, r.chunkSize, r.chunkRate))
		}
	}
	r.In = axon.NewInbox[any](r, "inbox")
	r.Out = axon.NewOutbox[int](r, "outbox")
	return r
}

// Main sends requests until it is told to stop.
func (r *ByteRateRequestControl) Main(ctx context.Context) error {
	portions := kit.NewPortions(r.chunkSize)
	limit := int(math.Ceil(r.chunkSize))
	start := time.Now()
	var steps int64 // steps whose units have been added to owed
	owed := 0
	for {
		if r.TakeControl(nil).Finishing {
			return nil
		}
		kit.Discard(r.In)
		now := time.Now()
		for !start.Add(kit.Offset(steps, r.chunkRate)).After(now) {
			owed += portions.Next()
			steps++
		}
		for owed > 0 {
			n := owed
			if !r.aggregate {
				n = min(n, limit)
			}
			if err := r.Out.Send(ctx, n); err != nil {
				return err
			}
			owed -= n
		}
		if _, err := kit.WaitUntil(ctx, &r.Core, start.Add(kit.Offset(steps, r.chunkRate))); err != nil {
			return err
		}
	}
}
