//go:build cgo

package av_test

import (
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/kamaelia-go/kamaelia/media/frame"
)

// The decoders' input is bytes from anywhere: these feed them anything, in
// chunks of any size. Whatever comes in, a decoder ends with exactly one
// outcome on signal (a clean end or a failure) and never crashes.

func checkOneOutcome(t *testing.T, sigs []any) {
	t.Helper()
	if len(sigs) != 1 {
		t.Fatalf("signals %v, want one outcome", sigs)
	}
	switch sigs[0].(type) {
	case axon.ProducerFinished, *axon.Failure:
	default:
		t.Fatalf("outcome %v", sigs[0])
	}
}

func FuzzDiracDecoder(f *testing.F) {
	f.Add(encodeDirac(f, patterns(2, 64, 48)), uint16(300), false)
	f.Add([]byte("BBCD\x00\x00\x00\x00\x0d\x00\x00\x00\x00"), uint16(1), true)
	f.Fuzz(func(t *testing.T, in []byte, chunk uint16, skip bool) {
		d := av.NewDiracDecoder()
		d.MaxUnitSize = 1 << 20
		if skip {
			d.OnCorrupt = av.Skip
		}
		res := collect[[]byte, *frame.Video](t, d, chunks(in, int(chunk)+1, uint64(len(in)))...)
		checkOneOutcome(t, res.Signals)
	})
}

func FuzzVorbisDecode(f *testing.F) {
	f.Add(encodeVorbis(f, sine(440, 8000, 1, 0.2)), uint16(100))
	f.Add([]byte("OggS"), uint16(1))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint16) {
		res := collect[[]byte, *frame.Audio](t, av.NewVorbisDecode(), chunks(in, int(chunk)+1, uint64(len(in)))...)
		checkOneOutcome(t, res.Signals)
	})
}

func FuzzDecoder(f *testing.F) {
	f.Add(encodeVorbis(f, sine(440, 8000, 1, 0.2)), uint16(500), "ogg")
	f.Add(encodeDirac(f, patterns(2, 64, 48)), uint16(900), "")
	f.Fuzz(func(t *testing.T, in []byte, chunk uint16, format string) {
		if format != "" && format != "ogg" && format != "dirac" && format != "matroska" {
			format = ""
		}
		d := av.NewDecoder(format)
		s := axon.NewScheduler()
		h, err := axon.NewHandle(s, d)
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		for _, c := range chunks(in, int(chunk)+1, 1) {
			if err := h.Put(ctx, "inbox", c); err != nil {
				break // it has ended
			}
		}
		_ = h.Finish(ctx)
		for _, box := range []string{"video", "audio"} {
			for {
				if _, err := h.Get(ctx, box); err != nil {
					break
				}
			}
		}
		var sigs []any
		for {
			m, err := h.Get(ctx, "signal")
			if err != nil {
				break
			}
			sigs = append(sigs, m)
		}
		_ = h.Close()
		checkOneOutcome(t, sigs)
	})
}
