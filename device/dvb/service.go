package dvb

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// DemuxOp says what a DemuxRequest asks for.
type DemuxOp uint8

// The requests a DemuxerService serves.
const (
	// Subscribe adds PIDs to what the requester receives.
	Subscribe DemuxOp = iota
	// Unsubscribe removes PIDs from what the requester receives; with none
	// left, its subscription ends.
	Unsubscribe
)

// DemuxRequest is a request to a DemuxerService: deliver (or stop
// delivering) the packets of PIDs to the inbox To, which must carry
// mpegts.Packets.
type DemuxRequest struct {
	Op   DemuxOp  // Subscribe or Unsubscribe
	PIDs []uint16 // the PIDs (mpegts.AllPIDs: every packet)
	To   axon.Box // the requester's inbox of mpegts.Packets
}

// ServiceStats counts what a DemuxerService did.
type ServiceStats struct {
	DemuxStats
	// Subscribers is the number of subscriptions now.
	Subscribers int
	// BadRequests counts the requests refused (reported on "errors").
	BadRequests uint64
	// Gone counts the subscriptions ended because the subscriber finished.
	Gone uint64
}

// DemuxerService is a demultiplexer that components use at run time:
// Kamaelia's DemuxerService. It registers itself in its scheduler's
// service registry (Core.Services) under a name; a component looks the name
// up, links an outbox of DemuxRequest to the service's inbox and asks for
// the PIDs it wants, to be delivered to an inbox of its own. The service
// then declares an outbox for the subscriber (while running), links it to
// that inbox, and sends it the packets of those PIDs.
//
// Boxes:
//
//	inbox    (mpegts.Packets)  the transport stream
//	requests (DemuxRequest)    Subscribe and Unsubscribe; the service's registered inbox
//	control  (any)             ProducerFinished, Shutdown
//	errors   (error)           requests refused (bad PID, inbox of the wrong type)
//	subN     (mpegts.Packets)  one per subscriber, made and removed at run time
//	signal   (any)             how it ended: a failure if the name was taken
//
// It drops and counts packets as a Demuxer does (Stats). Requests waiting
// are served before the packets waiting. When a subscriber finishes, its
// subscription ends, even if the service was waiting for room in its inbox.
//
// Example, a component asking for the EIT at run time:
//
//	svc, err := c.Services().Lookup("dvb.demuxer")
//	c.Link(c.requests, svc.Inbox)
//	c.requests.Send(ctx, dvb.DemuxRequest{Op: dvb.Subscribe, PIDs: []uint16{0x12}, To: c.eit})
//
// Shutdown: ProducerFinished on control makes it deliver the packets
// waiting in its inbox and end cleanly; Shutdown stops it at once. Either
// way it deregisters its name, and the links to its subscribers go with it.
type DemuxerService struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Packets]
	// Requests is the "requests" box, the service's registered inbox.
	Requests *axon.Inbox[DemuxRequest]
	// Errors is the "errors" box.
	Errors *axon.Outbox[error]

	name  string
	ready chan struct{}
	core  demuxCore
	subs  []*subscriber
	nsub  int

	count     atomic.Int64
	bad, gone atomic.Uint64
}

type subscriber struct {
	to   axon.Box
	out  *axon.Outbox[mpegts.Packets]
	link *axon.Linkage
	pids pidSet
	buf  []byte
}

// NewDemuxerService returns a DemuxerService that registers as name.
func NewDemuxerService(name string) *DemuxerService {
	s := &DemuxerService{name: name, ready: make(chan struct{})}
	s.In = axon.NewInbox[mpegts.Packets](s, "inbox")
	s.Requests = axon.NewInbox[DemuxRequest](s, "requests")
	s.Errors = axon.NewOutbox[error](s, "errors")
	return s
}

// Ready is closed once the service has registered its name (or failed to):
// a program that starts subscribers at the same time waits on it before
// they look the name up.
func (s *DemuxerService) Ready() <-chan struct{} { return s.ready }

// Stats returns the counts so far. It is safe to call at any time.
func (s *DemuxerService) Stats() ServiceStats {
	return ServiceStats{DemuxStats: s.core.stats(), Subscribers: int(s.count.Load()), BadRequests: s.bad.Load(), Gone: s.gone.Load()}
}

