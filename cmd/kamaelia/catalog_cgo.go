//go:build cgo

package main

import (
	"image"
	"strconv"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/timing"
	"github.com/kamaelia-go/kamaelia/launch"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/sdl"
)

func init() { mediaCatalog = registerMedia }

// registerMedia registers the components that need FFmpeg and SDL, so that
// the article's video client is one line:
//
//	TCPClient port=1601 ! DiracDecoder skipcorrupt=true ! FrameRateLimit rate=15 buffer=15 ! VideoOverlay  Display
func registerMedia(r *launch.Registry, _ env) {
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
			{Name: "bitrate", Kind: launch.Int, Default: "0", Check: notNegative, Doc: "bits a second; 0: 3 bits a pixel at the frame rate"},
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
	r.MustRegister(launch.Entry{
		Name:    "FrameRateLimit",
		Summary: "MessageRateLimit for video frames: shows them at a rate, after a pre-roll",
		Params: []launch.Param{
			{Name: "rate", Kind: launch.Float, Default: "15", Check: positive, Doc: "frames a second"},
			{Name: "buffer", Kind: launch.Int, Default: "0", Check: preroll, Doc: "frames gathered before the first is sent (at most " + strconv.Itoa(timing.MaxPreroll) + ")"},
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
			{Name: "width", Kind: launch.Int, Default: "0", Check: notNegative, Doc: "scale frames to this width (0: as they are)"},
			{Name: "height", Kind: launch.Int, Default: "0", Check: notNegative, Doc: "scale frames to this height (0: as they are)"},
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
			{Name: "width", Kind: launch.Int, Default: "640", Check: positive, Doc: "the window's width"},
			{Name: "height", Kind: launch.Int, Default: "480", Check: positive, Doc: "the window's height"},
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
}
