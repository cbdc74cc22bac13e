package web_test

import (
	"context"
	"fmt"
	"net"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/components/web"
)

// A web server whose every request to /hello is served by a component of
// its own, and a client component that fetches from it.
func ExampleNewServer() {
	sched := axon.NewScheduler()
	hello := func(*web.Request) (axon.Component, error) {
		return web.NewHandler(func(ctx context.Context, h *web.Handler, req *web.Request) error {
			return h.Respond(ctx, 200, "text/plain", []byte("hello from "+req.Suffix+"\n"))
		}), nil
	}
	srv := web.NewServer(sched, web.Limits{}, web.Route{Prefix: "/hello/", New: hello})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	hs := web.NewHTTPServer("", srv)
	go func() { _ = hs.Serve(ln) }()
	defer func() { _ = hs.Close(); _ = srv.Close() }()

	ctx := context.Background()
	h, _ := axon.NewHandle(sched, web.NewSingleShotClient(nil, web.Get("http://"+ln.Addr().String()+"/hello/a component")))
	for {
		r, err := h.Get(ctx, "outbox")
		if err != nil {
			break
		}
		switch r := r.(type) {
		case web.Head:
			fmt.Println(r.Status, r.Header.Get("Content-Type"))
		case web.Chunk:
			fmt.Printf("%s", r)
		case web.End:
			fmt.Println("end")
		}
	}
	// Output:
	// 200 OK text/plain
	// hello from a component
	// end
}