// Main registers the service and serves requests and packets.
func (s *DemuxerService) Main(ctx context.Context) error {
	err := s.Services().Register(s.name, s, "requests")
	close(s.ready)
	if err != nil {
		return fmt.Errorf("dvb: demuxer service: %w", err)
	}
	defer func() { _ = s.Services().Deregister(s.name) }()
	for {
		if err := s.Wait(ctx); err != nil {
			return err
		}
		// Asked before the inboxes are drained: what was sent before the
		// ProducerFinished is then in them (see axon's Core.Finishing).
		told := s.TakeControl(nil).Finishing
		for req, ok := s.Requests.TryRecv(); ok; req, ok = s.Requests.TryRecv() {
			if err := s.serve(ctx, req); err != nil {
				return err
			}
		}
		for ps, ok := s.In.TryRecv(); ok; ps, ok = s.In.TryRecv() {
			if err := s.route(ctx, ps); err != nil {
				return err
			}
		}
		if told {
			return nil
		}
	}
}

func (s *DemuxerService) refuse(ctx context.Context, format string, args ...any) error {
	s.bad.Add(1)
	return s.Errors.Send(ctx, fmt.Errorf("dvb: demuxer service %q: "+format, append([]any{s.name}, args...)...))
}

func (s *DemuxerService) find(to axon.Box) *subscriber {
	for _, sub := range s.subs {
		if sub.to == to {
			return sub
		}
	}
	return nil
}

func (s *DemuxerService) serve(ctx context.Context, req DemuxRequest) error {
	if req.To == nil {
		return s.refuse(ctx, "request without an inbox to deliver to")
	}
	for _, pid := range req.PIDs {
		if err := checkPID(pid); err != nil {
			return s.refuse(ctx, "%s: %v", req.To, err)
		}
	}
	sub := s.find(req.To)
	switch req.Op {
	case Subscribe:
		if sub == nil {
			var err error
			if sub, err = s.subscribe(ctx, req.To); err != nil {
				return s.refuse(ctx, "%v", err)
			}
		}
		for _, pid := range req.PIDs {
			sub.pids.add(pid)
		}
	case Unsubscribe:
		if sub == nil {
			return nil
		}
		for _, pid := range req.PIDs {
			sub.pids.remove(pid)
		}
		if sub.pids.empty() {
			s.drop(sub)
		}
	default:
		return s.refuse(ctx, "unknown op %d", req.Op)
	}
	return nil
}

// subscribe makes an outbox for a new subscriber, links it to its inbox and
// watches for the subscriber's end.
func (s *DemuxerService) subscribe(ctx context.Context, to axon.Box) (*subscriber, error) {
	if !to.IsInbox() {
		return nil, fmt.Errorf("%s is not an inbox", to)
	}
	s.nsub++
	sub := &subscriber{to: to, out: axon.NewOutbox[mpegts.Packets](s, fmt.Sprintf("sub%d", s.nsub))}
	l, err := s.Link(sub.out, to)
	if err != nil {
		_ = s.RemoveBox(sub.out)
		return nil, err
	}
	sub.link = l
	s.subs = append(s.subs, sub)
	s.count.Store(int64(len(s.subs)))
	return sub, nil
}

func (s *DemuxerService) drop(sub *subscriber) {
	_ = axon.Unlink(sub.link)
	_ = s.RemoveBox(sub.out)
	for i, x := range s.subs {
		if x == sub {
			s.subs = append(s.subs[:i], s.subs[i+1:]...)
			break
		}
	}
	s.count.Store(int64(len(s.subs)))
}

func (s *DemuxerService) route(ctx context.Context, ps mpegts.Packets) error {
	if len(s.subs) == 0 {
		s.core.each(ps, func(int, mpegts.Packet) { s.core.unrouted.Add(1) })
		return nil
	}
	s.core.each(ps, func(_ int, p mpegts.Packet) {
		pid, routed := p.PID(), false
		for _, sub := range s.subs {
			if sub.pids.has(pid) {
				sub.buf = append(sub.buf, p...)
				routed = true
			}
		}
		if !routed {
			s.core.unrouted.Add(1)
		}
	})
	for _, sub := range append([]*subscriber(nil), s.subs...) {
		if len(sub.buf) == 0 {
			continue
		}
		b := mpegts.Packets(sub.buf)
		sub.buf = nil
		err := sub.out.Send(ctx, b)
		if err == nil {
			s.core.delivered.Add(uint64(b.Len()))
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, axon.ErrFinished) {
			// The subscriber finished (the runtime refuses sends to it,
			// also one already waiting for room): its subscription goes.
			s.gone.Add(1)
			s.drop(sub)
			continue
		}
		return err
	}
	return nil
}
