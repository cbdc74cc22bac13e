package dvb_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
)

// client is a component that asks a DemuxerService for PIDs at run time,
// as a program's own components would: it looks the service up, links to
// it, subscribes, says so on status, and passes on what it gets. A message
// on its inbox makes it unsubscribe from those PIDs. With quit set it ends
// as soon as it has subscribed.
type client struct {
	axon.Core
	cmds    *axon.Inbox[[]uint16]
	req     *axon.Outbox[dvb.DemuxRequest]
	pkts    *axon.Inbox[mpegts.Packets]
	out     *axon.Outbox[mpegts.Packets]
	status  *axon.Outbox[string]
	service string
	pids    []uint16
	quit    bool
}

func newClient(service string, pids ...uint16) *client {
	c := &client{service: service, pids: pids}
	c.cmds = axon.NewInbox[[]uint16](c, "inbox")
	c.pkts = axon.NewInbox[mpegts.Packets](c, "packets")
	c.out = axon.NewOutbox[mpegts.Packets](c, "outbox")
	c.status = axon.NewOutbox[string](c, "status")
	return c
}

func (c *client) Main(ctx context.Context) error {
	svc, err := c.Services().Lookup(c.service)
	if err != nil {
		return err
	}
	// The outbox to the service is made now, when the service is known
	// (and so that a Handle made before does not take it).
	c.req = axon.NewOutbox[dvb.DemuxRequest](c, "requests")
	if _, err := c.Link(c.req, svc.Inbox); err != nil {
		return err
	}
	if err := c.req.Send(ctx, dvb.DemuxRequest{Op: dvb.Subscribe, PIDs: c.pids, To: c.pkts}); err != nil {
		return err
	}
	if err := c.status.Send(ctx, "subscribed"); err != nil {
		return err
	}
	if c.quit {
		return nil
	}
	for {
		if err := c.Wait(ctx); err != nil {
			return err
		}
		for _, ok := c.Control().TryRecv(); ok; _, ok = c.Control().TryRecv() {
		}
		for ps, ok := c.pkts.TryRecv(); ok; ps, ok = c.pkts.TryRecv() {
			if err := c.out.Send(ctx, ps); err != nil {
				return err
			}
		}
		for pids, ok := c.cmds.TryRecv(); ok; pids, ok = c.cmds.TryRecv() {
			if err := c.req.Send(ctx, dvb.DemuxRequest{Op: dvb.Unsubscribe, PIDs: pids, To: c.pkts}); err != nil {
				return err
			}
			if err := c.status.Send(ctx, "unsubscribed"); err != nil {
				return err
			}
		}
		if c.Finishing() {
			return nil
		}
	}
}

func startService(t *testing.T, s *axon.Scheduler, name string) (*dvb.DemuxerService, *axon.Handle) {
	t.Helper()
	svc := dvb.NewDemuxerService(name)
	h := axontest.NewHandle(t, s, svc)
	<-svc.Ready()
	return svc, h
}

