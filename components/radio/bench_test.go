package radio_test

import (
	"io"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/components/radio"
	"github.com/stretchr/testify/require"
)

// BenchmarkMix mixes one chunk (20 ms of 48 kHz stereo) of three sources.
// A second of sound is 50 chunks.
func BenchmarkMix(b *testing.B) {
	srcs := [][]byte{pcm(1000, radio.DefaultChunk/2), pcm(-2000, radio.DefaultChunk/2), pcm(3000, radio.DefaultChunk/2)}
	out := make([]byte, radio.DefaultChunk)
	b.Run("saturate", func(b *testing.B) {
		gains := []int64{1 << 16, 1 << 15, 1 << 16}
		b.SetBytes(3 * radio.DefaultChunk)
		for b.Loop() {
			radio.MixSaturate(out, srcs, gains)
		}
	})
	b.Run("divide3", func(b *testing.B) {
		b.SetBytes(3 * radio.DefaultChunk)
		for b.Loop() {
			radio.MixDivideByThree(out, srcs)
		}
	})
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMatrix runs a whole Matrix on loopback: three feeds send b.N
// chunks each, as fast as they can, and every listener reads the whole
// mix. It reports the CPU time of the process (matrix, feeds and
// listeners together) per second of sound mixed and sent to all listeners.
func BenchmarkMatrix(b *testing.B) {
	for _, listeners := range []int{1, 10, 50} {
		b.Run("listeners="+strconv.Itoa(listeners), func(b *testing.B) {
			m, err := radio.NewMatrix(radio.MatrixConfig{
				Sources: [radio.NumSources]string{loop, loop, loop}, Control: loop, Listen: loop,
				ListenerQueue: 1 << 16, // nothing dropped: every listener hears all
			})
			require.NoError(b, err)
			_, h := startMatrixB(b, m)
			defer func() { _ = h.Close() }()
			ctx := b.Context()
			conns := make([]net.Conn, listeners)
			for i := range conns {
				conns[i], err = net.Dial("tcp", m.ListenAddr().String())
				require.NoError(b, err)
				defer conns[i].Close()
			}
			require.NoError(b, m.WaitListeners(ctx, listeners))
			feeds := make([]net.Conn, radio.NumSources)
			for i := range feeds {
				feeds[i], err = net.Dial("tcp", m.SourceAddr(i).String())
				require.NoError(b, err)
				defer feeds[i].Close()
			}
			chunk := pcm(100, radio.DefaultChunk/2)
			total := b.N * radio.DefaultChunk
			var wg sync.WaitGroup
			b.ResetTimer()
			cpu0 := cpuTime(b)
			for _, c := range conns {
				wg.Go(func() { _, _ = io.CopyN(io.Discard, c, int64(total)) })
			}
			for _, f := range feeds {
				wg.Go(func() {
					for range b.N {
						if _, err := f.Write(chunk); err != nil {
							return
						}
					}
				})
			}
			wg.Wait()
			cpu := cpuTime(b) - cpu0
			b.StopTimer()
			seconds := float64(b.N) / 50 // of sound
			b.ReportMetric(float64(cpu.Microseconds())/1000/seconds, "cpu-ms/s-sound")
			b.ReportMetric(float64(cpu.Microseconds())/1000/seconds/float64(listeners), "cpu-ms/s-sound/listener")
		})
	}
}
