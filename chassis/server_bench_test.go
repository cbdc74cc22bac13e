package chassis_test

import (
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/chassis"
	"github.com/kamaelia-go/kamaelia/internet"
)

// benchConns is how many connections BenchmarkEchoServer10k makes:
// KAMAELIA_BENCH_CONNS, else 10,000; fewer if the file limit (raised to its
// hard limit first) cannot hold both ends of that many in one process.
func benchConns(b *testing.B) int {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("KAMAELIA_BENCH_CONNS")); err == nil && v > 0 {
		n = v
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			b.Fatal(err)
		}
	}
	if most := (int(lim.Cur) - 256) / 2; n > most {
		b.Logf("open-file limit %d: %d connections instead of %d", lim.Cur, most, n)
		n = most
	}
	return n
}

// liveBytes is the heap and stack in use after a collection.
func liveBytes() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// cpuTime is the processor time (user and system) the process has used,
// in nanoseconds: over the timed loop, both ends of every connection.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// goEchoServer is the hand-written comparison: a goroutine per connection.
type goEchoServer struct {
	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func startGoEcho(b *testing.B) *goEchoServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	g := &goEchoServer{ln: ln}
	g.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			g.conns = append(g.conns, c)
			g.mu.Unlock()
			g.wg.Go(func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			})
		}
	})
	return g
}

func (g *goEchoServer) stop() {
	g.ln.Close()
	g.mu.Lock()
	for _, c := range g.conns {
		c.Close()
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// BenchmarkEchoServer10k runs N concurrent loopback connections through an
// echo SimpleServer and through a hand-written goroutine-per-connection
// echo server, each client sending 1 KiB messages and reading each back.
// It reports messages/s, the processor time per message (both ends), and
// the heap and stack each connection costs (measured after all are
// connected, both ends included).
func BenchmarkEchoServer10k(b *testing.B) {
	n := benchConns(b)
	const perConn = 10 // round trips per connection per iteration
	b.Run("SimpleServer", func(b *testing.B) {
		base := liveBytes()
		s := axontest.NewScheduler(b)
		srv, err := chassis.SimpleServer(echo, "127.0.0.1:0", internet.WithPeerHalfClose())
		if err != nil {
			b.Fatal(err)
		}
		axontest.NewHandle(b, s, srv)
		runEchoBench(b, srv.Addr(), n, perConn, base)
	})
	b.Run("GoroutinePerConn", func(b *testing.B) {
		base := liveBytes()
		g := startGoEcho(b)
		defer g.stop()
		runEchoBench(b, g.ln.Addr(), n, perConn, base)
	})
}

func runEchoBench(b *testing.B, addr net.Addr, n, perConn int, base uint64) {
	msg := make([]byte, 1024)
	for i := range msg {
		msg[i] = byte(i)
	}
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	buf := make([]byte, len(msg))
	for range n {
		c, err := net.Dial("tcp", addr.String())
		if err != nil {
			b.Fatalf("after %d connections: %v", len(conns), err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(time.Minute)) // a net, not a wait
		// One round trip: the server is serving it.
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	perConnBytes := float64(liveBytes()-min(base, liveBytes())) / float64(n)

	cpu0 := cpuTime(b)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Go(func() {
				rb := make([]byte, len(msg))
				for range perConn {
					if _, err := c.Write(msg); err != nil {
						b.Error(err)
						return
					}
					if _, err := io.ReadFull(c, rb); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(n*perConn*b.N), "cpu-ns/msg")
	b.ReportMetric(float64(n*perConn*b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(perConnBytes, "B/conn")
	b.ReportMetric(float64(n), "conns")
}
