package mpegts_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// An Aligner finds the packets in bytes that arrive in chunks of any size,
// and the sync byte again when it is lost.
func ExampleAligner() {
	var m dvbtest.Mux
	for range 4 {
		m.Packet(0x100, false, dvbtest.Payload(184, 1), dvbtest.PacketOptions{})
	}
	stream := append([]byte{0xDE, 0xAD}, m.Bytes()...) // starts mid-packet
	stream[2+2*188] = 0                                // packet 2 loses its sync byte

	var a mpegts.Aligner
	n := 0
	for off := 0; off < len(stream); off += 100 {
		n += a.Align(stream[off:min(off+100, len(stream))]).Len()
	}
	n += a.Flush().Len()
	fmt.Println("packets:", n)
	fmt.Printf("%+v\n", a.Stats())
	// Output:
	// packets: 3
	// {Packets:3 Resyncs:1 SkippedBytes:190 TruncatedBytes:0}
}

// An Assembler reassembles sections from packets; ParseTable parses them.
func ExampleParseTable() {
	cfg := dvbtest.DefaultConfig()
	var m dvbtest.Mux
	m.Sections(mpegts.PIDSDT, dvbtest.SDTSection(cfg.TransportStreamID, cfg.OriginalNetworkID, 0, cfg.Programs...)...)

	var a mpegts.Assembler
	ps, _ := mpegts.ParsePackets(m.Bytes())
	for _, p := range ps.All() {
		a.Push(p, func(s mpegts.Section, err error) {
			if err != nil {
				fmt.Println(err)
				return
			}
			t, err := mpegts.ParseTable(s)
			if err != nil {
				fmt.Println(err)
				return
			}
			for _, sv := range t.(*mpegts.SDT).Services {
				fmt.Printf("%d %q %q %v\n", sv.ServiceID, sv.Provider, sv.Name, sv.Type)
			}
		})
	}
	// Output:
	// 4164 "BBC" "BBC ONE" digital television
	// 4287 "BBC" "BBC TWO" digital television
	// 6720 "BBC" "BBC R4" digital radio sound
}