func TestDemuxerServiceServesPIDsAskedForAtRunTime(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	svc, hs := startService(t, s, "dvb.demuxer")
	a, b := newClient("dvb.demuxer", 0x200), newClient("dvb.demuxer", 0x12, 0x00)
	ha, hb := axontest.NewHandle(t, s, a), axontest.NewHandle(t, s, b)
	require.Equal(t, "subscribed", get[string](t, ha, "status"))
	require.Equal(t, "subscribed", get[string](t, hb, "status"))
	// The requests are in the service's inbox now: it serves them before
	// the packets put after them.
	for _, c := range chunks(stream, 40) {
		require.NoError(t, hs.Put(ctx, "inbox", mpegts.Packets(c)))
	}
	var gotA []byte
	for len(gotA) < len(onlyPIDs(stream, 0x200)) {
		gotA = append(gotA, get[mpegts.Packets](t, ha, "outbox")...)
	}
	requireBytes(t, onlyPIDs(stream, 0x200), gotA)

	// b stops taking the PAT; a second copy of the stream brings b only EIT.
	require.NoError(t, hb.Put(ctx, "inbox", []uint16{0x00}))
	require.Equal(t, "unsubscribed", get[string](t, hb, "status"))
	for _, c := range chunks(stream, 40) {
		require.NoError(t, hs.Put(ctx, "inbox", mpegts.Packets(c)))
	}
	require.NoError(t, hs.Finish(ctx))
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, hs))
	require.NoError(t, ha.Finish(ctx))
	require.NoError(t, hb.Finish(ctx))
	gotA = append(gotA, joinPackets(t, collect[mpegts.Packets](t, ha, "outbox"))...)
	requireBytes(t, onlyPIDs(append(append([]byte(nil), stream...), stream...), 0x200), gotA)
	requireBytes(t, append(onlyPIDs(stream, 0x12, 0x00), onlyPIDs(stream, 0x12)...), joinPackets(t, collect[mpegts.Packets](t, hb, "outbox")))

	st := svc.Stats()
	require.Equal(t, 2, st.Subscribers)
	n := dvbtest.CountPIDs(stream)
	require.Equal(t, uint64(2*len(stream)/188), st.Packets)
	require.Equal(t, uint64(2*n[0x200]+2*n[0x12]+n[0x00]), st.Delivered)
	require.Equal(t, uint64(2*len(stream)/188-2*n[0x200]-2*n[0x12]-n[0x00]), st.Unrouted)
	_, err := s.Services().Lookup("dvb.demuxer")
	require.ErrorIs(t, err, axon.ErrServiceUnknown, "the service deregisters when it ends")
}

func TestDemuxerServiceDropsASubscriberThatEnded(t *testing.T) {
	stream := dvbtest.Stream(dvbtest.DefaultConfig())
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	svc, hs := startService(t, s, "demux")
	gone := newClient("demux", mpegts.AllPIDs)
	gone.quit = true
	gone.pkts.SetCapacity(1) // it would fill at once and hold the service up
	alive := newClient("demux", 0x201)
	hg, ha := axontest.NewHandle(t, s, gone), axontest.NewHandle(t, s, alive)
	require.Equal(t, "subscribed", get[string](t, hg, "status"))
	require.Equal(t, "subscribed", get[string](t, ha, "status"))
	require.NoError(t, hg.Wait(ctx))
	for _, c := range chunks(stream, 20) {
		require.NoError(t, hs.Put(ctx, "inbox", mpegts.Packets(c)))
	}
	require.NoError(t, hs.Finish(ctx))
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, hs))
	require.NoError(t, ha.Finish(ctx))
	requireBytes(t, onlyPIDs(stream, 0x201), joinPackets(t, collect[mpegts.Packets](t, ha, "outbox")))
	st := svc.Stats()
	require.Equal(t, uint64(1), st.Gone)
	require.Equal(t, 1, st.Subscribers)
}

func TestDemuxerServiceRefusesBadRequests(t *testing.T) {
	s := axontest.NewScheduler(t)
	ctx := axontest.Context(t)
	svc, hs := startService(t, s, "demux")
	wrong := &struct{ client }{}
	strs := axon.NewInbox[string](wrong, "inbox")
	require.NoError(t, hs.Put(ctx, "requests", dvb.DemuxRequest{PIDs: []uint16{1}, To: strs}))
	require.NoError(t, hs.Put(ctx, "requests", dvb.DemuxRequest{PIDs: []uint16{0x3000}, To: strs}))
	require.NoError(t, hs.Put(ctx, "requests", dvb.DemuxRequest{PIDs: []uint16{1}}))
	for _, want := range []string{"box types do not match", "PID 0x3000 out of range", "without an inbox"} {
		err := get[error](t, hs, "errors")
		require.ErrorContains(t, err, want)
	}
	require.Equal(t, uint64(3), svc.Stats().BadRequests)
	require.Zero(t, svc.Stats().Subscribers)
}

func TestDemuxerServiceNameTaken(t *testing.T) {
	s := axontest.NewScheduler(t)
	startService(t, s, "demux")
	second := dvb.NewDemuxerService("demux")
	h := axontest.NewHandle(t, s, second)
	<-second.Ready()
	err := failure(t, h)
	require.True(t, errors.Is(err, axon.ErrServiceExists), "%v", err)
}
