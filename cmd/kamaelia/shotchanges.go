//go:build cgo

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/asticode/go-astiav"
	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/shotchange"
)

func init() {
	commands["shotchanges"] = command{
		summary: "list the cuts in a video as XML, and split it into one file per shot",
		run:     runShotChanges,
	}
}

const shotChangesUsage = `usage: kamaelia shotchanges [--split DIR] [--codec NAME] [threshold] videofile

Decodes videofile and writes the shot changes it finds to stdout as XML,
each cut named by the last frame before it (frames count from 0), with a
confidence; a cut is listed when its confidence is at least threshold
(default 0.9, a positive number).

  --split DIR    also write each shot's pictures to DIR/shot-0001.mkv,
                 shot-0002.mkv, ... (Matroska, no sound)
  --codec NAME   FFmpeg's encoder for the shots (default ffv1, lossless)
`

// The document's fixed parts, as the original ShotChangeDetector wrote
// them.
const (
	cutsHeader = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\n" +
		"<detected_cuts xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"DetectedShotChanges.xsd\">\n"
	cutsFooter = "</detected_cuts>\n\n"
)

// cutLine is one cut of the document.
func cutLine(c shotchange.Cut) string {
	return fmt.Sprintf("    <cut frame=\"%d\" confidence=\"%.4f\" />\n", c.Frame, c.Confidence)
}

func runShotChanges(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// FFmpeg's encoders chat on stderr (libx264 prints its settings and
	// statistics); errors still reach it, and failures come back as errors.
	astiav.SetLogLevel(astiav.LogLevelError)
	// The arguments are read by hand, not by package flag: a threshold of
	// -1 is a threshold (refused with status 1, as the original did), not
	// an unknown flag.
	dir, codec := "", "ffv1"
	rest, help, err := videoArgs(args, map[string]*string{"split": &dir, "codec": &codec})
	switch {
	case help:
		fmt.Fprint(stdout, shotChangesUsage)
		return nil
	case err != nil:
		return usagef("%v\n\n%s", err, shotChangesUsage)
	}
	threshold := shotchange.DefaultThreshold
	switch len(rest) {
	case 1:
	case 2:
		// The original's rule: a threshold that is not a positive number
		// gets the usage and exit status 1.
		th, err := strconv.ParseFloat(rest[0], 64)
		if err != nil || !(th > 0) || th > 1e300 {
			return fmt.Errorf("threshold %q is not a positive number\n\n%s", rest[0], shotChangesUsage)
		}
		threshold = th
		rest = rest[1:]
	default:
		return usagef("want [threshold] videofile, got %d arguments\n\n%s", len(rest), shotChangesUsage)
	}
	path := rest[0]
	if _, err := os.Stat(path); err != nil {
		return err
	}

	var cuts []shotchange.Cut
	if _, err := io.WriteString(stdout, cutsHeader); err != nil {
		return err
	}
	err = detectCuts(ctx, path, threshold, func(c shotchange.Cut) error {
		cuts = append(cuts, c)
		_, err := io.WriteString(stdout, cutLine(c))
		return err
	})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, cutsFooter); err != nil {
		return err
	}
	if dir != "" {
		return splitShots(ctx, path, dir, codec, cuts)
	}
	return nil
}

// decodeVideo decodes the file at path and calls each with every picture
// in order, numbered from 0. The sound is not wanted and is let go.
func decodeVideo(ctx context.Context, path string, each func(n int, v *frame.Video) error) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dec := av.NewFileDecoder(path)
	h, err := axon.NewHandle(axon.NewScheduler(), dec, "video", "audio")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := h.Close(); err == nil {
			err = cerr
		}
	}()
	for n := 0; ; n++ {
		m, err := h.Get(ctx, "video")
		for {
			// Audio is read so that it does not pile up in the handle.
			if _, ok := h.TryGet("audio"); !ok {
				break
			}
		}
		if errors.Is(err, axon.ErrFinished) {
			return h.Wait(ctx)
		}
		if err != nil {
			return err
		}
		if err := each(n, m.(*frame.Video)); err != nil {
			return err
		}
	}
}

