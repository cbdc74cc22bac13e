package dvb_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/device/dvb"
	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/require"
	"github.com/ziutek/dvb/ts/psi"
)

// TestFFmpegMultiplex is the one test that needs something this package
// does not build itself: a transport stream written by Debian's ffmpeg
// (MPEG-2 video and MPEG audio, a named service), read back through
// FileDevice, Multiplex, Demuxer, SectionReassembler and TableParser, and
// checked against what ffmpeg was told. Without ffmpeg it is skipped; the
// streams that dvbtest generates cover the same code.
func TestFFmpegMultiplex(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed (apt-get install ffmpeg): skipping the extra end-to-end test on an ffmpeg-made stream; the generated streams test the same paths")
	}
	path := filepath.Join(t.TempDir(), "ffmpeg.ts")
	cmd := exec.CommandContext(axontest.Context(t), ffmpeg, "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "2",
		"-c:v", "mpeg2video", "-c:a", "mp2",
		"-metadata", "service_provider=Kamaelia", "-metadata", "service_name=Test Card",
		"-mpegts_service_id", "4164",
		"-mpegts_transport_stream_id", "4100",
		"-mpegts_original_network_id", "9018",
		"-mpegts_pmt_start_pid", "0x100",
		"-mpegts_start_pid", "0x200",
		"-f", "mpegts", path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)

	tables, rerrs, perrs, _, _ := psiChain(t, dvb.FileDevice(path), dvb.WithChangesOnly())
	require.Empty(t, rerrs)
	require.Empty(t, perrs)
	var pat *mpegts.PAT
	var pmt *mpegts.PMT
	var sdt *mpegts.SDT
	for _, tb := range tables {
		switch v := tb.(type) {
		case *mpegts.PAT:
			pat = v
		case *mpegts.PMT:
			pmt = v
		case *mpegts.SDT:
			sdt = v
		}
	}
	require.NotNil(t, pat)
	require.Equal(t, uint16(4100), pat.TransportStreamID)
	require.Equal(t, []mpegts.PATProgram{{Number: 4164, PMTPID: 0x100}}, pat.Programs)
	require.NotNil(t, pmt)
	require.Len(t, pmt.Streams, 2)
	require.Equal(t, psi.MPEG2Video, pmt.Streams[0].Type)
	require.Equal(t, uint16(0x200), pmt.Streams[0].PID)
	require.Contains(t, []psi.StreamType{psi.MPEG1Audio, psi.MPEG2Audio}, pmt.Streams[1].Type)
	require.Equal(t, uint16(0x201), pmt.Streams[1].PID)
	require.NotNil(t, sdt)
	require.Equal(t, uint16(9018), sdt.OriginalNetworkID)
	require.Len(t, sdt.Services, 1)
	require.Equal(t, "Test Card", sdt.Services[0].Name)
	require.Equal(t, "Kamaelia", sdt.Services[0].Provider)

	// The PIDs go to the right outboxes, with exact counts.
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	want := dvbtest.CountPIDs(raw)
	s := axontest.NewScheduler(t)
	m := dvb.NewMultiplex(505.833333, []uint16{mpegts.AllPIDs}, dvb.Params{}, dvb.FileDevice(path))
	d, err := dvb.NewDemuxer(map[uint16][]string{0x200: {"video"}, 0x201: {"audio"}, 0x00: {"pat"}, 0x11: {"sdt"}})
	require.NoError(t, err)
	axon.MustLink(m.Out, d.In)
	axon.MustLink(m.Signal(), d.Control())
	h := axontest.NewHandle(t, s, d)
	s.Activate(m)
	got := map[string][]byte{}
	for _, name := range d.Names() {
		got[name] = joinPackets(t, collect[mpegts.Packets](t, h, name))
	}
	require.Equal(t, axon.ProducerFinished{}, signalOf(t, h))
	for name, pid := range map[string]uint16{"video": 0x200, "audio": 0x201, "pat": 0x00, "sdt": 0x11} {
		require.Positive(t, want[pid], name)
		require.Equal(t, want[pid], len(got[name])/188, name)
		requireBytes(t, onlyPIDs(raw, pid), got[name], name)
	}
	require.Zero(t, m.Stats().Resyncs)
	st := d.Stats()
	require.Zero(t, st.ContinuityErrors+st.TransportErrors+st.Scrambled+st.Malformed)

	// The video PID carries PES packets of stream 0xE0 with time stamps.
	pes := 0
	for _, p := range mpegts.Packets(got["video"]).All() {
		if !p.PayloadUnitStart() {
			continue
		}
		payload, err := p.Payload()
		require.NoError(t, err)
		hdr, err := mpegts.ParsePESHeader(payload)
		require.NoError(t, err)
		require.Equal(t, uint8(0xE0), hdr.StreamID)
		require.True(t, hdr.HasPTS)
		pes++
	}
	require.Equal(t, 50, pes, "2 s of 25 frames a second, one PES packet each")
}
