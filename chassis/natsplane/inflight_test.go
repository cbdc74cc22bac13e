package natsplane

import (
	"sync"
	"testing"
	"testing/synctest"

	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
)

// recorder is an Inbound that notes each call, in order; Deliver waits for
// release.
type recorder struct {
	release chan struct{}
	mu      sync.Mutex
	calls   []string
}

func (r *recorder) note(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recorder) noted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func (r *recorder) Deliver(msg []byte) error {
	r.note("deliver " + string(msg))
	<-r.release
	r.note("delivered " + string(msg))
	return nil
}
func (r *recorder) Lost(n uint64)     { r.note("lost") }
func (r *recorder) Problem(err error) { r.note("problem") }
func (r *recorder) Closed()           { r.note("closed") }

// nats.go calls a subscription's closed handler from the connection's
// close, while the subscription's goroutine may still be in the message
// handler with the last message (a drain ends when nothing is pending, not
// when the last message has been handled): Closed must wait for it, and a
// message handed over after Closed is counted lost, not delivered.
func TestClosedComesAfterTheDeliveryInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := &recorder{release: make(chan struct{})}
		c := &channel{in: in, done: make(chan struct{}), connClosed: make(chan struct{})}
		var o nats.Options
		c.hook(&o)

		go c.handle(&nats.Msg{Data: []byte("last")})
		synctest.Wait()
		go o.ClosedCB(nil)
		synctest.Wait()
		assert.Equal(t, []string{"deliver last"}, in.noted(), "Closed waits for the delivery under way")

		close(in.release)
		synctest.Wait()
		assert.Equal(t, []string{"deliver last", "delivered last", "closed"}, in.noted())
		<-c.connClosed

		c.handle(&nats.Msg{Data: []byte("late")})
		assert.Equal(t, []string{"deliver last", "delivered last", "closed", "lost"}, in.noted(), "a message after Closed is counted lost")
	})
}
