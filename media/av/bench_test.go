//go:build cgo

package av_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// fileReader sends a file's bytes in chunks as fast as its consumer takes
// them (Kamaelia's ReadFileAdaptor at full speed).
type fileReader struct {
	axon.Core
	Out   *axon.Outbox[[]byte]
	path  string
	chunk int
}

func newFileReader(path string, chunk int) *fileReader {
	r := &fileReader{path: path, chunk: chunk}
	r.Out = axon.NewOutbox[[]byte](r, "outbox")
	return r
}

func (r *fileReader) Main(ctx context.Context) error {
	f, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		buf := make([]byte, r.chunk)
		n, err := f.Read(buf)
		if n > 0 {
			if err := r.Out.Send(ctx, buf[:n]); err != nil {
				return err
			}
		}
		if err != nil {
			return nil // end of file
		}
	}
}

// nullSink takes frames and counts them.
type nullSink struct {
	axon.Core
	In     *axon.Inbox[*frame.Video]
	frames int
}

func newNullSink() *nullSink {
	s := &nullSink{}
	s.In = axon.NewInbox[*frame.Video](s, "inbox")
	return s
}

func (s *nullSink) Main(ctx context.Context) error {
	for v := range s.In.Messages(ctx) {
		s.frames++
		v.Release() // as a sink that has shown or stored it does
	}
	return ctx.Err()
}

var (
	benchOnce sync.Once
	benchFile string
	benchN    int
)

// benchClip makes a 640x480 Dirac (VC-2) clip of 200 frames at 20 Mbit/s,
// with the ffmpeg CLI if it is installed, else with DiracEncoder.
func benchClip(b *testing.B) (string, int) {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kamaelia-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchFile, benchN = filepath.Join(dir, "bench.drc"), 200
		if path, err := exec.LookPath("ffmpeg"); err == nil {
			out, err := exec.Command(path, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
				"-i", "testsrc=size=640x480:rate=25", "-frames:v", strconv.Itoa(benchN),
				"-c:v", "vc2", "-b:v", "20M", "-pix_fmt", "yuv420p", "-f", "dirac", benchFile).CombinedOutput()
			if err != nil {
				b.Fatalf("ffmpeg: %v: %s", err, out)
			}
			return
		}
		e := av.NewDiracEncoder()
		e.BitRate = 20_000_000
		if err := os.WriteFile(benchFile, encodeDirac(b, patterns(benchN, 640, 480)), 0o644); err != nil {
			b.Fatal(err)
		}
	})
	return benchFile, benchN
}

// BenchmarkDiracDecodePipeline decodes a 640x480 clip through
// fileReader -> DiracDecoder -> nullSink and, in the same run, with
// `ffmpeg -i clip -f null -`, and reports both rates and their ratio.
func BenchmarkDiracDecodePipeline(b *testing.B) {
	path, n := benchClip(b)
	var frames int
	start := time.Now()
	fastest := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		s := axon.NewScheduler()
		r, d, sink := newFileReader(path, 64<<10), av.NewDiracDecoder(), newNullSink()
		axon.MustLink(r.Out, d.In)
		axon.MustLink(r.Signal(), d.Control())
		axon.MustLink(d.Out, sink.In)
		axon.MustLink(d.Signal(), sink.Control())
		if err := s.Run(r, d, sink); err != nil {
			b.Fatal(err)
		}
		if sink.frames != n {
			b.Fatalf("%d frames, want %d", sink.frames, n)
		}
		frames += sink.frames
		fastest = min(fastest, time.Since(t0))
	}
	b.ReportMetric(float64(frames)/time.Since(start).Seconds(), "frames/s")
	// Best run against the CLI's best run: this machine is shared, and the
	// best of several runs is what each can do when left alone.
	ours := float64(n) / fastest.Seconds()
	b.ReportMetric(ours, "best-frames/s")
	cli, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Log("ffmpeg CLI not installed: no comparison")
		return
	}
	b.StopTimer()
	// The CLI's own -benchmark figure: the real time of its decoding loop,
	// without starting the process and opening the file, the best of three.
	best := math.Inf(1)
	rtime := regexp.MustCompile(`rtime=([0-9.]+)s`)
	for range 3 {
		out, err := exec.Command(cli, "-hide_banner", "-nostdin", "-benchmark", "-i", path, "-f", "null", "-").CombinedOutput()
		if err != nil {
			b.Fatalf("ffmpeg: %v: %s", err, out)
		}
		m := rtime.FindSubmatch(out)
		if m == nil {
			b.Fatalf("no rtime in ffmpeg's output: %s", out)
		}
		sec, _ := strconv.ParseFloat(string(m[1]), 64)
		best = min(best, sec)
	}
	theirs := float64(n) / best
	b.ReportMetric(theirs, "cli-best-frames/s")
	b.ReportMetric(ours/theirs, "ratio")
}
