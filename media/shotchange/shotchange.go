// Package shotchange finds the cuts in a video: the frames after which one
// shot ends and another begins (Kamaelia's DetectShotChanges, Jim
// Easterbrook's algorithm from BBC Research). It looks only at luma and
// needs no cgo, so it runs on frames from any decoder.
//
// The signal is the mean absolute difference (MAD) of luma between
// consecutive frames. Each MAD is compared with a threshold that follows the
// local activity (1.3 times the largest of the last five MADs), and a cut
// is a lone spike: a difference well above the activity before it and
// after it. A second signal catches the double spike of a cut in material
// converted between frame rates ("standards converted"), and each signal
// masks the other. A spike's confidence is (ln(spike) + 0.1) / 4.6; a cut is
// reported when it is at least the threshold, 0.9 unless set.
//
// The four frames before a cut echo it at a lower confidence (0.89 against
// 1.02 for a cut between two test cards): the threshold is what keeps them
// out, so it should not be set much lower than the default.
//
// Judging a spike needs the frames after it, so a cut is reported about
// fifteen frames late, with the number of the last frame before it: frames
// carry their numbers for that reason. No cut is found in the first or the
// last fifteen frames or so.
package shotchange

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// DefaultThreshold is the confidence at or above which a cut is reported
// unless a Tracker or Detector is told otherwise.
const DefaultThreshold = 0.9

// Frame is a numbered picture, what a Detector takes. Numbers need not
// follow one another but should be unique: they are how a cut found
// fifteen frames late names its frame.
type Frame struct {
	Number int
	Video  *frame.Video
}

// Cut is a shot change: Frame is the number of the last frame before it,
// Confidence how sure the detector is (reported when at least the
// threshold; a clean cut between unrelated shots is near 1).
type Cut struct {
	Frame      int
	Confidence float64
}

// String returns the cut as "frame F (confidence C)", C to four decimals.
func (c Cut) String() string {
	return fmt.Sprintf("frame %d (confidence %.4f)", c.Frame, c.Confidence)
}

// Tracker is the detector's state, for use without a component: Push each
// frame's luma in order and it returns the cuts it finds. The zero value is
// not ready; use NewTracker.
type Tracker struct {
	threshold float64

	mad    [10]float64 // mean absolute differences, newest first
	thresh [11]float64 // thresholds from the local activity
	c0     [2]float64  // the cut signal
	c1     [2]float64  // the standards-converted cut signal
	fnum   [11]int     // frame numbers
	valid  int         // frames seen, capped

	prev          []byte // the previous frame's luma, tight rows
	width, height int
}

// NewTracker returns a Tracker that reports cuts of at least threshold
// confidence. A threshold that is not a positive number is an error.
func NewTracker(threshold float64) (*Tracker, error) {
	if !(threshold > 0) || math.IsInf(threshold, 1) {
		return nil, fmt.Errorf("shotchange: threshold %v is not a positive number", threshold)
	}
	return &Tracker{threshold: threshold}, nil
}

// Threshold returns the confidence at or above which cuts are reported.
func (t *Tracker) Threshold() float64 { return t.threshold }

// Push takes the luma plane of frame number n (width x height samples,
// rows stride bytes apart) and returns a cut when the frames so far show
// one at or above the threshold. A cut concerns a frame pushed about
// fifteen frames earlier. The plane is copied: the caller keeps it. A
// plane too small for its size, or of another size than the first
// frame's, is an error, and the tracker is left as it was.
func (t *Tracker) Push(n int, luma []byte, width, height, stride int) (Cut, bool, error) {
	if width <= 0 || height <= 0 || stride < width || len(luma) < (height-1)*stride+width {
		return Cut{}, false, fmt.Errorf("shotchange: frame %d: a %dx%d luma plane of stride %d cannot be %d bytes", n, width, height, stride, len(luma))
	}
	if t.prev != nil && (width != t.width || height != t.height) {
		return Cut{}, false, fmt.Errorf("shotchange: frame %d is %dx%d, the frames before it %dx%d", n, width, height, t.width, t.height)
	}
	conf, num, ok := t.step(n, luma, width, height, stride)
	if ok && conf >= t.threshold {
		return Cut{Frame: num, Confidence: conf}, true, nil
	}
	return Cut{}, false, nil
}

