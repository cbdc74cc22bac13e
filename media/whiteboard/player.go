//go:build cgo

package whiteboard

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // a folder of frames may hold GIFs
	_ "image/jpeg"
	_ "image/png"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// The steps a FramePlayer takes on its inbox.
const (
	StepNext  = "NEXT"
	StepPrev  = "PREV"
	StepFirst = "FIRST"
	// StepPause stops the timer, StepPlay starts it again, StepToggle
	// does whichever of the two it is not doing.
	StepPause  = "PAUSE"
	StepPlay   = "PLAY"
	StepToggle = "TOGGLE"
)

// StepShow returns the step that shows picture n (from 1; past the last
// it wraps), as a peer's remote page turn asks (wire.FrameTurn).
func StepShow(n int) string { return stepShow + strconv.Itoa(n) }

const stepShow = "SHOW "

// DefaultFramePeriod is how long the Video Whiteboard shows a frame of a
// folder: 0.02 s, as Kamaelia's did.
const DefaultFramePeriod = 20 * time.Millisecond

// Frame is what a FramePlayer shows: a picture and its number.
type Frame struct {
	// Number counts from 1.
	Number int
	// Video is the picture; the receiver owns it.
	Video *frame.Video
}

// FramePlayer shows a sequence of pictures in a loop, one every Period,
// and steps through them when told: the Video Whiteboard's TIMER and
// FILES chooser. Any step restarts the timer, as Kamaelia's did.
//
// Boxes:
//
//	inbox   string        StepNext, StepPrev, StepFirst, StepShow(n),
//	                      StepPause, StepPlay, StepToggle
//	control any           ProducerFinished, Shutdown
//	outbox  *frame.Video  each picture shown (a copy the receiver owns:
//	                      for a Window's backdrop)
//	frame   int           the number of each picture shown, from 1 (for
//	                      FrameNotes)
//	signal  any           the outcome
//
// The first picture is shown at once; after the last comes the first
// again, and before the first the last. A Period of 0 means
// DefaultFramePeriod; a negative one shows a picture only when told to
// step (the timer is paused). Something other than a step is an error
// naming it.
//
// Shutdown: ProducerFinished ends it with nil after the steps already
// sent; Shutdown ends it at once.
type FramePlayer struct {
	axon.Core
	In    *axon.Inbox[string]
	Out   *axon.Outbox[*frame.Video]
	Frame *axon.Outbox[int]

	// Period is how long each picture is shown.
	Period time.Duration

	frames []*frame.Video
}

// NewFramePlayer returns a player of frames, which it owns (it sends
// copies). There must be at least one.
func NewFramePlayer(frames []*frame.Video) *FramePlayer {
	p := &FramePlayer{frames: frames}
	p.In = axon.NewInbox[string](p, "inbox")
	p.Out = axon.NewOutbox[*frame.Video](p, "outbox")
	p.Frame = axon.NewOutbox[int](p, "frame")
	return p
}

// Len returns how many pictures the player has.
func (p *FramePlayer) Len() int { return len(p.frames) }