// detectCuts runs the decoder and the detector over the file and calls
// found with each cut, in order.
func detectCuts(ctx context.Context, path string, threshold float64, found func(shotchange.Cut) error) error {
	t, err := shotchange.NewTracker(threshold)
	if err != nil {
		return err
	}
	return decodeVideo(ctx, path, func(n int, v *frame.Video) error {
		c, ok, err := shotchange.PushVideo(t, shotchange.Frame{Number: n, Video: v})
		if err != nil || !ok {
			return err
		}
		return found(c)
	})
}

// shotWriter encodes one shot to a file.
type shotWriter struct {
	enc, mux *axon.Handle
	start    time.Duration // the PTS of the shot's first frame
	n        int
}

func newShotWriter(path, codec string) (*shotWriter, error) {
	s := axon.NewScheduler()
	enc := av.NewEncoder(codec)
	mux := av.NewFileMuxer(path, "matroska")
	axon.MustLink(enc.Out, mux.In)
	axon.MustLink(enc.Signal(), mux.Control())
	hm, err := axon.NewHandle(s, mux, "progress")
	if err != nil {
		return nil, err
	}
	he, err := axon.NewHandle(s, enc, "video", "control")
	if err != nil {
		_ = hm.Close()
		return nil, err
	}
	return &shotWriter{enc: he, mux: hm}, nil
}

func (w *shotWriter) put(ctx context.Context, v *frame.Video) error {
	if w.n == 0 {
		w.start = v.PTS
	}
	w.n++
	// Each file starts at time 0.
	v.PTS -= w.start
	if err := w.enc.Put(ctx, "video", v); err != nil {
		return whyRefused(ctx, w.enc, err)
	}
	return nil
}

// finish ends the shot and waits for its file to be written.
func (w *shotWriter) finish(ctx context.Context) error {
	if err := w.enc.Finish(ctx); err != nil {
		return whyRefused(ctx, w.enc, err)
	}
	if err := w.mux.Wait(ctx); err != nil {
		return err
	}
	return w.enc.Wait(ctx)
}

// close stops the shot's components if they are still running.
func (w *shotWriter) close() {
	_ = w.enc.Close()
	_ = w.mux.Close()
}

// splitShots decodes the file again and writes each shot, the frames from
// one cut to the next, to its own file in dir.
func splitShots(ctx context.Context, path, dir, codec string, cuts []shotchange.Cut) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var w *shotWriter
	shot := 0
	defer func() {
		if w != nil {
			w.close()
		}
	}()
	// endShot writes the shot's file and waits for it.
	endShot := func() error {
		err := w.finish(ctx)
		w.close()
		w = nil
		if err != nil {
			return fmt.Errorf("shot %d: %w", shot, err)
		}
		return nil
	}
	err = decodeVideo(ctx, path, func(n int, v *frame.Video) error {
		if w == nil {
			shot++
			var err error
			if w, err = newShotWriter(filepath.Join(dir, fmt.Sprintf("shot-%04d.mkv", shot)), codec); err != nil {
				return err
			}
		}
		if err := w.put(ctx, v); err != nil {
			return fmt.Errorf("shot %d: %w", shot, err)
		}
		if len(cuts) > 0 && n == cuts[0].Frame {
			// n is the last frame of this shot.
			cuts = cuts[1:]
			return endShot()
		}
		return nil
	})
	if err != nil || w == nil {
		return err
	}
	return endShot()
}

// videoArgs splits the video commands' arguments into the positional ones
// and the values of the named options (given as -name VALUE or --name
// VALUE), and says whether help was asked for. Anything else, "-1"
// included, is positional.
func videoArgs(args []string, options map[string]*string) (rest []string, help bool, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-h", "-help", "--help":
			return nil, true, nil
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		to, ok := options[name]
		if !ok || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		if i+1 >= len(args) {
			return nil, false, fmt.Errorf("%s needs a value", a)
		}
		i++
		*to = args[i]
	}
	return rest, false, nil
}
