package dvbtest_test

import (
	"fmt"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
)

// Stream builds a whole test multiplex: the article's BBC services, their
// tables and their video and audio.
func ExampleStream() {
	cfg := dvbtest.DefaultConfig()
	stream := dvbtest.Stream(cfg)
	n := dvbtest.CountPIDs(stream)
	fmt.Println(len(stream)/188, "packets")
	fmt.Println("PAT:", n[0x00], "EIT:", n[0x12], "BBC ONE video:", n[0x200])
	// Output:
	// 408 packets
	// PAT: 4 EIT: 16 BBC ONE video: 72
}
