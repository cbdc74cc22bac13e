package dvb

import (
	"context"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// ChangeKind says what a ProgrammeChange is.
type ChangeKind uint8

// The changes a JunctionDetector reports.
const (
	// Junction: the present event of the service has a new event_id, a
	// new programme has started (the first present event heard for a
	// service is one too).
	Junction ChangeKind = iota + 1
	// Amendment: the present event keeps its event_id but its start,
	// duration, running status, name, text or descriptors changed (a
	// corrected description): the same programme goes on.
	Amendment
)

// String names the kind: "junction" or "amendment".
func (k ChangeKind) String() string {
	switch k {
	case Junction:
		return "junction"
	case Amendment:
		return "amendment"
	}
	return "change?"
}

// ProgrammeChange is a change of a service's present event.
type ProgrammeChange struct {
	Kind    ChangeKind
	Service ServiceKey
	// Now is the present event as it is now.
	Now mpegts.Event
	// Previous is the present event before the change: another programme
	// for a Junction (nil for the first one heard), the same programme as
	// it was described before for an Amendment.
	Previous *mpegts.Event
}

// JunctionDetector follows the present events of services and tells a
// programme junction from an amendment, the rule of Kamaelia's
// NowNextProgrammeJunctionDetect: a new event_id in the present section
// (section 0 of a present/following EIT) is a junction; the same event_id
// with changed details is an amendment; a repeat is nothing. Following
// events, other sections and schedule tables are ignored, as is a present
// section with no event in it (a gap between programmes is no junction:
// the next programme's event is).
//
// It is the plain Go core of the ProgrammeJunctions component, for code
// that follows EIT sections inline (a recorder cutting files per
// programme). The zero JunctionDetector is ready to use; it is not safe for
// concurrent use.
type JunctionDetector struct {
	now map[ServiceKey]*mpegts.Event
}

// Observe takes one EIT section and reports the change it makes to its
// service's present event, if any.
func (d *JunctionDetector) Observe(e *mpegts.EIT) (ProgrammeChange, bool) {
	if e == nil || !e.PresentFollowing() || e.Number != 0 || len(e.Events) == 0 {
		return ProgrammeChange{}, false
	}
	if d.now == nil {
		d.now = map[ServiceKey]*mpegts.Event{}
	}
	k := ServiceKey{e.OriginalNetworkID, e.TransportStreamID, e.ServiceID}
	ev := e.Events[0]
	prev := d.now[k]
	switch {
	case prev == nil || prev.EventID != ev.EventID:
		d.now[k] = &ev
		return ProgrammeChange{Kind: Junction, Service: k, Now: ev, Previous: prev}, true
	case !sameEvent(prev, &ev) || !sameDescriptors(prev.Descriptors, ev.Descriptors):
		d.now[k] = &ev
		return ProgrammeChange{Kind: Amendment, Service: k, Now: ev, Previous: prev}, true
	}
	return ProgrammeChange{}, false
}

// Now returns the present event last heard for a service.
func (d *JunctionDetector) Now(k ServiceKey) (mpegts.Event, bool) {
	ev := d.now[k]
	if ev == nil {
		return mpegts.Event{}, false
	}
	return *ev, true
}

func sameDescriptors(a, b mpegts.Descriptors) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Tag != b[i].Tag || string(a[i].Data) != string(b[i].Data) {
			return false
		}
	}
	return true
}

// ProgrammeJunctions sends a service's programme junctions on outbox and
// the amendments of its present programme on now_update: Kamaelia's
// NowNextProgrammeJunctionDetect, on a JunctionDetector. Unlike
// NowNextChanges, which fires on any change of the present or following
// event, a corrected description here is no junction, so a recorder that
// splits files on outbox does not cut a programme in two.
//
// Boxes:
//
//	inbox      (*mpegts.EIT)      present/following EIT sections, from a NowNextServiceFilter
//	control    (any)              ProducerFinished, Shutdown
//	outbox     (ProgrammeChange)  junctions: a new present event_id for a service
//	now_update (ProgrammeChange)  amendments: the same event_id with changed details
//	signal     (any)              how it ended
//
// Example:
//
//	j := dvb.NewProgrammeJunctions()
//	axon.MustLink(filter.Out, j.In)
//	axon.MustLink(j.Out, recorder.Next)
//
// Shutdown: ProducerFinished on control makes it handle what is waiting in
// its inbox and end cleanly; Shutdown stops it at once.
type ProgrammeJunctions struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[*mpegts.EIT]
	// Out is the "outbox" box: junctions.
	Out *axon.Outbox[ProgrammeChange]
	// Amended is the "now_update" box: amendments.
	Amended *axon.Outbox[ProgrammeChange]

	d JunctionDetector
}

// NewProgrammeJunctions returns a ProgrammeJunctions.
func NewProgrammeJunctions() *ProgrammeJunctions {
	j := &ProgrammeJunctions{}
	j.In = axon.NewInbox[*mpegts.EIT](j, "inbox")
	j.Out = axon.NewOutbox[ProgrammeChange](j, "outbox")
	j.Amended = axon.NewOutbox[ProgrammeChange](j, "now_update")
	return j
}

// Main follows the present event of each section on inbox.
func (j *ProgrammeJunctions) Main(ctx context.Context) error {
	for e := range j.In.Messages(ctx) {
		ch, ok := j.d.Observe(e)
		if !ok {
			continue
		}
		out := j.Out
		if ch.Kind == Amendment {
			out = j.Amended
		}
		if err := out.Send(ctx, ch); err != nil {
			return err
		}
	}
	return ctx.Err()
}
