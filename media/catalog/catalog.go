//go:build cgo

package catalog

import (
	"fmt"
	"image"
	"reflect"
	"strconv"
	"strings"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/launch/catalog"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

// Register adds the components that need FFmpeg and SDL to r (the names
// in Names), so that the article's video client is one line:
//
//	TCPClient port=1601 ! DiracDecoder skipcorrupt=true ! FrameRateLimit rate=15 buffer=15 ! VideoOverlay  Display
//
// None of them reads or writes the Env's streams; it is taken so that
// every catalogue registers alike. It panics if r already holds one of the
// names.
func Register(r *launch.Registry, _ catalog.Env) {
	bytesType := launch.TypeOf[[]byte]()
	videoType := launch.TypeOf[*frame.Video]()
	r.MustRegister(launch.Entry{
		Name:    "DiracDecoder",
		Summary: "decodes a Dirac (VC-2) byte stream into video frames through FFmpeg (Kamaelia's DiracDecoder)",
		Params: []launch.Param{
			{Name: "skipcorrupt", Kind: launch.Bool, Default: "false", Doc: "skip corrupt data (joining a stream midway) instead of failing"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "the stream, in chunks of any size"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: videoType, Doc: "decoded frames, in display order"}},
		New: func(a *launch.Args) (axon.Component, error) {
			d := av.NewDiracDecoder()
			if a.Bool("skipcorrupt") {
				d.OnCorrupt = av.Skip
			}
			return d, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "DiracEncoder",
		Summary: "encodes video frames into a VC-2 (Dirac) stream through FFmpeg",
		Params: []launch.Param{
			{Name: "bitrate", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "bits a second; 0: 3 bits a pixel at the frame rate"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: videoType, Doc: "frames, YUV420P, YUV422P or YUV444P"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: bytesType, Doc: "the stream, a picture a message"}},
		New: func(a *launch.Args) (axon.Component, error) {
			e := av.NewDiracEncoder()
			e.BitRate = int64(a.Int("bitrate"))
			return e, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "FileDecoder",
		Summary: "decodes a media file of any container and codec FFmpeg knows into frames and sound",
		Params: []launch.Param{
			{Name: "filename", Kind: launch.String, Required: true, Doc: "the file to decode"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "not used by a file decoder"}},
		Outboxes: []launch.BoxDoc{
			{Name: "video", Type: videoType, Doc: "the first video stream's frames (link it as name.video)"},
			{Name: "audio", Type: launch.TypeOf[*frame.Audio](), Doc: "the first audio stream's sound"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			return av.NewFileDecoder(a.String("filename")), nil
		},
	})
	packetType := launch.TypeOf[*av.Packet]()
	audioType := launch.TypeOf[*frame.Audio]()
	progressType := launch.TypeOf[av.Progress]()
	optionsParam := func(of string) launch.Param {
		return launch.Param{Name: "options", Kind: launch.Strings, Default: "{}", Check: checkOptions,
			Doc: of + ` options as "key=value" strings, e.g. {"preset=veryfast", "crf=23"}`}
	}
	r.MustRegister(launch.Entry{
		Name:    "Encoder",
		Summary: "encodes video frames or sound into packets with any FFmpeg encoder, by name (libx264, mpeg4, vc2, ffv1, aac, libmp3lame, libopus, libvorbis, pcm_s16le)",
		Params: []launch.Param{
			{Name: "codec", Kind: launch.String, Required: true, Doc: "FFmpeg's name of the encoder"},
			{Name: "bitrate", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "bits a second; 0: the encoder's default"},
			{Name: "gop", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "most pictures between key frames; 0: the encoder's default"},
			{Name: "quality", Kind: launch.Float, Default: "0", Doc: "fixed quality, as ffmpeg's -q; 0: not set"},
			{Name: "profile", Kind: launch.String, Default: "", Doc: "the encoder's profile (baseline, main, high; aac_low)"},
			{Name: "stream", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "the stream index the packets carry, for a muxer of several"},
			optionsParam("the encoder's"),
		},
		Inboxes: []launch.BoxDoc{
			{Name: "video", Type: videoType, Doc: "pictures, for a video encoder (link to enc.video)"},
			{Name: "audio", Type: audioType, Doc: "sound, for an audio encoder (link to enc.audio)"},
		},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: packetType, Doc: "encoded packets with timestamps"}},
		New: func(a *launch.Args) (axon.Component, error) {
			e := av.NewEncoder(a.String("codec"))
			e.BitRate = int64(a.Int("bitrate"))
			e.GOP = a.Int("gop")
			e.Quality = a.Float("quality")
			e.Profile = a.String("profile")
			e.Stream = a.Int("stream")
			e.Options = options(a.Strings("options"))
			return e, nil
		},
	})
	muxerParams := []launch.Param{
		{Name: "streams", Kind: launch.Int, Default: "1", Check: catalog.Positive, Doc: "how many streams; with several, link each producer's signal to done"},
		optionsParam("the muxer's"),
	}
	muxerBoxes := []launch.BoxDoc{
		{Name: "inbox", Type: packetType, Doc: "packets of streams 0 to streams-1"},
		{Name: "done", Type: launch.TypeOf[any](), Doc: "the producers' signals, for several streams"},
	}
	r.MustRegister(launch.Entry{
		Name:    "FileMuxer",
		Summary: "writes packets into a container file (mp4, matroska, ogg, mpegts, mp3, wav), renamed into place when complete",
		Params: append([]launch.Param{
			{Name: "filename", Kind: launch.String, Required: true, Doc: "the file to write"},
			{Name: "format", Kind: launch.String, Default: "", Doc: "FFmpeg's name of the container; \"\": from the file's name"},
		}, muxerParams...),
		Inboxes: muxerBoxes,
		Outboxes: []launch.BoxDoc{
			{Name: "outbox", Type: bytesType, Doc: "not used by a file muxer"},
			{Name: "progress", Type: progressType, Doc: "how far it has got, a second of media at a time"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			m := av.NewFileMuxer(a.String("filename"), a.String("format"))
			m.Streams = a.Int("streams")
			m.Options = options(a.Strings("options"))
			return m, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "Muxer",
		Summary: "writes packets into a container sent as a byte stream (mp4 is written fragmented)",
		Params: append([]launch.Param{
			{Name: "format", Kind: launch.String, Required: true, Doc: "FFmpeg's name of the container"},
		}, muxerParams...),
		Inboxes: muxerBoxes,
		Outboxes: []launch.BoxDoc{
			{Name: "outbox", Type: bytesType, Doc: "the container, in pieces"},
			{Name: "progress", Type: progressType, Doc: "how far it has got, a second of media at a time"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			m := av.NewMuxer(a.String("format"))
			m.Streams = a.Int("streams")
			m.Options = options(a.Strings("options"))
			return m, nil
		},
	})
	demuxerOut := []launch.BoxDoc{
		{Name: "outbox", Type: packetType, Doc: "every packet of every stream"},
		{Name: "video", Type: packetType, Doc: "the first video stream's packets (link it as name.video)"},
		{Name: "audio", Type: packetType, Doc: "the first audio stream's packets"},
	}
	r.MustRegister(launch.Entry{
		Name:     "FileDemuxer",
		Summary:  "splits a container file FFmpeg reads into its streams' packets",
		Params:   []launch.Param{{Name: "filename", Kind: launch.String, Required: true, Doc: "the file to read"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "not used by a file demuxer"}},
		Outboxes: demuxerOut,
		New: func(a *launch.Args) (axon.Component, error) {
			return av.NewFileDemuxer(a.String("filename")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "Demuxer",
		Summary:  "splits a container byte stream into its streams' packets",
		Params:   []launch.Param{{Name: "format", Kind: launch.String, Default: "", Doc: "FFmpeg's name of the container; \"\": probe"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: bytesType, Doc: "the container, in chunks of any size"}},
		Outboxes: demuxerOut,
		New: func(a *launch.Args) (axon.Component, error) {
			return av.NewDemuxer(a.String("format")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "PacketDecoder",
		Summary: "decodes the packets of one stream into frames or sound",
		Params: []launch.Param{
			{Name: "skipcorrupt", Kind: launch.Bool, Default: "false", Doc: "count and skip packets FFmpeg refuses instead of failing"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: packetType, Doc: "packets of one stream"}},
		Outboxes: []launch.BoxDoc{
			{Name: "video", Type: videoType, Doc: "decoded pictures (link it as name.video)"},
			{Name: "audio", Type: audioType, Doc: "decoded sound (link it as name.audio)"},
		},
		New: func(a *launch.Args) (axon.Component, error) {
			d := av.NewPacketDecoder()
			if a.Bool("skipcorrupt") {
				d.OnCorrupt = av.Skip
			}
			return d, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "VideoFilter",
		Summary:  "runs video frames through an FFmpeg filter graph, as ffmpeg's -vf (scale=320:240,fps=15)",
		Params:   []launch.Param{{Name: "graph", Kind: launch.String, Required: true, Doc: "the filter graph's description"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: videoType, Doc: "frames"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: videoType, Doc: "the filtered frames"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return av.NewVideoFilter(a.String("graph")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:     "AudioFilter",
		Summary:  "runs sound through an FFmpeg filter graph, as ffmpeg's -af (aresample=48000)",
		Params:   []launch.Param{{Name: "graph", Kind: launch.String, Required: true, Doc: "the filter graph's description"}},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: audioType, Doc: "sound"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: audioType, Doc: "the filtered sound"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return av.NewAudioFilter(a.String("graph")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "Transcode",
		Summary: "transcodes a media file into another: demux, decode, filter, encode, mux (a prefab of those elements)",
		Params: []launch.Param{
			{Name: "input", Kind: launch.String, Required: true, Doc: "the file to read"},
			{Name: "output", Kind: launch.String, Required: true, Doc: "the file to write (renamed into place when complete)"},
			{Name: "format", Kind: launch.String, Default: "", Doc: "the output's container; \"\": from its name"},
			{Name: "vcodec", Kind: launch.String, Default: "", Doc: "the video encoder; \"\": no video"},
			{Name: "vfilter", Kind: launch.String, Default: "", Doc: "a video filter graph before the encoder (scale=640:-2)"},
			{Name: "vbitrate", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "video bits a second; 0: the encoder's default"},
			{Name: "voptions", Kind: launch.Strings, Default: "{}", Check: checkOptions, Doc: `video encoder options as "key=value" strings`},
			{Name: "acodec", Kind: launch.String, Default: "", Doc: "the audio encoder; \"\": no audio"},
			{Name: "afilter", Kind: launch.String, Default: "", Doc: "an audio filter graph before the encoder (aresample=48000)"},
			{Name: "abitrate", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "audio bits a second; 0: the encoder's default"},
			{Name: "aoptions", Kind: launch.Strings, Default: "{}", Check: checkOptions, Doc: `audio encoder options as "key=value" strings`},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[any](), Doc: "not used"}},
		Outboxes: []launch.BoxDoc{{Name: "progress", Type: progressType, Doc: "progress reports, a second of media at a time"}},
		New: func(a *launch.Args) (axon.Component, error) {
			spec := av.TranscodeSpec{Input: a.String("input"), Output: a.String("output"), Format: a.String("format")}
			if c := a.String("vcodec"); c != "" {
				spec.Video = &av.StreamSpec{Codec: c, Filter: a.String("vfilter"), BitRate: int64(a.Int("vbitrate")), Options: options(a.Strings("voptions"))}
			}
			if c := a.String("acodec"); c != "" {
				spec.Audio = &av.StreamSpec{Codec: c, Filter: a.String("afilter"), BitRate: int64(a.Int("abitrate")), Options: options(a.Strings("aoptions"))}
			}
			return av.NewTranscode(spec)
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "FrameRateLimit",
		Summary: "MessageRateLimit for video frames: shows them at a rate, after a pre-roll",
		Params: []launch.Param{
			{Name: "rate", Kind: launch.Float, Default: "15", Check: catalog.Positive, Doc: "frames a second"},
			{Name: "buffer", Kind: launch.Int, Default: "0", Check: catalog.Preroll, Doc: "frames gathered before the first is sent (at most " + strconv.Itoa(timing.MaxPreroll) + ")"},
		},
		Inboxes:  []launch.BoxDoc{{Name: "inbox", Type: videoType, Doc: "frames"}},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: videoType, Doc: "the same frames, paced"}},
		New: func(a *launch.Args) (axon.Component, error) {
			return timing.NewMessageRateLimit[*frame.Video](a.Float("rate"), a.Int("buffer")), nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "VideoOverlay",
		Summary: "shows video frames in the Display's window (Kamaelia's VideoOverlay; needs a Display element)",
		Params: []launch.Param{
			{Name: "x", Kind: launch.Int, Default: "0", Doc: "where the frames' left edge goes"},
			{Name: "y", Kind: launch.Int, Default: "0", Doc: "where the frames' top edge goes"},
			{Name: "width", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "scale frames to this width (0: as they are)"},
			{Name: "height", Kind: launch.Int, Default: "0", Check: catalog.NotNegative, Doc: "scale frames to this height (0: as they are)"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: videoType, Doc: "frames to show"}},
		New: func(a *launch.Args) (axon.Component, error) {
			o := sdl.NewVideoOverlay(image.Pt(a.Int("x"), a.Int("y")))
			o.Size = image.Pt(a.Int("width"), a.Int("height"))
			return o, nil
		},
	})
	r.MustRegister(launch.Entry{
		Name:    "Display",
		Summary: "the SDL window that VideoOverlay draws in (Kamaelia's PygameDisplay); one a process",
		Params: []launch.Param{
			{Name: "width", Kind: launch.Int, Default: "640", Check: catalog.Positive, Doc: "the window's width"},
			{Name: "height", Kind: launch.Int, Default: "480", Check: catalog.Positive, Doc: "the window's height"},
			{Name: "title", Kind: launch.String, Default: "kamaelia", Doc: "the window's title"},
		},
		Inboxes: []launch.BoxDoc{{Name: "inbox", Type: launch.TypeOf[sdl.Request](), Doc: "requests from the widgets, which find it as a service"}},
		New: func(a *launch.Args) (axon.Component, error) {
			d := sdl.NewDisplay(sdl.DisplayConfig{Width: a.Int("width"), Height: a.Int("height"), Title: a.String("title")})
			if err := d.Publish(a.Scheduler().Services()); err != nil {
				return nil, err
			}
			return d, nil
		},
	})
	for _, kind := range []struct {
		name, what, example string
		typ                 reflect.Type
		make                func(graph string) axon.Component
	}{
		{"VideoMultiFilter", "frames", "overlay=16:16 (in1 over in0)", videoType,
			func(g string) axon.Component { return av.NewVideoMultiFilter(g, 2) }},
		{"AudioMultiFilter", "sound", "amix=inputs=2", audioType,
			func(g string) axon.Component { return av.NewAudioMultiFilter(g, 2) }},
	} {
		r.MustRegister(launch.Entry{
			Name:    kind.name,
			Summary: "runs two inputs' " + kind.what + " through one FFmpeg filter graph, as -filter_complex does: " + kind.example,
			Params: []launch.Param{
				{Name: "graph", Kind: launch.String, Default: "", Doc: "the graph, from [in0] and [in1] to [out]; one not starting with a label gets [in0][in1] before it"},
			},
			Inboxes: []launch.BoxDoc{
				{Name: "in0", Type: kind.typ, Doc: "the first input's " + kind.what + " (link to name.in0)"},
				{Name: "in1", Type: kind.typ, Doc: "the second input's " + kind.what + " (link to name.in1)"},
				{Name: "done", Type: launch.TypeOf[any](), Doc: "the producers' signals: it ends when both have ended"},
			},
			Outboxes: []launch.BoxDoc{{Name: "outbox", Type: kind.typ, Doc: "what the graph makes of them"}},
			New: func(a *launch.Args) (axon.Component, error) {
				return kind.make(a.String("graph")), nil
			},
		})
	}
	r.MustRegister(launch.Entry{
		Name:    "AudioCapture",
		Summary: "records sound from SDL's capture device, a microphone (Kamaelia's audio Input)",
		Params: []launch.Param{
			{Name: "rate", Kind: launch.Int, Default: "48000", Check: catalog.Positive, Doc: "samples a second"},
			{Name: "channels", Kind: launch.Int, Default: "1", Check: catalog.Positive, Doc: "channels"},
			{Name: "buffer", Kind: launch.Int, Default: "1024", Check: catalog.Positive, Doc: "samples a channel in each chunk"},
			{Name: "device", Kind: launch.String, Default: "", Doc: "the capture device's name (empty: the default one)"},
		},
		Outboxes: []launch.BoxDoc{{Name: "outbox", Type: audioType, Doc: "16-bit sound in chunks of buffer samples"}},
		New: func(a *launch.Args) (axon.Component, error) {
			c := sdl.NewAudioCapture(a.Int("rate"), a.Int("channels"))
			c.Buffer, c.Device = a.Int("buffer"), a.String("device")
			return c, nil
		},
	})
}

// checkOptions vets a list of FFmpeg options: each key=value.
func checkOptions(v any) error {
	for _, o := range v.([]string) {
		if k, _, ok := strings.Cut(o, "="); !ok || k == "" {
			return fmt.Errorf("option %q is not key=value", o)
		}
	}
	return nil
}

// options turns a checked list of key=value into a map.
func options(list []string) map[string]string {
	m := map[string]string{}
	for _, o := range list {
		k, v, _ := strings.Cut(o, "=")
		m[k] = v
	}
	return m
}
