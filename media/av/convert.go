//go:build cgo

package av

import (
	"errors"
	"fmt"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// pixelFormats maps the formats frames carry to FFmpeg's.
var pixelFormats = map[frame.PixelFormat]astiav.PixelFormat{
	frame.YUV420P: astiav.PixelFormatYuv420P,
	frame.YUV422P: astiav.PixelFormatYuv422P,
	frame.YUV444P: astiav.PixelFormatYuv444P,
	frame.RGBA:    astiav.PixelFormatRgba,
	frame.Gray8:   astiav.PixelFormatGray8,
}

// fromAVPixelFormat returns the frame format of an FFmpeg one, or Unknown.
// The full-range ("j") Y'CbCr formats have the same layout as the others.
func fromAVPixelFormat(p astiav.PixelFormat) frame.PixelFormat {
	switch p {
	case astiav.PixelFormatYuvj420P:
		return frame.YUV420P
	case astiav.PixelFormatYuvj422P:
		return frame.YUV422P
	case astiav.PixelFormatYuvj444P:
		return frame.YUV444P
	}
	for f, a := range pixelFormats {
		if a == p {
			return f
		}
	}
	return frame.PixelFormatUnknown
}

var sampleFormats = map[frame.SampleFormat]astiav.SampleFormat{
	frame.S16:  astiav.SampleFormatS16,
	frame.F32:  astiav.SampleFormatFlt,
	frame.S16P: astiav.SampleFormatS16P,
	frame.F32P: astiav.SampleFormatFltp,
}

func fromAVSampleFormat(s astiav.SampleFormat) frame.SampleFormat {
	for f, a := range sampleFormats {
		if a == s {
			return f
		}
	}
	return frame.SampleFormatUnknown
}

// videoFromAV copies a decoded frame into Go memory. Frames of a format
// frames do not carry are converted to YUV420P with conv (made on first
// need, kept by the caller).
func videoFromAV(f *astiav.Frame, conv **converter) (*frame.Video, error) {
	format := fromAVPixelFormat(f.PixelFormat())
	src := f
	if format == frame.PixelFormatUnknown {
		if *conv == nil {
			*conv = &converter{}
		}
		out, err := (*conv).convert(f, f.Width(), f.Height(), astiav.PixelFormatYuv420P)
		if err != nil {
			return nil, err
		}
		src, format = out, frame.YUV420P
	}
	v := frame.Alloc(format, f.Width(), f.Height())
	n, err := src.ImageCopyToBuffer(v.Pixels(), 1)
	if err != nil {
		return nil, fmt.Errorf("copying %dx%d %v frame: %w", f.Width(), f.Height(), f.PixelFormat(), err)
	}
	if n != len(v.Pixels()) {
		return nil, fmt.Errorf("copying %dx%d %v frame: %d bytes, want %d", v.Width, v.Height, format, n, len(v.Pixels()))
	}
	v.Interlaced, v.TopFieldFirst = interlacing(f)
	return v, nil
}

// videoToAV fills f (unreferenced first) with a copy of v.
func videoToAV(v *frame.Video, f *astiav.Frame) error {
	if err := v.Validate(); err != nil {
		return err
	}
	f.Unref()
	f.SetWidth(v.Width)
	f.SetHeight(v.Height)
	f.SetPixelFormat(pixelFormats[v.Format])
	if err := f.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocating a %v frame: %w", v, err)
	}
	for i := range v.Format.NumPlanes() {
		w, h := v.Format.PlaneSize(i, v.Width, v.Height)
		copyPlaneIn(f, i, v.Planes[i], v.Strides[i], w, h)
	}
	setInterlacing(f, v.Interlaced, v.TopFieldFirst)
	return nil
}

// audioFromAV copies a decoded audio frame into Go memory; pts is its time.
func audioFromAV(f *astiav.Frame, pts time.Duration) (*frame.Audio, error) {
	format := fromAVSampleFormat(f.SampleFormat())
	if format == frame.SampleFormatUnknown {
		return nil, fmt.Errorf("sample format %v is not one audio buffers carry", f.SampleFormat())
	}
	ch := frameChannels(f)
	if ch <= 0 {
		return nil, errors.New("decoded audio has no channels")
	}
	a := &frame.Audio{Format: format, Channels: ch, Rate: f.SampleRate(), Samples: f.NbSamples(), PTS: pts}
	planes, size := 1, a.Samples*ch*format.BytesPerSample()
	if format.Planar() {
		planes, size = ch, a.Samples*format.BytesPerSample()
	}
	for i := range planes {
		a.Data = append(a.Data, audioPlaneOut(f, i, size))
	}
	return a, nil
}

