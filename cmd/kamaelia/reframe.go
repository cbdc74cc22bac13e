//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/reframe"
)

func init() {
	commands["reframe"] = command{
		summary: "apply an edit decision list of crops to a video, for small screens",
		run:     runReframe,
	}
}

const reframeUsage = `usage: kamaelia reframe [--vcodec NAME] [--acodec NAME] infile edlfile outfile width height

Applies the edit decision list in edlfile (XML: an EDL of Edits, each a
Start frame, an End frame, both included, frames from 0, and a Crop
x1 y1 x2 y2) to infile: each edit's frames, in the list's order, cropped
and stretched to width x height (both even), with their sound. Frames in
no edit are dropped. outfile's name chooses its container.

  --vcodec NAME  FFmpeg's video encoder (default libx264)
  --acodec NAME  FFmpeg's audio encoder (default aac)
`

func runReframe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// FFmpeg's encoders chat on stderr (libx264 prints its settings and
	// statistics); errors still reach it, and failures come back as errors.
	astiav.SetLogLevel(astiav.LogLevelError)
	vcodec, acodec := "libx264", "aac"
	rest, help, err := videoArgs(args, map[string]*string{"vcodec": &vcodec, "acodec": &acodec})
	switch {
	case help:
		fmt.Fprint(stdout, reframeUsage)
		return nil
	case err != nil:
		return fmt.Errorf("%v\n\n%s", err, reframeUsage)
	}
	// As the original: a wrong command line is the usage and status 1.
	if len(rest) != 5 {
		return fmt.Errorf("want infile edlfile outfile width height, got %d arguments\n\n%s", len(rest), reframeUsage)
	}
	in, edlPath, out := rest[0], rest[1], rest[2]
	width, werr := strconv.Atoi(rest[3])
	height, herr := strconv.Atoi(rest[4])
	if werr != nil || herr != nil || width <= 0 || height <= 0 || width%2 != 0 || height%2 != 0 {
		return fmt.Errorf("width and height %q x %q must be even positive numbers\n\n%s", rest[3], rest[4], reframeUsage)
	}
	f, err := os.Open(edlPath)
	if err != nil {
		return err
	}
	edits, err := reframe.ParseEDL(f)
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", edlPath, err)
	}
	if _, err := os.Stat(in); err != nil {
		return err
	}
	r, err := reframe.New(edits, width, height)
	if err != nil {
		return err
	}
	src, err := decodeClip(ctx, in, r)
	if err != nil {
		return err
	}
	rate := src.rate
	if rate.Num <= 0 || rate.Den <= 0 {
		rate = frame.Rational{Num: 25, Den: 1}
	}
	pics, nums, err := r.Frames(rate)
	if err != nil {
		return err
	}
	var sound []*frame.Audio // a piece a picture
	if src.channels > 0 {
		all := reframe.CutAudio(src.samples, src.channels, src.sampleRate, src.audioStart-src.videoStart, rate, nums)
		total := len(all) / src.channels
		at := func(i int) int {
			return min(total, int((int64(i)*int64(src.sampleRate)*int64(rate.Den)+int64(rate.Num)/2)/int64(rate.Num)))
		}
		for i := range pics {
			end := at(i + 1)
			if i == len(pics)-1 {
				end = total
			}
			sound = append(sound, frame.NewF32(src.channels, src.sampleRate, all[at(i)*src.channels:end*src.channels]))
		}
	}
	return encodeClip(ctx, out, vcodec, acodec, rate, pics, sound)
}

// clip is what decodeClip keeps of the source besides the reframer's
// pictures: its frame rate and its sound.
type clip struct {
	rate                   frame.Rational
	videoStart, audioStart time.Duration // the first picture's and sound's PTS
	samples                []float32     // interleaved
	channels, sampleRate   int
}