// step advances the histories by one frame and returns the confidence of
// the frame it can now judge, if any.
func (t *Tracker) step(n int, luma []byte, width, height, stride int) (float64, int, bool) {
	// Shift every history by one: index 0 is this frame.
	copy(t.c0[1:], t.c0[:1])
	copy(t.c1[1:], t.c1[:1])
	copy(t.mad[1:], t.mad[:9])
	copy(t.thresh[1:], t.thresh[:10])
	copy(t.fnum[1:], t.fnum[:10])
	t.fnum[0] = n
	t.valid = min(t.valid+1, 9999)

	// The first frame has no difference; the original's "none" counts as
	// smaller than any difference, and differences are never negative, so
	// 0 stands for it in the maximum below.
	t.mad[0] = 0
	if t.prev != nil {
		t.mad[0] = meanAbsDiff(t.prev, luma, width, height, stride)
	} else {
		t.prev = make([]byte, width*height)
		t.width, t.height = width, height
	}
	for y := range height {
		copy(t.prev[y*width:(y+1)*width], luma[y*stride:y*stride+width])
	}

	t.thresh[0] = 1.3 * max(t.mad[0], t.mad[1], t.mad[2], t.mad[3], t.mad[4])
	mad, th := &t.mad, &t.thresh
	if t.valid >= 14 {
		rising := (mad[6] - th[7]) - max(0, mad[7]-th[8])
		falling := (mad[6] - th[1]) - max(0, mad[5]-th[0])
		t.c0[0] = (rising - falling) / 2
	}
	if t.valid >= 15 {
		rising := (mad[7] - th[8]) - max(0, mad[8]-th[9]) - max(0, mad[7]-th[2])
		falling := (mad[6] - th[1]) - max(0, mad[5]-th[0]) - max(0, mad[6]-th[7])
		t.c1[0] = (rising - falling) / 2
	}
	if t.valid < 16 {
		return 0, 0, false
	}
	// A spike is a cut or a standards-converted cut, not both.
	c0 := 0.0
	if t.c0[1]*5 >= max(t.c1[0], t.c1[1]) {
		c0 = t.c0[1]
	}
	c1 := 0.0
	if t.c1[0] > max(t.c0[0], t.c0[1])*5 {
		c1 = t.c1[0]
	}
	switch {
	case c0 > 0:
		return (math.Log(c0) + 0.1) / 4.6, t.fnum[7], true
	case c1 > 0:
		return (math.Log(c1) + 0.1) / 4.6, t.fnum[6], true
	}
	return 0, 0, false
}

// meanAbsDiff returns the mean of |cur - prev| over a width x height plane;
// prev is tight, cur has rows stride bytes apart.
func meanAbsDiff(prev, cur []byte, width, height, stride int) float64 {
	var total uint64
	for y := range height {
		p := prev[y*width : (y+1)*width]
		c := cur[y*stride : y*stride+width]
		total += rowAbsDiff(p, c)
	}
	return float64(total) / float64(width*height)
}

// ErrNoLuma is the error of a frame with no luma plane (an RGBA frame):
// convert it to Y'CbCr or gray first.
var ErrNoLuma = errors.New("shotchange: the frame has no luma plane")

