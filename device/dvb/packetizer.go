package dvb

import (
	"context"
	"sync/atomic"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// Packetizer turns transport stream bytes in chunks of any size (from a TCP
// client, a pipe, a file reader) into runs of whole, aligned packets, as a
// Multiplex does with what it reads from its device.
//
// Boxes:
//
//	inbox   ([]byte)          transport stream bytes; the Packetizer takes ownership
//	control (any)             ProducerFinished, Shutdown
//	outbox  (mpegts.Packets)  whole aligned packets, never split across messages
//	signal  (any)             how it ended
//
// It finds the sync byte at the start and again whenever it is lost,
// skipping and counting the bytes in between (Stats: mpegts.AlignStats).
//
// Example, a transport stream arriving over TCP:
//
//	p := dvb.NewPacketizer()
//	axon.MustLink(tcpClient.Out, p.In)
//	axon.MustLink(p.Out, demuxer.In)
//
// Shutdown: ProducerFinished on control makes it align what is waiting in
// its inbox, send the last whole packet (a last packet cut short is counted
// as truncated) and end cleanly; Shutdown stops it at once.
type Packetizer struct {
	axon.Core
	// In is the "inbox" box.
	In *axon.Inbox[[]byte]
	// Out is the "outbox" box.
	Out *axon.Outbox[mpegts.Packets]

	align mpegts.Aligner
	stats atomic.Pointer[mpegts.AlignStats]
}

// NewPacketizer returns a Packetizer.
func NewPacketizer() *Packetizer {
	p := &Packetizer{}
	p.In = axon.NewInbox[[]byte](p, "inbox")
	p.Out = axon.NewOutbox[mpegts.Packets](p, "outbox")
	p.stats.Store(&mpegts.AlignStats{})
	return p
}

// Stats returns the counts so far. It is safe to call at any time.
func (p *Packetizer) Stats() mpegts.AlignStats { return *p.stats.Load() }

func (p *Packetizer) send(ctx context.Context, ps mpegts.Packets) error {
	st := p.align.Stats()
	p.stats.Store(&st)
	if len(ps) == 0 {
		return nil
	}
	return p.Out.Send(ctx, ps)
}

// Main aligns each chunk on inbox.
func (p *Packetizer) Main(ctx context.Context) error {
	for b := range p.In.Messages(ctx) {
		if err := p.send(ctx, p.align.Align(b)); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return p.send(ctx, p.align.Flush())
}
