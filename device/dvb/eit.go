package dvb

import (
	"context"
	"slices"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// NowNextServiceFilter passes on the present/following EIT sections of the
// services it is given, and nothing else: Kamaelia's NowNextServiceFilter.
// With no services given it passes those of every service.
//
// Boxes:
//
//	inbox   (mpegts.Table)  tables, from a TableParser
//	control (any)           ProducerFinished, Shutdown
//	outbox  (*mpegts.EIT)   present/following EIT sections (tables 0x4E and 0x4F) of the services
//	signal  (any)           how it ended
//
// Example, BBC ONE and BBC TWO of the article's multiplex:
//
//	f := dvb.NewNowNextServiceFilter(4164, 4287)
//	axon.MustLink(parser.Out, f.In)
//
// Shutdown: ProducerFinished on control makes it filter what is waiting in
// its inbox and end cleanly; Shutdown stops it at once.
type NowNextServiceFilter struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[mpegts.Table]
	// Out is the "outbox" box.
	Out *axon.Outbox[*mpegts.EIT]

	services []uint16
}

// NewNowNextServiceFilter returns a filter for the services (service_id,
// the program_number of the PAT); none means all.
func NewNowNextServiceFilter(services ...uint16) *NowNextServiceFilter {
	f := &NowNextServiceFilter{services: slices.Clone(services)}
	f.In = axon.NewInbox[mpegts.Table](f, "inbox")
	f.Out = axon.NewOutbox[*mpegts.EIT](f, "outbox")
	return f
}

// Main filters each table on inbox.
func (f *NowNextServiceFilter) Main(ctx context.Context) error {
	for t := range f.In.Messages(ctx) {
		e, ok := t.(*mpegts.EIT)
		if !ok || e == nil || !e.PresentFollowing() {
			continue
		}
		if len(f.services) > 0 && !slices.Contains(f.services, e.ServiceID) {
			continue
		}
		if err := f.Out.Send(ctx, e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// ServiceKey names a DVB service uniquely.
type ServiceKey struct {
	OriginalNetworkID uint16 // the original_network_id of the EIT
	TransportStreamID uint16 // the transport_stream_id of the EIT
	ServiceID         uint16 // the service_id (the PAT's program_number)
}

// NowNext is a service's present and following events. Either is nil when
// the broadcast says there is none (or has not said yet).
type NowNext struct {
	Service ServiceKey    // whose events these are
	Now     *mpegts.Event // the present event (EIT section 0)
	Next    *mpegts.Event // the following event (EIT section 1)
}

// NowNextChanges sends a service's present and following events when they
// change: Kamaelia's NowNextChanges. EIT present/following sections repeat
// every few seconds; it remembers each service's events and sends a
// NowNext only when an event starts, ends, or is changed (its id, start,
// duration, running status, name or text).
//
// Boxes:
//
//	inbox   (*mpegts.EIT)  present/following EIT sections, from a NowNextServiceFilter
//	control (any)          ProducerFinished, Shutdown
//	outbox  (NowNext)      a service's present and following events, after each change
//	signal  (any)          how it ended
//
// Section 0 of a present/following table is the present event and section 1
// the following one; other sections and tables are ignored.
//
// Example:
//
//	c := dvb.NewNowNextChanges()
//	axon.MustLink(filter.Out, c.In)
//
// Shutdown: ProducerFinished on control makes it handle what is waiting in
// its inbox and end cleanly; Shutdown stops it at once.
type NowNextChanges struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[*mpegts.EIT]
	// Out is the "outbox" box.
	Out *axon.Outbox[NowNext]

	known map[ServiceKey]*nowNextState
}

// nowNextState is what NowNextChanges knows of a service: its events, and
// which of the two sections it has heard (so that a first "no following
// event" is news, and a repeat of it is not).
type nowNextState struct {
	NowNext
	heard uint8
}

// NewNowNextChanges returns a NowNextChanges.
func NewNowNextChanges() *NowNextChanges {
	c := &NowNextChanges{known: map[ServiceKey]*nowNextState{}}
	c.In = axon.NewInbox[*mpegts.EIT](c, "inbox")
	c.Out = axon.NewOutbox[NowNext](c, "outbox")
	return c
}

// Main follows the events of each section on inbox.
func (c *NowNextChanges) Main(ctx context.Context) error {
	for e := range c.In.Messages(ctx) {
		if e == nil || !e.PresentFollowing() || e.Number > 1 {
			continue
		}
		k := ServiceKey{e.OriginalNetworkID, e.TransportStreamID, e.ServiceID}
		nn := c.known[k]
		if nn == nil {
			nn = &nowNextState{NowNext: NowNext{Service: k}}
			c.known[k] = nn
		}
		var ev *mpegts.Event
		if len(e.Events) > 0 {
			x := e.Events[0]
			ev = &x
		}
		slot := &nn.Now
		if e.Number == 1 {
			slot = &nn.Next
		}
		bit := uint8(1) << e.Number
		if sameEvent(*slot, ev) && nn.heard&bit != 0 {
			continue
		}
		*slot = ev
		nn.heard |= bit
		if err := c.Out.Send(ctx, NowNext{Service: k, Now: nn.Now, Next: nn.Next}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func sameEvent(a, b *mpegts.Event) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.EventID == b.EventID && a.Start.Equal(b.Start) && a.Duration == b.Duration &&
		a.RunningStatus == b.RunningStatus && a.Name == b.Name && a.Text == b.Text
}
