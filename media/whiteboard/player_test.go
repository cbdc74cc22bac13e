//go:build cgo

package whiteboard_test

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shade is the colour of frame i (from 1) of the test reels: a grey whose
// level says the frame.
func shade(i int) color.RGBA {
	v := uint8(20 * i)
	return color.RGBA{v, v, 255 - v, 255}
}

// reel returns n small frames, each one colour (shade).
func reel(n, w, h int) []*frame.Video {
	out := make([]*frame.Video, n)
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for p := 0; p < len(img.Pix); p += 4 {
			c := shade(i + 1)
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = c.R, c.G, c.B, c.A
		}
		v, err := frame.FromImage(img, frame.RGBA)
		if err != nil {
			panic(err)
		}
		out[i] = v
	}
	return out
}

// folder writes the reel as numbered PNG files (and a file that is not a
// picture) into a new folder.
func folder(t *testing.T, frames []*frame.Video) string {
	t.Helper()
	dir := t.TempDir()
	for i, v := range frames {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("frame%02d.png", i+1)))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, v.Image()))
		require.NoError(t, f.Close())
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a frame"), 0o644))
	return dir
}

// The player shows a frame every 20 ms and wraps from the last to the
// first; a step shows its frame at once and restarts the timer.
func TestFramePlayerPlaysInALoopAndSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, start := t.Context(), time.Now()
		s := axon.NewScheduler()
		p := whiteboard.NewFramePlayer(reel(10, 4, 4))
		h, err := axon.NewHandle(s, p)
		require.NoError(t, err)
		type shown struct {
			n  int
			at time.Duration
		}
		next := func() shown {
			t.Helper()
			v, err := h.Get(ctx, "frame")
			require.NoError(t, err)
			f, err := h.Get(ctx, "outbox")
			require.NoError(t, err)
			assert.Equal(t, shade(v.(int)), color.RGBA(f.(*frame.Video).RGBAAt(0, 0)), "the picture of frame %d", v)
			return shown{v.(int), time.Since(start)}
		}
		for i := range 12 {
			assert.Equal(t, shown{i%10 + 1, time.Duration(i) * 20 * time.Millisecond}, next())
		}
		// At 220 ms, frame 2 shows; 5 ms later a step back shows 1 at
		// once, and the timer starts again from there.
		time.Sleep(5 * time.Millisecond)
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepPrev))
		assert.Equal(t, shown{1, 225 * time.Millisecond}, next())
		assert.Equal(t, shown{2, 245 * time.Millisecond}, next())
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepPrev))
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepPrev))
		assert.Equal(t, shown{1, 245 * time.Millisecond}, next())
		assert.Equal(t, shown{10, 245 * time.Millisecond}, next(), "before the first, the last")
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepFirst))
		assert.Equal(t, shown{1, 245 * time.Millisecond}, next())
		// Paused, it shows nothing until stepped.
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepPause))
		time.Sleep(time.Second)
		synctest.Wait()
		_, more := h.TryGet("frame")
		assert.False(t, more, "paused")
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepNext))
		assert.Equal(t, shown{2, 1245 * time.Millisecond}, next())
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepToggle))
		assert.Equal(t, shown{3, 1265 * time.Millisecond}, next(), "playing again")
		// A peer's frame shows at once, and the timer starts from it;
		// past the last it wraps.
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepShow(7)))
		assert.Equal(t, shown{7, 1265 * time.Millisecond}, next())
		assert.Equal(t, shown{8, 1285 * time.Millisecond}, next())
		require.NoError(t, h.Put(ctx, "inbox", whiteboard.StepShow(13)))
		assert.Equal(t, shown{3, 1285 * time.Millisecond}, next())
		require.NoError(t, h.Put(ctx, "inbox", "REWIND"))
		require.ErrorContains(t, h.Wait(ctx), `"REWIND" is not a step`)
		_ = h.Close()
		_ = s.Wait(ctx)
	})
}

// A SHOW step that names no picture is an error naming it.
func TestFramePlayerRefusesABadShow(t *testing.T) {
	for _, step := range []string{whiteboard.StepShow(0), "SHOW x"} {
		s := axontest.NewScheduler(t)
		p := whiteboard.NewFramePlayer(reel(3, 4, 4))
		p.Period = -1
		h := axontest.NewHandle(t, s, p)
		require.NoError(t, h.Put(t.Context(), "inbox", step))
		require.ErrorContains(t, h.Wait(t.Context()), "shows no picture", step)
	}
}

// LoadFolder reads a folder's pictures in the order of their names;
// LoadVideo reads any video FFmpeg reads, scaled to the size asked.
func TestLoadFolderAndVideo(t *testing.T) {
	frames, err := whiteboard.LoadFolder(folder(t, reel(10, 8, 6)))
	require.NoError(t, err)
	require.Len(t, frames, 10)
	for i, v := range frames {
		assert.Equal(t, shade(i+1), color.RGBA(v.RGBAAt(3, 3)), "frame %d", i+1)
	}
	_, err = whiteboard.LoadFolder(t.TempDir())
	require.ErrorContains(t, err, "holds no pictures")

	path := filepath.Join(t.TempDir(), "clip.mkv")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25:duration=0.4",
		"-c:v", "ffv1", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	frames, err = whiteboard.LoadVideo(t.Context(), path, image.Pt(32, 24), 0)
	require.NoError(t, err)
	require.Len(t, frames, 10)
	assert.Equal(t, 32, frames[0].Width)
	assert.Equal(t, frame.YUV420P, frames[0].Format)

	_, err = whiteboard.LoadVideo(t.Context(), path, image.Pt(32, 24), 5000)
	require.ErrorContains(t, err, "take a shorter clip")
	_, err = whiteboard.LoadVideo(t.Context(), filepath.Join(t.TempDir(), "none.mkv"), image.Pt(32, 24), 0)
	require.Error(t, err)
}
