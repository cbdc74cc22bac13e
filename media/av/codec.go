//go:build cgo

package av

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/asticode/go-astiav"
)

// codec is an opened FFmpeg decoder or encoder with its scratch packet and
// frame. Every component that holds one frees it when its Main returns.
type codec struct {
	cc   *astiav.CodecContext
	pkt  *astiav.Packet
	frm  *astiav.Frame
	conv *converter
}

// threadCount is what FFmpeg's "auto" works out, one thread a core and one
// more, as the ffmpeg CLI gets. Asked for by number, since "auto" (0) gave
// Dirac decoding in this process a fifth less speed than the same number
// of threads named outright.
var threadCount = min(runtime.NumCPU()+1, 16)

// openDecoder opens the decoder for id; setup may set parameters first.
func openDecoder(id astiav.CodecID, setup func(cc *astiav.CodecContext) error) (*codec, error) {
	c := astiav.FindDecoder(id)
	if c == nil {
		return nil, fmt.Errorf("this FFmpeg has no %v decoder", id)
	}
	return openCodec(c, setup, nil)
}

// openCodec opens c; setup may set parameters first, and opts are codec
// options by name (as the ffmpeg CLI's -flags, -global_quality).
func openCodec(c *astiav.Codec, setup func(cc *astiav.CodecContext) error, opts map[string]string) (*codec, error) {
	cc := astiav.AllocCodecContext(c)
	if cc == nil {
		return nil, fmt.Errorf("allocating a %s context failed", c.Name())
	}
	k := &codec{cc: cc}
	if setup != nil {
		if err := setup(cc); err != nil {
			cc.Free()
			return nil, err
		}
	}
	dict, err := newOptions(opts)
	if err != nil {
		cc.Free()
		return nil, err
	}
	defer dict.free()
	if err := cc.Open(c, dict.d); err != nil {
		cc.Free()
		return nil, fmt.Errorf("opening %s: %w", c.Name(), err)
	}
	if err := dict.unused(); err != nil {
		cc.Free()
		return nil, fmt.Errorf("opening %s: it has %w", c.Name(), err)
	}
	k.pkt = astiav.AllocPacket()
	k.frm = astiav.AllocFrame()
	return k, nil
}

func (k *codec) free() {
	if k == nil {
		return
	}
	k.conv.free()
	k.frm.Free()
	k.pkt.Free()
	k.cc.Free()
}

// decode gives the decoder a packet (nil: end of stream, flush), then hands
// every frame it has ready to fn. The frame is only valid during fn.
func (k *codec) decode(data []byte, pts int64, fn func(f *astiav.Frame) error) error {
	var err error
	if data == nil {
		err = k.cc.SendPacket(nil)
	} else {
		if err := fillPacket(k.pkt, data); err != nil {
			return err
		}
		k.pkt.SetPts(pts)
		k.pkt.SetDts(pts)
		err = k.cc.SendPacket(k.pkt)
		k.pkt.Unref()
	}
	if err != nil && !errors.Is(err, astiav.ErrEof) {
		return err
	}
	return k.drainFrames(fn)
}

func (k *codec) drainFrames(fn func(f *astiav.Frame) error) error {
	for {
		err := k.cc.ReceiveFrame(k.frm)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(k.frm)
		k.frm.Unref()
		if err != nil {
			return err
		}
	}
}

// encode gives the encoder a frame (nil: end of stream, flush), then hands
// every packet it has ready to fn.
func (k *codec) encode(f *astiav.Frame, fn func(p *astiav.Packet) error) error {
	if err := k.cc.SendFrame(f); err != nil && !errors.Is(err, astiav.ErrEof) {
		return err
	}
	for {
		err := k.cc.ReceivePacket(k.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(k.pkt)
		k.pkt.Unref()
		if err != nil {
			return err
		}
	}
}

// options is a dictionary of FFmpeg options by name, for a call that
// takes the ones it knows and leaves the rest.
type options struct{ d *astiav.Dictionary }

// newOptions returns opts as a dictionary (nil when there are none).
func newOptions(opts map[string]string) (options, error) {
	if len(opts) == 0 {
		return options{}, nil
	}
	o := options{astiav.NewDictionary()}
	for k, v := range opts {
		if err := o.d.Set(k, v, 0); err != nil {
			o.free()
			return options{}, fmt.Errorf("option %s=%s: %w", k, v, err)
		}
	}
	return o, nil
}

// unused fails on an option the call left: one the codec or muxer does
// not have.
func (o options) unused() error {
	if o.d == nil {
		return nil
	}
	if e := o.d.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); e != nil {
		return fmt.Errorf("no option %q", e.Key())
	}
	return nil
}

func (o options) free() {
	if o.d != nil {
		o.d.Free()
	}
}