// decodeClip decodes the file at path, giving each picture to r in order
// from 0, and keeps the sound as floats.
func decodeClip(ctx context.Context, path string, r *reframe.Reframer) (c clip, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h, err := axon.NewHandle(axon.NewScheduler(), av.NewFileDecoder(path), "video", "audio")
	if err != nil {
		return c, err
	}
	defer func() {
		if cerr := h.Close(); err == nil {
			err = cerr
		}
	}()
	keep := func(m any) error {
		a := m.(*frame.Audio)
		if c.channels == 0 {
			c.channels, c.sampleRate, c.audioStart = a.Channels, a.Rate, a.PTS
		} else if a.Channels != c.channels || a.Rate != c.sampleRate {
			return fmt.Errorf("the sound changes from %d channels at %d Hz to %d at %d Hz", c.channels, c.sampleRate, a.Channels, a.Rate)
		}
		c.samples = append(c.samples, a.Float32s()...)
		return nil
	}
	n := 0
	for {
		m, err := h.Get(ctx, "video")
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return c, err
		}
		v := m.(*frame.Video)
		if n == 0 {
			c.rate, c.videoStart = v.FrameRate, v.PTS
		}
		if err := r.Add(n, v); err != nil {
			return c, err
		}
		n++
		for {
			m, ok := h.TryGet("audio")
			if !ok {
				break
			}
			if err := keep(m); err != nil {
				return c, err
			}
		}
	}
	for {
		m, err := h.Get(ctx, "audio")
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return c, err
		}
		if err := keep(m); err != nil {
			return c, err
		}
	}
	return c, h.Wait(ctx)
}

// encodeClip encodes the pictures, and the sound if there is any (a piece
// a picture), into the file at path, in the container its name says.
func encodeClip(ctx context.Context, path, vcodec, acodec string, rate frame.Rational, pics []*frame.Video, sound []*frame.Audio) (err error) {
	s := axon.NewScheduler()
	venc := av.NewEncoder(vcodec)
	venc.FrameRate = rate
	mux := av.NewFileMuxer(path, "")
	mux.Streams = 1
	axon.MustLink(venc.Out, mux.In)
	axon.MustLink(venc.Signal(), mux.DoneIn)
	var aenc *av.Encoder
	if len(sound) > 0 {
		aenc = av.NewEncoder(acodec)
		aenc.Stream = 1
		mux.Streams = 2
		axon.MustLink(aenc.Out, mux.In)
		axon.MustLink(aenc.Signal(), mux.DoneIn)
	}
	hm, err := axon.NewHandle(s, mux, "progress")
	if err != nil {
		return err
	}
	handles := []*axon.Handle{hm}
	defer func() {
		for _, h := range handles {
			if cerr := h.Close(); err == nil {
				err = cerr
			}
		}
	}()
	hv, err := axon.NewHandle(s, venc, "video", "control")
	if err != nil {
		return err
	}
	handles = append(handles, hv)
	var ha *axon.Handle
	if aenc != nil {
		if ha, err = axon.NewHandle(s, aenc, "audio", "control"); err != nil {
			return err
		}
		handles = append(handles, ha)
	}
	// Each picture goes with its sound, so that the muxer, which writes
	// the streams interleaved by time, holds little.
	for i, v := range pics {
		if err := hv.Put(ctx, "video", v); err != nil {
			return whyRefused(ctx, hv, err)
		}
		if ha != nil {
			if err := ha.Put(ctx, "audio", sound[i]); err != nil {
				return whyRefused(ctx, ha, err)
			}
		}
	}
	if err := hv.Finish(ctx); err != nil {
		return whyRefused(ctx, hv, err)
	}
	if ha != nil {
		if err := ha.Finish(ctx); err != nil {
			return whyRefused(ctx, ha, err)
		}
	}
	return hm.Wait(ctx)
}

// whyRefused returns the failure of h's component when it has ended
// failing, which is why a Put or Finish to it was refused, and err
// otherwise.
func whyRefused(ctx context.Context, h *axon.Handle, err error) error {
	select {
	case <-h.Done():
		if herr := h.Wait(ctx); herr != nil {
			return herr
		}
	default:
	}
	return err
}
