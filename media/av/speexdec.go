//go:build cgo

package av

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// SpeexDecoder decodes bare Speex packets, as they travel without a
// container (the Whiteboard's SOUND lines carry one a line), into sound,
// through FFmpeg's native speex decoder.
//
// Boxes:
//
//	inbox   []byte        Speex packets, one a message, of FramesPerPacket
//	                      frames each (what a SpeexEncoder's packets hold)
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  the sound, S16 mono at Rate, one buffer a packet,
//	                      timed by the samples sent before it
//	signal  any           the outcome
//
// A bare packet says nothing of its band, so the decoder is told: Rate
// picks narrowband, wideband or ultra-wideband, as for the encoder.
//
// Example:
//
//	dec := av.NewSpeexDecoder(av.SpeexNarrowband)
//	dec.OnCorrupt = av.Skip // a peer's bad packet costs 20 ms, not the call
//	axon.MustLink(frames.Out, dec.In)
//	axon.MustLink(dec.Out, player.In)
//
// Shutdown: ProducerFinished decodes what is queued and returns nil.
// Shutdown returns at once with ctx's error. A Rate that is not a Speex
// band or FramesPerPacket out of 1 to 8 is an error; so is a packet FFmpeg
// refuses, unless OnCorrupt is Skip (then counted in Stats). FFmpeg's
// resources are freed on every path.
type SpeexDecoder struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[*frame.Audio]

	// Rate of the sound: SpeexNarrowband, SpeexWideband or
	// SpeexUltraWideband.
	Rate int
	// FramesPerPacket is the 20 ms frames in each packet, 1 to 8; 0
	// means 1.
	FramesPerPacket int
	// OnCorrupt says what to do with packets FFmpeg refuses.
	OnCorrupt Corruption

	st stats
}

// NewSpeexDecoder returns a SpeexDecoder of one frame a packet at rate.
func NewSpeexDecoder(rate int) *SpeexDecoder {
	d := &SpeexDecoder{Rate: rate}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[*frame.Audio](d, "outbox")
	return d
}

// Stats returns what the decoder has done so far.
func (d *SpeexDecoder) Stats() Stats { return d.st.get() }

// speexHeader returns the 80-byte Speex header (speex_header.h's
// SpeexHeader, little-endian) that tells FFmpeg's decoder the band and the
// frames in a packet: bare packets carry neither.
func speexHeader(rate, mode, framesPerPacket int) []byte {
	h := make([]byte, 80)
	copy(h, "Speex   ")
	copy(h[8:28], "1.2")
	put := func(i, v int) { binary.LittleEndian.PutUint32(h[28+4*i:], uint32(int32(v))) }
	put(0, 1)               // speex_version_id
	put(1, 80)              // header_size
	put(2, rate)            // rate
	put(3, mode)            // mode: 0 narrow, 1 wide, 2 ultra-wide
	put(4, 4)               // mode_bitstream_version
	put(5, 1)               // nb_channels
	put(6, -1)              // bitrate: unknown
	put(7, (160<<mode)*1)   // frame_size in samples
	put(8, 0)               // vbr
	put(9, framesPerPacket) // frames_per_packet
	put(10, 0)              // extra_headers
	return h
}

// Main decodes until the packets end or the decoder is told to stop.
func (d *SpeexDecoder) Main(ctx context.Context) (err error) {
	mode := -1
	switch d.Rate {
	case SpeexNarrowband:
		mode = 0
	case SpeexWideband:
		mode = 1
	case SpeexUltraWideband:
		mode = 2
	}
	fpp := d.FramesPerPacket
	if fpp == 0 {
		fpp = 1
	}
	switch {
	case mode < 0:
		return fmt.Errorf("speex decoder: %d Hz is not a Speex band (8000, 16000 or 32000)", d.Rate)
	case fpp < 1 || fpp > 8:
		return fmt.Errorf("speex decoder: %d frames a packet (1 to 8)", fpp)
	}
	dec, err := openDecoder(astiav.CodecIDSpeex, func(cc *astiav.CodecContext) error {
		cc.SetSampleRate(d.Rate)
		cc.SetChannelLayout(astiav.ChannelLayoutMono)
		cc.SetTimeBase(astiav.NewRational(1, d.Rate))
		return cc.SetExtraData(speexHeader(d.Rate, mode, fpp))
	})
	if err != nil {
		return fmt.Errorf("speex decoder: %w", err)
	}
	defer dec.free()
	defer outcome(ctx, &err, "speex decoder")
	var (
		sent    int64 // samples sent
		sendErr error
	)
	send := func(f *astiav.Frame) error {
		a, err := audioFromAV(f, time.Duration(sent*int64(time.Second)/int64(d.Rate)))
		if err != nil {
			return err
		}
		if a, err = a.Convert(frame.S16); err != nil {
			return err
		}
		sent += int64(a.Samples)
		if sendErr = d.Out.Send(ctx, a); sendErr != nil {
			return sendErr
		}
		d.st.frames.Add(1)
		return nil
	}
	for p := range d.In.Messages(ctx) {
		d.st.packets.Add(1)
		if len(p) == 0 {
			// FFmpeg takes an empty packet for the end of the stream.
			err = errors.New("an empty packet")
		} else {
			err = dec.decode(p, sent, send)
		}
		if err == nil {
			continue
		}
		if sendErr != nil || ctx.Err() != nil {
			return err
		}
		if d.OnCorrupt == Skip {
			d.st.corrupt.Add(1)
			d.st.skipped.Add(int64(len(p)))
			continue
		}
		return fmt.Errorf("packet %d (%d bytes): %w", d.st.packets.Load(), len(p), err)
	}
	return ctx.Err()
}
