//go:build cgo

package av

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Encoder encodes video frames or audio buffers with any encoder FFmpeg
// has, chosen by name ("libx264", "mpeg4", "vc2", "ffv1", "rawvideo",
// "aac", "libmp3lame", "libopus", "libvorbis", "pcm_s16le", ...), into
// Packets for a Muxer.
//
// Boxes:
//
//	video   *frame.Video  pictures to encode (a video encoder): all of the
//	                      first one's size; converted to a pixel format the
//	                      encoder takes when they are not in one
//	audio   *frame.Audio  sound to encode (an audio encoder): of the first
//	                      buffer's rate and channels; converted to a sample
//	                      format the encoder takes, and cut into frames of
//	                      the encoder's frame size
//	control any           ProducerFinished, Shutdown
//	outbox  *Packet       the encoded packets, with timestamps in the
//	                      encoder's time base (1/frame rate for video,
//	                      1/sample rate for audio) and the stream's Params
//	signal  any           the outcome
//
// The encoder opens on the first frame, which gives it the size or the
// rate and channels. A video frame's timestamp is its PTS in frames at the
// frame rate, or the frame after the one before when that is not later
// (frames made without a PTS count 0, 1, 2, ...). Audio is timed by its
// samples from the first buffer's PTS.
//
// Example:
//
//	enc := av.NewEncoder("libx264")
//	enc.BitRate = 1_000_000
//	enc.Options = map[string]string{"preset": "veryfast"}
//	axon.MustLink(dec.Video, enc.Video)
//	axon.MustLink(enc.Out, mux.In)
//
// Shutdown: ProducerFinished encodes what is queued (a last short audio
// frame included), flushes the encoder's delayed packets, sends them and
// returns nil. Shutdown returns at once with ctx's error. An unknown
// encoder name, an option the encoder refuses, a frame that is not valid
// or that differs from the first in size, rate or channels, or a rate the
// encoder cannot take (resample with an AudioFilter first) is an error on
// signal. FFmpeg's resources are freed on every path.
type Encoder struct {
	axon.Core
	Video *axon.Inbox[*frame.Video]
	Audio *axon.Inbox[*frame.Audio]
	Out   *axon.Outbox[*Packet]

	// Codec is FFmpeg's name of the encoder.
	Codec string
	// BitRate in bits a second; 0 leaves the encoder's default.
	BitRate int64
	// GOP is the most pictures from one key frame to the next; 0 leaves
	// the encoder's default.
	GOP int
	// Quality asks for fixed-quality encoding at this value of FFmpeg's
	// -q (mpeg4: 2 best to 31, libmp3lame: 0 best to 9, libvorbis: -1 to
	// 10); 0 leaves it unset. libx264 takes Options{"crf": "23"} instead.
	Quality float64
	// Profile names the encoder's profile ("baseline", "main", "high" for
	// libx264, "aac_low" for aac); "" leaves the default.
	Profile string
	// FrameRate of a video stream whose frames do not say; 0 means 25/1.
	FrameRate frame.Rational
	// Options are FFmpeg options by name, passed to the encoder as the
	// ffmpeg CLI passes -preset, -tune, -crf, -application and the like.
	// An option the encoder does not have is an error.
	Options map[string]string
	// Stream is the index the packets carry, for a Muxer of several
	// streams.
	Stream int
	// InBandHeaders leaves the codec's headers in the stream (SPS/PPS in
	// every H.264 key frame) instead of in Params.ExtraData: for raw
	// elementary streams. Containers want them global, the default.
	InBandHeaders bool

	st stats
}

// NewEncoder returns an Encoder for FFmpeg's encoder of that name.
func NewEncoder(codec string) *Encoder {
	e := &Encoder{Codec: codec}
	e.Video = axon.NewInbox[*frame.Video](e, "video")
	e.Audio = axon.NewInbox[*frame.Audio](e, "audio")
	e.Out = axon.NewOutbox[*Packet](e, "outbox")
	return e
}

// Stats returns what the encoder has done so far: Frames counts the frames
// given to FFmpeg, Packets the packets sent.
func (e *Encoder) Stats() Stats { return e.st.get() }

// Main encodes until the input ends or the encoder is told to stop.
func (e *Encoder) Main(ctx context.Context) (err error) {
	c := astiav.FindEncoderByName(e.Codec)
	if c == nil {
		return fmt.Errorf("encoder: this FFmpeg has no encoder %q", e.Codec)
	}
	defer outcome(ctx, &err, "encoder "+e.Codec)
	switch c.ID().MediaType() {
	case astiav.MediaTypeVideo:
		return e.video(ctx, c)
	case astiav.MediaTypeAudio:
		return e.audio(ctx, c)
	}
	return fmt.Errorf("%s encodes %v, neither video nor audio", c.Name(), c.ID().MediaType())
}

