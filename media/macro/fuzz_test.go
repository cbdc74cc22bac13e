//go:build cgo

package macro

import (
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
)

// FuzzCapture feeds a Capture packets made of fuzzed bytes (after a valid
// PAT, PMT and EIT, so that the fuzzing reaches the capture paths): no
// panic, and every packet is counted once.
func FuzzCapture(f *testing.F) {
	cfg := dvbtest.DefaultConfig()
	cfg.Cycles, cfg.PESPerCycle, cfg.PESSize = 2, 2, 300
	f.Add(dvbtest.Stream(cfg))
	var m dvbtest.Mux
	m.SectionBytes(mpegts.PIDEIT, []byte{0x4E, 0xF0, 0x20, 1, 2})
	m.PES(0x200, 0xE0, 90000, []byte{1, 2, 3}, nil)
	f.Add(m.Bytes())
	f.Add([]byte{0x47, 0x40, 0x00, 0x10})
	head := dvbtest.DefaultConfig()
	head.Cycles, head.PESPerCycle = 1, 0
	prefix := dvbtest.Stream(head)
	f.Fuzz(func(t *testing.T, b []byte) {
		c := NewCapture(t.TempDir())
		c.Now = func() time.Time { return time.Unix(0, 0) }
		all := append(append([]byte(nil), prefix...), b...)
		ps := mpegts.Packets(all[:len(all)/mpegts.PacketSize*mpegts.PacketSize])
		for _, p := range ps.All() {
			if p[0] != mpegts.SyncByte {
				continue
			}
			if err := c.packet(t.Context(), p); err != nil {
				t.Fatal(err)
			}
		}
		st := c.Stats()
		if st.Packets != st.Tables+st.Captured+st.Pre+st.Unrouted {
			t.Fatalf("packets not counted once: %+v", st)
		}
		for _, s := range c.svcs {
			for _, fl := range []*file{s.cur, s.next} {
				if fl != nil {
					_ = fl.f.Close()
				}
			}
		}
	})
}
