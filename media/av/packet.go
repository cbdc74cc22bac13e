//go:build cgo

package av

/*
#cgo pkg-config: libavcodec libavformat libavutil
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>

// kg_params is what a muxer needs of an AVCodecParameters, in plain
// values, so that a Packet can carry it in Go memory. (Extradata travels
// separately, as a Go slice.)
typedef struct {
	int codec_type, codec_id, format, width, height, sar_num, sar_den;
	int field_order, color_range, color_primaries, color_trc, color_space, chroma_location, video_delay;
	int sample_rate, channels, ch_order, frame_size, initial_padding, trailing_padding, seek_preroll;
	int block_align, bits_per_coded_sample, bits_per_raw_sample, profile, level;
	uint64_t ch_mask;
	int64_t bit_rate;
} kg_params;

static void kg_params_get(const AVCodecParameters *p, kg_params *o) {
	o->codec_type = p->codec_type; o->codec_id = p->codec_id; o->format = p->format;
	o->width = p->width; o->height = p->height;
	o->sar_num = p->sample_aspect_ratio.num; o->sar_den = p->sample_aspect_ratio.den;
	o->field_order = p->field_order; o->color_range = p->color_range;
	o->color_primaries = p->color_primaries; o->color_trc = p->color_trc;
	o->color_space = p->color_space; o->chroma_location = p->chroma_location;
	o->video_delay = p->video_delay; o->sample_rate = p->sample_rate;
	o->channels = p->ch_layout.nb_channels; o->ch_order = p->ch_layout.order;
	o->ch_mask = p->ch_layout.order == AV_CHANNEL_ORDER_NATIVE ? p->ch_layout.u.mask : 0;
	o->frame_size = p->frame_size; o->initial_padding = p->initial_padding;
	o->trailing_padding = p->trailing_padding; o->seek_preroll = p->seek_preroll;
	o->block_align = p->block_align; o->bits_per_coded_sample = p->bits_per_coded_sample;
	o->bits_per_raw_sample = p->bits_per_raw_sample; o->profile = p->profile; o->level = p->level;
	o->bit_rate = p->bit_rate;
}

static int kg_params_set(AVCodecParameters *p, const kg_params *o) {
	p->codec_type = o->codec_type; p->codec_id = o->codec_id; p->codec_tag = 0; p->format = o->format;
	p->width = o->width; p->height = o->height;
	p->sample_aspect_ratio = (AVRational){o->sar_num, o->sar_den};
	p->field_order = o->field_order; p->color_range = o->color_range;
	p->color_primaries = o->color_primaries; p->color_trc = o->color_trc;
	p->color_space = o->color_space; p->chroma_location = o->chroma_location;
	p->video_delay = o->video_delay; p->sample_rate = o->sample_rate;
	av_channel_layout_uninit(&p->ch_layout);
	if (o->channels > 0) {
		if (o->ch_order == AV_CHANNEL_ORDER_NATIVE && o->ch_mask != 0) {
			int err = av_channel_layout_from_mask(&p->ch_layout, o->ch_mask);
			if (err < 0) return err;
		} else {
			av_channel_layout_default(&p->ch_layout, o->channels);
		}
	}
	p->frame_size = o->frame_size; p->initial_padding = o->initial_padding;
	p->trailing_padding = o->trailing_padding; p->seek_preroll = o->seek_preroll;
	p->block_align = o->block_align; p->bits_per_coded_sample = o->bits_per_coded_sample;
	p->bits_per_raw_sample = o->bits_per_raw_sample; p->profile = o->profile; p->level = o->level;
	p->bit_rate = o->bit_rate;
	return 0;
}

// kg_tag_bt601 tags an encoder's pictures as what frames hold: BT.601
// video-range Y'CbCr.
static void kg_tag_bt601(AVCodecContext *c) {
	c->colorspace = AVCOL_SPC_BT470BG;
	c->color_range = AVCOL_RANGE_MPEG;
}

static int kg_query_codec(const AVOutputFormat *f, int id) {
	return avformat_query_codec(f, id, FF_COMPLIANCE_NORMAL);
}
*/
import "C"

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// Kind says what a stream carries.
type Kind uint8

