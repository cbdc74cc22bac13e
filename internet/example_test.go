package internet_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/kamaelia-go/kamaelia/axon"
	"github.com/kamaelia-go/kamaelia/axon/axontest"
	"github.com/kamaelia-go/kamaelia/internet"
)

// An echo server and a client that sends a request, half-closes, and reads
// the reply until the server closes.
func ExampleTCPServer() {
	ctx := context.Background()
	sched := axon.NewScheduler()

	// Port 0: the system picks a free port, and Addr says which.
	srv, err := internet.NewTCPServer("127.0.0.1:0", internet.WithPeerHalfClose())
	if err != nil {
		fmt.Println(err)
		return
	}
	hs, _ := axon.NewHandle(sched, srv)
	go func() {
		for {
			m, err := hs.Get(ctx, "outbox")
			if err != nil {
				return // the server has ended
			}
			conn := m.(*internet.Conn)
			axon.MustLink(conn.Out, conn.In)             // what is read is written back
			axon.MustLink(conn.Signal(), conn.Control()) // the peer's end ends the writing
			sched.Activate(conn)
		}
	}()

	client := internet.NewTCPClient(srv.Addr().String(), internet.WithWaitForPeerClose())
	hc, _ := axon.NewHandle(sched, client)
	_ = hc.Put(ctx, "inbox", []byte("hello, "))
	_ = hc.Put(ctx, "inbox", []byte("kamaelia"))
	_ = hc.Finish(ctx) // write, half-close, read until the server closes

	reply, _ := axontest.Collect[[]byte](ctx, hc, "outbox")
	var all []byte
	for _, b := range reply {
		all = append(all, b...)
	}
	fmt.Printf("echoed: %s\n", all)
	sig, _ := hc.Get(ctx, "signal")
	fmt.Println("client ended because the server closed:",
		errors.Is(sig.(axon.ProducerFinished).Reason, internet.ErrPeerClosed))

	_ = hs.Close() // the server stops listening
	_ = sched.Wait(ctx)
	// Output:
	// echoed: hello, kamaelia
	// client ended because the server closed: true
}

// A TCPClient talking to a server written with package net.
func ExampleTCPClient() {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 4)
		n, _ := c.Read(buf)
		fmt.Fprintf(c, "you said %q", buf[:n])
		c.Close()
	}()

	sched := axon.NewScheduler()
	h, _ := axon.NewHandle(sched, internet.NewTCPClient(ln.Addr().String()))
	_ = h.Put(ctx, "inbox", []byte("ping"))
	reply, _ := axontest.Collect[[]byte](ctx, h, "outbox")
	for _, b := range reply {
		fmt.Printf("%s", b)
	}
	fmt.Println()
	_ = sched.Wait(ctx)
	// Output:
	// you said "ping"
}

// Two UDP peers on the loopback interface.
func ExampleSimplePeer() {
	ctx := context.Background()
	sched := axon.NewScheduler()
	b, err := internet.NewPostboxPeer("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := internet.NewSimplePeer("127.0.0.1:0", b.LocalAddr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	ha, _ := axon.NewHandle(sched, a)
	hb, _ := axon.NewHandle(sched, b)

	_ = ha.Put(ctx, "inbox", []byte("hello over UDP"))
	m, _ := hb.Get(ctx, "outbox")
	d := m.(internet.Datagram)
	fmt.Printf("%s, from the sender's port: %v\n", d.Data, d.Addr == a.LocalAddr())

	_ = ha.Close()
	_ = hb.Close()
	// Output:
	// hello over UDP, from the sender's port: true
}

// Any net.Conn can be a component: here one end of a net.Pipe.
func ExampleNewConn() {
	ctx := context.Background()
	mine, theirs := net.Pipe()
	sched := axon.NewScheduler()
	h, _ := axon.NewHandle(sched, internet.NewConn(mine))

	go func() {
		fmt.Fprint(theirs, "from the other end")
		theirs.Close()
	}()
	got, _ := axontest.Collect[[]byte](ctx, h, "outbox")
	for _, b := range got {
		fmt.Printf("%s", b)
	}
	fmt.Println()
	sig, _ := h.Get(ctx, "signal")
	fmt.Println(errors.Is(sig.(axon.ProducerFinished).Reason, internet.ErrPeerClosed))
	_ = sched.Wait(ctx)
	// Output:
	// from the other end
	// true
}

// A multicast receiver and sender on the loopback interface. (Not run as a
// test: some kernels refuse multicast on loopback; see docs/network.md.)
func ExampleMulticastReceiver() {
	ctx := context.Background()
	lo, err := internet.LoopbackInterface()
	if err != nil {
		fmt.Println(err)
		return
	}
	sched := axon.NewScheduler()
	r, err := internet.NewMulticastReceiver("239.255.42.1:0", internet.WithInterface(lo))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := internet.NewMulticastSender("127.0.0.1:0", r.Group().String(), internet.WithInterface(lo), internet.WithTTL(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	hr, _ := axon.NewHandle(sched, r)
	hs, _ := axon.NewHandle(sched, s)
	_ = hs.Put(ctx, "inbox", []byte("to the group"))
	m, _ := hr.Get(ctx, "outbox")
	fmt.Printf("%s\n", m.(internet.Datagram).Data)
	_ = hs.Close()
	_ = hr.Close()
}
