//go:build cgo

package av

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/ogg"
)

// VorbisDecode decodes an Ogg/Vorbis byte stream into audio buffers through
// FFmpeg's vorbis decoder. It is Kamaelia's VorbisDecode. The Ogg layer is
// read in Go (media/ogg), which checks every page, so a damaged or cut
// stream is an error that says where instead of a silently shorter sound.
//
// Boxes:
//
//	inbox   []byte        the Ogg stream, in chunks of any size (copied)
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  decoded sound, F32P (one float plane a channel),
//	                      timed from the first sample
//	signal  any           the outcome
//
// Only the first logical stream of the Ogg stream is decoded (pages of
// others are skipped); it must be Vorbis. The last buffer is trimmed to the
// length the stream's final granule position gives, as FFmpeg's own Ogg
// demuxer does.
//
// Example:
//
//	dec := av.NewVorbisDecode()
//	axon.MustLink(reader.Outbox, dec.In)
//	axon.MustLink(dec.Out, player.In)
//
// Shutdown: ProducerFinished decodes what is buffered, flushes the decoder
// and returns nil; a stream cut inside a page or packet is then an error
// wrapping ogg.ErrTruncated (in Skip mode, a counted skip). Shutdown returns
// at once with ctx's error. A damaged page (bad checksum, lost page, not
// Ogg) or a packet FFmpeg refuses is an error naming the byte offset; with
// OnCorrupt set to Skip, a packet FFmpeg refuses is counted and dropped
// instead (a damaged page still ends the stream: Ogg cannot resync inside
// a Vorbis packet sequence without losing its headers). FFmpeg's resources
// are freed on every path.
type VorbisDecode struct {
	axon.Core
	In  *axon.Inbox[[]byte]
	Out *axon.Outbox[*frame.Audio]

	// OnCorrupt says what to do with packets FFmpeg refuses and with a
	// truncated end; set before activation.
	OnCorrupt Corruption

	st stats
}

// NewVorbisDecode returns a VorbisDecode that fails on corrupt input.
func NewVorbisDecode() *VorbisDecode {
	d := &VorbisDecode{}
	d.In = axon.NewInbox[[]byte](d, "inbox")
	d.Out = axon.NewOutbox[*frame.Audio](d, "outbox")
	return d
}

// Stats returns what the decoder has done so far.
func (d *VorbisDecode) Stats() Stats { return d.st.get() }

// Main decodes until the stream ends or the decoder is told to stop.
func (d *VorbisDecode) Main(ctx context.Context) error {
	var (
		rd      ogg.Reader
		headers [][]byte
		dec     *codec
		samples int64 // samples sent, per channel
		limit   int64 = -1
	)
	defer func() { dec.free() }()
	send := func(f *astiav.Frame) error {
		if dec == nil {
			return nil
		}
		a, err := audioFromAV(f, time.Duration(samples*int64(time.Second)/int64(max(f.SampleRate(), 1))))
		if err != nil {
			return err
		}
		if limit >= 0 && samples+int64(a.Samples) > limit {
			keep := int(max(limit-samples, 0))
			bps := a.Format.BytesPerSample()
			for i := range a.Data {
				a.Data[i] = a.Data[i][:keep*bps]
			}
			a.Samples = keep
			if keep == 0 {
				return nil
			}
		}
		samples += int64(a.Samples)
		if err := d.Out.Send(ctx, a); err != nil {
			return err
		}
		d.st.frames.Add(1)
		return nil
	}
	packet := func(p ogg.Packet) error {
		if len(headers) < 3 {
			if err := vorbisHeader(p.Data, len(headers)); err != nil {
				return err
			}
			headers = append(headers, p.Data)
			if len(headers) == 3 {
				var err error
				if dec, err = openVorbisDecoder(headers); err != nil {
					return err
				}
			}
			return nil
		}
		if p.EOS && p.Granule >= 0 {
			limit = p.Granule
		}
		d.st.packets.Add(1)
		err := dec.decode(p.Data, d.st.packets.Load(), send)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if d.OnCorrupt == Skip {
			d.st.corrupt.Add(1)
			d.st.skipped.Add(int64(len(p.Data)))
			return nil
		}
		return fmt.Errorf("vorbis: audio packet %d: %w", d.st.packets.Load(), err)
	}
	for {
		chunk, err := d.In.Recv(ctx)
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return err
		}
		rd.Write(chunk)
		for {
			p, ok, err := rd.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := packet(p); err != nil {
				return err
			}
		}
	}
	if err := rd.Flush(); err != nil {
		if d.OnCorrupt == Fail || !errors.Is(err, ogg.ErrTruncated) {
			return err
		}
		d.st.corrupt.Add(1)
	}
	if dec == nil {
		if len(headers) == 0 && d.st.packets.Load() == 0 {
			return errors.New("vorbis: the stream ended before its headers")
		}
		return fmt.Errorf("vorbis: the stream ended after %d of its 3 headers", len(headers))
	}
	if err := dec.decode(nil, 0, send); err != nil {
		return fmt.Errorf("vorbis: flushing the decoder: %w", err)
	}
	return nil
}