const (
	// KindOther is a stream of neither video nor audio (subtitles, data).
	KindOther Kind = iota
	// KindVideo is a stream of pictures.
	KindVideo
	// KindAudio is a stream of sound.
	KindAudio
)

// String returns "video", "audio" or "other".
func (k Kind) String() string {
	switch k {
	case KindVideo:
		return "video"
	case KindAudio:
		return "audio"
	}
	return "other"
}

// NoPTS marks a Packet's PTS or DTS as unknown (FFmpeg's AV_NOPTS_VALUE).
const NoPTS int64 = -1 << 63

// Packet is one encoded unit of a stream (a compressed picture, a few
// milliseconds of compressed sound) as an Encoder makes it, a Demuxer reads
// it and a Muxer or PacketDecoder takes it. It holds no C memory.
//
// A Packet may reach several receivers (a Demuxer sends each packet on its
// outbox and on its video or audio outbox), so receivers treat it, its Data
// and its Params as read-only.
type Packet struct {
	// Data is the encoded bytes.
	Data []byte
	// PTS is when the packet's content is presented, DTS when it is
	// decoded, and Duration how long it lasts, all in TimeBase units. PTS
	// and DTS are NoPTS when unknown.
	PTS, DTS, Duration int64
	// TimeBase is the unit of PTS, DTS and Duration, in seconds.
	TimeBase frame.Rational
	// Key says the packet can be decoded without those before it.
	Key bool
	// Stream is the packet's stream: its index in the container a Demuxer
	// read, or the one an Encoder was told to make (Encoder.Stream).
	Stream int
	// Params describes the stream, the same value for every packet of it.
	Params *StreamParams
}

// Time returns the packet's presentation time (its decode time when the
// PTS is unknown; 0 when both are).
func (p *Packet) Time() time.Duration {
	t := p.PTS
	if t == NoPTS {
		t = p.DTS
	}
	if t == NoPTS || p.TimeBase.Den <= 0 {
		return 0
	}
	return time.Duration(float64(t) * float64(p.TimeBase.Num) / float64(p.TimeBase.Den) * float64(time.Second))
}

// String describes the packet for logs and tests.
func (p *Packet) String() string {
	codec := "?"
	if p.Params != nil {
		codec = p.Params.Codec
	}
	return fmt.Sprintf("%s packet of stream %d, %d bytes at %v (key %t)", codec, p.Stream, len(p.Data), p.Time(), p.Key)
}

// StreamParams describes an encoded stream: what a decoder needs to open
// and a muxer needs to declare it. Encoders and Demuxers make it (from
// FFmpeg's codec parameters, copied into Go memory); the exported fields
// tell a program what the stream is, and are not meant to be changed.
type StreamParams struct {
	// Kind is video, audio or other.
	Kind Kind
	// Codec is FFmpeg's name of the codec ("h264", "aac", "vorbis").
	Codec string
	// Width and Height of a video stream's pictures.
	Width, Height int
	// FrameRate of a video stream, when known.
	FrameRate frame.Rational
	// SampleRate and Channels of an audio stream; FrameSize is the
	// samples in each of its packets (0: it varies).
	SampleRate, Channels, FrameSize int
	// BitRate in bits a second, when known.
	BitRate int64
	// ExtraData is the codec's global header (an H.264 avcC, Vorbis's
	// three headers), if it has one.
	ExtraData []byte

	raw C.kg_params
}

// cParams reaches the AVCodecParameters that astiav's CodecParameters
// wraps: its only field. go-astiav v0.16.0 offers no accessor, and its
// struct is pinned by the module version.
func cParams(cp *astiav.CodecParameters) *C.AVCodecParameters {
	return *(**C.AVCodecParameters)(unsafe.Pointer(cp))
}

// cOutputFormat reaches the AVOutputFormat astiav's OutputFormat wraps, the
// same way.
func cOutputFormat(f *astiav.OutputFormat) *C.AVOutputFormat {
	return *(**C.AVOutputFormat)(unsafe.Pointer(f))
}