// audioToAV fills f (unreferenced first) with samples [from, from+n) of a,
// which is in the format the encoder takes.
func audioToAV(a *frame.Audio, from, n int, layout astiav.ChannelLayout, f *astiav.Frame) error {
	f.Unref()
	f.SetSampleFormat(sampleFormats[a.Format])
	f.SetSampleRate(a.Rate)
	f.SetChannelLayout(layout)
	f.SetNbSamples(n)
	if err := f.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocating an audio frame of %d samples: %w", n, err)
	}
	bps := a.Format.BytesPerSample()
	if a.Format.Planar() {
		for ch := range a.Channels {
			audioPlaneIn(f, ch, a.Data[ch][from*bps:(from+n)*bps])
		}
		return nil
	}
	k := a.Channels * bps
	audioPlaneIn(f, 0, a.Data[0][from*k:(from+n)*k])
	return nil
}

// padding is FFmpeg's AV_INPUT_BUFFER_PADDING_SIZE: decoders may read this
// far past the end of a packet, so the bytes must be there and be zero.
const padding = 64

// fillPacket makes p hold a copy of data, with zeroed padding after it.
// (go-astiav's Packet.FromData does not pad.) Data that already has the
// padding beyond its length, as a dirac.Packet's has, is copied only once.
func fillPacket(p *astiav.Packet, data []byte) error {
	p.Unref()
	buf := data[:cap(data)]
	if len(buf) < len(data)+padding || !allZero(buf[len(data):len(data)+padding]) {
		buf = make([]byte, len(data)+padding)
		copy(buf, data)
	}
	if err := p.FromData(buf[:len(data)+padding]); err != nil {
		return err
	}
	p.SetSize(len(data))
	return nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// converter converts frames between sizes and pixel formats with swscale,
// remaking its context when the source or destination changes.
type converter struct {
	ssc            *astiav.SoftwareScaleContext
	out            *astiav.Frame
	sw, sh, dw, dh int
	sf, df         astiav.PixelFormat
}

func (c *converter) convert(src *astiav.Frame, dw, dh int, df astiav.PixelFormat) (*astiav.Frame, error) {
	sw, sh, sf := src.Width(), src.Height(), src.PixelFormat()
	if c.ssc == nil || sw != c.sw || sh != c.sh || sf != c.sf || dw != c.dw || dh != c.dh || df != c.df {
		c.free()
		ssc, err := astiav.CreateSoftwareScaleContext(sw, sh, sf, dw, dh, df,
			astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBicubic))
		if err != nil {
			return nil, fmt.Errorf("swscale from %dx%d %v to %dx%d %v: %w", sw, sh, sf, dw, dh, df, err)
		}
		c.ssc, c.sw, c.sh, c.sf, c.dw, c.dh, c.df = ssc, sw, sh, sf, dw, dh, df
		c.out = astiav.AllocFrame()
	}
	c.out.Unref()
	c.out.SetWidth(dw)
	c.out.SetHeight(dh)
	c.out.SetPixelFormat(df)
	if err := c.out.AllocBuffer(0); err != nil {
		return nil, err
	}
	if err := c.ssc.ScaleFrame(src, c.out); err != nil {
		return nil, fmt.Errorf("swscale: %w", err)
	}
	return c.out, nil
}

func (c *converter) free() {
	if c == nil {
		return
	}
	if c.ssc != nil {
		c.ssc.Free()
		c.ssc = nil
	}
	if c.out != nil {
		c.out.Free()
		c.out = nil
	}
}

// ptsOf returns the time of frame n at rate r (0 when r is unknown).
func ptsOf(n int64, r frame.Rational) time.Duration {
	if r.Num <= 0 || r.Den <= 0 {
		return 0
	}
	return time.Duration(n * int64(time.Second) * int64(r.Den) / int64(r.Num))
}
