//go:build cgo

package av

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
)

// TranscodeSpec describes a transcode: a file in, a file out, and what to
// make of its first video stream and its first audio stream.
type TranscodeSpec struct {
	// Input is the file to read, in any container FFmpeg reads.
	Input string
	// Output is the file to write, atomically (see Muxer); Format names
	// its container ("" guesses from Output's extension).
	Output, Format string
	// Video and Audio say how to encode the input's first video and
	// first audio stream; nil leaves that stream out.
	Video, Audio *StreamSpec
	// ProgressEvery is the media time between two progress reports; 0
	// means a second.
	ProgressEvery time.Duration
	// OnCorrupt is what the decoders do with packets FFmpeg refuses: Fail
	// (the default) or Skip, for a broadcast recording that starts or
	// ends mid-picture.
	OnCorrupt Corruption
}

// StreamSpec is how a Transcode makes one output stream: a filter graph
// (optional) and an encoder with its settings (see Encoder).
type StreamSpec struct {
	// Codec names FFmpeg's encoder ("libx264", "aac").
	Codec string
	// Filter is an FFmpeg filter graph run before the encoder
	// ("scale=640:-2", "aresample=48000"); "" runs none.
	Filter  string
	BitRate int64
	GOP     int
	Quality float64
	Profile string
	Options map[string]string
}

// NewTranscode returns a prefab that transcodes spec.Input into
// spec.Output:
//
//	FileDemuxer -> PacketDecoder -> VideoFilter -> Encoder -\
//	            -> PacketDecoder -> AudioFilter -> Encoder --> FileMuxer
//
// a chassis Graphline of those components, so it runs like any other
// component. It reads the input's header first, to know its streams and
// its duration: an input FFmpeg cannot open, or a spec for a stream the
// input does not have, is an error here.
//
// Boxes:
//
//	control  any       Shutdown (the transcode ends by itself)
//	progress Progress  the Muxer's reports: one a second of media written,
//	                   and one when the file is complete; Fraction against
//	                   the input's duration
//	signal   any       the outcome: ProducerFinished once the file is in
//	                   place, or the first failure of a child (named)
//
// Example:
//
//	tc, err := av.NewTranscode(av.TranscodeSpec{
//		Input: "in.mkv", Output: "out.mp4",
//		Video: &av.StreamSpec{Codec: "libx264", Filter: "scale=640:-2", Options: map[string]string{"crf": "23"}},
//		Audio: &av.StreamSpec{Codec: "aac", BitRate: 128_000},
//	})
//
// Shutdown: the Graphline ends when every child has: at the end of the
// input, after the muxer has written the trailer and renamed the file.
// Shutdown on control stops every child at once and leaves no output file.
// A child's failure (a corrupt packet, an encoder that refuses an option)
// shuts the others down, leaves no output file and fails the transcode
// with a *chassis.ChildError naming the child.
func NewTranscode(spec TranscodeSpec) (*chassis.Graph, error) {
	if spec.Video == nil && spec.Audio == nil {
		return nil, errors.New("transcode: no video or audio spec: nothing to write")
	}
	streams, duration, err := probe(spec.Input)
	if err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	dmx := NewFileDemuxer(spec.Input)
	mux := NewFileMuxer(spec.Output, spec.Format)
	mux.ProgressEvery = spec.ProgressEvery
	mux.Duration = duration
	comps := chassis.Components{"DEMUX": dmx, "MUX": mux}
	links := chassis.Linkages{
		{Component: chassis.Self, Box: "control"}: {Component: "DEMUX", Box: "control"},
		{Component: "MUX", Box: "progress"}:       {Component: chassis.Self, Box: "progress"},
		{Component: "DEMUX", Box: "signal"}:       {Component: "ENDS", Box: "control"},
	}
	var ends []string // the outboxes of ENDS, one a decoder
	chain := func(kind Kind, sp *StreamSpec, from string, mk func() axon.Component) error {
		if sp == nil {
			return nil
		}
		if !has(streams, kind) {
			return fmt.Errorf("transcode: %s has no %s stream", spec.Input, kind)
		}
		p := kind.String()
		enc := NewEncoder(sp.Codec)
		enc.BitRate, enc.GOP, enc.Quality, enc.Profile, enc.Options = sp.BitRate, sp.GOP, sp.Quality, sp.Profile, sp.Options
		enc.Stream = len(ends)
		dec := NewPacketDecoder()
		dec.OnCorrupt = spec.OnCorrupt
		comps[p+"DEC"], comps[p+"ENC"] = dec, enc
		links[chassis.Port{Component: "DEMUX", Box: from}] = chassis.Port{Component: p + "DEC", Box: "inbox"}
		links[chassis.Port{Component: "ENDS", Box: p}] = chassis.Port{Component: p + "DEC", Box: "control"}
		last := p + "DEC"
		lastBox := from // the decoder's outbox of this kind has the demuxer's name for it
		if sp.Filter != "" {
			comps[p+"FILTER"] = mk()
			links[chassis.Port{Component: last, Box: lastBox}] = chassis.Port{Component: p + "FILTER", Box: "inbox"}
			links[chassis.Port{Component: last, Box: "signal"}] = chassis.Port{Component: p + "FILTER", Box: "control"}
			last, lastBox = p+"FILTER", "outbox"
		}
		links[chassis.Port{Component: last, Box: lastBox}] = chassis.Port{Component: p + "ENC", Box: from}
		links[chassis.Port{Component: last, Box: "signal"}] = chassis.Port{Component: p + "ENC", Box: "control"}
		links[chassis.Port{Component: p + "ENC", Box: "outbox"}] = chassis.Port{Component: "MUX", Box: "inbox"}
		links[chassis.Port{Component: p + "ENC", Box: "signal"}] = chassis.Port{Component: "MUX", Box: "done"}
		ends = append(ends, p)
		return nil
	}
	if err := chain(KindVideo, spec.Video, "video", func() axon.Component { return NewVideoFilter(spec.Video.Filter) }); err != nil {
		return nil, err
	}
	if err := chain(KindAudio, spec.Audio, "audio", func() axon.Component { return NewAudioFilter(spec.Audio.Filter) }); err != nil {
		return nil, err
	}
	mux.Streams = len(ends)
	comps["ENDS"] = newEndFan(ends...)
	g, err := chassis.NewGraphline(comps, links)
	if err != nil {
		return nil, fmt.Errorf("transcode: %w", err)
	}
	return g, nil
}