// paramsFromAV copies cp into Go memory.
func paramsFromAV(cp *astiav.CodecParameters, rate astiav.Rational) *StreamParams {
	sp := &StreamParams{}
	C.kg_params_get(cParams(cp), &sp.raw)
	sp.Codec = astiav.CodecID(sp.raw.codec_id).Name()
	switch astiav.MediaType(sp.raw.codec_type) {
	case astiav.MediaTypeVideo:
		sp.Kind = KindVideo
	case astiav.MediaTypeAudio:
		sp.Kind = KindAudio
	}
	sp.Width, sp.Height = int(sp.raw.width), int(sp.raw.height)
	sp.SampleRate, sp.Channels, sp.FrameSize = int(sp.raw.sample_rate), int(sp.raw.channels), int(sp.raw.frame_size)
	sp.BitRate = int64(sp.raw.bit_rate)
	if rate.Num() > 0 && rate.Den() > 0 {
		sp.FrameRate = frame.Rational{Num: rate.Num(), Den: rate.Den()}
	}
	if x := cp.ExtraData(); len(x) > 0 {
		sp.ExtraData = append([]byte(nil), x...)
	}
	return sp
}

// toAV fills cp with the parameters.
func (sp *StreamParams) toAV(cp *astiav.CodecParameters) error {
	if err := avError(C.kg_params_set(cParams(cp), &sp.raw)); err != nil {
		return fmt.Errorf("setting %s parameters: %w", sp.Codec, err)
	}
	if len(sp.ExtraData) > 0 {
		if err := cp.SetExtraData(sp.ExtraData); err != nil {
			return fmt.Errorf("setting %s extradata: %w", sp.Codec, err)
		}
	}
	return nil
}

// codecID is the stream's FFmpeg codec.
func (sp *StreamParams) codecID() astiav.CodecID { return astiav.CodecID(sp.raw.codec_id) }

// tagBT601 tags an encoder's pictures as BT.601 video range, what
// frame.Video holds (FFmpeg's vc2 encoder writes BT.709 when untagged).
// CodecContext's first field is its AVCodecContext, as for cParams.
func tagBT601(cc *astiav.CodecContext) {
	C.kg_tag_bt601(*(**C.AVCodecContext)(unsafe.Pointer(cc)))
}

// avError turns an FFmpeg return code into an error (nil when not negative).
func avError(ret C.int) error {
	if ret >= 0 {
		return nil
	}
	return astiav.Error(ret)
}

// containerTakes reports whether the output format can hold the codec: 1
// yes, 0 no, negative when FFmpeg cannot tell (the muxer then decides).
func containerTakes(f *astiav.OutputFormat, id astiav.CodecID) int {
	return int(C.kg_query_codec(cOutputFormat(f), C.int(id)))
}

// rational converts between the two fraction types.
func rational(r frame.Rational) astiav.Rational { return astiav.NewRational(r.Num, r.Den) }

func fromRational(r astiav.Rational) frame.Rational {
	return frame.Rational{Num: r.Num(), Den: r.Den()}
}

// packetFromAV copies p into a Packet of stream index in time base tb.
func packetFromAV(p *astiav.Packet, index int, tb astiav.Rational, sp *StreamParams) *Packet {
	return &Packet{
		Data:     p.Data(),
		PTS:      p.Pts(),
		DTS:      p.Dts(),
		Duration: p.Duration(),
		TimeBase: fromRational(tb),
		Key:      p.Flags().Has(astiav.PacketFlagKey),
		Stream:   index,
		Params:   sp,
	}
}

// packetToAV fills dst with a copy of p (padded as decoders need).
func packetToAV(p *Packet, dst *astiav.Packet) error {
	if err := fillPacket(dst, p.Data); err != nil {
		return err
	}
	dst.SetPts(p.PTS)
	dst.SetDts(p.DTS)
	dst.SetDuration(p.Duration)
	if p.Key {
		dst.SetFlags(astiav.NewPacketFlags(astiav.PacketFlagKey))
	}
	dst.SetStreamIndex(p.Stream)
	return nil
}

// outcome makes *err what a component's Main reports: ctx's error once it
// was told Shutdown (whatever FFmpeg made of the cancelled reads and
// sends), else the error prefixed with what the component is.
func outcome(ctx context.Context, err *error, what string) {
	if ctx.Err() != nil {
		*err = ctx.Err()
	} else if *err != nil {
		*err = fmt.Errorf("%s: %w", what, *err)
	}
}
