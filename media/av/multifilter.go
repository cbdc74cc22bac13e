//go:build cgo

package av

/*
#cgo pkg-config: libavfilter libavutil
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>

static int kg_multi_src_close(AVFilterContext *c, int64_t pts) { return av_buffersrc_close(c, pts, 0); }
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// MultiFilter runs several inputs through one FFmpeg filter graph with
// one output, as the ffmpeg CLI's -filter_complex does: video pictures
// laid over one another ("overlay=10:10"), sounds mixed ("amix=inputs=2").
// The graph's inputs are labelled in0, in1, ... and its output out; a
// graph that does not start with a label is given all the inputs' labels
// in order, so "overlay=10:10" lays in1 over in0 and "amix=inputs=3"
// mixes three, and "[in1]scale=64:48[s];[in0][s]overlay" says it in full.
// NewVideoMultiFilter and NewAudioMultiFilter make one.
//
// Boxes:
//
//	in0, in1, ... T       each input's frames (*frame.Video) or sound
//	                      (*frame.Audio), all of the first one's size and
//	                      format, or rate and channels
//	done    any           the signals of the inputs' producers (see below)
//	control any           ProducerFinished, Shutdown
//	outbox  T             what the graph makes of them, timed by the graph
//	signal  any           the outcome
//
// The graph is built once every input has given its first frame (the
// frames that came before wait); from then on each frame goes into the
// graph as it comes, and FFmpeg lines the inputs up by their timestamps.
// A video frame whose PTS is not later than its input's last is given the
// next time at its frame rate, as VideoFilter does; sound is timed by its
// samples from its input's first PTS.
//
// Example:
//
//	pip := av.NewVideoMultiFilter("[in1]scale=160:120[small];[in0][small]overlay=10:10", 2)
//	axon.MustLink(camera.Out, pip.In[0])
//	axon.MustLink(slides.Out, pip.In[1])
//	axon.MustLink(pip.Out, enc.Video)
//
// Shutdown: ProducerFinished on control (for all the inputs at once), or
// one on done from each input's producer, filters what is queued, ends
// every input where its last frame ends, flushes the graph, sends what it
// gives and returns nil: link every producer's signal to done, since the
// first ProducerFinished on control ends the filter while the other
// producers may still be sending. A Failure on done fails the filter.
// Shutdown returns at once with ctx's error. A description FFmpeg cannot parse or configure (one whose inputs
// are not in0 to inN-1), a frame that is not valid or that differs from
// its input's first, or the end coming before every input has given a
// frame, is an error on signal. FFmpeg's resources are freed on every path.
type MultiFilter[T interface{ *frame.Video | *frame.Audio }] struct {
	axon.Core
	In []*axon.Inbox[T]
	// DoneIn is the done inbox (a field named Done would hide Core's).
	DoneIn *axon.Inbox[any]
	Out    *axon.Outbox[T]

	// Graph is the filter graph's description.
	Graph string

	kind multiKind[T]
	st   stats
}

// NewVideoMultiFilter returns a MultiFilter of video running graph over
// inputs inputs (at least 1).
func NewVideoMultiFilter(graph string, inputs int) *MultiFilter[*frame.Video] {
	return newMultiFilter(graph, inputs, videoKind)
}

// NewAudioMultiFilter returns a MultiFilter of sound running graph over
// inputs inputs (at least 1). The output is in the graph's sample format
// when buffers carry it, else F32P.
func NewAudioMultiFilter(graph string, inputs int) *MultiFilter[*frame.Audio] {
	return newMultiFilter(graph, inputs, audioKind)
}

func newMultiFilter[T interface{ *frame.Video | *frame.Audio }](graph string, inputs int, kind multiKind[T]) *MultiFilter[T] {
	f := &MultiFilter[T]{Graph: graph, kind: kind}
	for i := range max(inputs, 1) {
		f.In = append(f.In, axon.NewInbox[T](f, "in"+strconv.Itoa(i)))
	}
	f.DoneIn = axon.NewInbox[any](f, "done")
	f.Out = axon.NewOutbox[T](f, "outbox")
	return f
}

// Stats returns what the filter has done so far: Packets counts frames
// in (all inputs), Frames frames out.
func (f *MultiFilter[T]) Stats() Stats { return f.st.get() }

// multiInput is what a MultiFilter knows of one input.
type multiInput[T any] struct {
	first   T
	seen    bool
	waiting []T // frames before the graph was built
	src     *astiav.FilterContext
	layout  astiav.ChannelLayout
	rate    frame.Rational // video: the frame rate
	last    int64          // video: the last timestamp given, in microseconds; audio: the next, in samples
}

// multiKind is what differs between video and sound.
type multiKind[T any] struct {
	source, null string
	// format, when set, are the arguments of an aformat between the
	// graph's output and the sink.
	format astiav.FilterArgs
	// args describes v's input to a buffer source, and sets the input's
	// layout, rate and first timestamp.
	args func(v T, in *multiInput[T]) (astiav.FilterArgs, error)
	// differs reports how v differs from the input's first, or "".
	differs  func(v T, first T) string
	validate func(v T) error
	// toAV fills f with v and times it, moving the input's clock on.
	toAV func(v T, f *astiav.Frame, in *multiInput[T]) error
	// end is where the input's last frame ends, in its time base.
	end func(in *multiInput[T]) int64
	// fromAV makes the graph's frame a T.
	fromAV func(fg *filterGraph, a *astiav.Frame, conv **converter) (T, error)
}

var videoKind = multiKind[*frame.Video]{
	source: "buffer", null: "null",
	args: func(v *frame.Video, in *multiInput[*frame.Video]) (astiav.FilterArgs, error) {
		in.rate, in.last = v.FrameRate, math.MinInt64
		args := astiav.FilterArgs{
			"video_size":   fmt.Sprintf("%dx%d", v.Width, v.Height),
			"pix_fmt":      strconv.Itoa(int(pixelFormats[v.Format])),
			"time_base":    "1/1000000",
			"pixel_aspect": "1/1",
		}
		if v.FrameRate.Num > 0 && v.FrameRate.Den > 0 {
			args["frame_rate"] = v.FrameRate.String()
		}
		return args, nil
	},
	differs: func(v, first *frame.Video) string {
		if v.Width != first.Width || v.Height != first.Height || v.Format != first.Format {
			return fmt.Sprintf("%dx%d %v after %dx%d %v", v.Width, v.Height, v.Format, first.Width, first.Height, first.Format)
		}
		return ""
	},
	validate: func(v *frame.Video) error { return v.Validate() },
	toAV: func(v *frame.Video, f *astiav.Frame, in *multiInput[*frame.Video]) error {
		if err := videoToAV(v, f); err != nil {
			return err
		}
		pts := v.PTS.Microseconds()
		if pts <= in.last {
			pts = in.last + frameStep(in.rate)
		}
		in.last = pts
		f.SetPts(pts)
		return nil
	},
	end: func(in *multiInput[*frame.Video]) int64 { return in.last + frameStep(in.rate) },
	fromAV: func(fg *filterGraph, a *astiav.Frame, conv **converter) (*frame.Video, error) {
		v, err := videoFromAV(a, conv)
		if err != nil {
			return nil, err
		}
		v.PTS, v.FrameRate = fg.timeOf(a), fg.frameRate()
		return v, nil
	},
}

var audioKind = multiKind[*frame.Audio]{
	source: "abuffer", null: "anull",
	// The graph's output in a format buffers carry.
	format: astiav.FilterArgs{"sample_fmts": "fltp|flt|s16|s16p"},
	args: func(a *frame.Audio, in *multiInput[*frame.Audio]) (astiav.FilterArgs, error) {
		var ok bool
		if in.layout, ok = channelLayouts[a.Channels]; !ok {
			return nil, fmt.Errorf("%d channels: FFmpeg has a default layout for 1 to 8", a.Channels)
		}
		in.last = int64(a.PTS.Seconds() * float64(a.Rate))
		return astiav.FilterArgs{
			"time_base":      "1/" + strconv.Itoa(a.Rate),
			"sample_rate":    strconv.Itoa(a.Rate),
			"sample_fmt":     sampleFormats[a.Format].Name(),
			"channel_layout": strings.TrimRight(in.layout.String(), "\x00"),
		}, nil
	},
	differs: func(a, first *frame.Audio) string {
		if a.Rate != first.Rate || a.Channels != first.Channels || a.Format != first.Format {
			return fmt.Sprintf("%d channels at %d Hz in %v after %d at %d Hz in %v", a.Channels, a.Rate, a.Format, first.Channels, first.Rate, first.Format)
		}
		return ""
	},
	validate: func(a *frame.Audio) error { return a.Validate() },
	toAV: func(a *frame.Audio, f *astiav.Frame, in *multiInput[*frame.Audio]) error {
		if err := audioToAV(a, 0, a.Samples, in.layout, f); err != nil {
			return err
		}
		f.SetPts(in.last)
		in.last += int64(a.Samples)
		return nil
	},
	end: func(in *multiInput[*frame.Audio]) int64 { return in.last },
	fromAV: func(fg *filterGraph, a *astiav.Frame, _ **converter) (*frame.Audio, error) {
		return audioFromAV(a, fg.timeOf(a))
	},
}

// Main filters until the inputs end or the filter is told to stop.
func (f *MultiFilter[T]) Main(ctx context.Context) (err error) {
	var (
		fg   *filterGraph
		conv *converter
		ins  = make([]*multiInput[T], len(f.In))
		k    = f.kind
	)
	for i := range ins {
		ins[i] = &multiInput[T]{}
	}
	defer func() { fg.free() }()
	defer func() { conv.free() }()
	defer outcome(ctx, &err, "multi-input filter")
	src := astiav.AllocFrame()
	defer src.Free()
	send := func(a *astiav.Frame) error {
		v, err := k.fromAV(fg, a, &conv)
		if err != nil {
			return err
		}
		if err := f.Out.Send(ctx, v); err != nil {
			return err
		}
		f.st.frames.Add(1)
		return nil
	}
	push := func(in *multiInput[T], v T) error {
		if err := k.toAV(v, src, in); err != nil {
			return err
		}
		if err := in.src.BuffersrcAddFrame(src, astiav.NewBuffersrcFlags(astiav.BuffersrcFlagKeepRef)); err != nil {
			return err
		}
		return fg.pull(send)
	}
	build := func() error {
		args := make([]astiav.FilterArgs, len(ins))
		for i, in := range ins {
			if args[i], err = k.args(in.first, in); err != nil {
				return fmt.Errorf("in%d: %w", i, err)
			}
		}
		if fg, err = newMultiGraph(f.Graph, k, args, ins); err != nil {
			return err
		}
		for _, in := range ins {
			for _, v := range in.waiting {
				if err := push(in, v); err != nil {
					return err
				}
			}
			in.waiting = nil
		}
		return nil
	}
	take := func(i int, v T) error {
		in := ins[i]
		if err := k.validate(v); err != nil {
			return fmt.Errorf("in%d: frame %d: %w", i, f.st.packets.Load(), err)
		}
		f.st.packets.Add(1)
		if !in.seen {
			in.first, in.seen = v, true
		} else if d := k.differs(v, in.first); d != "" {
			return fmt.Errorf("in%d: %s (the graph is built for its first)", i, d)
		}
		if fg == nil {
			in.waiting = append(in.waiting, v)
			for _, in := range ins {
				if !in.seen {
					return nil
				}
			}
			return build()
		}
		return push(in, v)
	}
	finishing, ends := false, 0
	for {
		finishing = f.TakeControl(nil).Finishing || finishing
		for s, ok := f.DoneIn.TryRecv(); ok; s, ok = f.DoneIn.TryRecv() {
			if fail, ok := s.(*axon.Failure); ok {
				return fmt.Errorf("a producer failed: %w", fail)
			}
			switch s.(type) {
			case axon.ProducerFinished, axon.Shutdown: // a producer's end, however it came
				ends++
			}
		}
		finishing = finishing || ends >= len(f.In)
		took := false
		for i, in := range f.In {
			for v, ok := in.TryRecv(); ok; v, ok = in.TryRecv() {
				took = true
				if err := take(i, v); err != nil {
					return err
				}
			}
		}
		if took {
			continue
		}
		if finishing {
			break
		}
		if err := f.Wait(ctx); err != nil {
			return err
		}
	}
	if fg == nil {
		if f.st.packets.Load() == 0 {
			return nil // no input at all: nothing to filter
		}
		for i, in := range ins {
			if !in.seen {
				return fmt.Errorf("in%d ended without a frame: the graph needs one from every input", i)
			}
		}
	}
	for i, in := range ins {
		if err := avError(C.kg_multi_src_close(cFilter(in.src), C.int64_t(k.end(in)))); err != nil {
			return fmt.Errorf("ending in%d: %w", i, err)
		}
	}
	return fg.pull(send)
}

// newMultiGraph builds desc between a source for each input, labelled in0,
// in1, ..., and a sink labelled out, and gives each input its source.
func newMultiGraph[T any](desc string, k multiKind[T], args []astiav.FilterArgs, ins []*multiInput[T]) (*filterGraph, error) {
	if strings.TrimSpace(desc) == "" {
		desc = k.null
	}
	what := fmt.Sprintf("%q (a graph from [in0] to [in%d] whose output is [out])", desc, len(ins)-1)
	// FFmpeg links an unlabelled first filter's input only when it has
	// one, and calls it in: a graph that does not start with labels gets
	// the inputs' labels, in order, before it.
	sources := make([]graphSource, len(ins))
	var labels strings.Builder
	for i := range ins {
		sources[i] = graphSource{label: "in" + strconv.Itoa(i), filter: k.source, args: args[i]}
		fmt.Fprintf(&labels, "[%s]", sources[i].label)
	}
	if !strings.HasPrefix(strings.TrimSpace(desc), "[") {
		desc = labels.String() + desc
	}
	fg, srcs, err := buildGraph(desc, what, sources, k.source+"sink", k.format)
	if err != nil {
		return nil, err
	}
	for i, in := range ins {
		in.src = srcs[i]
	}
	return fg, nil
}

// graphSource is one buffer source of a graph: the label the description
// knows it by, FFmpeg's filter and its arguments.
type graphSource struct {
	label, filter string
	args          astiav.FilterArgs
}

// buildGraph builds desc (called what in errors) between sources and a
// sink of sinkFilter, labelled out, through an aformat of format when
// format is not nil. It returns the graph, whose src is the first source,
// and every source's context in order.
func buildGraph(desc, what string, sources []graphSource, sinkFilter string, format astiav.FilterArgs) (fg *filterGraph, srcs []*astiav.FilterContext, err error) {
	fg = &filterGraph{g: astiav.AllocFilterGraph()}
	if fg.g == nil {
		return nil, nil, errors.New("allocating a filter graph failed")
	}
	defer func() {
		if err != nil {
			fg.free()
			fg, srcs = nil, nil
		}
	}()
	fg.g.SetThreadCount(threadCount)
	if fg.sink, err = fg.g.NewFilterContext(astiav.FindFilterByName(sinkFilter), "out", nil); err != nil {
		return fg, nil, fmt.Errorf("%s: %w", sinkFilter, err)
	}
	// The graph's output goes to the sink, or through an aformat to it.
	out := fg.sink
	if format != nil {
		if out, err = fg.g.NewFilterContext(astiav.FindFilterByName("aformat"), "format", format); err != nil {
			return fg, nil, fmt.Errorf("aformat: %w", err)
		}
		if err := avError(C.avfilter_link(cFilter(out), 0, cFilter(fg.sink), 0)); err != nil {
			return fg, nil, fmt.Errorf("linking aformat to the sink: %w", err)
		}
	}
	// The graph's open inputs are fed by the sources and its open output
	// feeds the sink (FFmpeg names them from the graph's side). Parse
	// takes the lists over: what it does not link it gives back in them,
	// and freeing a list's head frees the rest.
	var outputs *astiav.FilterInOut
	defer func() {
		if outputs != nil {
			outputs.Free()
		}
	}()
	srcs = make([]*astiav.FilterContext, len(sources))
	for i := len(sources) - 1; i >= 0; i-- {
		s := sources[i]
		if srcs[i], err = fg.g.NewFilterContext(astiav.FindFilterByName(s.filter), s.label, s.args); err != nil {
			return fg, nil, fmt.Errorf("%s %v: %w", s.filter, s.args, err)
		}
		o := astiav.AllocFilterInOut()
		o.SetName(s.label)
		o.SetFilterContext(srcs[i])
		o.SetPadIdx(0)
		o.SetNext(outputs)
		outputs = o
	}
	fg.src = srcs[0]
	inputs := astiav.AllocFilterInOut()
	defer inputs.Free()
	inputs.SetName("out")
	inputs.SetFilterContext(out)
	inputs.SetPadIdx(0)
	inputs.SetNext(nil)
	if err := fg.g.Parse(desc, inputs, outputs); err != nil {
		return fg, nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := fg.g.Configure(); err != nil {
		return fg, nil, fmt.Errorf("%s: %w", what, err)
	}
	fg.frm = astiav.AllocFrame()
	return fg, srcs, nil
}
