//go:build cgo

package av

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// input is an opened container: a file, or a byte stream read from an
// inbox through a custom I/O context whose reads take the next chunk.
type input struct {
	fc   *astiav.FormatContext
	ioc  *astiav.IOContext
	open bool
	name string
}

// openInput opens the file at path, or (path "") the stream on in, in the
// named format ("" probes), and reads its stream information. The caller
// closes it, whatever the error.
func openInput(ctx context.Context, path, format string, in *axon.Inbox[[]byte]) (*input, error) {
	i := &input{name: path}
	if i.fc = astiav.AllocFormatContext(); i.fc == nil {
		return i, errors.New("allocating a format context failed")
	}
	var fmtIn *astiav.InputFormat
	if format != "" {
		if fmtIn = astiav.FindInputFormat(format); fmtIn == nil {
			return i, fmt.Errorf("FFmpeg has no demuxer %q", format)
		}
	}
	if path == "" {
		i.name = "stream"
		var rest []byte
		ioc, err := astiav.AllocIOContext(32<<10, false, func(b []byte) (int, error) {
			for len(rest) == 0 {
				chunk, err := in.Recv(ctx)
				if err != nil {
					// End of input, or told to stop (the caller sees ctx).
					return 0, astiav.ErrEof
				}
				rest = chunk
			}
			n := copy(b, rest)
			rest = rest[n:]
			return n, nil
		}, nil, nil)
		if err != nil {
			return i, err
		}
		i.ioc = ioc
		i.fc.SetPb(ioc)
	}
	if err := i.fc.OpenInput(path, fmtIn, nil); err != nil {
		return i, fmt.Errorf("opening %s: %w", i.name, err)
	}
	i.open = true
	if err := i.fc.FindStreamInfo(nil); err != nil {
		return i, fmt.Errorf("reading %s: %w", i.name, err)
	}
	return i, nil
}

func (i *input) close() {
	if i.open {
		i.fc.CloseInput()
	}
	if i.fc != nil {
		i.fc.Free()
	}
	if i.ioc != nil {
		i.ioc.Free()
	}
}

// Demuxer splits a container of any format FFmpeg reads into the Packets
// of its streams, for a PacketDecoder, a Muxer (to change container
// without decoding) or a network. It reads a file (NewFileDemuxer) or a
// byte stream on its inbox (NewDemuxer).
//
// Boxes:
//
//	inbox   []byte   the container in chunks (NewDemuxer only; copied)
//	control any      ProducerFinished, Shutdown
//	outbox  *Packet  every packet of every stream, Packet.Stream its index
//	                 in the container, in the container's order
//	video   *Packet  the packets of the first video stream
//	audio   *Packet  the packets of the first audio stream
//	signal  any      the outcome
//
// One outbox of all packets keeps the container's order, which a Muxer of
// several streams wants; the video and audio outboxes give a PacketDecoder
// one stream each without a splitter. A packet sent on both is the same
// value (see Packet). Streams reports the streams once the header is read.
//
// Example:
//
//	dmx := av.NewFileDemuxer("in.mkv")
//	dec := av.NewPacketDecoder()
//	axon.MustLink(dmx.VideoOut, dec.In)
//	axon.MustLink(dmx.Signal(), dec.Control())
//
// Shutdown: a file demuxer ends by itself at the end of the file and
// returns nil; ProducerFinished on control makes a stream demuxer see the
// end of its input, and it does the same. Shutdown returns at once with
// ctx's error. Input FFmpeg cannot read (not a container, cut or damaged
// where the demuxer cannot resync) is an error carrying FFmpeg's message.
// FFmpeg's resources are freed on every path.
type Demuxer struct {
	axon.Core
	In       *axon.Inbox[[]byte]
	Out      *axon.Outbox[*Packet]
	VideoOut *axon.Outbox[*Packet]
	AudioOut *axon.Outbox[*Packet]

	path, format string
	streams      chan []*StreamParams
	st           stats
}

// NewDemuxer returns a Demuxer of a byte stream in format ("" probes).
func NewDemuxer(format string) *Demuxer {
	d := &Demuxer{format: format}
	d.init()
	return d
}

