package main

import (
	"context"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/device/dvb/dvbtest"
	"github.com/kamaelia-go/kamaelia/device/dvb/mpegts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { axontest.VerifyTestMain(m) }

// writeStream writes a generated multiplex into a temporary .ts file and
// returns its path and bytes.
func writeStream(t *testing.T) (string, []byte) {
	t.Helper()
	ts := dvbtest.Stream(dvbtest.DefaultConfig())
	require.Zero(t, len(ts)%mpegts.PacketSize)
	path := filepath.Join(t.TempDir(), "mux.ts")
	require.NoError(t, os.WriteFile(path, ts, 0o644))
	return path, ts
}

// wanted returns the packets of ts whose PID is in pids (all for
// mpegts.AllPIDs), in order, by a plain loop.
func wanted(ts []byte, pids []uint16) [][]byte {
	var out [][]byte
	for i := 0; i+mpegts.PacketSize <= len(ts); i += mpegts.PacketSize {
		p := ts[i : i+mpegts.PacketSize]
		pid := uint16(p[1]&0x1F)<<8 | uint16(p[2])
		for _, w := range pids {
			if w == mpegts.AllPIDs || w == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func TestServesPacketsToTCPClient(t *testing.T) {
	for _, tc := range []struct {
		name string
		pids []uint16
	}{
		{"all PIDs", []uint16{mpegts.AllPIDs}},
		{"BBC ONE video and audio", []uint16{0x200, 0x201}},
		{"EIT", []uint16{mpegts.PIDEIT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, ts := writeStream(t)
			want := wanted(ts, tc.pids)
			require.NotEmpty(t, want)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrc := make(chan net.Addr, 1)
			errc := make(chan error, 1)
			go func() {
				errc <- run(ctx, config{TSFile: path, FreqMHz: 505.833333, PIDs: tc.pids, Listen: "127.0.0.1:0"},
					func(a net.Addr) { addrc <- a })
			}()
			var addr net.Addr
			select {
			case addr = <-addrc:
			case err := <-errc:
				t.Fatalf("run ended before listening: %v", err)
			}

			conn, err := net.Dial("tcp", addr.String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second))) // a safety net only

			got := make([]byte, len(want)*mpegts.PacketSize)
			_, err = io.ReadFull(conn, got)
			require.NoError(t, err, "reading %d packets", len(want))
			for i, w := range want {
				require.Equal(t, w, got[i*mpegts.PacketSize:(i+1)*mpegts.PacketSize], "packet %d of %d", i, len(want))
			}

			cancel()
			require.NoError(t, <-errc)
			// The server closed the connection when it stopped, and sent
			// nothing more than the file's packets.
			n, err := conn.Read(make([]byte, 1))
			assert.Zero(t, n)
			assert.Error(t, err)
		})
	}
}

func TestMissingFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.ts")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, config{TSFile: path, FreqMHz: 505.833333, PIDs: []uint16{mpegts.AllPIDs}, Listen: "127.0.0.1:0"},
			func(a net.Addr) { addrc <- a })
	}()
	<-addrc
	// The Multiplex opens the file at once, before any client: its failure
	// ends run.
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestParsePIDs(t *testing.T) {
	pids, err := parsePIDs("0x200, 513,0x2000")
	require.NoError(t, err)
	assert.Equal(t, []uint16{0x200, 513, mpegts.AllPIDs}, pids)
	for _, bad := range []string{"", "0x2001", "x", "0x1fff,-1"} {
		_, err := parsePIDs(bad)
		assert.Error(t, err, bad)
	}
}

func TestFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-ts", "a.ts", "-pids", "0x12", "-listen", ":0", "-freq", "490"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{TSFile: "a.ts", FreqMHz: 490, PIDs: []uint16{0x12}, Listen: ":0"}, cfg)
	_, err = parseFlags([]string{"-ts", "a.ts", "-adapter", "1"}, io.Discard)
	assert.Error(t, err)
}