// vorbisHeader checks that p is Vorbis header packet i (identification,
// comment, setup).
func vorbisHeader(p []byte, i int) error {
	kind := byte(2*i + 1)
	if len(p) < 7 || p[0] != kind || !bytes.Equal(p[1:7], []byte("vorbis")) {
		names := []string{"identification", "comment", "setup"}
		return fmt.Errorf("vorbis: packet %d of the stream is not the Vorbis %s header", i, names[i])
	}
	if i == 0 && len(p) != 30 {
		return fmt.Errorf("vorbis: identification header of %d bytes, want 30", len(p))
	}
	return nil
}

// openVorbisDecoder opens FFmpeg's decoder with the three headers as its
// extradata, in Xiph lacing.
func openVorbisDecoder(headers [][]byte) (*codec, error) {
	extra := []byte{2}
	for _, h := range headers[:2] {
		n := len(h)
		for ; n >= 255; n -= 255 {
			extra = append(extra, 255)
		}
		extra = append(extra, byte(n))
	}
	for _, h := range headers {
		extra = append(extra, h...)
	}
	k, err := openDecoder(astiav.CodecIDVorbis, func(cc *astiav.CodecContext) error {
		return cc.SetExtraData(extra)
	})
	if err != nil {
		return nil, fmt.Errorf("vorbis: %w", err)
	}
	return k, nil
}

// VorbisEncode encodes audio into an Ogg/Vorbis byte stream through FFmpeg's
// libvorbis encoder; the Ogg pages are written in Go (media/ogg).
//
// Boxes:
//
//	inbox   *frame.Audio  sound, mono or stereo, in any sample format; the
//	                      rate and channels of the first buffer hold for
//	                      the stream (a buffer that differs is an error)
//	control any           ProducerFinished, Shutdown
//	outbox  []byte        the Ogg stream: the header pages first, then one
//	                      page an encoded packet
//	signal  any           the outcome
//
// Example:
//
//	enc := av.NewVorbisEncode()
//	enc.Quality = 4
//	axon.MustLink(mic.Out, enc.In)
//	axon.MustLink(enc.Out, writer.In)
//
// Shutdown: ProducerFinished encodes what is queued, flushes the encoder,
// sends the last page (marked end of stream) and returns nil. Shutdown
// returns at once with ctx's error, leaving the stream unfinished. FFmpeg's
// resources are freed on every path.
type VorbisEncode struct {
	axon.Core
	In  *axon.Inbox[*frame.Audio]
	Out *axon.Outbox[[]byte]

	// BitRate asks for an average bit rate in bits a second; 0 means
	// variable bit rate at Quality.
	BitRate int64
	// Quality is libvorbis's quality, from -1 to 10 (used when BitRate is
	// 0); the zero value is quality 0, about 64 kbit/s for stereo.
	Quality float64
	// Serial is the Ogg stream's serial number.
	Serial uint32
}

// NewVorbisEncode returns a VorbisEncode at quality 3.
func NewVorbisEncode() *VorbisEncode {
	e := &VorbisEncode{Quality: 3, Serial: 0x4b414d41}
	e.In = axon.NewInbox[*frame.Audio](e, "inbox")
	e.Out = axon.NewOutbox[[]byte](e, "outbox")
	return e
}

