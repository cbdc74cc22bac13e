//go:build cgo

package av

/*
#cgo pkg-config: libavfilter libavutil
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>

static int kg_buffersrc_close(AVFilterContext *c, int64_t pts) { return av_buffersrc_close(c, pts, 0); }

static AVRational kg_sink_frame_rate(AVFilterContext *c) { return av_buffersink_get_frame_rate(c); }
static AVRational kg_sink_time_base(AVFilterContext *c) { return av_buffersink_get_time_base(c); }
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// filterGraph is a configured FFmpeg filter graph with one input (a buffer
// source) and one output (a buffer sink).
type filterGraph struct {
	g         *astiav.FilterGraph
	src, sink *astiav.FilterContext
	frm       *astiav.Frame
}

// cFilter reaches the AVFilterContext astiav's FilterContext wraps: its
// only field, as for CodecParameters (see cParams).
func cFilter(f *astiav.FilterContext) *C.AVFilterContext {
	return *(**C.AVFilterContext)(unsafe.Pointer(f))
}

// newFilterGraph builds desc between a source of srcFilter with srcArgs and
// a sink of sinkFilter.
func newFilterGraph(desc, srcFilter string, srcArgs astiav.FilterArgs, sinkFilter string) (fg *filterGraph, err error) {
	fg = &filterGraph{g: astiav.AllocFilterGraph()}
	if fg.g == nil {
		return nil, errors.New("allocating a filter graph failed")
	}
	defer func() {
		if err != nil {
			fg.free()
			fg = nil
		}
	}()
	fg.g.SetThreadCount(threadCount)
	if fg.src, err = fg.g.NewFilterContext(astiav.FindFilterByName(srcFilter), "in", srcArgs); err != nil {
		return fg, fmt.Errorf("%s %v: %w", srcFilter, srcArgs, err)
	}
	if fg.sink, err = fg.g.NewFilterContext(astiav.FindFilterByName(sinkFilter), "out", nil); err != nil {
		return fg, fmt.Errorf("%s: %w", sinkFilter, err)
	}
	// The graph's open input is fed by the source and its open output
	// feeds the sink (FFmpeg names them from the graph's side).
	outputs, inputs := astiav.AllocFilterInOut(), astiav.AllocFilterInOut()
	defer outputs.Free()
	defer inputs.Free()
	outputs.SetName("in")
	outputs.SetFilterContext(fg.src)
	outputs.SetPadIdx(0)
	outputs.SetNext(nil)
	inputs.SetName("out")
	inputs.SetFilterContext(fg.sink)
	inputs.SetPadIdx(0)
	inputs.SetNext(nil)
	if err := fg.g.Parse(desc, inputs, outputs); err != nil {
		return fg, fmt.Errorf("%q: %w", desc, err)
	}
	if err := fg.g.Configure(); err != nil {
		return fg, fmt.Errorf("%q: %w", desc, err)
	}
	fg.frm = astiav.AllocFrame()
	return fg, nil
}

// push gives the graph f, then hands every frame the graph has ready to
// fn.
func (fg *filterGraph) push(f *astiav.Frame, fn func(f *astiav.Frame) error) error {
	if err := fg.src.BuffersrcAddFrame(f, astiav.NewBuffersrcFlags(astiav.BuffersrcFlagKeepRef)); err != nil {
		return err
	}
	return fg.pull(fn)
}

// end tells the graph its input ends at end (in the source's time base:
// where the last frame stops, so that filters such as fps keep it), then
// hands every frame the graph still has to fn.
func (fg *filterGraph) end(end int64, fn func(f *astiav.Frame) error) error {
	if err := avError(C.kg_buffersrc_close(cFilter(fg.src), C.int64_t(end))); err != nil {
		return err
	}
	return fg.pull(fn)
}

// pull hands every frame the graph has ready to fn.
func (fg *filterGraph) pull(fn func(f *astiav.Frame) error) error {
	for {
		err := fg.sink.BuffersinkGetFrame(fg.frm, astiav.NewBuffersinkFlags())
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(fg.frm)
		fg.frm.Unref()
		if err != nil {
			return err
		}
	}
}

// timeOf returns the time of a frame the sink gave.
func (fg *filterGraph) timeOf(f *astiav.Frame) time.Duration {
	tb := C.kg_sink_time_base(cFilter(fg.sink))
	if f.Pts() == astiav.NoPtsValue || tb.den == 0 {
		return 0
	}
	return time.Duration(float64(f.Pts()) * float64(tb.num) / float64(tb.den) * float64(time.Second))
}

func (fg *filterGraph) frameRate() frame.Rational {
	r := C.kg_sink_frame_rate(cFilter(fg.sink))
	return frame.Rational{Num: int(r.num), Den: int(r.den)}
}

// frameStep is the time of one frame at rate, in microseconds (a 25th of
// a second when the rate is unknown).
func frameStep(rate frame.Rational) int64 {
	if rate.Num <= 0 || rate.Den <= 0 {
		return 40_000
	}
	return int64(math.Round(1e6 * float64(rate.Den) / float64(rate.Num)))
}

func (fg *filterGraph) free() {
	if fg == nil {
		return
	}
	if fg.frm != nil {
		fg.frm.Free()
	}
	fg.g.Free()
}

// VideoFilter runs video frames through an FFmpeg filter graph, given as
// the ffmpeg CLI's -vf takes it: "scale=320:240", "crop=160:120:10:10",
// "fps=15", "hflip,scale=iw/2:-2".
//
// Boxes:
//
//	inbox   *frame.Video  frames
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Video  what the graph makes of them, timed by the graph
//	                      (with the rate it gives, or the input's); in a
//	                      format frames carry, else converted to YUV420P
//	signal  any           the outcome
//
// The graph is built for the first frame's size and format, and built
// again (after the old one is flushed) when they change. A frame whose PTS
// is not later than the one before (frames made without one) is given the
// next time at its frame rate (25 a second when it has none).
//
// Example:
//
//	f := av.NewVideoFilter("scale=320:240,fps=15")
//	axon.MustLink(dec.Video, f.In)
//	axon.MustLink(f.Out, enc.Video)
//
// Shutdown: ProducerFinished filters what is queued, flushes the graph
// (filters such as fps hold frames back), sends what it gives and returns
// nil. Shutdown returns at once with ctx's error. A description FFmpeg
// cannot parse or configure, or a frame that is not valid, is an error on
// signal. FFmpeg's resources are freed on every path.
type VideoFilter struct {
	axon.Core
	In  *axon.Inbox[*frame.Video]
	Out *axon.Outbox[*frame.Video]

	// Graph is the filter graph's description.
	Graph string

	st stats
}

// NewVideoFilter returns a VideoFilter running graph.
func NewVideoFilter(graph string) *VideoFilter {
	f := &VideoFilter{Graph: graph}
	f.In = axon.NewInbox[*frame.Video](f, "inbox")
	f.Out = axon.NewOutbox[*frame.Video](f, "outbox")
	return f
}

// Stats returns what the filter has done so far: Packets counts frames
// in, Frames frames out.
func (f *VideoFilter) Stats() Stats { return f.st.get() }

// Main filters until the frames end or the filter is told to stop.
func (f *VideoFilter) Main(ctx context.Context) (err error) {
	var (
		fg   *filterGraph
		w, h int
		pf   frame.PixelFormat
		rate frame.Rational
		conv *converter
		last int64 = math.MinInt64 // the last timestamp given the graph
	)
	defer func() { fg.free() }()
	defer func() { conv.free() }()
	defer outcome(ctx, &err, "video filter")
	src := astiav.AllocFrame()
	defer src.Free()
	send := func(a *astiav.Frame) error {
		v, err := videoFromAV(a, &conv)
		if err != nil {
			return err
		}
		v.PTS = fg.timeOf(a)
		v.FrameRate = fg.frameRate()
		if v.FrameRate.Num <= 0 || v.FrameRate.Den <= 0 {
			v.FrameRate = rate
		}
		if err := f.Out.Send(ctx, v); err != nil {
			return err
		}
		f.st.frames.Add(1)
		return nil
	}
	desc := f.Graph
	if strings.TrimSpace(desc) == "" {
		desc = "null"
	}
	for v := range f.In.Messages(ctx) {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("frame %d: %w", f.st.packets.Load(), err)
		}
		if fg == nil || v.Width != w || v.Height != h || v.Format != pf {
			if fg != nil {
				if err := fg.end(last+frameStep(rate), send); err != nil {
					return err
				}
				fg.free()
				fg = nil
			}
			w, h, pf, rate = v.Width, v.Height, v.Format, v.FrameRate
			args := astiav.FilterArgs{
				"video_size":   fmt.Sprintf("%dx%d", w, h),
				"pix_fmt":      strconv.Itoa(int(pixelFormats[pf])),
				"time_base":    "1/1000000",
				"pixel_aspect": "1/1",
			}
			if rate.Num > 0 && rate.Den > 0 {
				args["frame_rate"] = rate.String()
			}
			if fg, err = newFilterGraph(desc, "buffer", args, "buffersink"); err != nil {
				return err
			}
		}
		if err := videoToAV(v, src); err != nil {
			return err
		}
		// Filters such as fps go by the timestamps: a frame no later than
		// the one before (frames made without a PTS) is taken to be the
		// next at the frame rate (25 a second when unknown).
		pts := v.PTS.Microseconds()
		if pts <= last {
			pts = last + frameStep(rate)
		}
		last = pts
		src.SetPts(pts)
		f.st.packets.Add(1)
		if err := fg.push(src, send); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if fg == nil {
		return nil
	}
	return fg.end(last+frameStep(rate), send)
}

// AudioFilter runs audio buffers through an FFmpeg filter graph, given as
// the ffmpeg CLI's -af takes it: "aresample=8000", "volume=0.5",
// "aresample=48000,pan=mono|c0=c0". It is how sound is resampled for an
// encoder that takes only some rates.
//
// Boxes:
//
//	inbox   *frame.Audio  sound
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Audio  what the graph makes of it, timed by the graph,
//	                      in the graph's sample format when buffers carry
//	                      it, else F32P (an aformat at the graph's end
//	                      sees to that)
//	signal  any           the outcome
//
// The graph is built for the first buffer's rate, channels and format, and
// built again (after the old one is flushed) when they change.
//
// Example:
//
//	f := av.NewAudioFilter("aresample=48000")
//	axon.MustLink(mic.Out, f.In)
//	axon.MustLink(f.Out, opus.Audio)
//
// Shutdown: ProducerFinished filters what is queued, flushes the graph,
// sends what it gives and returns nil. Shutdown returns at once with ctx's
// error. A description FFmpeg cannot parse or configure, or a buffer that
// is not valid, is an error on signal. FFmpeg's resources are freed on
// every path.
type AudioFilter struct {
	axon.Core
	In  *axon.Inbox[*frame.Audio]
	Out *axon.Outbox[*frame.Audio]

	// Graph is the filter graph's description.
	Graph string

	st stats
}

// NewAudioFilter returns an AudioFilter running graph.
func NewAudioFilter(graph string) *AudioFilter {
	f := &AudioFilter{Graph: graph}
	f.In = axon.NewInbox[*frame.Audio](f, "inbox")
	f.Out = axon.NewOutbox[*frame.Audio](f, "outbox")
	return f
}

// Stats returns what the filter has done so far: Packets counts buffers
// in, Frames buffers out.
func (f *AudioFilter) Stats() Stats { return f.st.get() }

// Main filters until the sound ends or the filter is told to stop.
func (f *AudioFilter) Main(ctx context.Context) (err error) {
	var (
		fg     *filterGraph
		rate   int
		chans  int
		format frame.SampleFormat
		layout astiav.ChannelLayout
		pts    int64
	)
	defer func() { fg.free() }()
	defer outcome(ctx, &err, "audio filter")
	src := astiav.AllocFrame()
	defer src.Free()
	send := func(a *astiav.Frame) error {
		out, err := audioFromAV(a, fg.timeOf(a))
		if err != nil {
			return err
		}
		if err := f.Out.Send(ctx, out); err != nil {
			return err
		}
		f.st.frames.Add(1)
		return nil
	}
	desc := f.Graph
	if strings.TrimSpace(desc) == "" {
		desc = "anull"
	}
	// The graph's output in a format buffers carry.
	desc += ",aformat=sample_fmts=fltp|flt|s16|s16p"
	for a := range f.In.Messages(ctx) {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("buffer %d: %w", f.st.packets.Load(), err)
		}
		if fg == nil || a.Rate != rate || a.Channels != chans || a.Format != format {
			if fg != nil {
				if err := fg.end(pts, send); err != nil {
					return err
				}
				fg.free()
				fg = nil
			}
			rate, chans, format = a.Rate, a.Channels, a.Format
			var ok bool
			if layout, ok = channelLayouts[chans]; !ok {
				return fmt.Errorf("%d channels: FFmpeg has a default layout for 1 to 8", chans)
			}
			pts = int64(a.PTS.Seconds() * float64(rate))
			args := astiav.FilterArgs{
				"time_base":      "1/" + strconv.Itoa(rate),
				"sample_rate":    strconv.Itoa(rate),
				"sample_fmt":     sampleFormats[format].Name(),
				"channel_layout": strings.TrimRight(layout.String(), "\x00"),
			}
			if fg, err = newFilterGraph(desc, "abuffer", args, "abuffersink"); err != nil {
				return err
			}
		}
		if err := audioToAV(a, 0, a.Samples, layout, src); err != nil {
			return err
		}
		src.SetPts(pts)
		pts += int64(a.Samples)
		f.st.packets.Add(1)
		if err := fg.push(src, send); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if fg == nil {
		return nil
	}
	return fg.end(pts, send)
}