// NewFileDemuxer returns a Demuxer of the file at path.
func NewFileDemuxer(path string) *Demuxer {
	d := &Demuxer{path: path}
	d.init()
	return d
}

func (d *Demuxer) init() {
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[*Packet](d, "outbox")
	d.VideoOut = axon.NewOutbox[*Packet](d, "video")
	d.AudioOut = axon.NewOutbox[*Packet](d, "audio")
	d.streams = make(chan []*StreamParams, 1)
}

// Stats returns what the demuxer has done so far: Packets counts the
// packets read.
func (d *Demuxer) Stats() Stats { return d.st.get() }

// Streams waits until the demuxer has read the container's header and
// returns its streams, indexed as Packet.Stream; it returns ctx's error if
// ctx ends first, and nil streams if the demuxer ended without reading
// them.
func (d *Demuxer) Streams(ctx context.Context) ([]*StreamParams, error) {
	select {
	case s := <-d.streams:
		d.streams <- s
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Main reads packets until the input ends or the demuxer is told to stop.
func (d *Demuxer) Main(ctx context.Context) (err error) {
	var params []*StreamParams
	defer outcome(ctx, &err, "demuxer")
	defer func() {
		if params == nil {
			d.streams <- nil // Streams waits no more
		}
	}()
	in, err := openInput(ctx, d.path, d.format, d.In)
	defer in.close()
	if err != nil {
		return err
	}
	ss := in.fc.Streams()
	firstVideo, firstAudio := -1, -1
	params = make([]*StreamParams, len(ss))
	for i, s := range ss {
		params[i] = paramsFromAV(s.CodecParameters(), s.AvgFrameRate())
		switch {
		case params[i].Kind == KindVideo && firstVideo < 0:
			firstVideo = i
		case params[i].Kind == KindAudio && firstAudio < 0:
			firstAudio = i
		}
	}
	d.streams <- params
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := in.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", in.name, err)
		}
		i := pkt.StreamIndex()
		if i < 0 || i >= len(ss) {
			// A stream that appeared after the header (MPEG-TS may add
			// one): it has no Params to send with.
			pkt.Unref()
			return fmt.Errorf("%s: a packet of stream %d, which the header did not declare", in.name, i)
		}
		p := packetFromAV(pkt, i, ss[i].TimeBase(), params[i])
		pkt.Unref()
		d.st.packets.Add(1)
		if err := d.Out.Send(ctx, p); err != nil {
			return err
		}
		switch i {
		case firstVideo:
			err = d.VideoOut.Send(ctx, p)
		case firstAudio:
			err = d.AudioOut.Send(ctx, p)
		}
		if err != nil {
			return err
		}
	}
}

// PacketDecoder decodes the Packets of one stream (as a Demuxer or an
// Encoder sends them) into video frames or audio buffers, with FFmpeg's
// decoder for the stream's codec.
//
// Boxes:
//
//	inbox   *Packet       packets of one stream, in decode order
//	control any           ProducerFinished, Shutdown
//	video   *frame.Video  decoded pictures (a video stream), timed by the
//	                      packets' timestamps
//	audio   *frame.Audio  decoded sound (an audio stream), in the decoder's
//	                      sample format (F32P when buffers carry no such
//	                      format)
//	signal  any           the outcome
//
// The decoder opens with the first packet's Params. Packets of another
// stream are an error (link a Demuxer's video or audio outbox, which carry
// one stream each), as is a packet FFmpeg refuses, unless OnCorrupt is
// Skip: it is then counted in Stats (Corrupt, SkippedBytes) and decoding
// goes on with the next packet.
//
// Example:
//
//	dmx := av.NewFileDemuxer("in.mp4")
//	dec := av.NewPacketDecoder()
//	axon.MustLink(dmx.AudioOut, dec.In)
//	axon.MustLink(dec.Audio, player.In)
//
// Shutdown: ProducerFinished decodes what is queued, flushes the decoder's
// delayed frames, sends them and returns nil. Shutdown returns at once with
// ctx's error. FFmpeg's resources are freed on every path.
type PacketDecoder struct {
	axon.Core
	In    *axon.Inbox[*Packet]
	Video *axon.Outbox[*frame.Video]
	Audio *axon.Outbox[*frame.Audio]

	// OnCorrupt says what to do with packets FFmpeg refuses; set before
	// activation.
	OnCorrupt Corruption

	st stats
}

