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
	var dict *astiav.Dictionary
	if len(opts) > 0 {
		dict = astiav.NewDictionary()
		defer dict.Free()
		for k, v := range opts {
			if err := dict.Set(k, v, 0); err != nil {
				cc.Free()
				return nil, err
			}
		}
	}
	if err := cc.Open(c, dict); err != nil {
		cc.Free()
		return nil, fmt.Errorf("opening %s: %w", c.Name(), err)
	}
	// FFmpeg takes the options it knows and leaves the rest in the
	// dictionary: one left is an option the codec does not have.
	if dict != nil {
		if e := dict.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); e != nil {
			cc.Free()
			return nil, fmt.Errorf("opening %s: it has no option %q", c.Name(), e.Key())
		}
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