// Main encodes until the sound ends or the encoder is told to stop.
func (e *VorbisEncode) Main(ctx context.Context) error {
	var (
		enc     *codec
		w       = ogg.Writer{Serial: e.Serial}
		rate    int
		chans   int
		layout  astiav.ChannelLayout
		pending []byte // the last packet, sent once the next shows it is not the last
		pendG   int64
		queued  *frame.Audio // F32P samples not yet a whole frame
		pts     int64
	)
	defer func() { enc.free() }()
	f := astiav.AllocFrame()
	defer f.Free()
	emit := func(data []byte, granule int64, eos bool) error {
		return e.Out.Send(ctx, w.Page(data, granule, eos))
	}
	out := func(p *astiav.Packet) error {
		if pending != nil {
			if err := emit(pending, pendG, false); err != nil {
				return err
			}
		}
		pending, pendG = p.Data(), p.Pts()+p.Duration()
		return nil
	}
	// feed encodes whole frames from queued (all of it when last).
	feed := func(last bool) error {
		size := enc.cc.FrameSize()
		if size <= 0 {
			size = 1024
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
			if err := enc.encode(f, out); err != nil {
				return fmt.Errorf("vorbis encoder: %w", err)
			}
		}
		for i := range queued.Data {
			queued.Data[i] = queued.Data[i][from*4:]
		}
		queued.Samples -= from
		return nil
	}
	for a := range e.In.Messages(ctx) {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("vorbis encoder: %w", err)
		}
		if enc == nil {
			var err error
			rate, chans = a.Rate, a.Channels
			if enc, layout, err = e.open(a); err != nil {
				return err
			}
			hs, err := splitXiph(enc.cc.ExtraData())
			if err != nil {
				return fmt.Errorf("vorbis encoder: headers: %w", err)
			}
			for _, h := range hs {
				if err := emit(h, 0, false); err != nil {
					return err
				}
			}
			queued = &frame.Audio{Format: frame.F32P, Channels: chans, Rate: rate, Data: make([][]byte, chans)}
		}
		if a.Rate != rate || a.Channels != chans {
			return fmt.Errorf("vorbis encoder: %v after a stream of %d channels at %d Hz", a, chans, rate)
		}
		p, err := a.Convert(frame.F32P)
		if err != nil {
			return fmt.Errorf("vorbis encoder: %w", err)
		}
		for i := range queued.Data {
			queued.Data[i] = append(queued.Data[i], p.Data[i]...)
		}
		queued.Samples += p.Samples
		if err := feed(false); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if enc == nil {
		return nil // no sound, no stream
	}
	if err := feed(true); err != nil {
		return err
	}
	if err := enc.encode(nil, out); err != nil {
		return fmt.Errorf("vorbis encoder: flushing: %w", err)
	}
	if pending != nil {
		return emit(pending, pendG, true)
	}
	return nil
}

func (e *VorbisEncode) open(a *frame.Audio) (*codec, astiav.ChannelLayout, error) {
	c := astiav.FindEncoderByName("libvorbis")
	if c == nil {
		return nil, astiav.ChannelLayout{}, errors.New("vorbis encoder: this FFmpeg has no libvorbis encoder")
	}
	var layout astiav.ChannelLayout
	switch a.Channels {
	case 1:
		layout = astiav.ChannelLayoutMono
	case 2:
		layout = astiav.ChannelLayoutStereo
	default:
		return nil, layout, fmt.Errorf("vorbis encoder: %d channels; mono and stereo are supported", a.Channels)
	}
	opts := map[string]string{}
	if e.BitRate <= 0 {
		opts["flags"] = "+qscale"
		opts["global_quality"] = strconv.Itoa(int(e.Quality * qp2lambda))
	}
	k, err := openCodec(c, func(cc *astiav.CodecContext) error {
		cc.SetSampleFormat(astiav.SampleFormatFltp)
		cc.SetSampleRate(a.Rate)
		cc.SetChannelLayout(layout)
		cc.SetTimeBase(astiav.NewRational(1, a.Rate))
		if e.BitRate > 0 {
			cc.SetBitRate(e.BitRate)
		}
		return nil
	}, opts)
	if err != nil {
		return nil, layout, fmt.Errorf("vorbis encoder: %d channels at %d Hz: %w", a.Channels, a.Rate, err)
	}
	return k, layout, nil
}

// qp2lambda is FFmpeg's FF_QP2LAMBDA: global quality is in its units.
const qp2lambda = 118

// splitXiph splits extradata in Xiph lacing into its three headers.
func splitXiph(b []byte) ([][]byte, error) {
	if len(b) < 3 || b[0] != 2 {
		return nil, errors.New("extradata is not three headers in Xiph lacing")
	}
	b = b[1:]
	var sizes []int
	for range 2 {
		n := 0
		for {
			if len(b) == 0 {
				return nil, errors.New("extradata cut in its lacing")
			}
			v := b[0]
			b = b[1:]
			n += int(v)
			if v < 255 {
				break
			}
		}
		sizes = append(sizes, n)
	}
	if sizes[0]+sizes[1] > len(b) {
		return nil, errors.New("extradata shorter than its lacing says")
	}
	return [][]byte{b[:sizes[0]], b[sizes[0] : sizes[0]+sizes[1]], b[sizes[0]+sizes[1]:]}, nil
}