// NewPacketDecoder returns a PacketDecoder that fails on corrupt packets.
func NewPacketDecoder() *PacketDecoder {
	d := &PacketDecoder{}
	d.In = axon.NewInbox[*Packet](d, "inbox")
	d.Video = axon.NewOutbox[*frame.Video](d, "video")
	d.Audio = axon.NewOutbox[*frame.Audio](d, "audio")
	return d
}

// Stats returns what the decoder has done so far.
func (d *PacketDecoder) Stats() Stats { return d.st.get() }

// Main decodes until the packets end or the decoder is told to stop.
func (d *PacketDecoder) Main(ctx context.Context) (err error) {
	var (
		dec    *codec
		sp     *StreamParams
		stream int
		tb     frame.Rational
	)
	defer func() { dec.free() }()
	defer outcome(ctx, &err, "packet decoder")
	var sendErr error // a send that failed: not the packet's fault
	send := func(f *astiav.Frame) error {
		t := time.Duration(0)
		if p := f.Pts(); p != astiav.NoPtsValue && tb.Den > 0 {
			t = time.Duration(float64(p) * float64(tb.Num) / float64(tb.Den) * float64(time.Second))
		}
		if sp.Kind == KindVideo {
			v, err := videoFromAV(f, &dec.conv)
			if err != nil {
				return err
			}
			v.PTS, v.FrameRate = t, sp.FrameRate
			if sendErr = d.Video.Send(ctx, v); sendErr != nil {
				return sendErr
			}
		} else {
			a, err := audioFromAV(f, t)
			if err != nil {
				return err
			}
			if sendErr = d.Audio.Send(ctx, a); sendErr != nil {
				return sendErr
			}
		}
		d.st.frames.Add(1)
		return nil
	}
	for p := range d.In.Messages(ctx) {
		if p == nil || p.Params == nil {
			return errors.New("a packet without Params")
		}
		if dec == nil {
			sp, stream, tb = p.Params, p.Stream, p.TimeBase
			if sp.Kind != KindVideo && sp.Kind != KindAudio {
				return fmt.Errorf("stream %d is %s (%s), neither video nor audio", stream, sp.Kind, sp.Codec)
			}
			dec, err = openDecoder(sp.codecID(), func(cc *astiav.CodecContext) error {
				cp := astiav.AllocCodecParameters()
				defer cp.Free()
				if err := sp.toAV(cp); err != nil {
					return err
				}
				if err := cp.ToCodecContext(cc); err != nil {
					return err
				}
				cc.SetTimeBase(rational(tb))
				cc.SetThreadCount(threadCount)
				return nil
			})
			if err != nil {
				return fmt.Errorf("stream %d: %w", stream, err)
			}
		}
		if p.Stream != stream {
			return fmt.Errorf("a packet of stream %d after packets of stream %d: a PacketDecoder decodes one stream", p.Stream, stream)
		}
		d.st.packets.Add(1)
		if err := fillPacket(dec.pkt, p.Data); err != nil {
			return err
		}
		dec.pkt.SetPts(p.PTS)
		dec.pkt.SetDts(p.DTS)
		dec.pkt.SetDuration(p.Duration)
		err := dec.cc.SendPacket(dec.pkt)
		dec.pkt.Unref()
		if err == nil {
			err = dec.drainFrames(send)
		}
		if err == nil {
			continue
		}
		if sendErr != nil || ctx.Err() != nil {
			return err
		}
		if d.OnCorrupt == Skip {
			d.st.corrupt.Add(1)
			d.st.skipped.Add(int64(len(p.Data)))
			continue
		}
		return fmt.Errorf("%v: %w", p, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if dec == nil {
		return nil
	}
	return dec.decode(nil, 0, send)
}