// Detector is the component: it takes numbered frames and sends the cuts
// it finds, each with the number of the last frame before it
// (Kamaelia's DetectShotChanges).
//
// Boxes:
//
//	inbox   Frame  numbered pictures in YUV420P, YUV422P, YUV444P or Gray8,
//	               all of one size; only luma is read
//	control any    ProducerFinished, Shutdown
//	outbox  Cut    each cut at or above the threshold, about fifteen
//	               frames after it
//	signal  any    how it ended
//
// Example:
//
//	det := shotchange.NewDetector()
//	det.Threshold = 0.85
//	axon.MustLink(numberer.Out, det.In)
//	axon.MustLink(det.Out, report.In)
//
// The detector reads each frame and does not change it; it keeps a copy of
// the last frame's luma, so a frame sent to it may be sent elsewhere too.
//
// Shutdown: ProducerFinished on control makes it judge the frames waiting
// and end with ProducerFinished (the last fifteen frames or so are never
// judged: no frames follow them). Shutdown ends it at once. A frame that is
// not valid, has no luma plane or differs in size from the first is an
// error on signal that names its number.
type Detector struct {
	axon.Core
	// In is the inbox called "inbox": see the type's doc.
	In *axon.Inbox[Frame]
	// Out is the outbox called "outbox": see the type's doc.
	Out *axon.Outbox[Cut]
	// Threshold is the confidence at or above which a cut is sent;
	// DefaultThreshold unless set before the detector runs. It must be
	// positive.
	Threshold float64
}

// NewDetector returns a Detector at DefaultThreshold.
func NewDetector() *Detector {
	d := &Detector{Threshold: DefaultThreshold}
	d.In = axon.NewInbox[Frame](d, "inbox")
	d.Out = axon.NewOutbox[Cut](d, "outbox")
	return d
}

// Main detects cuts until told to stop.
func (d *Detector) Main(ctx context.Context) error {
	t, err := NewTracker(d.Threshold)
	if err != nil {
		return err
	}
	for f := range d.In.Messages(ctx) {
		c, ok, err := PushVideo(t, f)
		if err != nil {
			return err
		}
		if ok {
			if err := d.Out.Send(ctx, c); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// PushVideo pushes a numbered frame's luma to t: Tracker.Push for a
// *frame.Video, which it checks first.
func PushVideo(t *Tracker, f Frame) (Cut, bool, error) {
	v := f.Video
	if v == nil {
		return Cut{}, false, fmt.Errorf("shotchange: frame %d: no picture", f.Number)
	}
	if err := v.Validate(); err != nil {
		return Cut{}, false, fmt.Errorf("shotchange: frame %d: %w", f.Number, err)
	}
	switch v.Format {
	case frame.YUV420P, frame.YUV422P, frame.YUV444P, frame.Gray8:
	default:
		return Cut{}, false, fmt.Errorf("frame %d is %v: %w", f.Number, v.Format, ErrNoLuma)
	}
	return t.Push(f.Number, v.Planes[0], v.Width, v.Height, v.Strides[0])
}

// rowAbsDiff returns the sum of |a[i] - b[i]|, len(b) >= len(a). It works
// without branches (a branch on which byte is larger mispredicts on every
// noisy pixel) and on eight pairs a step.
func rowAbsDiff(a, b []byte) uint64 {
	var s0, s1, s2, s3 int64
	b = b[:len(a)]
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		d0 := int64(aa[0]) - int64(bb[0])
		d1 := int64(aa[1]) - int64(bb[1])
		d2 := int64(aa[2]) - int64(bb[2])
		d3 := int64(aa[3]) - int64(bb[3])
		d4 := int64(aa[4]) - int64(bb[4])
		d5 := int64(aa[5]) - int64(bb[5])
		d6 := int64(aa[6]) - int64(bb[6])
		d7 := int64(aa[7]) - int64(bb[7])
		s0 += abs(d0) + abs(d4)
		s1 += abs(d1) + abs(d5)
		s2 += abs(d2) + abs(d6)
		s3 += abs(d3) + abs(d7)
	}
	for ; i < len(a); i++ {
		s0 += abs(int64(a[i]) - int64(b[i]))
	}
	return uint64(s0 + s1 + s2 + s3)
}

// abs is |d| without a branch.
func abs(d int64) int64 {
	m := d >> 63
	return (d ^ m) - m
}