func has(streams []*StreamParams, kind Kind) bool {
	for _, s := range streams {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

// probe reads the header of the file at path: its streams and duration.
func probe(path string) ([]*StreamParams, time.Duration, error) {
	in, err := openInput(context.Background(), path, "", nil)
	defer in.close()
	if err != nil {
		return nil, 0, err
	}
	var ss []*StreamParams
	for _, s := range in.fc.Streams() {
		ss = append(ss, paramsFromAV(s.CodecParameters(), s.AvgFrameRate()))
	}
	d := time.Duration(0)
	if us := in.fc.Duration(); us > 0 {
		d = time.Duration(us) * time.Microsecond
	}
	return ss, d, nil
}

// endFan passes the one outcome it is told on control (a Demuxer's
// signal) to the control of every decoder after it: an outbox has one
// link, and each decoder must hear that its input ended.
type endFan struct {
	axon.Core
	outs []*axon.Outbox[any]
}

func newEndFan(names ...string) *endFan {
	f := &endFan{}
	for _, n := range names {
		f.outs = append(f.outs, axon.NewOutbox[any](f, n))
	}
	return f
}

// Main waits for the outcome, passes it on and ends. A Shutdown cancels
// ctx: every child is being stopped anyway.
func (f *endFan) Main(ctx context.Context) error {
	m, err := f.Control().Recv(ctx)
	if err != nil {
		return err
	}
	if _, ok := m.(*axon.Failure); ok {
		// The demuxer's failure fails the Graphline; the decoders are
		// stopped with the rest.
		return nil
	}
	for _, o := range f.outs {
		if err := o.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
