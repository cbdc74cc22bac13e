//go:build cgo

package av_test

import (
	"bytes"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/media/av"
	"github.com/stretchr/testify/require"
)

// muxStream muxes packets into a byte stream of format.
func muxStream(t testing.TB, format string, ps []*av.Packet) []byte {
	t.Helper()
	res := axontest.Run[*av.Packet, []byte](t, av.NewMuxer(format), ps...)
	require.NoError(t, res.Err)
	return bytes.Join(res.Outputs, nil)
}

// A Demuxer of a byte stream reads what comes off a network: whatever
// comes in, in chunks of any size, it ends with exactly one outcome and
// never crashes, and a PacketDecoder given what it split out does too.
func FuzzDemuxer(f *testing.F) {
	video := encodeVideo(f, av.NewEncoder("mpeg4"), patterns(3, 64, 48))
	audio := encodeAudio(f, av.NewEncoder("libvorbis"), sine(440, 8000, 1, 0.2))
	f.Add(muxStream(f, "matroska", video), uint16(500), "matroska")
	f.Add(muxStream(f, "mpegts", video), uint16(188), "")
	f.Add(muxStream(f, "ogg", audio), uint16(300), "ogg")
	f.Add(muxStream(f, "mp4", video), uint16(1000), "mp4")
	f.Add([]byte("\x1aE\xdf\xa3"), uint16(1), "")
	f.Fuzz(func(t *testing.T, in []byte, chunk uint16, format string) {
		switch format {
		case "", "matroska", "mpegts", "ogg", "mp4", "wav":
		default:
			format = ""
		}
		res := axontest.Run[[]byte, *av.Packet](t, av.NewDemuxer(format), chunks(in, int(chunk)+1, uint64(len(in)))...)
		checkOneOutcome(t, res.Signals)
		var one []*av.Packet
		for _, p := range res.Outputs {
			if p.Stream == 0 {
				one = append(one, p)
			}
		}
		if len(one) == 0 {
			return
		}
		d := av.NewPacketDecoder()
		d.OnCorrupt = av.Skip
		_, _, err := decodePackets(t, d, one)
		if err != nil {
			// Only a stream that is neither video nor audio, or one FFmpeg
			// has no decoder for, may fail in Skip mode.
			require.NotContains(t, err.Error(), "panic")
		}
	})
}
