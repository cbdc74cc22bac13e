//go:build cgo

package macro_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/media/macro"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPacedFilePlaysAtItsRate reads a file through PacedFile at 1 Mbit/s
// on synctest's clock: 250 kB take 2 s (the read that finds the end waits
// its turn too); Close ends a wait at once. FileRate tells a file's rate
// from its PCRs.
func TestPacedFilePlaysAtItsRate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.ts")
	data := make([]byte, 250_000)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	synctest.Test(t, func(t *testing.T) {
		dvr, err := macro.PacedFile(path, 1e6).OpenDVR()
		require.NoError(t, err)
		start := time.Now()
		got, err := io.ReadAll(dvr)
		require.NoError(t, err)
		assert.Len(t, got, len(data))
		assert.Equal(t, 2*time.Second, time.Since(start))
		require.NoError(t, dvr.Close())

		dvr, err = macro.PacedFile(path, 1e3).OpenDVR()
		require.NoError(t, err)
		b := make([]byte, 188)
		_, err = dvr.Read(b)
		require.NoError(t, err)
		done := make(chan error)
		go func() {
			_, err := dvr.Read(b) // waits for 1.5 s of stream
			done <- err
		}()
		synctest.Wait()
		require.NoError(t, dvr.Close())
		require.Error(t, <-done)
	})
	fast, err := macro.PacedFile(path, 0).OpenDVR()
	require.NoError(t, err)
	all, err := io.ReadAll(fast)
	require.NoError(t, err)
	assert.Len(t, all, len(data))
	require.NoError(t, fast.Close())

	// A generated stream of 50 frames at 25 a second: its rate is about
	// its size over 2 s.
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles, cfg.PESPerCycle, cfg.PESSize = 50, 1, 1000
	ts := filepath.Join(dir, "rate.ts")
	b := dvbtest.Stream(cfg)
	require.NoError(t, os.WriteFile(ts, b, 0o644))
	rate, err := macro.FileRate(ts)
	require.NoError(t, err)
	assert.InEpsilon(t, float64(len(b))*8/2, rate, 0.05)
	_, err = macro.FileRate(path)
	require.ErrorContains(t, err, "sync byte")
	cfg.PESPerCycle = 0
	require.NoError(t, os.WriteFile(ts, dvbtest.Stream(cfg), 0o644))
	_, err = macro.FileRate(ts)
	require.ErrorContains(t, err, "not enough PCRs")
}
