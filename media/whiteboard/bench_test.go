//go:build cgo

package whiteboard_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/frame"
	"github.com/kamaelia-go/kamaelia/media/whiteboard"
	"github.com/stretchr/testify/require"
)

// What hearing costs: a second of three speakers, decoded and mixed, per
// op. Reported as how many times faster than real time it runs.
func BenchmarkConferenceThreeSpeakers(b *testing.B) {
	var in []whiteboard.Voice
	speakers := []string{"A", "B", "C"}
	var frames [][][]byte
	for _, hz := range []float64{500, 1000, 1500} {
		frames = append(frames, speak(b, tone16(hz, 0.2, whiteboard.AudioRate)))
	}
	for f := range frames[0] {
		for i, s := range speakers {
			in = append(in, whiteboard.Voice{From: s, Frame: frames[i][f]})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		r := axontest.Run[whiteboard.Voice, *frame.Audio](b, whiteboard.NewConference("Y"), in...)
		require.NoError(b, r.Err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
