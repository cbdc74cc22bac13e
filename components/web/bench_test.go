package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamaelia-go/kamaelia/axon"
)

var helloBody = []byte("hello, world\n")

func helloFactory(*Request) (axon.Component, error) {
	return NewHandler(func(ctx context.Context, h *Handler, req *Request) error {
		return h.Respond(ctx, 200, "text/plain", helloBody)
	}), nil
}

// load runs b.N GET requests from 64 keep-alive clients against h on
// 127.0.0.1 and reports requests per second and the heap in use per
// request in flight.
func load(b *testing.B, h http.Handler) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := NewHTTPServer("", h)
	go func() { _ = hs.Serve(ln) }()
	defer func() { _ = hs.Close() }()
	const clients = 64
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := "http://" + ln.Addr().String() + "/hello"
	var before, during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var left atomic.Int64
	left.Store(int64(b.N))
	var sampled atomic.Bool
	b.ResetTimer()
	start := time.Now()
	done := make(chan error, clients)
	for range clients {
		go func() {
			for left.Add(-1) >= 0 {
				resp, err := client.Get(url)
				if err != nil {
					done <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != 200 {
					done <- io.ErrUnexpectedEOF
					return
				}
				if left.Load() == int64(b.N)/2 && sampled.CompareAndSwap(false, true) {
					runtime.ReadMemStats(&during)
				}
			}
			done <- nil
		}()
	}
	for range clients {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	if sampled.Load() && during.HeapInuse > before.HeapInuse {
		b.ReportMetric(float64(during.HeapInuse-before.HeapInuse)/clients, "heapB/inflight")
	}
}

// BenchmarkHelloNetHTTP is the baseline: a plain net/http handler.
func BenchmarkHelloNetHTTP(b *testing.B) {
	load(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "13")
		_, _ = w.Write(helloBody)
	}))
}

// BenchmarkHelloComponent is a handler component per request.
func BenchmarkHelloComponent(b *testing.B) {
	s := axon.NewScheduler()
	srv := NewServer(s, Limits{}, Route{Prefix: "/hello", New: helloFactory})
	defer func() { _ = srv.Close() }()
	load(b, srv)
}