// Main plays until told to stop.
func (p *FramePlayer) Main(ctx context.Context) error {
	n := len(p.frames)
	if n == 0 {
		return errors.New("frame player: no pictures")
	}
	period := p.Period
	if period == 0 {
		period = DefaultFramePeriod
	}
	playing := period > 0
	cur := 0
	show := func() error {
		if err := p.Out.Send(ctx, p.frames[cur].Clone()); err != nil {
			return err
		}
		return p.Frame.Send(ctx, cur+1)
	}
	if err := show(); err != nil {
		return err
	}
	next := time.Now().Add(period)
	for {
		st := p.TakeControl(nil)
		step, ok := p.In.TryRecv()
		if ok {
			if num, isShow := strings.CutPrefix(step, stepShow); isShow {
				k, err := strconv.Atoi(num)
				if err != nil || k < 1 {
					return fmt.Errorf("frame player: %q shows no picture (SHOW and a number from 1)", step)
				}
				cur = (k - 1) % n
				if err := show(); err != nil {
					return err
				}
				next = time.Now().Add(period)
				continue
			}
			switch step {
			case StepNext:
				cur = (cur + 1) % n
			case StepPrev:
				cur = (cur + n - 1) % n
			case StepFirst:
				cur = 0
			case StepPause:
				playing = false
			case StepPlay:
				playing = period > 0
			case StepToggle:
				playing = !playing && period > 0
			default:
				return fmt.Errorf("frame player: %q is not a step (NEXT, PREV, FIRST, SHOW n, PAUSE, PLAY, TOGGLE)", step)
			}
			switch step {
			case StepNext, StepPrev, StepFirst:
				if err := show(); err != nil {
					return err
				}
			}
			next = time.Now().Add(period)
			continue
		}
		if st.Finishing {
			return nil
		}
		if !playing {
			if err := p.Wait(ctx); err != nil {
				return err
			}
			continue
		}
		wait, cancel := context.WithDeadline(ctx, next)
		err := p.Wait(wait)
		cancel()
		if err == nil {
			continue // a step, or a control message
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The picture's time is up.
		cur = (cur + 1) % n
		if err := show(); err != nil {
			return err
		}
		next = next.Add(period)
		if now := time.Now(); next.Before(now) {
			next = now.Add(period) // fell behind: do not race to catch up
		}
	}
}

// frameExtensions are the files LoadFolder reads, as Kamaelia's Video
// Whiteboard did.
var frameExtensions = []string{".png", ".gif", ".jpg", ".jpeg"}

// LoadFolder reads the pictures (.png, .gif, .jpg) of dir, in the order of
// their names, as RGBA frames. A folder with none is an error, as is a
// picture that cannot be read (naming it).
func LoadFolder(dir string) ([]*frame.Video, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && slices.Contains(frameExtensions, strings.ToLower(filepath.Ext(e.Name()))) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s holds no pictures (%s)", dir, strings.Join(frameExtensions, ", "))
	}
	slices.Sort(names)
	out := make([]*frame.Video, 0, len(names))
	for _, name := range names {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		img, _, err := image.Decode(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := frame.FromImage(img, frame.RGBA)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// DefaultVideoMemory bounds what LoadVideo keeps: 512 MiB, some 600
// frames at the canvas's size.
const DefaultVideoMemory = 512 << 20

// LoadVideo decodes the video of any file FFmpeg reads into frames of
// size (YUV420P, scaled by FFmpeg's swscale), so that they can be stepped
// through in any order. It keeps at most limit bytes of frames (0:
// DefaultVideoMemory): a longer video is an error that says so, rather
// than the machine's memory filling. A file with no video, or that FFmpeg
// cannot read, is an error.
func LoadVideo(ctx context.Context, path string, size image.Point, limit int) ([]*frame.Video, error) {
	if size.X <= 0 || size.Y <= 0 {
		return nil, fmt.Errorf("load video: size %v", size)
	}
	if limit <= 0 {
		limit = DefaultVideoMemory
	}
	s := axon.NewScheduler()
	// Its failure is returned, not logged as well.
	s.SetLogger(slog.New(slog.DiscardHandler))
	// A Graphline, so that the decoder's failure ends the whole.
	g, err := chassis.NewGraphline(chassis.Components{
		"DECODE": av.NewFileDecoder(path), "SCALE": av.NewScaler(size.X, size.Y, frame.YUV420P),
	}, chassis.Linkages{
		{Component: "DECODE", Box: "video"}:  {Component: "SCALE", Box: "inbox"},
		{Component: "DECODE", Box: "signal"}: {Component: "SCALE", Box: "control"},
		{Component: "SCALE", Box: "outbox"}:  {Component: chassis.Self, Box: "outbox"},
	})
	if err != nil {
		return nil, err
	}
	h, err := axon.NewHandle(s, g, "outbox")
	if err != nil {
		return nil, err
	}
	var (
		out   []*frame.Video
		bytes int
	)
	fail := func(err error) ([]*frame.Video, error) {
		s.ShutdownAll(axon.Shutdown{})
		_ = h.Close()
		_ = s.Wait(context.WithoutCancel(ctx))
		return nil, err
	}
	for {
		m, err := h.Get(ctx, "outbox")
		if errors.Is(err, axon.ErrFinished) {
			break
		}
		if err != nil {
			return fail(err)
		}
		v := m.(*frame.Video)
		bytes += frame.TightSize(v.Format, v.Width, v.Height)
		if bytes > limit {
			return fail(fmt.Errorf("load video %s: more than %d MiB of frames at %dx%d after %d frames: take a shorter clip",
				path, limit>>20, size.X, size.Y, len(out)))
		}
		out = append(out, v)
	}
	if err := h.Wait(ctx); err != nil {
		_ = h.Close()
		_ = s.Wait(ctx)
		return nil, fmt.Errorf("load video %s: %w", path, err)
	}
	if err := h.Close(); err != nil {
		return nil, err
	}
	if err := s.Wait(ctx); err != nil {
		return nil, fmt.Errorf("load video %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("load video %s: no video frames", path)
	}
	return out, nil
}