// stray fails on input to an inbox the encoder does not read (the other
// kind's, or the default "inbox", which every component has), so that
// nothing sent there is dropped unseen.
func (e *Encoder) stray(other axon.Box, kind string) error {
	boxes := []axon.Box{other}
	if b, ok := e.Inbox("inbox"); ok {
		boxes = append(boxes, b)
	}
	for _, b := range boxes {
		if l, ok := b.(interface{ Len() int }); ok && l.Len() > 0 {
			return fmt.Errorf("it encodes %s: messages on its %q inbox", kind, b.Name())
		}
	}
	return nil
}

// open opens c with the common options, after setup has set the rest.
func (e *Encoder) open(c *astiav.Codec, setup func(cc *astiav.CodecContext)) (*codec, *StreamParams, error) {
	opts := map[string]string{}
	for k, v := range e.Options {
		opts[k] = v
	}
	if e.Profile != "" {
		opts["profile"] = e.Profile
	}
	if e.Quality != 0 {
		opts["flags"] = "+qscale"
		opts["global_quality"] = strconv.Itoa(int(math.Round(e.Quality * qp2lambda)))
	}
	k, err := openCodec(c, func(cc *astiav.CodecContext) error {
		setup(cc)
		if e.BitRate > 0 {
			cc.SetBitRate(e.BitRate)
		}
		if e.GOP > 0 {
			cc.SetGopSize(e.GOP)
		}
		if !e.InBandHeaders {
			cc.SetFlags(cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
		}
		return nil
	}, opts)
	if err != nil {
		return nil, nil, err
	}
	cp := astiav.AllocCodecParameters()
	defer cp.Free()
	if err := cp.FromCodecContext(k.cc); err != nil {
		k.free()
		return nil, nil, err
	}
	return k, paramsFromAV(cp, k.cc.Framerate()), nil
}

// send sends an encoded packet.
func (e *Encoder) send(ctx context.Context, p *astiav.Packet, tb astiav.Rational, sp *StreamParams) error {
	if err := e.Out.Send(ctx, packetFromAV(p, e.Stream, tb, sp)); err != nil {
		return err
	}
	e.st.packets.Add(1)
	return nil
}

func (e *Encoder) video(ctx context.Context, c *astiav.Codec) error {
	var (
		enc  *codec
		sp   *StreamParams
		w, h int
		rate frame.Rational
		pf   astiav.PixelFormat
		last int64 = math.MinInt64
		conv converter
	)
	defer func() { enc.free() }()
	defer conv.free()
	f := astiav.AllocFrame()
	defer f.Free()
	out := func(p *astiav.Packet) error { return e.send(ctx, p, enc.cc.TimeBase(), sp) }
	for {
		v, err := e.Video.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		if err := e.stray(e.Audio, "video"); err != nil {
			return err
		}
		if err := v.Validate(); err != nil {
			return fmt.Errorf("frame %d: %w", e.st.frames.Load(), err)
		}
		if enc == nil {
			w, h = v.Width, v.Height
			rate = v.FrameRate
			if rate.Num <= 0 || rate.Den <= 0 {
				rate = e.FrameRate
			}
			if rate.Num <= 0 || rate.Den <= 0 {
				rate = frame.Rational{Num: 25, Den: 1}
			}
			pf = pixelFormats[v.Format]
			if fs := c.PixelFormats(); len(fs) > 0 && !slices.Contains(fs, pf) {
				pf = fs[0]
			}
			if err := vc2Size(c, w, h, pf); err != nil {
				return err
			}
			if enc, sp, err = e.open(c, func(cc *astiav.CodecContext) {
				cc.SetWidth(w)
				cc.SetHeight(h)
				cc.SetPixelFormat(pf)
				cc.SetTimeBase(astiav.NewRational(rate.Den, rate.Num))
				cc.SetFramerate(astiav.NewRational(rate.Num, rate.Den))
				cc.SetSampleAspectRatio(astiav.NewRational(1, 1))
				if v.Format != frame.RGBA {
					tagBT601(cc)
				}
				cc.SetThreadCount(threadCount)
			}); err != nil {
				return fmt.Errorf("%dx%d %v at %v frames a second: %w", w, h, pf, rate, err)
			}
		}
		if v.Width != w || v.Height != h {
			return fmt.Errorf("frame %d is %dx%d in a stream of %dx%d (scale it first)", e.st.frames.Load(), v.Width, v.Height, w, h)
		}
		if err := videoToAV(v, f); err != nil {
			return err
		}
		src := f
		if f.PixelFormat() != pf {
			if src, err = conv.convert(f, w, h, pf); err != nil {
				return err
			}
		}
		pts := int64(math.Round(v.PTS.Seconds() * rate.Float()))
		if pts <= last {
			pts = last + 1
		}
		last = pts
		src.SetPts(pts)
		e.st.frames.Add(1)
		if err := enc.encode(src, out); err != nil {
			return err
		}
	}
	if err := e.stray(e.Audio, "video"); err != nil {
		return err
	}
	if enc == nil {
		return nil
	}
	return enc.encode(nil, out)
}

// channelLayouts are FFmpeg's default layouts for a number of channels.
var channelLayouts = map[int]astiav.ChannelLayout{
	1: astiav.ChannelLayoutMono, 2: astiav.ChannelLayoutStereo, 3: astiav.ChannelLayoutSurround,
	4: astiav.ChannelLayoutQuad, 5: astiav.ChannelLayout5Point0, 6: astiav.ChannelLayout5Point1,
	7: astiav.ChannelLayout6Point1, 8: astiav.ChannelLayout7Point1,
}

func (e *Encoder) audio(ctx context.Context, c *astiav.Codec) error {
	var (
		enc    *codec
		sp     *StreamParams
		rate   int
		chans  int
		layout astiav.ChannelLayout
		format frame.SampleFormat
		queued *frame.Audio // samples in the encoder's format not yet encoded
		pts    int64
	)
	defer func() { enc.free() }()
	f := astiav.AllocFrame()
	defer f.Free()
	out := func(p *astiav.Packet) error { return e.send(ctx, p, enc.cc.TimeBase(), sp) }
	// feed encodes whole frames from queued (all of it when last).
	feed := func(last bool) error {
		size := enc.cc.FrameSize()
		if size <= 0 {
			size = max(queued.Samples, 1) // the encoder takes any size
		}
		from := 0
		for queued.Samples-from >= size || (last && queued.Samples > from) {
			n := min(size, queued.Samples-from)
			if err := audioToAV(queued, from, n, layout, f); err != nil {
				return err
			}
			f.SetPts(pts)
			pts += int64(n)
			from += n
			e.st.frames.Add(1)
			if err := enc.encode(f, out); err != nil {
				return err
			}
		}
		cut := from * format.BytesPerSample()
		if !format.Planar() {
			cut *= chans
		}
		for i := range queued.Data {
			queued.Data[i] = queued.Data[i][cut:]
		}
		queued.Samples -= from
		return nil
	}
	for {
		a, err := e.Audio.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		if err := e.stray(e.Video, "audio"); err != nil {
			return err
		}
		if err := a.Validate(); err != nil {
			return fmt.Errorf("buffer %d: %w", e.st.frames.Load(), err)
		}
		if enc == nil {
			rate, chans = a.Rate, a.Channels
			var ok bool
			if layout, ok = channelLayouts[chans]; !ok {
				return fmt.Errorf("%d channels: FFmpeg has a default layout for 1 to 8", chans)
			}
			if format, err = encoderSampleFormat(c, a.Format); err != nil {
				return err
			}
			if enc, sp, err = e.open(c, func(cc *astiav.CodecContext) {
				cc.SetSampleFormat(sampleFormats[format])
				cc.SetSampleRate(rate)
				cc.SetChannelLayout(layout)
				cc.SetTimeBase(astiav.NewRational(1, rate))
			}); err != nil {
				return fmt.Errorf("%d channels at %d Hz in %v (resample with an AudioFilter if the rate is the trouble): %w", chans, rate, format, err)
			}
			pts = int64(math.Round(a.PTS.Seconds() * float64(rate)))
			planes := 1
			if format.Planar() {
				planes = chans
			}
			queued = &frame.Audio{Format: format, Channels: chans, Rate: rate, Data: make([][]byte, planes)}
		}
		if a.Rate != rate || a.Channels != chans {
			return fmt.Errorf("%v after a stream of %d channels at %d Hz", a, chans, rate)
		}
		p, err := a.Convert(format)
		if err != nil {
			return err
		}
		for i := range queued.Data {
			queued.Data[i] = append(queued.Data[i], p.Data[i]...)
		}
		queued.Samples += p.Samples
		if err := feed(false); err != nil {
			return err
		}
	}
	if err := e.stray(e.Video, "audio"); err != nil {
		return err
	}
	if enc == nil {
		return nil
	}
	if err := feed(true); err != nil {
		return err
	}
	return enc.encode(nil, out)
}

// encoderSampleFormat returns the format to give c: have when c takes it,
// else the first format c takes that audio buffers carry.
func encoderSampleFormat(c *astiav.Codec, have frame.SampleFormat) (frame.SampleFormat, error) {
	fs := c.SampleFormats()
	if len(fs) == 0 || slices.Contains(fs, sampleFormats[have]) {
		return have, nil
	}
	for _, f := range fs {
		if g := fromAVSampleFormat(f); g != frame.SampleFormatUnknown {
			return g, nil
		}
	}
	return 0, fmt.Errorf("%s takes samples as %v, none of which audio buffers carry", c.Name(), fs)
}

// vc2Size refuses what FFmpeg's vc2 encoder takes but writes wrongly: a
// size that is not a whole number of chroma samples (321x241 in 4:2:0)
// gives a sequence header no decoder, FFmpeg's included, can parse.
func vc2Size(c *astiav.Codec, w, h int, pf astiav.PixelFormat) error {
	if c.Name() != "vc2" {
		return nil
	}
	oddW := w%2 != 0 && (pf == astiav.PixelFormatYuv420P || pf == astiav.PixelFormatYuv422P)
	oddH := h%2 != 0 && pf == astiav.PixelFormatYuv420P
	if oddW || oddH {
		return fmt.Errorf("vc2 writes a %dx%d %v stream that nothing decodes: give it even sizes (scale or crop first)", w, h, pf)
	}
	return nil
}
